"""Keeping a caregiver device in step with the server: the sync engine plus caregiver calls.

A full cycle: the sync engine pushes and pulls every linked youth's space (dropping spaces
whose link ended), then the caseload is refreshed from the server's list of links (which
also forgets the records of ended links), new messages are announced inside availability
hours while what was announced about a youth whose access ended is taken back, and pending
availability hours are published. A pull of one space that finds its link ended refreshes
the caseload in the same cycle. When the caseload changed, the sync state says so once more:
screens re-read it then, not only when the engine finished (which is before the refresh).
The sync layer's `SyncRunner` runs cycles with backoff; its `LiveChannel` asks for one as
soon as a youth writes, and a slow poll covers what a live channel cannot (an end date
passing on the server's clock).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import httpx

from companion.caregiver.availability.service import DEFAULT_ZONE
from companion.caregiver.caseload.directory import from_spaces
from companion.caregiver.remote import CaregiverApi
from companion.caregiver.session import CaregiverSession
from companion.crypto.keys import AccountKeys
from companion.sync.engine import Identity, SyncEngine
from companion.sync.live import LiveChannel
from companion.sync.runner import SyncRunner
from companion.sync.state import Problem, SyncPhase, SyncStateBox
from companion_wire import LinkOut, LinkPatch

POLL_SECONDS = 60.0


class CaregiverSync:
    def __init__(
        self,
        session: CaregiverSession,
        server_url: str,
        token: str,
        keys: AccountKeys,
        state: SyncStateBox,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        poll_seconds: float = POLL_SECONDS,
        live: bool = True,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session = session
        self.state = state
        self.api = CaregiverApi(server_url, token=token, transport=transport)
        me = session.me
        self.engine = SyncEngine(
            session.store, self.api, Identity(me.account_id, keys, me.role), state=state, now=now
        )
        self.runner = SyncRunner(self.sync_once, self.pull_space, state)
        self.live = (
            LiveChannel(
                server_url,
                lambda: self.api.token,
                on_nudge=self.runner.nudged,
                on_connect=self.runner.request,
                on_unauthorized=self._signed_out,
            )
            if live
            else None
        )
        self._poll = poll_seconds
        self._poller: asyncio.Task | None = None
        self._now = now

    # --- cycles ---------------------------------------------------------------------------

    async def sync_once(self) -> None:
        """One full cycle; raises the typed errors of companion.sync.errors."""
        session = self._session
        await self.engine.sync()
        changed = await self._refresh_caseload()
        await asyncio.to_thread(session.alerts.check)  # right away: it takes banners back
        if changed:
            self.state.update(last_synced=self._now())
        pending = session.availability.pending()
        if pending is not None:
            published = await self.api.set_availability(pending)
            session.availability.mark_published(published)

    async def pull_space(self, space_id: str) -> None:
        """What a live nudge asks for: that youth's new records (a chat message, mostly).

        If the link ended meanwhile, the engine drops the space; the caseload follows now,
        not at the next full cycle (the server folds a link-change nudge into a message
        nudge still waiting for that space, so no full cycle may be asked for)."""
        report = await self.engine.pull(space_id)
        changed = bool(report.dropped_spaces) and await self._refresh_caseload()
        await asyncio.to_thread(self._session.alerts.check)
        if changed:
            self.state.update(last_synced=self._now())

    async def _refresh_caseload(self) -> bool:
        """Store the server's list of links (forgetting what ended); True if it changed."""
        directory = self._session.directory
        spaces = await self.api.spaces()
        before = await asyncio.to_thread(directory.all)
        gone = await asyncio.to_thread(
            directory.replace_all, from_spaces(spaces, self._session.me.account_id)
        )
        return bool(gone) or await asyncio.to_thread(directory.all) != before

    # --- caregiver calls ------------------------------------------------------------------

    async def accept_invitation(self, code: str) -> LinkOut:
        """Accept a youth's invitation code; the youth appears after the sync that follows."""
        link = await self.api.accept_invitation(code)
        await self.sync_once()
        return link

    async def end_care_period(self, space_id: str, last_day: date) -> LinkOut:
        """Bring the end of the care period closer (only the youth can extend or clear it).

        Access ends at the end of `last_day` in Brussels time; a past day ends it now.
        """
        youth = self._session.directory.get(space_id)
        ends = datetime.combine(last_day, time(23, 59, 59), ZoneInfo(DEFAULT_ZONE))
        link = await self.api.set_link_end(youth.link_id, LinkPatch(ends_at=ends))
        await self.sync_once()
        return link

    # --- running in the foreground --------------------------------------------------------

    def start(self) -> None:
        """Start syncing in the running event loop: now, on nudges, and every poll."""
        self.runner.start()
        if self.live is not None:
            self.live.start()
        if self._poller is None or self._poller.done():
            self._poller = asyncio.get_running_loop().create_task(self._poll_forever())

    def soon(self) -> None:
        """After a local write: stamp the changed fields now (so a later merge knows which
        edit changed what) and sync now rather than at the next nudge or poll."""
        self.engine.stamp_pending()
        self.runner.request()

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            self.runner.request()

    def _signed_out(self) -> None:
        self.state.update(phase=SyncPhase.SIGN_IN_REQUIRED, problem=Problem.SIGN_IN)

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self.live is not None:
            await self.live.stop()
        await self.runner.stop()
        await self.api.aclose()
