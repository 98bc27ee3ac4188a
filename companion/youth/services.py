"""The youth app's composition root: one `YouthServices` per running app, built at start-up.

Beside what every device has (companion.core.device) it owns the reminder scheduler and the
ways an account comes to this phone: made here, restored with the recovery code, or made
from an invitation. Once an account is open its `YouthSession` holds the feature services.
Without a configured server the app works offline only and says so where it matters. On a
phone (`from_phone`) keys live in the phone's keystore and reminders are notifications the
OS shows (`OsReminderScheduler`), not a timer in Python.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import platform
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self, Unpack

from companion.core.accounts import NewCredentials
from companion.core.device import ENV_POLL, DeviceCore, DeviceOptions, server_url
from companion.core.errors import InvalidInput, NotConnected, ServiceError, from_sync_error
from companion.core.invitations import Inviter, preview_invitation, read_invitation
from companion.core.paths import data_dir as default_data_dir
from companion.core.syncing import POLL_SECONDS
from companion.crypto.errors import InvalidRecoveryCodeError, WrongRecoveryCodeError
from companion.crypto.vault_base import KeyVault
from companion.i18n import t
from companion.notify import InAppScheduler
from companion.notify.base import NotificationPlanner, NotifyError
from companion.notify.os_scheduler import OsNotifications
from companion.store.errors import StoreError
from companion.sync.api import ApiClient
from companion.sync.errors import SyncError
from companion.sync.restore import recover_account
from companion.youth.accounts import AccountService
from companion.youth.appointments.alerts import AppointmentAlerts
from companion.youth.papers.service import PapersService
from companion.youth.reminders.os_plan import OsReminderScheduler
from companion.youth.reminders.scheduler import ReminderScheduler, Ticking
from companion.youth.reminders.service import RemindersService
from companion.youth.session import YouthSession
from companion.youth.sync import YouthSync

if TYPE_CHECKING:
    from companion.phone.edge import PhoneEdge

log = logging.getLogger(__name__)


def reminder_body(at: datetime) -> str:
    """The text under a reminder's title in a notification."""
    return t("reminders.notification_body", time=at.strftime("%H:%M"))


def device_name() -> str:
    """What the youth sees in their device list; no personal data (no host name)."""
    return f"Companion op {platform.system() or 'een toestel'}"


class YouthServices(DeviceCore[YouthSession]):
    accounts: AccountService

    def __init__(
        self,
        data_dir: Path,
        vault: KeyVault,
        *,
        reminder_planner: NotificationPlanner | None = None,
        **options: Unpack[DeviceOptions],
    ) -> None:
        """`reminder_planner` is the phone's notification service: reminders then go to
        the OS ahead of time; without it they fire in the app while it runs."""
        super().__init__(data_dir, vault, **options)
        self.accounts = AccountService(
            data_dir,
            vault,
            self.now,
            open_store=self.open_store,
            kdf=self.kdf,
            remote=self._remote,
        )
        reminders = self._open_reminders
        self._os_notifications = (
            reminder_planner if isinstance(reminder_planner, OsNotifications) else None
        )
        self.reminder_scheduler: Ticking
        if reminder_planner is not None:
            self.reminder_scheduler = OsReminderScheduler(
                reminder_planner, self.now, reminders, reminder_body, self._open_alerts
            )
        else:
            self.reminder_scheduler = ReminderScheduler(
                InAppScheduler(self.notifier, reminder_body),
                self.now,
                reminders,
                self._open_alerts,
            )
        self._unfollow: Callable[[], None] | None = None

    async def reminder_permission(self) -> tuple[bool, bool] | None:
        """On a phone: (may show notifications, may show them at the exact time); None
        where reminders are not the OS's (desktop, web)."""
        os_notifications = self._os_notifications
        if os_notifications is None:
            return None
        try:
            return await os_notifications.enabled(), await os_notifications.exact_allowed()
        except NotifyError:
            return False, True

    async def allow_notifications(self) -> bool:
        """The OS's own question, asked when the youth tapped "allow" on the screen that
        says why; the plan is handed over again afterwards."""
        if self._os_notifications is None:
            return False
        try:
            return await self._os_notifications.request_permission()
        except NotifyError:
            return False

    async def allow_exact_times(self) -> bool:
        """Android 14+: the "alarms & reminders" setting, so 09:00 means 09:00."""
        if self._os_notifications is None:
            return False
        try:
            return await self._os_notifications.request_exact()
        except NotifyError:
            return False

    def to_foreground(self) -> None:
        """Back on the screen: sync, and bring the reminders' plan up to date."""
        super().to_foreground()
        try:
            self.reminder_scheduler.tick()
        except (StoreError, ServiceError) as error:
            log.warning("could not re-plan reminders on resume: %s", error)

    def _open_reminders(self) -> RemindersService | None:
        return self.session.reminders if self.session is not None else None

    def _open_alerts(self) -> AppointmentAlerts | None:
        return self.session.appointment_alerts if self.session is not None else None

    @classmethod
    def from_phone(cls, edge: PhoneEdge, env: Mapping[str, str] | None = None) -> Self:
        """The youth app on Android or iOS: the phone's keystore, its notification service
        and biometrics; the data folder Flet gives the app."""
        env = os.environ if env is None else env
        return cls(
            default_data_dir(env),
            edge.vault,
            server=server_url(env),
            poll_seconds=float(env.get(ENV_POLL) or POLL_SECONDS),
            os_notifier=edge.notifications,
            biometrics=edge.biometrics,
            reminder_planner=edge.notifications,
        )

    def attach(self, session: YouthSession) -> YouthSession:
        """Also re-plan the OS's reminders after every change in this account's store."""
        super().attach(session)
        if self._unfollow is not None:
            self._unfollow()
            self._unfollow = None
        if isinstance(self.reminder_scheduler, OsReminderScheduler):
            self._unfollow = self.reminder_scheduler.follow(session.store)
        return session

    @property
    def papers(self) -> PapersService | None:
        """'Mijn papieren' of the open account; None without a server (files travel
        through it) or an account."""
        files, session = self.files, self.session
        if files is None or session is None:
            return None
        return PapersService(files, session.account, session.links)

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
            files_dir=self.data_dir / "files" / session.account.account_id,
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
        inviter: Inviter | None = None,
    ) -> YouthSession:
        """A new account on this phone. With the `inviter` its invitation named (and whose
        number its QR code carried, matching the server's keys) that person is verified."""
        session = self.accounts.create(display_name, credentials=credentials, invitation=invitation)
        if inviter is not None and inviter.fingerprint_matches:
            session.verification.confirm_inviter(inviter, session.account.space_id)
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
        # off the loop: a phone's keystore answers through it (see FletSecureStorageVault)
        session = self.attach(await asyncio.to_thread(self.accounts.keep_restored, recovered))
        await self.keep_keys()
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
        await self.keep_keys()  # the keys go from the keystore too, not just from memory
