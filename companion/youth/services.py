"""The composition root: one `YouthServices` per running app, built once at start-up.

It owns the device-level pieces (data folder, key vault, preferences, app lock, sync
status, help lines) and, once an account is open, its `YouthSession` (store + feature
services). Views receive it through context and never build services themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from companion.core.app_lock import AppLock
from companion.core.errors import InvalidInput, NoAccount, NotConnected, from_sync_error
from companion.core.helplines import Helpline, load_helplines
from companion.core.paths import data_dir as default_data_dir
from companion.core.preferences import PreferencesFile
from companion.core.settings import SettingsService
from companion.core.sync_status import SyncStateBox
from companion.core.vaults import open_device_vault
from companion.crypto.errors import InvalidRecoveryCodeError, WrongRecoveryCodeError
from companion.crypto.recovery import KdfParams
from companion.crypto.vault_base import KeyVault
from companion.i18n import t, translator
from companion.notify import FanOutNotifier, InAppNotifier, InAppScheduler, PlyerNotifier
from companion.sync.api import ApiClient
from companion.sync.errors import SyncError
from companion.youth.accounts import AccountService, NewCredentials
from companion.youth.network.invitation import Inviter, preview_invitation, read_invitation
from companion.youth.reminders.scheduler import ReminderScheduler
from companion.youth.session import YouthSession
from companion.youth.sync import POLL_SECONDS, YouthSync
from companion.youth.sync_service import restore_device, server_url

ENV_POLL = "COMPANION_SYNC_INTERVAL"

PREFERENCES_FILE = "preferences.json"


def local_now() -> datetime:
    """Aware local time: 'today' and reminder times follow the phone's clock and zone."""
    return datetime.now().astimezone()


def reminder_body(at: datetime) -> str:
    """The text under a reminder's title in a notification."""
    return t("reminders.notification_body", time=at.strftime("%H:%M"))


class YouthServices:
    def __init__(
        self,
        data_dir: Path,
        vault: KeyVault,
        *,
        open_store: Callable[..., object] | None = None,
        now: Callable[[], datetime] = local_now,
        kdf: Callable[[], KdfParams] = KdfParams.create,
        pin_hasher: PasswordHasher | None = None,
        server: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        live: bool = True,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        """`server` is the sync server's address; None keeps the app offline only."""
        if open_store is None:
            from companion.store import Store

            open_store = Store.open
        self.data_dir = data_dir
        self.vault = vault
        self.now = now
        self.settings = SettingsService(PreferencesFile(data_dir / PREFERENCES_FILE), translator())
        self.lock = AppLock(vault, now, pin_hasher)
        self.server = server
        self._transport = transport
        self._live = live
        self._poll = poll_seconds
        self.sync: YouthSync | None = None
        self.accounts = AccountService(
            data_dir, vault, now, open_store=open_store, kdf=kdf, remote=self._remote
        )
        self.sync_state = SyncStateBox()
        self.helplines: list[Helpline] = load_helplines()
        self.session: YouthSession | None = None
        self.notifications = InAppNotifier()
        self.reminder_scheduler = ReminderScheduler(
            InAppScheduler(FanOutNotifier([PlyerNotifier(), self.notifications]), reminder_body),
            now,
            lambda: self.session.reminders if self.session is not None else None,
        )

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> YouthServices:
        """Data folder and vault as chosen by the environment (see paths.py, vaults.py)."""
        env = os.environ if env is None else env
        folder = default_data_dir(env)
        return cls(
            folder,
            open_device_vault(folder, env),
            server=server_url(env),
            poll_seconds=float(env.get(ENV_POLL) or POLL_SECONDS),
        )

    def start(self) -> YouthSession | None:
        """Open the existing account, if this device has one, and prepare its sync."""
        if self.session is None and self.accounts.exists():
            self._attach(self.accounts.open())
        return self.session

    def _attach(self, space: YouthSession) -> YouthSession:
        self.session = space
        if self.server is not None:
            self.sync = YouthSync(
                space,
                self.vault,
                self.server,
                self.sync_state,
                transport=self._transport,
                live=self._live,
                poll_seconds=self._poll,
            )
        return space

    def _remote(self) -> ApiClient | None:
        return self.sync.api if self.sync is not None else None

    # --- syncing --------------------------------------------------------------------------

    def start_sync(self) -> None:
        """Start syncing the open account on the running event loop (idempotent)."""
        if self.sync is not None:
            self.sync.start()

    def resume_sync(self) -> None:
        """The app came back to the foreground: sync now."""
        if self.sync is not None:
            self.sync.resume()

    async def retry_unsent(self) -> None:
        """Send the changes the server refused once more (Today shows them with why)."""
        if self.sync is not None:
            await self.sync.retry_parked()

    async def dismiss_unsent(self) -> None:
        """Hide the refused changes; they stay on this phone as they are."""
        if self.sync is not None:
            await self.sync.dismiss_parked()

    async def stop_sync(self) -> None:
        sync, self.sync = self.sync, None
        if sync is not None:
            await sync.stop()

    def _drop_sync(self) -> None:
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

    async def restore(self, typed_code: str) -> YouthSession:
        """A new phone: recovery code in, the account and everything in it back.

        Raises InvalidInput (a typo, or a code no account has), Offline, RateLimited or
        NotConnected (no server configured); then nothing is left behind."""
        self.accounts.check_restore(typed_code)
        if self.server is None:
            raise NotConnected("restoring needs the server")
        try:
            restored = await restore_device(
                self.data_dir,
                self.vault,
                typed_code,
                self.server,
                now=self.now,
                transport=self._transport,
            )
        except InvalidRecoveryCodeError as error:
            raise InvalidInput(f"recovery_{error.reason}", field="recovery_code") from None
        except WrongRecoveryCodeError:
            raise InvalidInput("recovery_wrong", field="recovery_code") from None
        except SyncError as error:
            raise from_sync_error(error) from None
        space = self._attach(self.accounts.session_of(restored.store, restored.account))
        if self.sync is not None:
            self.sync.start()
            # the account is back even if this first pull fails: the runner keeps trying
            with contextlib.suppress(SyncError):
                await self.sync.sync_now()
        return space

    async def preview_invitation(self, text: str) -> Inviter:
        """Who invites with this code (and whether a QR's safety number matches), before
        the youth makes an account with it."""
        invitation = read_invitation(text)
        if self.server is None:
            raise NotConnected("checking an invitation needs the server")
        async with ApiClient(self.server, transport=self._transport) as api:
            return await preview_invitation(api, invitation)

    def create_account(
        self,
        display_name: str,
        *,
        credentials: NewCredentials | None = None,
        invitation: str | None = None,
    ) -> YouthSession:
        space = self.accounts.create(display_name, credentials=credentials, invitation=invitation)
        return self._attach(space)

    def require_session(self) -> YouthSession:
        if self.session is None:
            raise NoAccount()
        return self.session

    async def delete_account(self, typed_confirmation: str, expected_word: str) -> None:
        """Erase the account: first on the server (the youth's whole space), then this phone.

        If the server cannot be reached, nothing is deleted anywhere and the error says so;
        the youth can try again when online.
        """
        space = self.require_session()
        registered = self.accounts.is_registered(space)
        # the typed word first: nothing leaves the phone before the youth confirmed
        self.accounts.check_delete(space, typed_confirmation, expected_word, server_erased=True)
        if registered:
            api = self._remote()
            if api is None:
                raise NotConnected("deleting a registered account needs the server")
            try:
                await api.delete_me()
            except SyncError as error:
                raise from_sync_error(error) from error
        try:
            await self.stop_sync()
        finally:  # the server copy is gone: the phone copy goes too, whatever stopping did
            self.accounts.delete(space, typed_confirmation, expected_word, server_erased=registered)
        self.session = None
        self.settings.reset()

    async def aclose(self) -> None:
        await self.stop_sync()
        self.close()

    def close(self) -> None:
        self._drop_sync()
        if self.session is not None:
            self.session.close()
            self.session = None
