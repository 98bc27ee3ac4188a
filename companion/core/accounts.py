"""The account on this device, whichever app holds it: its file, its keys, its recovery code.

Both apps keep an account the same way (DESIGN §3):
- key vault: private keys, the database key, the recovery code (so it can be shown again
  after the PIN; the vault already guards the keys it would restore, so this adds no new
  exposure), the device's sign-in token and the app-lock PIN hash;
- encrypted store meta: account id, display name and what each app adds.
An account exists on this device when both the vault's keys and the database file exist;
the keys are always written last, so a crash half-way through leaves no half account.
Each app's own accounts module adds how an account comes to be (a youth signs up on the
phone, offline if need be; a caregiver activates with the server) and how it opens.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from companion.core.app_lock import ATTEMPTS_SECRET, BIOMETRIC_SECRET, PIN_SECRET
from companion.core.errors import AccountExists, InvalidInput, NoAccount
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import Enrolment, KdfParams, RecoveryCode, enrol
from companion.crypto.vault_base import DATABASE_KEY, KeyVault
from companion.store import ACCOUNT_KEY, Store
from companion.sync.session import TOKEN_SECRET

DB_FILE = "companion.db"
KEYS_SECRET = "account_keys"
RECOVERY_SECRET = "recovery_code"
# every secret an account leaves in the vault; removed when the account is deleted
ACCOUNT_SECRETS = (
    KEYS_SECRET,
    RECOVERY_SECRET,
    DATABASE_KEY,
    PIN_SECRET,
    ATTEMPTS_SECRET,
    BIOMETRIC_SECRET,
    TOKEN_SECRET,
)

META_ACCOUNT_ID = ACCOUNT_KEY  # the store stamps new records with it
META_DISPLAY_NAME = "display_name"
META_RECOVERY_CONFIRMED = "recovery_confirmed"

RECOVERY_GROUPS = 8

OpenStore = Callable[[Path, bytes], Store]


class HasStore(Protocol):
    """An open account of either app: what the account helpers here need of it."""

    @property
    def store(self) -> Store: ...


@dataclass(frozen=True)
class NewCredentials:
    """Keys, recovery code and recovery enrolment for a new account (the slow part)."""

    keys: AccountKeys
    recovery: RecoveryCode
    enrolment: Enrolment


def recovery_group(code: str, number: int) -> str:
    """Group `number` (1-based) of a code shown as 'ABCD-EFGH-...'."""
    return code.split("-")[number - 1]


class DeviceAccount:
    """What both apps' account services share: where the account lives and its secrets."""

    def __init__(
        self,
        data_dir: Path,
        vault: KeyVault,
        now: Callable[[], datetime],
        *,
        open_store: OpenStore,
        kdf: Callable[[], KdfParams] = KdfParams.create,
    ) -> None:
        self._data_dir = data_dir
        self._vault = vault
        self._now = now
        self._open_store = open_store
        self._kdf = kdf

    @property
    def db_path(self) -> Path:
        return self._data_dir / DB_FILE

    def exists(self) -> bool:
        return self.db_path.exists() and self._vault.get(KEYS_SECRET) is not None

    def keys_lost(self) -> bool:
        """The data file is here but the vault no longer holds its key: the phone's keystore
        was wiped (a reset of its security, a restore from a backup). The database key is
        always kept before the file is made, so an interrupted sign-up never looks like
        this. Nothing may open, replace or delete the file then; the person restores with
        the recovery code (the old file is moved aside, unchanged)."""
        return self.db_path.exists() and self._vault.get(DATABASE_KEY) is None

    def refuse_second_account(self) -> None:
        """One account per device. A file whose keys the keystore lost is no account any
        more: restoring or beginning again moves it aside (`new_store`)."""
        if self.exists() and not self.keys_lost():
            raise AccountExists()

    def keys(self) -> AccountKeys:
        raw = self._vault.get(KEYS_SECRET)
        if raw is None:
            raise NoAccount()
        return AccountKeys.from_bytes(raw)

    def open_store(self) -> Store:
        """The account's encrypted store (raises NoAccount when there is none)."""
        if not self.exists():
            raise NoAccount()
        return self._open_store(self.db_path, self._vault.database_key())

    def new_store(self, leftover_suffix: str) -> Store:
        """A fresh store for an account being made. A file left by an interrupted sign-up (no
        keys in the vault) cannot be opened any more; it is moved aside, never deleted."""
        if self.db_path.exists():
            self.db_path.rename(self.db_path.with_suffix(f".orphan-{leftover_suffix}"))
        return self._open_store(self.db_path, self._vault.database_key())

    def prepare_credentials(self) -> NewCredentials:
        """Generate keys and recovery code and run Argon2id: slow, so off the UI loop."""
        keys = AccountKeys.generate()
        recovery = RecoveryCode.generate()
        return NewCredentials(keys, recovery, enrol(keys, recovery, self._kdf()))

    def keep_credentials(self, recovery: RecoveryCode | str, keys: AccountKeys) -> None:
        """The recovery code, then the keys: until the keys are there, no account exists."""
        self._vault.set(RECOVERY_SECRET, str(recovery).encode("ascii"))
        self._vault.set(KEYS_SECRET, keys.to_bytes())

    def recovery_code(self) -> str:
        """The code in its grouped display form (callers check the PIN first)."""
        raw = self._vault.get(RECOVERY_SECRET)
        if raw is None:
            raise NoAccount("no recovery code on this device")
        return raw.decode("ascii")

    def recovery_confirmed(self, session: HasStore) -> bool:
        return session.store.meta.get(META_RECOVERY_CONFIRMED) == "1"

    def confirm_recovery(self, session: HasStore, group_number: int, typed: str) -> None:
        """The user proves they noted the code by typing one group of it back."""
        expected = recovery_group(self.recovery_code(), group_number)
        if re.sub(r"[\s\-]", "", typed or "").upper() != expected:
            raise InvalidInput("recovery_group_mismatch", field="recovery_group")
        session.store.meta.set(META_RECOVERY_CONFIRMED, "1")

    def erase(self) -> None:
        """Remove this device's copy: the database files, then every secret of the account.
        Callers decide when that is allowed; the store must be closed."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        for name in ACCOUNT_SECRETS:
            self._vault.delete(name)
