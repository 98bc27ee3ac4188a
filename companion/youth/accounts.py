"""Creating, opening and deleting the account on this device.

Sign-up happens entirely on the device: the account and space ids are UUIDv7 made here, the
key pairs and recovery code are generated here, and the recovery enrolment (encrypted key
backup + proof of the code) is prepared here. Registering with a server is the sync
engine's job: it finds `pending_registration` and `pending_enrolment` in the store's meta
table, sends them, and clears the markers.

What lives where:
- key vault: private keys, the database key, the recovery code (so it can be shown again
  after the PIN; the vault already guards the keys it would restore, so this adds no new
  exposure) and the app-lock PIN hash;
- encrypted store meta: account id, space id, display name and the pending markers.
An account exists on this device when both the vault's keys and the database file exist; a
crash half-way through sign-up leaves no half account (the next sign-up starts over).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from companion.core.errors import AccountExists, InvalidInput, NoAccount, NotConnected
from companion.core.validation import build
from companion.crypto.errors import InvalidRecoveryCodeError
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import Enrolment, KdfParams, RecoveryCode, enrol
from companion.crypto.vault_base import DATABASE_KEY, KeyVault
from companion.domain.models import Person
from companion.sync.session import TOKEN_SECRET
from companion.youth.account import Account
from companion.youth.network.service import NetworkRemote
from companion.youth.session import YouthSession
from companion_wire import InvitationCode, Role, new_id

DB_FILE = "companion.db"
KEYS_SECRET = "account_keys"
RECOVERY_SECRET = "recovery_code"
# every secret this module or the app lock writes; removed when the account is deleted
ACCOUNT_SECRETS = (
    KEYS_SECRET,
    RECOVERY_SECRET,
    DATABASE_KEY,
    "app_lock_pin",
    "app_lock_attempts",
    TOKEN_SECRET,
)

META_ACCOUNT_ID = "account_id"
META_SPACE_ID = "space_id"
META_DISPLAY_NAME = "display_name"
META_CREATED_AT = "created_at"
META_PENDING_REGISTRATION = "pending_registration"
META_PENDING_ENROLMENT = "pending_enrolment"
META_PENDING_INVITATION = "pending_invitation"
META_RECOVERY_CONFIRMED = "recovery_confirmed"

RECOVERY_GROUPS = 8
_INVITATION = TypeAdapter(InvitationCode)


def normalise_invitation(text: str) -> str:
    """Invitation codes are read aloud and typed: case, spaces and dashes do not matter, and
    a code the server could never know is caught here, before any network call."""
    compact = re.sub(r"[\s\-]", "", text or "")
    try:
        return _INVITATION.validate_python(compact)
    except ValidationError:
        raise InvalidInput("invitation_format", field="invitation") from None


@dataclass(frozen=True)
class NewCredentials:
    """Keys, recovery code and recovery enrolment for a new account (the slow part)."""

    keys: AccountKeys
    recovery: RecoveryCode
    enrolment: Enrolment


def recovery_group(code: str, number: int) -> str:
    """Group `number` (1-based) of a code shown as 'ABCD-EFGH-...'."""
    return code.split("-")[number - 1]


class AccountService:
    def __init__(
        self,
        data_dir: Path,
        vault: KeyVault,
        now: Callable[[], datetime],
        *,
        open_store: Callable[..., object],
        kdf: Callable[[], KdfParams] = KdfParams.create,
        remote: Callable[[], NetworkRemote | None] = lambda: None,
    ) -> None:
        """`remote` is handed to every YouthSession opened here (see YouthSession)."""
        self._data_dir = data_dir
        self._vault = vault
        self._now = now
        self._open_store = open_store
        self._kdf = kdf
        self._remote = remote

    @property
    def db_path(self) -> Path:
        return self._data_dir / DB_FILE

    def exists(self) -> bool:
        return self.db_path.exists() and self._vault.get(KEYS_SECRET) is not None

    def open(self) -> YouthSession:
        """Open the existing account's store (raises NoAccount when there is none)."""
        if not self.exists():
            raise NoAccount()
        store = self._open_store(self.db_path, self._vault.database_key())
        meta = store.meta
        account_id = meta.get(META_ACCOUNT_ID)
        space_id = meta.get(META_SPACE_ID)
        if account_id is None or space_id is None:
            store.close()
            raise NoAccount("the store has no account in it")
        account = Account(account_id, space_id, meta.get(META_DISPLAY_NAME) or "")
        return YouthSession(store, account, self._now, self._remote)

    def check_display_name(self, display_name: str) -> str:
        """The cleaned name, or InvalidInput; cheap, so views check before the slow part."""
        return build(Person, id=new_id(), display_name=display_name, role=Role.YOUTH).display_name

    def prepare_credentials(self) -> NewCredentials:
        """Generate keys and recovery code and run Argon2id: slow, so off the UI loop."""
        keys = AccountKeys.generate()
        recovery = RecoveryCode.generate()
        return NewCredentials(keys, recovery, enrol(keys, recovery, self._kdf()))

    def create(
        self,
        display_name: str,
        *,
        credentials: NewCredentials | None = None,
        invitation: str | None = None,
    ) -> YouthSession:
        """Make the store and ids for a new account on this device."""
        name = self.check_display_name(display_name)
        code = normalise_invitation(invitation) if invitation is not None else None
        if self.exists():
            raise AccountExists()
        # A database left by an interrupted sign-up (no keys in the vault) cannot be
        # opened any more; move it aside instead of deleting what we cannot read.
        if self.db_path.exists():
            self.db_path.rename(self.db_path.with_suffix(f".orphan-{new_id()}"))
        credentials = credentials or self.prepare_credentials()
        keys, enrolment = credentials.keys, credentials.enrolment
        self._vault.set(RECOVERY_SECRET, str(credentials.recovery).encode("ascii"))
        store = self._open_store(self.db_path, self._vault.database_key())
        account = Account(new_id(), new_id(), name)
        with store.transaction():
            store.meta.set(META_ACCOUNT_ID, account.account_id)
            store.meta.set(META_SPACE_ID, account.space_id)
            store.meta.set(META_DISPLAY_NAME, account.display_name)
            store.meta.set(META_CREATED_AT, self._now().isoformat())
            store.meta.set(META_PENDING_REGISTRATION, "1")
            store.meta.set(
                META_PENDING_ENROLMENT,
                json.dumps(
                    {
                        "public_keys": keys.public.to_wire(),
                        "key_backup": enrolment.backup.to_wire(),
                        "recovery": enrolment.credentials.to_wire(),
                    }
                ),
            )
            if code is not None:
                store.meta.set(META_PENDING_INVITATION, code)
        # The keys go in last: until they are there, no account "exists" on this device.
        self._vault.set(KEYS_SECRET, keys.to_bytes())
        return YouthSession(store, account, self._now, self._remote)

    def recovery_code(self) -> str:
        """The code in its grouped display form (callers check the PIN first)."""
        raw = self._vault.get(RECOVERY_SECRET)
        if raw is None:
            raise NoAccount("no recovery code on this device")
        return raw.decode("ascii")

    def recovery_confirmed(self, space: YouthSession) -> bool:
        return space.store.meta.get(META_RECOVERY_CONFIRMED) == "1"

    def confirm_recovery(self, space: YouthSession, group_number: int, typed: str) -> None:
        """The youth proves they noted the code by typing one group of it back."""
        expected = recovery_group(self.recovery_code(), group_number)
        if re.sub(r"[\s\-]", "", typed or "").upper() != expected:
            raise InvalidInput("recovery_group_mismatch", field="recovery_group")
        space.store.meta.set(META_RECOVERY_CONFIRMED, "1")

    def pending_invitation(self, space: YouthSession) -> str | None:
        return space.store.meta.get(META_PENDING_INVITATION)

    def is_registered(self, space: YouthSession) -> bool:
        return space.store.meta.get(META_PENDING_REGISTRATION) != "1"

    def check_restore(self, typed_code: str) -> None:
        """Before restoring: the code has no typo (caught before any network call) and this
        device has no account yet."""
        try:
            RecoveryCode.parse(typed_code)
        except InvalidRecoveryCodeError as error:
            raise InvalidInput(f"recovery_{error.reason}", field="recovery_code") from None
        if self.exists():
            raise AccountExists()

    def restore(self, typed_code: str) -> None:
        """Restore without a server configured: the code is checked, then NotConnected (the
        encrypted key backup is on the server). YouthServices.restore does the real thing."""
        self.check_restore(typed_code)
        raise NotConnected("restoring needs the server, and this app has no connection yet")

    def session_of(self, store, account: Account) -> YouthSession:
        """The YouthSession of a store another path (restoring on a new phone) opened."""
        return YouthSession(store, account, self._now, self._remote)

    def check_delete(
        self,
        space: YouthSession,
        typed_confirmation: str,
        expected_word: str,
        *,
        server_erased: bool = False,
    ) -> None:
        """Raise what `delete` would refuse, without touching anything."""
        if typed_confirmation.strip().casefold() != expected_word.casefold():
            raise InvalidInput("confirmation_mismatch", field="confirmation")
        if self.is_registered(space) and not server_erased:
            raise NotConnected("deleting a registered account needs the server")

    def delete(
        self,
        space: YouthSession,
        typed_confirmation: str,
        expected_word: str,
        *,
        server_erased: bool = False,
    ) -> None:
        """Wipe this device's copy after the youth typed the confirmation word.

        A registered account also lives on the server: the caller erases it there first
        and says so with `server_erased`; otherwise this raises NotConnected and keeps
        everything (no silent half-deletion).
        """
        self.check_delete(space, typed_confirmation, expected_word, server_erased=server_erased)
        space.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        for name in ACCOUNT_SECRETS:
            self._vault.delete(name)
