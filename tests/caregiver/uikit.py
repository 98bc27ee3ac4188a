"""A caregiver device as the in-process UI tests need it: real services on a temp folder.

`device(...)` builds `CaregiverServices` over one data folder with an in-memory vault, a
hand-moved clock and a recording notifier (the machine edges). `signed_in(...)` leaves the
folder as a finished activation does (store meta + vault secrets, recovery confirmed) but
without a server connection, so nothing syncs behind the test's back.
"""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher

from companion.caregiver.accounts import META_ROLE
from companion.caregiver.services import CaregiverServices
from companion.core import accounts
from companion.core.accounts import KEYS_SECRET, RECOVERY_SECRET
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import KdfParams, RecoveryCode
from companion.crypto.vault import MemoryVault
from companion.notify import RecordingNotifier
from companion.store import Store
from companion_wire import Role, new_id


def device(folder: Path, clock, vault: MemoryVault | None = None) -> CaregiverServices:
    return CaregiverServices(
        folder,
        vault or MemoryVault(),
        server="http://127.0.0.1:9",
        now=clock,
        os_notifier=RecordingNotifier(),  # the desktop's notification service
        kdf=KdfParams.fast,
        pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
    )


def signed_in(
    folder: Path, clock, name: str = "Els Peeters", role: Role = Role.CAREGIVER
) -> CaregiverServices:
    vault = MemoryVault()
    store = Store.open(folder / accounts.DB_FILE, vault.database_key())
    with store.transaction():
        store.meta.set(accounts.META_ACCOUNT_ID, new_id())
        store.meta.set(accounts.META_DISPLAY_NAME, name)
        store.meta.set(META_ROLE, role.value)
        store.meta.set(accounts.META_RECOVERY_CONFIRMED, "1")
    store.close()
    vault.set(RECOVERY_SECRET, str(RecoveryCode.generate()).encode("ascii"))
    vault.set(KEYS_SECRET, AccountKeys.generate().to_bytes())
    services = device(folder, clock, vault)
    services.start()
    return services
