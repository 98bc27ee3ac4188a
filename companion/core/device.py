"""What both apps have once per device, before and after someone signs in (DESIGN §1).

`DeviceCore` is the base of each app's composition root (`YouthServices`,
`CaregiverServices`): the data folder, the key vault, preferences, the app lock (PIN, and on
phones a fingerprint or face beside it), the help lines, the notification channels and the
sync state the screens show, and, once an account is open, its session and the sync that
keeps it in step. Views receive the app's root through context and never build services
themselves.

An account that is there but cannot be opened (the keystore lost its keys or cannot be read,
a wrong key, a damaged file, a full disk) is never replaced: `start()` keeps what went wrong
in `problem` (a `CannotOpen`) and the app shows what to do instead of its screens.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Generic, Protocol, Self, TypedDict, TypeVar, runtime_checkable

import httpx
from argon2 import PasswordHasher

from companion.core.app_lock import AppLock
from companion.core.errors import CannotOpen, KeysNotKept, NoAccount, NotConnected
from companion.core.files import FileService
from companion.core.helplines import Helpline, load_helplines
from companion.core.paths import data_dir as default_data_dir
from companion.core.preferences import PreferencesFile
from companion.core.settings import SettingsService
from companion.core.sync_status import SyncStateBox, Unsent
from companion.core.syncing import POLL_SECONDS, AccountSync
from companion.core.vaults import open_device_vault
from companion.crypto.recovery import KdfParams
from companion.crypto.vault_base import (
    KeyVault,
    VaultCorruptError,
    VaultError,
    VaultUnavailableError,
)
from companion.i18n import translator
from companion.notify import FanOutNotifier, InAppNotifier, Notifier, PlyerNotifier
from companion.phone.biometrics import Biometrics, NoBiometrics
from companion.store import (
    CorruptDatabaseError,
    DatabaseLockedError,
    DiskFullError,
    SchemaTooNewError,
    Store,
    StoreError,
    WrongKeyError,
)

ENV_SERVER_URL = "COMPANION_SERVER_URL"
ENV_POLL = "COMPANION_SYNC_INTERVAL"
PREFERENCES_FILE = "preferences.json"

log = logging.getLogger(__name__)


def local_now() -> datetime:
    """Aware local time: 'today' and reminder times follow the device's clock and zone."""
    return datetime.now().astimezone()


def server_url(env: Mapping[str, str] | None = None) -> str | None:
    """The configured server, or None."""
    env = os.environ if env is None else env
    return env.get(ENV_SERVER_URL, "").strip() or None


@runtime_checkable
class PhoneVault(Protocol):
    """A vault that reads the keystore asynchronously (FletSecureStorageVault)."""

    @property
    def loaded(self) -> bool: ...

    async def load(self) -> None: ...

    async def flush(self) -> None: ...


_OPEN_PROBLEMS: tuple[tuple[type[Exception], str], ...] = (
    (VaultUnavailableError, "keystore_locked"),
    (VaultCorruptError, "keystore_damaged"),
    (WrongKeyError, "wrong_key"),
    (SchemaTooNewError, "too_new"),
    (DiskFullError, "disk_full"),
    (DatabaseLockedError, "busy"),
    (CorruptDatabaseError, "damaged"),
    (VaultError, "keystore_damaged"),
)


def cannot_open(error: Exception) -> CannotOpen:
    """What the person is told when the account is there but does not open."""
    reason = next((why for kind, why in _OPEN_PROBLEMS if isinstance(error, kind)), "damaged")
    return CannotOpen(reason, str(error))


class Session(Protocol):
    """An open account of either app."""

    @property
    def store(self) -> Store: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=Session)
S_co = TypeVar("S_co", bound=Session, covariant=True)


class Accounts(Protocol[S_co]):
    def exists(self) -> bool: ...

    def keys_lost(self) -> bool: ...

    def open(self) -> S_co: ...


class DeviceOptions(TypedDict, total=False):
    """DeviceCore's keyword arguments, as each app's services pass them on."""

    server: str | None
    now: Callable[[], datetime]
    open_store: Callable[[Path, bytes], Store] | None
    kdf: Callable[[], KdfParams]
    pin_hasher: PasswordHasher | None
    transport: httpx.AsyncBaseTransport | None
    live: bool
    poll_seconds: float
    os_notifier: Notifier | None
    biometrics: Biometrics | None


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
        biometrics: Biometrics | None = None,
    ) -> None:
        """`server` is the sync server's address; None keeps the device offline."""
        self.data_dir = data_dir
        self.vault = vault
        self.now = now
        self.server = server
        self.settings = SettingsService(PreferencesFile(data_dir / PREFERENCES_FILE), translator())
        self.lock = AppLock(vault, now, pin_hasher)
        self.biometrics: Biometrics = biometrics or NoBiometrics()
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
        self.problem: CannotOpen | None = None

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
        """Open the account this device already has, if any, and prepare its sync. When it
        is there but does not open, `problem` says why and nothing is touched."""
        if self.session is not None:
            return self.session
        self.problem = None
        try:
            if self.accounts.keys_lost():
                self.problem = CannotOpen("keys_gone")
            elif self.accounts.exists():
                self.attach(self.accounts.open())
        except (VaultError, StoreError) as error:
            self.problem = cannot_open(error)
        return self.session

    async def retry_start(self) -> S | None:
        """ "Try again" on the problem screen: read the keystore again if it could not be
        read, then open."""
        if isinstance(self.vault, PhoneVault):
            try:
                await self.vault.load()
            except VaultError as error:
                self.problem = cannot_open(error)
                return None
        return self.start()

    def start_over(self) -> None:
        """The person chose to restore or begin again after their keys were lost: the old
        file stays where it is until a new account moves it aside (never deleted)."""
        if self.problem is not None and self.problem.reason == "keys_gone":
            self.problem = None

    async def keep_keys(self) -> None:
        """Wait until the keystore holds every key written on the UI loop (phones); raises
        KeysNotKept when it refuses. After signing up or restoring, and when the app
        goes to the background."""
        if isinstance(self.vault, PhoneVault):
            try:
                await self.vault.flush()
            except VaultError as error:
                raise KeysNotKept(str(error)) from error

    @property
    def files(self) -> FileService | None:
        """Files of the open account; None without a server (files travel through it)."""
        return self.sync.files if self.sync is not None else None

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

    async def to_background(self) -> None:
        """The app left the screen: stop polling and the live socket, and make sure the
        keystore holds every key (a phone may end the app from here without a word)."""
        if self.sync is not None:
            await self.sync.pause()
        try:
            await self.keep_keys()
        except KeysNotKept as error:  # kept in memory; the next flush tries again
            log.warning("the keystore did not keep every key yet: %s", error)

    def to_foreground(self) -> None:
        """Back on the screen: sync now (and keep syncing)."""
        self.resume_sync()

    async def unlock_with_biometrics(self, reason: str) -> bool:
        """Ask the OS for a fingerprint or face, if the person turned that on."""
        if not self.lock.biometric_enabled:
            return False
        return await self.biometrics.authenticate(reason)

    def request_sync(self) -> None:
        """Ask for a cycle now, for changes that are not records (a record written locally
        asks by itself)."""
        if self.sync is not None:
            self.sync.request()

    def require_sync(self) -> AccountSync:
        if self.sync is None:
            raise NotConnected("this device has no server connection")
        return self.sync

    def unsent(self) -> Unsent:
        """What was written here and has not reached the server: waiting for a connection,
        or held back (refused, or for someone whose keys are not checked yet)."""
        if self.session is None:
            return Unsent(frozenset(), frozenset())
        held = frozenset(change.record_id for change in self.sync_state.state.parked)
        return Unsent(self.session.store.outbox.record_ids() - held, held)

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
