"""The caregiver app's composition root: one `CaregiverServices` per running app.

It owns the device-level pieces (data folder, key vault, preferences, PIN lock, help lines,
sync state) and, once someone is signed in, their `CaregiverSession` and its sync loop.
Views receive it through context and never build services themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from pydantic import TypeAdapter, ValidationError

from companion.caregiver.accounts import CaregiverAccounts
from companion.caregiver.session import CaregiverSession
from companion.caregiver.sync import POLL_SECONDS, CaregiverSync
from companion.core.app_lock import AppLock
from companion.core.errors import InvalidInput, NoAccount, NotConnected, from_sync_error
from companion.core.helplines import Helpline, load_helplines
from companion.core.paths import data_dir as default_data_dir
from companion.core.preferences import PreferencesFile
from companion.core.settings import SettingsService
from companion.core.vaults import open_device_vault
from companion.crypto.recovery import KdfParams
from companion.crypto.vault_base import KeyVault
from companion.i18n import translator
from companion.notify import FanOutNotifier, InAppNotifier, Notifier, PlyerNotifier
from companion.sync.errors import RefusedError, SyncError
from companion.sync.state import SyncStateBox
from companion.youth.services import PREFERENCES_FILE, local_now
from companion_wire import ErrorCode, InvitationCode, LinkOut

ENV_SERVER_URL = "COMPANION_SERVER_URL"
ENV_POLL = "COMPANION_SYNC_INTERVAL"
DEFAULT_SERVER_URL = "http://127.0.0.1:8700"


class CaregiverServices:
    def __init__(
        self,
        data_dir: Path,
        vault: KeyVault,
        *,
        server_url: str = DEFAULT_SERVER_URL,
        now: Callable[[], datetime] = local_now,
        open_store: Callable[..., object] | None = None,
        desktop_notifier: Notifier | None = None,
        kdf: Callable[[], KdfParams] = KdfParams.create,
        pin_hasher: PasswordHasher | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        if open_store is None:
            from companion.store import Store

            open_store = Store.open
        self.data_dir = data_dir
        self.vault = vault
        self.now = now
        self.server_url = server_url
        self.settings = SettingsService(PreferencesFile(data_dir / PREFERENCES_FILE), translator())
        self.lock = AppLock(vault, now, pin_hasher)
        self.helplines: list[Helpline] = load_helplines()
        self.sync_state = SyncStateBox()
        # the desktop's notification service, and a banner in the app (the only channel in
        # web mode); availability hours decide whether either is used at all
        self.notifications = InAppNotifier()
        self._notifier = FanOutNotifier([desktop_notifier or PlyerNotifier(), self.notifications])
        self._transport = transport
        self._poll = poll_seconds
        self.accounts = CaregiverAccounts(
            data_dir,
            vault,
            now,
            self._notifier,
            open_store=open_store,
            api=lambda url: self._api_factory(url),
            kdf=kdf,
        )
        self.session: CaregiverSession | None = None
        self.sync: CaregiverSync | None = None

    def _api_factory(self, url: str):
        from companion.caregiver.remote import CaregiverApi

        return CaregiverApi(url, transport=self._transport)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> CaregiverServices:
        """Data folder, vault and server as the environment chooses (see paths.py, vaults.py)."""
        env = os.environ if env is None else env
        folder = default_data_dir(env)
        return cls(
            folder,
            open_device_vault(folder, env),
            server_url=env.get(ENV_SERVER_URL) or DEFAULT_SERVER_URL,
            poll_seconds=float(env.get(ENV_POLL) or POLL_SECONDS),
        )

    # --- the signed-in account ------------------------------------------------------------

    def start(self) -> CaregiverSession | None:
        """Open the account this device already has, if any, and prepare its sync."""
        if self.session is None and self.accounts.exists():
            self._attach(self.accounts.open())
        return self.session

    def require_session(self) -> CaregiverSession:
        if self.session is None:
            raise NoAccount()
        return self.session

    async def activate(self, email: str, code: str, credentials) -> CaregiverSession:
        session = await self.accounts.activate(self.server_url, email, code, credentials)
        return self._attach(session)

    async def join_network(self, code: str, name: str, credentials) -> CaregiverSession:
        session = await self.accounts.join_network(self.server_url, code, name, credentials)
        return self._attach(session)

    def _attach(self, session: CaregiverSession) -> CaregiverSession:
        self.session = session
        connection = self.accounts.connection(session)
        if connection is not None:
            self.sync = CaregiverSync(
                session,
                connection.server_url,
                connection.token,
                self.accounts.keys(),
                self.sync_state,
                transport=self._transport,
                poll_seconds=self._poll,
            )
        session.directory.forget_ended()
        return session

    # --- syncing --------------------------------------------------------------------------

    def start_sync(self) -> None:
        """Start syncing on the running event loop (idempotent: once per process)."""
        if self.sync is not None:
            self.sync.start()

    def sync_soon(self) -> None:
        if self.sync is not None:
            self.sync.soon()

    def _require_sync(self) -> CaregiverSync:
        if self.sync is None:
            raise NotConnected("this device has no server connection")
        return self.sync

    async def accept_invitation(self, code: str) -> LinkOut:
        """Link to a youth with the code they gave; typos are caught before the server."""
        try:
            code = TypeAdapter(InvitationCode).validate_python(code)
        except ValidationError:
            raise InvalidInput("invitation_format", field="invitation") from None
        sync = self._require_sync()
        try:
            return await sync.accept_invitation(code)
        except SyncError as error:
            raise from_sync_error(error) from None

    async def end_care_period(self, space_id: str, last_day: date) -> LinkOut:
        sync = self._require_sync()
        try:
            return await sync.end_care_period(space_id, last_day)
        except RefusedError as error:
            if error.code is ErrorCode.FORBIDDEN:  # a later end: only the youth may
                raise InvalidInput("end_only_earlier", field="last_day") from None
            raise from_sync_error(error) from None
        except SyncError as error:
            raise from_sync_error(error) from None

    async def aclose(self) -> None:
        if self.sync is not None:
            await self.sync.stop()
            self.sync = None
        self.close()

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
