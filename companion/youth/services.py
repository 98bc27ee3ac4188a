"""The youth app's composition root: one `YouthServices` per running app, built at start-up.

Beside what every device has (companion.core.device) it owns the reminder scheduler and the
ways an account comes to this phone: made here, restored with the recovery code, or made
from an invitation. Once an account is open its `YouthSession` holds the feature services.
Without a configured server the app works offline only and says so where it matters.
"""

from __future__ import annotations

import contextlib
import platform
from datetime import datetime
from pathlib import Path

from companion.core.accounts import NewCredentials
from companion.core.device import DeviceCore
from companion.core.errors import InvalidInput, NotConnected, from_sync_error
from companion.crypto.errors import InvalidRecoveryCodeError, WrongRecoveryCodeError
from companion.crypto.vault_base import KeyVault
from companion.i18n import t
from companion.notify import InAppScheduler
from companion.sync.api import ApiClient
from companion.sync.errors import SyncError
from companion.sync.restore import recover_account
from companion.youth.accounts import AccountService
from companion.youth.network.invitation import Inviter, preview_invitation, read_invitation
from companion.youth.reminders.scheduler import ReminderScheduler
from companion.youth.session import YouthSession
from companion.youth.sync import YouthSync


def reminder_body(at: datetime) -> str:
    """The text under a reminder's title in a notification."""
    return t("reminders.notification_body", time=at.strftime("%H:%M"))


def device_name() -> str:
    """What the youth sees in their device list; no personal data (no host name)."""
    return f"Companion op {platform.system() or 'een toestel'}"


class YouthServices(DeviceCore[YouthSession]):
    accounts: AccountService

    def __init__(self, data_dir: Path, vault: KeyVault, **options: object) -> None:
        super().__init__(data_dir, vault, **options)  # type: ignore[arg-type]
        self.accounts = AccountService(
            data_dir,
            vault,
            self.now,
            open_store=self.open_store,
            kdf=self.kdf,
            remote=self._remote,
        )
        self.reminder_scheduler = ReminderScheduler(
            InAppScheduler(self.notifier, reminder_body),
            self.now,
            lambda: self.session.reminders if self.session is not None else None,
        )

    def make_sync(self, session: YouthSession) -> YouthSync | None:
        if self.server is None:
            return None
        return YouthSync(
            session,
            self.vault,
            self.accounts.keys(),
            self.server,
            self.sync_state,
            transport=self.transport,
            live=self.live,
            poll_seconds=self.poll_seconds,
            device_name=device_name(),
        )

    def _remote(self) -> ApiClient | None:
        """The server client for calls outside syncing, once this phone has a sign-in."""
        sync = self.sync
        return sync.api if sync is not None and sync.api.token is not None else None

    # --- how an account comes to this phone -----------------------------------------------

    def create_account(
        self,
        display_name: str,
        *,
        credentials: NewCredentials | None = None,
        invitation: str | None = None,
    ) -> YouthSession:
        session = self.accounts.create(display_name, credentials=credentials, invitation=invitation)
        return self.attach(session)

    async def preview_invitation(self, text: str) -> Inviter:
        """Who invites with this code (and whether a QR's safety number matches), before
        the youth makes an account with it."""
        invitation = read_invitation(text)
        if self.server is None:
            raise NotConnected("checking an invitation needs the server")
        async with ApiClient(self.server, transport=self.transport) as api:
            return await preview_invitation(api, invitation)

    async def restore(self, typed_code: str) -> YouthSession:
        """A new phone: recovery code in, the account and everything in it back.

        Raises InvalidInput (a typo, or a code no account has), Offline, RateLimited or
        NotConnected (no server configured); then nothing is left behind."""
        self.accounts.check_restore(typed_code)
        if self.server is None:
            raise NotConnected("restoring needs the server")
        try:
            async with ApiClient(self.server, transport=self.transport) as api:
                recovered = await recover_account(api, typed_code, device_name=device_name())
        except InvalidRecoveryCodeError as error:
            raise InvalidInput(f"recovery_{error.reason}", field="recovery_code") from None
        except WrongRecoveryCodeError:
            raise InvalidInput("recovery_wrong", field="recovery_code") from None
        except SyncError as error:
            raise from_sync_error(error) from None
        session = self.attach(self.accounts.keep_restored(recovered))
        if self.sync is not None:
            self.sync.start()
            # the account is back even if this first pull fails: the runner keeps trying
            with contextlib.suppress(SyncError):
                await self.sync.sync_now()
        return session

    async def delete_account(self, typed_confirmation: str, expected_word: str) -> None:
        """Erase the account: first on the server (the youth's whole space), then this phone.

        If the server cannot be reached, nothing is deleted anywhere and the error says so;
        the youth can try again when online.
        """
        session = self.require_session()
        registered = self.accounts.is_registered(session)
        # the typed word first: nothing leaves the phone before the youth confirmed
        self.accounts.check_delete(session, typed_confirmation, expected_word, server_erased=True)
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
            self.accounts.delete(
                session, typed_confirmation, expected_word, server_erased=registered
            )
        self.session = None
        self.settings.reset()
