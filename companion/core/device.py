"""What both apps have once per device, before and after someone signs in (DESIGN §1).

`DeviceCore` is the base of each app's composition root (`YouthServices`,
`CaregiverServices`): the data folder, the key vault, preferences, the app lock, the help
lines, the notification channels and the sync state the screens show, and, once an account
is open, its session and the sync that keeps it in step. Views receive the app's root
through context and never build services themselves.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Generic, Protocol, Self, TypeVar

import httpx
from argon2 import PasswordHasher

from companion.core.app_lock import AppLock
from companion.core.errors import NoAccount, NotConnected
from companion.core.helplines import Helpline, load_helplines
from companion.core.paths import data_dir as default_data_dir
from companion.core.preferences import PreferencesFile
from companion.core.settings import SettingsService
from companion.core.sync_status import SyncStateBox
from companion.core.syncing import POLL_SECONDS, AccountSync
from companion.core.vaults import open_device_vault
from companion.crypto.recovery import KdfParams
from companion.crypto.vault_base import KeyVault
from companion.i18n import translator
from companion.notify import FanOutNotifier, InAppNotifier, Notifier, PlyerNotifier
from companion.store import Store

ENV_SERVER_URL = "COMPANION_SERVER_URL"
ENV_POLL = "COMPANION_SYNC_INTERVAL"
PREFERENCES_FILE = "preferences.json"


def local_now() -> datetime:
    """Aware local time: 'today' and reminder times follow the device's clock and zone."""
    return datetime.now().astimezone()


def server_url(env: Mapping[str, str] | None = None) -> str | None:
    """The configured server, or None."""
    env = os.environ if env is None else env
    return env.get(ENV_SERVER_URL, "").strip() or None


class Session(Protocol):
    """An open account of either app."""

    @property
    def store(self) -> Store: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=Session)


class Accounts(Protocol[S]):
    def exists(self) -> bool: ...

    def open(self) -> S: ...


class DeviceCore(Generic[S]):
    accounts: Accounts[S]

    def __init__(
        self,
        data_dir: Path,
        vault: KeyVault,
        *,
        server: str | None = None,
        now: Callable[[], datetime] = local_now,
        open_store: Callable[[Path, bytes], Store] | None = None,
        kdf: Callable[[], KdfParams] = KdfParams.create,
        pin_hasher: PasswordHasher | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        live: bool = True,
        poll_seconds: float = POLL_SECONDS,
        os_notifier: Notifier | None = None,
    ) -> None:
        """`server` is the sync server's address; None keeps the device offline."""
        self.data_dir = data_dir
        self.vault = vault
        self.now = now
        self.server = server
        self.settings = SettingsService(PreferencesFile(data_dir / PREFERENCES_FILE), translator())
        self.lock = AppLock(vault, now, pin_hasher)
        self.helplines: list[Helpline] = load_helplines()
        self.sync_state = SyncStateBox()
        # a banner in the app (the only channel in web mode) beside the platform's own
        self.notifications = InAppNotifier()
        self.notifier = FanOutNotifier([os_notifier or PlyerNotifier(), self.notifications])
        self.open_store: Callable[[Path, bytes], Store] = open_store or Store.open
        self.kdf = kdf
        self.transport = transport
        self.live = live
        self.poll_seconds = poll_seconds
        self.session: S | None = None
        self.sync: AccountSync | None = None

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Self:
        """Data folder, vault and server as the environment chooses (paths.py, vaults.py)."""
        env = os.environ if env is None else env
        folder = default_data_dir(env)
        return cls(
            folder,
            open_device_vault(folder, env),
            server=server_url(env),
            poll_seconds=float(env.get(ENV_POLL) or POLL_SECONDS),
        )

    # --- the open account -----------------------------------------------------------------

    def start(self) -> S | None:
        """Open the account this device already has, if any, and prepare its sync."""
        if self.session is None and self.accounts.exists():
            self.attach(self.accounts.open())
        return self.session

    def require_session(self) -> S:
        if self.session is None:
            raise NoAccount()
        return self.session

    def attach(self, session: S) -> S:
        """Make `session` the open account and prepare its sync (not started yet)."""
        self.session = session
        self.sync = self.make_sync(session)
        return session

    def make_sync(self, session: S) -> AccountSync | None:
        """The app's sync for an open account; None while it cannot sync."""
        return None

    # --- syncing --------------------------------------------------------------------------

    def start_sync(self) -> None:
        """Start syncing the open account on the running event loop (idempotent)."""
        if self.sync is not None:
            self.sync.start()

    def resume_sync(self) -> None:
        """The app came back to the foreground: sync now."""
        if self.sync is not None:
            self.sync.resume()

    def request_sync(self) -> None:
        """Ask for a cycle now, for changes that are not records (a record written locally
        asks by itself)."""
        if self.sync is not None:
            self.sync.request()

    def require_sync(self) -> AccountSync:
        if self.sync is None:
            raise NotConnected("this device has no server connection")
        return self.sync

    async def retry_unsent(self) -> None:
        """Send the changes the server refused once more (shown with why they were not)."""
        if self.sync is not None:
            await self.sync.retry_parked()

    async def dismiss_unsent(self) -> None:
        """Hide the refused changes; they stay on this device as they are."""
        if self.sync is not None:
            await self.sync.dismiss_parked()

    async def stop_sync(self) -> None:
        sync, self.sync = self.sync, None
        if sync is not None:
            await sync.stop()

    def drop_sync(self) -> None:
        """Stop syncing before the store closes, from a synchronous caller."""
        sync, self.sync = self.sync, None
        if sync is None or not sync.started:
            return
        try:
            asyncio.get_running_loop().create_task(sync.stop())
        except RuntimeError:  # not on the loop (a worker thread): the loop stops it
            loop = sync.loop
            if loop is not None and not loop.is_closed():
                asyncio.run_coroutine_threadsafe(sync.stop(), loop)

    async def aclose(self) -> None:
        await self.stop_sync()
        self.close()

    def close(self) -> None:
        self.drop_sync()
        if self.session is not None:
            self.session.close()
            self.session = None
