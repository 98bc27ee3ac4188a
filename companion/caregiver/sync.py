"""The caregiver's sync: the shared foreground sync (companion.core.syncing) plus what only a
caregiver's cycle does.

A full cycle: the engine pushes and pulls every linked youth's space (dropping spaces whose
link ended), then the caseload is refreshed from the server's list of links (which also
forgets the records of ended links), a youth's network alarm is announced at once, new
messages are announced inside availability hours
while what was announced about a youth whose access ended is taken back, and pending
availability hours are published. A pull of one space that finds its link ended refreshes
the caseload at once (the server folds a link-change nudge into a message nudge still
waiting for that space, so no full cycle may be asked for).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from companion.caregiver.caseload.directory import META_KEY as CASELOAD_KEY
from companion.caregiver.caseload.directory import from_spaces
from companion.caregiver.session import CaregiverSession
from companion.core.syncing import POLL_SECONDS, AccountSync
from companion.crypto.keys import AccountKeys
from companion.crypto.vault_base import KeyVault
from companion.sync.engine import Identity
from companion.sync.state import SyncStateBox


class CaregiverSync(AccountSync):
    server_meta_keys = (CASELOAD_KEY,)

    def __init__(
        self,
        session: CaregiverSession,
        vault: KeyVault,
        keys: AccountKeys,
        base_url: str,
        state: SyncStateBox,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        live: bool = True,
        poll_seconds: float = POLL_SECONDS,
        files_dir: Path | None = None,
    ) -> None:
        self._session = session
        me = session.me
        super().__init__(
            session.store,
            vault,
            Identity(me.account_id, keys, me.role),
            base_url,
            state,
            transport=transport,
            live=live,
            poll_seconds=poll_seconds,
            files_dir=files_dir,
        )

    async def cycle_steps(self) -> None:
        session = self._session
        await self.engine.sync()
        await self._refresh_caseload()
        await asyncio.to_thread(session.alerts.check)  # right away: it takes banners back
        await asyncio.to_thread(session.alarms.check)
        pending = session.availability.pending()
        if pending is not None:
            published = await self.api.set_availability(pending)
            session.availability.mark_published(published)

    async def pull_steps(self, space_id: str) -> None:
        """What a live nudge asks for: that youth's new records (a chat message, mostly)."""
        report = await self.engine.pull(space_id)
        if report.dropped_spaces:
            await self._refresh_caseload()
        await asyncio.to_thread(self._session.alerts.check)
        await asyncio.to_thread(self._session.alarms.check)

    async def _refresh_caseload(self) -> None:
        """Store the server's list of links, forgetting what ended."""
        spaces = await self.api.spaces()
        youths = from_spaces(spaces, self._session.me.account_id)
        await asyncio.to_thread(self._session.directory.replace_all, youths)
