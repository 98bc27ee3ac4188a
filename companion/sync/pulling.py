"""Pulling a space: fetch its pages, open them, apply them, and drop a space that ended.

A pull runs page by page in three overlapping stages: while page n is written to the store
(a worker thread, mostly SQLCipher and the commit's fsync, without the GIL), page n+1 is
opened (in worker processes once the pull proves long, see `companion.sync.opening`; else a
thread) and page n+2 is served (the server works in its own process). Pages are written
strictly in order, each with its cursor in one transaction (`companion.sync.applying`), so
a crash leaves the old page or the new one.
"""

from __future__ import annotations

import asyncio
import contextlib

from companion.store import HeldVersion
from companion.sync.applying import HELD, Applier, Incoming
from companion.sync.context import CycleReport, SyncContext
from companion.sync.errors import LinkEndedError, ProtocolError, RefusedError, SyncError
from companion.sync.opening import WORKER_MIN_RECORDS, PageOpener
from companion.sync.payload import SealedParts, open_each
from companion_wire import PullOut, RecordEnvelope, RecordKind


class Puller:
    def __init__(
        self, ctx: SyncContext, applier: Applier, *, page_size: int, worker_allowed: bool
    ) -> None:
        """`worker_allowed`: whether a long pull may open its pages in worker processes."""
        self._ctx = ctx
        self._applier = applier
        self._page_size = page_size
        self._worker_allowed = worker_allowed

    async def pull_space(self, space_id: str, report: CycleReport) -> None:
        """Every page after the space's cursor, fetched, opened and written overlapping."""
        ctx = self._ctx
        cursor = await asyncio.to_thread(ctx.store.cursors.get, space_id)
        fetch: asyncio.Task[PullOut] | None = self._fetch(space_id, cursor)
        writing: asyncio.Future[None] | None = None
        written = cursor
        opener = PageOpener(ctx.me.account_id, ctx.me.keys, worker_allowed=self._worker_allowed)
        try:
            while fetch is not None:
                try:
                    page = await fetch
                except LinkEndedError:
                    fetch = None
                    if writing is not None:
                        await writing
                    await self.drop_space(space_id, report)
                    return
                if page.cursor < cursor:
                    raise ProtocolError(f"the server moved cursor {cursor} back to {page.cursor}")
                fetch = self._fetch(space_id, page.cursor) if page.has_more else None
                if page.has_more and len(page.records) >= WORKER_MIN_RECORDS:
                    opener.expect_long_pull()
                fresh, problems = await self._prepare_open(page.records)
                incoming = await self._open(fresh, problems, opener)
                if writing is not None:
                    await writing
                    written = self._written(space_id, written, cursor)
                writing = asyncio.ensure_future(
                    asyncio.to_thread(
                        self._applier.apply_page,
                        space_id,
                        incoming,
                        page.cursor,
                        report,
                    )
                )
                cursor = page.cursor
            if writing is not None:
                await writing
                self._written(space_id, written, cursor)
        finally:
            await self._wind_down(opener, fetch, writing, report)

    async def _wind_down(
        self,
        opener: PageOpener,
        fetch: asyncio.Task[PullOut] | None,
        writing: asyncio.Future[None] | None,
        report: CycleReport,
    ) -> None:
        """However the pull ended: stop the workers, cancel a fetch still under way, and let
        a write in progress finish."""
        opener.close()
        report.opened_in_worker += opener.opened_in_worker
        if opener.failed:  # e.g. no memory for them: later pulls go straight to a thread
            self._worker_allowed = False
        if fetch is not None and not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, SyncError):
                await fetch
        if writing is not None and not writing.done():
            # A write cannot be stopped halfway (it is one transaction in a thread): let it
            # finish before the error propagates, so nothing uses the store while it commits.
            with contextlib.suppress(Exception):
                await asyncio.shield(writing)

    async def take_one(
        self, space_id: str, envelope: RecordEnvelope, version: int, report: CycleReport
    ) -> None:
        """Apply one record as the one-record page up to `version` (a live nudge's)."""
        fresh, problems = await self._prepare_open([envelope])
        incoming = await self._open(fresh, problems)  # one record: opened right here
        await asyncio.to_thread(self._applier.apply_page, space_id, incoming, version, report)
        self._ctx.forget_echoes(space_id, version)

    def _written(self, space_id: str, before: int, cursor: int) -> int:
        """Bookkeeping once a page up to `cursor` is in the store: progress and echoes."""
        self._ctx.advance(cursor - before)
        self._ctx.forget_echoes(space_id, cursor)
        return cursor

    def _fetch(self, space_id: str, cursor: int) -> asyncio.Task[PullOut]:
        return asyncio.get_running_loop().create_task(
            self._ctx.api.pull(space_id, cursor, self._page_size)
        )

    # --- opening ----------------------------------------------------------------------------

    async def open_all(self, envelopes: list[RecordEnvelope]) -> list[Incoming]:
        """Decrypt and verify (conflict answers of a push)."""
        fresh, problems = await self._prepare_open(envelopes)
        return await self._open(fresh, problems)

    async def reopen_held(self, held: list[HeldVersion], report: CycleReport) -> None:
        """Versions that waited for their signer to be verified, now that they are: opened
        and taken in like a pull (the cursors stay where they are)."""
        by_space: dict[str, list[RecordEnvelope]] = {}
        for version in held:
            envelope = RecordEnvelope.model_validate_json(version.envelope)
            by_space.setdefault(version.space_id, []).append(envelope)
        for space_id, envelopes in by_space.items():
            fresh, problems = await self._prepare_open(envelopes)
            incoming = await self._open(fresh, problems)
            await asyncio.to_thread(self._applier.apply_page, space_id, incoming, None, report)

    async def _prepare_open(
        self, envelopes: list[RecordEnvelope]
    ) -> tuple[list[RecordEnvelope], dict[str, str]]:
        """The envelopes worth opening (this device's own pushes coming back are left out),
        with every signer's keys known; signers whose keys cannot be had, or who are not
        verified yet (their versions wait, `HELD`), are noted."""
        fresh = [e for e in envelopes if not self._ctx.is_echo(e)]
        problems: dict[str, str] = {}
        directory = self._ctx.directory
        for signer in {e.signer_id for e in fresh}:
            try:
                await directory.public_keys(signer)  # pinned, so it can be compared
            except RefusedError as exc:
                problems[signer] = f"the signer's keys are not available: {exc.detail}"
                continue
            if directory.keys.trusted(signer) is None:
                problems[signer] = HELD
        return fresh, problems

    async def _open(
        self,
        envelopes: list[RecordEnvelope],
        problems: dict[str, str],
        opener: PageOpener | None = None,
    ) -> list[Incoming]:
        """Each envelope with what opening it gave. Versions whose signer is not trusted are
        not opened (they wait, or are unreadable); the rest go to the pull's `opener`, or a
        thread (a single record: right here)."""
        me_id, keys = self._ctx.me.account_id, self._ctx.me.keys
        out: list[Incoming] = []
        slots: list[int] = []
        todo: list[tuple[SealedParts, bytes]] = []
        for envelope in envelopes:
            item = Incoming(envelope, None)
            out.append(item)
            signer = self._ctx.directory.keys.trusted(envelope.signer_id)
            if signer is None:
                item.problem = problems.get(envelope.signer_id, HELD)
                continue
            slots.append(len(out) - 1)
            todo.append((SealedParts.of(envelope, me_id), signer.x25519))
        if not todo:
            return out
        if len(todo) == 1:  # a chat message: a thread hop would cost more than opening
            outcomes = open_each(todo, me_id=me_id, my_keys=keys)
        elif opener is not None:
            outcomes = await opener.open(todo)
        else:
            outcomes = await asyncio.to_thread(open_each, todo, me_id=me_id, my_keys=keys)
        for slot, outcome in zip(slots, outcomes, strict=True):
            if isinstance(outcome, str):
                out[slot].problem = outcome
            else:
                out[slot].opened = outcome
        return out

    # --- spaces that ended ------------------------------------------------------------------

    async def drop_space(self, space_id: str, report: CycleReport) -> None:
        """The link ended or was revoked: nothing of that space stays on this device."""
        ctx = self._ctx
        if space_id == ctx.me.space_id:
            raise ProtocolError("the server says this youth's own space ended")

        def drop() -> None:
            store = ctx.store
            with store.transaction():
                for kind in RecordKind:
                    repository = store.repository_for(kind)
                    while True:
                        rows = repository.list(space_id=space_id, include_deleted=True, limit=500)
                        if not rows:
                            break
                        for row in rows:
                            ctx.forget(row.id)
                store.cursors.set(space_id, 0)
                store.held.drop_space(space_id)
                ctx.directory.forget_space(space_id)

        await asyncio.to_thread(drop)
        report.dropped_spaces.append(space_id)
