"""The client sync engine: the cycle that pushes the outbox, pulls every space and drops
what left, one cycle at a time.

One `sync()` is a full cycle. Network calls are awaited; store work and cryptography run in
a worker thread (`asyncio.to_thread`), so the app's event loop never waits on a disk flush
or a digest check. Each pulled page is applied together with its new cursor in one local
transaction; each push answer is recorded in one transaction. A crash at any point leaves
either the old state or the new one, and a retried push is answered from the server's log.

The jobs live in their own modules, sharing one `SyncContext` (`companion.sync.context`):
pushing with parking of refused changes (`pushing`, `parking`), pulling pages and opening
them (`pulling`, `opening`), and taking remote versions in, merged where needed
(`applying`). `SyncEngine` ties them together and is what the app calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime

from companion.store import Store
from companion.sync.api import ApiClient
from companion.sync.applying import Applier
from companion.sync.context import CycleReport, Identity, SyncContext, utc_now
from companion.sync.directory import Directory
from companion.sync.files import FileTransfers
from companion.sync.opening import workers_worthwhile
from companion.sync.parking import Parking
from companion.sync.pulling import Puller
from companion.sync.pushing import Pusher
from companion.sync.state import ParkedChange, SyncPhase, SyncStateBox
from companion_wire import MAX_BATCH, MAX_PULL_LIMIT, LiveNudge, Refusal, Role

__all__ = ["CycleReport", "Identity", "SyncEngine"]


class SyncEngine:
    def __init__(
        self,
        store: Store,
        api: ApiClient,
        identity: Identity,
        *,
        state: SyncStateBox | None = None,
        directory: Directory | None = None,
        push_batch: int = MAX_BATCH,
        pull_page: int = MAX_PULL_LIMIT,
        now: Callable[[], datetime] = utc_now,
        open_in_worker: bool | None = None,
        files: FileTransfers | None = None,
    ) -> None:
        """`open_in_worker`: whether a long pull may open its pages in worker processes
        (None: where the platform can start them and has a second core, see
        `companion.sync.opening`)."""
        if not 1 <= push_batch <= MAX_BATCH or not 1 <= pull_page <= MAX_PULL_LIMIT:
            raise ValueError("batch or page size outside what the server accepts")
        self.store = store
        self.api = api
        self.me = identity
        self.state = state or SyncStateBox()
        self.directory = directory or Directory(
            store, api, me_id=identity.account_id, my_keys=identity.keys
        )
        if identity.space_id is not None:
            self.directory.remember_space(identity.space_id, identity.account_id, Role.YOUTH)
        self._ctx = SyncContext(store, api, identity, self.state, self.directory, now)
        worker_allowed = workers_worthwhile() if open_in_worker is None else open_in_worker
        applier = Applier(self._ctx)
        self._parking = Parking(self._ctx)
        self._puller = Puller(
            self._ctx, applier, page_size=pull_page, worker_allowed=worker_allowed
        )
        self.files = files  # blobs go up before the attachment records that name them
        self._pusher = Pusher(
            self._ctx,
            self._parking,
            self._puller,
            applier,
            batch_size=push_batch,
            held=files.held if files is not None else frozenset,
        )
        self._cycle = asyncio.Lock()
        self._trusted: frozenset[str] = frozenset()

    # --- the cycle ------------------------------------------------------------------------

    async def sync(self) -> CycleReport:
        """Push, pull every space, push what merging produced. Raises the typed errors of
        companion.sync.errors; the runner turns them into state and backoff."""
        async with self._cycle:
            report = CycleReport()
            await asyncio.to_thread(self._pusher.stamp_pending)
            pending = await asyncio.to_thread(self.store.outbox.count)
            # offline stays offline until the server answers: a retry that cannot reach it
            # must not read "syncing" (that was all an unreachable server ever showed)
            offline = self.state.state.phase is SyncPhase.OFFLINE
            phase = SyncPhase.OFFLINE if offline else SyncPhase.SYNCING
            self.state.update(phase=phase, done=0, total=pending, pending=pending)
            await asyncio.to_thread(self._trust_changes)
            if self.files is not None:
                await self.files.upload_pending()
            await self._pusher.push(report)
            spaces = await self._ctx.refresh_spaces()
            if offline:
                self.state.update(phase=SyncPhase.SYNCING)  # the server answered
            cursors = {s.space_id: self.store.cursors.get(s.space_id) for s in spaces}
            total = self.state.state.done + sum(
                max(0, (s.version or 0) - cursors[s.space_id]) for s in spaces
            )
            self.state.update(total=max(total, self.state.state.done))
            for space in spaces:
                if space.version is None:
                    await self._puller.drop_space(space.space_id, report)
                    continue
                await self._puller.pull_space(space.space_id, report)
            await self._reopen_held(report)  # verified meanwhile, here or on another device
            await self._pusher.push(report)
            pending = await asyncio.to_thread(self.store.outbox.count)
            self.state.update(
                phase=SyncPhase.UP_TO_DATE,
                last_synced=self._ctx.now(),
                pending=pending,
                problem=None,
                detail="",
                done=0,
                total=0,
            )
            return report

    async def pull(self, space_id: str) -> CycleReport:
        """Pull one space only: what a live nudge asks for (a new chat message)."""
        async with self._cycle:
            report = CycleReport()
            if self.directory.space(space_id) is None:
                await self._ctx.refresh_spaces()
                if self.directory.space(space_id) is None:
                    return report
            await self._puller.pull_space(space_id, report)
            await self._pusher.push(report)
            self.state.update(last_synced=self._ctx.now())
            return report

    async def take_live(self, nudge: LiveNudge) -> bool:
        """Take the record a live nudge carries, if it is the space's next version: the
        same as pulling that one-record page, without the round trip (a chat message
        reaching the youth). False when it is not the next one: pull the space instead."""
        record = nudge.record
        if record is None or self.directory.space(nudge.space_id) is None:
            return False
        async with self._cycle:
            cursor = self.store.cursors.get(nudge.space_id)
            if cursor >= nudge.version:
                return True  # pulled meanwhile
            if cursor != nudge.version - 1:
                return False  # versions in between: they come with a pull
            report = CycleReport()
            await self._puller.take_one(nudge.space_id, record, nudge.version, report)
            self.state.update(last_synced=self._ctx.now())
            if report.merged or report.conflict_copies:
                await self._pusher.push(report)  # what merging produced
            return True

    async def push(self) -> CycleReport:
        """Send local changes now (after a local write), without pulling: the fast path
        of a chat message. Stamps are taken as the pusher collects the changes."""
        async with self._cycle:
            report = CycleReport()
            if self.files is not None:
                await self.files.upload_pending()
            await self._pusher.push(report)
            pending = await asyncio.to_thread(self.store.outbox.count)
            self.state.update(pending=pending)
            return report

    def stamp_pending(self, record_ids: Iterable[str] | None = None) -> None:
        """Give locally changed fields their stamp now, while the edit is the newest one
        (after local writes, even offline; see `Pusher.stamp_pending`)."""
        self._pusher.stamp_pending(record_ids)

    # --- who is trusted -------------------------------------------------------------------

    def _trust_changes(self) -> None:
        """Read the verifications again (this account may have verified someone since the
        last cycle); when someone new is trusted, what waited for them goes out."""
        self.directory.keys.verifications_changed()
        trusted = frozenset(self.directory.keys.verified_keys())
        if trusted - self._trusted:
            self._parking.requeue(only=Refusal.UNVERIFIED)
        self._trusted = trusted

    async def _reopen_held(self, report: CycleReport) -> None:
        """Versions that waited for their signer, now that this account trusts them."""
        self.directory.keys.verifications_changed()  # a pull may have brought verifications
        waiting = await asyncio.to_thread(self.store.held.signers)
        for signer in waiting:
            if self.directory.keys.trusted(signer) is None:
                continue
            held = await asyncio.to_thread(self.store.held.of, signer)
            await self._puller.reopen_held(held, report)
            await asyncio.to_thread(self.store.held.drop, [h.record_id for h in held])

    # --- refused changes ------------------------------------------------------------------

    def parked(self) -> list[ParkedChange]:
        """Changes the server refused, with its reasons (kept across restarts)."""
        return self._parking.parked()

    async def retry_parked(self) -> int:
        """Queue every refused change again: the user fixed what the reason said, or it was
        passing (an end date since moved). Refused again, a change is parked again.
        Returns how many were queued; the next push sends them."""
        async with self._cycle:
            return await asyncio.to_thread(self._parking.requeue)

    async def dismiss_parked(self) -> None:
        """Stop showing refused changes. They stay on this device as they are; editing one
        queues it again."""
        async with self._cycle:
            await asyncio.to_thread(self._parking.dismiss)
