"""The caregiver app's composition root: one `CaregiverServices` per running app.

Beside what every device has (companion.core.device) it signs a caregiver or network person
in (with the server, once) and makes the calls only they make: accepting a youth's
invitation and bringing the end of a care period closer. Unlike a youth, these accounts only
exist through the server, so a device without a configured server uses the default one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Self, Unpack
from zoneinfo import ZoneInfo

from companion.caregiver.accounts import CaregiverAccounts
from companion.caregiver.availability.service import DEFAULT_ZONE
from companion.caregiver.session import CaregiverSession
from companion.caregiver.sync import CaregiverSync
from companion.core.accounts import NewCredentials
from companion.core.device import DeviceCore, DeviceOptions
from companion.core.errors import InvalidInput, from_sync_error
from companion.core.invitations import preview_invitation, read_invitation
from companion.crypto.vault_base import KeyVault
from companion.sync.api import ApiClient
from companion.sync.errors import RefusedError, SyncError
from companion_wire import ErrorCode, LinkOut, LinkPatch

DEFAULT_SERVER_URL = "http://127.0.0.1:8700"


class CaregiverServices(DeviceCore[CaregiverSession]):
    accounts: CaregiverAccounts

    def __init__(self, data_dir: Path, vault: KeyVault, **options: Unpack[DeviceOptions]) -> None:
        options.setdefault("server", DEFAULT_SERVER_URL)
        super().__init__(data_dir, vault, **options)
        self.accounts = CaregiverAccounts(
            data_dir,
            vault,
            self.now,
            self.notifier,
            open_store=self.open_store,
            api=lambda url: ApiClient(url, transport=self.transport),
            kdf=self.kdf,
        )

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Self:
        services = super().from_environment(env)
        services.server = services.server or DEFAULT_SERVER_URL
        return services

    def make_sync(self, session: CaregiverSession) -> CaregiverSync | None:
        server = self.accounts.server_of(session)
        if server is None:
            return None
        return CaregiverSync(
            session,
            self.vault,
            self.accounts.keys(),
            server,
            self.sync_state,
            transport=self.transport,
            live=self.live,
            poll_seconds=self.poll_seconds,
            files_dir=self.data_dir / "files" / session.me.account_id,
        )

    def attach(self, session: CaregiverSession) -> CaregiverSession:
        super().attach(session)
        session.directory.forget_ended()
        return session

    # --- signing in -----------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        """Where this device signs in (shown on the sign-in screen)."""
        return self.server or DEFAULT_SERVER_URL

    async def activate(
        self, email: str, code: str, credentials: NewCredentials
    ) -> CaregiverSession:
        session = await self.accounts.activate(self.server_url, email, code, credentials)
        return self.attach(session)

    async def restore(self, typed_code: str) -> CaregiverSession:
        """A new computer, or keys the keystore lost: the recovery code brings the account
        back; the caseload follows with the first sync (once setup is finished)."""
        session = self.attach(await self.accounts.restore(self.server_url, typed_code))
        await self.keep_keys()
        return session

    async def join_network(
        self, text: str, name: str, credentials: NewCredentials
    ) -> CaregiverSession:
        """A network person signs up with a youth's invitation (typed, or its QR code's
        text). A QR code's number must match the youth's keys, and then verifies them."""
        invitation = read_invitation(text)
        inviter = None
        if invitation.fingerprint is not None:
            async with ApiClient(self.server_url, transport=self.transport) as api:
                inviter = await preview_invitation(api, invitation)
            if not inviter.fingerprint_matches:
                raise InvalidInput("fingerprint_mismatch", field="invitation")
        session = await self.accounts.join_network(
            self.server_url, invitation.code, name, credentials
        )
        self.attach(session)
        if inviter is not None:
            sync = self.require_sync()
            try:
                spaces = await sync.api.spaces()
            except SyncError as error:
                raise from_sync_error(error) from None
            for space in spaces:
                if space.owner_id == inviter.account_id:
                    session.verification.confirm_inviter(inviter, space.space_id)
        return session

    # --- caregiver calls ------------------------------------------------------------------

    async def accept_invitation(self, text: str) -> LinkOut:
        """Link to a youth with the code they gave (typed, or their QR code's text); typos
        are caught before the server. A QR code carries the youth's own safety number: the
        keys the server gives must match it (else nothing is accepted), and then the youth
        is verified at once. The youth appears after the sync that follows."""
        invitation = read_invitation(text)
        sync = self.require_sync()
        inviter = await preview_invitation(sync.api, invitation)
        if inviter.fingerprint_matches is False:
            raise InvalidInput("fingerprint_mismatch", field="invitation")
        try:
            link = await sync.api.accept_invitation(invitation.code)
        except SyncError as error:
            raise from_sync_error(error) from None
        if inviter.fingerprint_matches:
            self.require_session().verification.confirm_inviter(inviter, link.space_id)
        try:
            await sync.sync_now()
        except SyncError as error:
            raise from_sync_error(error) from None
        return link

    async def end_care_period(self, space_id: str, last_day: date) -> LinkOut:
        """Bring the end of the care period closer (only the youth can extend or clear it).

        Access ends at the end of `last_day` in Brussels time; a past day ends it now.
        """
        sync = self.require_sync()
        youth = self.require_session().directory.get(space_id)
        ends = datetime.combine(last_day, time(23, 59, 59), ZoneInfo(DEFAULT_ZONE))
        try:
            link = await sync.api.set_link_end(youth.link_id, LinkPatch(ends_at=ends))
            await sync.sync_now()
        except RefusedError as error:
            if error.code is ErrorCode.FORBIDDEN:  # a later end: only the youth may
                raise InvalidInput("end_only_earlier", field="last_day") from None
            raise from_sync_error(error) from None
        except SyncError as error:
            raise from_sync_error(error) from None
        return link
