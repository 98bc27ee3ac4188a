"""The composition root: one `AppServices` per running app, built once at start-up.

It owns the device-level pieces (data folder, key vault, preferences, app lock, sync
status, help lines) and, once an account is open, its `UserSpace` (store + feature
services). Views receive it through context and never build services themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher

from companion.crypto.recovery import KdfParams
from companion.crypto.vault_base import KeyVault
from companion.i18n import t, translator
from companion.notify import FanOutNotifier, InAppNotifier, InAppScheduler, PlyerNotifier
from companion.services.accounts import AccountService, NewCredentials
from companion.services.app_lock import AppLock
from companion.services.errors import NoAccount
from companion.services.helplines import Helpline, load_helplines
from companion.services.paths import data_dir as default_data_dir
from companion.services.preferences import PreferencesFile
from companion.services.reminder_scheduler import ReminderScheduler
from companion.services.settings import SettingsService
from companion.services.space import UserSpace
from companion.services.sync_status import SyncStateBox
from companion.services.vaults import open_device_vault

PREFERENCES_FILE = "preferences.json"


def local_now() -> datetime:
    """Aware local time: 'today' and reminder times follow the phone's clock and zone."""
    return datetime.now().astimezone()


def reminder_body(at: datetime) -> str:
    """The text under a reminder's title in a notification."""
    return t("reminders.notification_body", time=at.strftime("%H:%M"))


class AppServices:
    def __init__(
        self,
        data_dir: Path,
        vault: KeyVault,
        *,
        open_store: Callable[..., object] | None = None,
        now: Callable[[], datetime] = local_now,
        kdf: Callable[[], KdfParams] = KdfParams.create,
        pin_hasher: PasswordHasher | None = None,
    ) -> None:
        if open_store is None:
            from companion.store import Store

            open_store = Store.open
        self.data_dir = data_dir
        self.vault = vault
        self.now = now
        self.settings = SettingsService(PreferencesFile(data_dir / PREFERENCES_FILE), translator())
        self.lock = AppLock(vault, now, pin_hasher)
        self.accounts = AccountService(data_dir, vault, now, open_store=open_store, kdf=kdf)
        self.sync_state = SyncStateBox()
        self.helplines: list[Helpline] = load_helplines()
        self.space: UserSpace | None = None
        self.notifications = InAppNotifier()
        self.reminder_scheduler = ReminderScheduler(
            InAppScheduler(FanOutNotifier([PlyerNotifier(), self.notifications]), reminder_body),
            now,
            lambda: self.space.reminders if self.space is not None else None,
        )

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> AppServices:
        """Data folder and vault as chosen by the environment (see paths.py, vaults.py)."""
        env = os.environ if env is None else env
        folder = default_data_dir(env)
        return cls(folder, open_device_vault(folder, env))

    def start(self) -> UserSpace | None:
        """Open the existing account, if this device has one."""
        if self.space is None and self.accounts.exists():
            self.space = self.accounts.open()
        return self.space

    def create_account(
        self,
        display_name: str,
        *,
        credentials: NewCredentials | None = None,
        invitation: str | None = None,
    ) -> UserSpace:
        self.space = self.accounts.create(
            display_name, credentials=credentials, invitation=invitation
        )
        return self.space

    def require_space(self) -> UserSpace:
        if self.space is None:
            raise NoAccount()
        return self.space

    def delete_account(self, typed_confirmation: str, expected_word: str) -> None:
        space = self.require_space()
        self.accounts.delete(space, typed_confirmation, expected_word)
        self.space = None
        self.settings.reset()

    def close(self) -> None:
        if self.space is not None:
            self.space.close()
            self.space = None
