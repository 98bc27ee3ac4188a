"""The client sync engine: push the outbox, pull every space, merge, drop what left.

One `sync()` is a full cycle. Network calls are awaited; store work and cryptography run in
a worker thread (`asyncio.to_thread`), so the app's event loop never waits on a disk flush
or a signature check. Each pulled page is applied together with its new cursor in one local
transaction; each push answer is recorded in one transaction. A crash at any point leaves
either the old state or the new one, and a retried push is answered from the server's log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from companion.crypto.errors import CryptoError
from companion.crypto.keys import AccountKeys, PublicKeys
from companion.domain.models import DiaryEntry, Record, record_from_parts
from companion.store import InvalidRecordError, OutboxOp, Repository, Store, SyncInfo
from companion.store.remote import RemoteRecord
from companion.sync.api import ApiClient
from companion.sync.directory import Directory, SpaceInfo
from companion.sync.errors import (
    LinkEndedError,
    ProtocolError,
    RefusedError,
    SyncError,
)
from companion.sync.fields import (
    SHARES,
    FieldState,
    Shadow,
    current_stamps,
    newest,
    values_of,
)
from companion.sync.merge import merge
from companion.sync.opening import (
    WORKER_MIN_RECORDS,
    PageOpener,
    workers_worthwhile,
)
from companion.sync.payload import Opened, SealedParts, open_each, recipients, seal_record
from companion.sync.state import ChangeOp, ParkedChange, SyncPhase, SyncStateBox
from companion_wire import (
    MAX_BATCH,
    MAX_PULL_LIMIT,
    ErrorCode,
    LiveNudge,
    Mutation,
    MutationResult,
    PullOut,
    PushIn,
    RecordEnvelope,
    RecordIn,
    RecordKind,
    Refusal,
    Role,
    new_id,
)

PARKED_KEY = "sync.parked"
MAX_PARKED = 200
MAX_REPLACED = 50
MAX_PUSH_ROUNDS = 25  # rounds without progress before giving up until the next cycle
OUTBOX_WINDOW = 1000  # outbox rows read per push round (the store's maximum)
TEXT_FIELDS = {RecordKind.DIARY_ENTRY: "text"}  # concurrent edits of these keep both


@dataclass(frozen=True)
class Identity:
    """The signed-in account on this device."""

    account_id: str
    keys: AccountKeys
    role: Role
    space_id: str | None = None  # a youth's own space


@dataclass
class _Outgoing:
    record_id: str
    kind: RecordKind
    op: OutboxOp
    seqs: list[int]
    record: Record | None = None
    stamps: dict[str, str] = field(default_factory=dict)
    base_version: int | None = None

    @property
    def mutation_id(self) -> int:
        return max(self.seqs)


@dataclass
class _Incoming:
    envelope: RecordEnvelope
    opened: Opened | None  # None for tombstones and for what could not be opened
    problem: str | None = None


@dataclass
class CycleReport:
    """What one cycle did, for callers and tests (the UI reads SyncState instead)."""

    pushed: int = 0
    pulled: int = 0
    merged: int = 0
    conflict_copies: int = 0
    parked: int = 0
    dropped_spaces: list[str] = field(default_factory=list)
    opened_in_worker: int = 0  # records of long pulls opened in worker processes
    overridden: list[tuple[str, str]] = field(default_factory=list)  # (record, field) replaced


# A push refused as a whole (HTTP 4xx) and split down to one change: why, by error code.
_BATCH_REFUSALS = {
    ErrorCode.NO_ACCESS: Refusal.NO_ACCESS,
    ErrorCode.LINK_ENDED: Refusal.NO_ACCESS,
    ErrorCode.FORBIDDEN: Refusal.ROLE,
    ErrorCode.ID_IN_USE: Refusal.ID_IN_USE,
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
        now: Callable[[], datetime] = _utc_now,
        open_in_worker: bool | None = None,
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
            store.meta, api, me_id=identity.account_id, my_keys=identity.keys
        )
        if identity.space_id is not None:
            self.directory.remember_space(identity.space_id, identity.account_id, Role.YOUTH)
        self._push_batch = push_batch
        self._pull_page = pull_page
        self._now = now
        self._worker_allowed = workers_worthwhile() if open_in_worker is None else open_in_worker
        self._cycle = asyncio.Lock()
        # Versions this engine pushed, so pulls can skip their echo without a store read.
        self._pushed_versions: dict[str, tuple[str, int]] = {}  # record -> (space, version)
        self._repos: dict[RecordKind, Repository[Any]] = {
            RecordKind.DIARY_ENTRY: store.diary,
            RecordKind.MOOD_CHECKIN: store.moods,
            RecordKind.GOAL: store.goals,
            RecordKind.GOAL_STEP: store.steps,
            RecordKind.REMINDER: store.reminders,
            RecordKind.CONVERSATION: store.conversations,
            RecordKind.MESSAGE: store.messages,
            RecordKind.DOCUMENT: store.documents,
            RecordKind.DOCUMENT_COMMENT: store.comments,
        }

    # --- the cycle ------------------------------------------------------------------------

    async def sync(self) -> CycleReport:
        """Push, pull every space, push what merging produced. Raises the typed errors of
        companion.sync.errors; the runner turns them into state and backoff."""
        async with self._cycle:
            report = CycleReport()
            await asyncio.to_thread(self.stamp_pending)
            pending = await asyncio.to_thread(self.store.outbox.count)
            self.state.update(phase=SyncPhase.SYNCING, done=0, total=pending, pending=pending)
            await self._push(report)
            spaces = await self._refresh_spaces()
            cursors = {s.space_id: self.store.cursors.get(s.space_id) for s in spaces}
            total = self.state.state.done + sum(
                max(0, (s.version or 0) - cursors[s.space_id]) for s in spaces
            )
            self.state.update(total=max(total, self.state.state.done))
            for space in spaces:
                if space.version is None:
                    await self._drop_space(space.space_id, report)
                    continue
                await self._pull_space(space.space_id, report)
            await self._push(report)
            pending = await asyncio.to_thread(self.store.outbox.count)
            self.state.update(
                phase=SyncPhase.UP_TO_DATE,
                last_synced=self._now(),
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
                await self._refresh_spaces()
                if self.directory.space(space_id) is None:
                    return report
            await self._pull_space(space_id, report)
            await self._push(report)
            self.state.update(last_synced=self._now())
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
            fresh, problems = await self._prepare_open([record])
            incoming = await self._open(fresh, problems)  # one record: opened right here
            await asyncio.to_thread(
                self._apply_page, nudge.space_id, incoming, [], nudge.version, report
            )
            self._forget_echoes(nudge.space_id, nudge.version)
            self.state.update(last_synced=self._now())
            if report.merged or report.conflict_copies:
                await self._push(report)  # what merging produced
            return True

    async def push(self) -> CycleReport:
        """Send local changes now (after a local write), without pulling: the fast path
        of a chat message. Stamps are taken as `_collect` finds them."""
        async with self._cycle:
            report = CycleReport()
            await self._push(report)
            pending = await asyncio.to_thread(self.store.outbox.count)
            self.state.update(pending=pending)
            return report

    # --- stamping -------------------------------------------------------------------------

    def stamp_pending(self, record_ids: Iterable[str] | None = None) -> None:
        """Give locally changed fields their stamp now, while the edit is the newest one.

        Run after local writes (even offline), for the records written or for the whole
        outbox: the stamps then name the edit that changed each field rather than the last
        edit before the next sync.
        """
        if record_ids is None:
            wanted = [item.record_id for item in self.store.outbox.pending(limit=OUTBOX_WINDOW)]
        else:
            wanted = list(record_ids)
        with self.store.transaction():
            for record_id in dict.fromkeys(wanted):
                record = self.store.record(record_id)
                if record is None or record.deleted:
                    continue
                shadow = self._shadow(record.id)
                values = values_of(record)
                stamps = current_stamps(values, record.updated_hlc, shadow)
                fresh = Shadow.of(values, stamps, shadow.bases() if shadow else None)
                if fresh != shadow:
                    self.store.set_field_stamps(record.id, fresh.to_json())

    def _shadow(self, record_id: str) -> Shadow | None:
        raw = self.store.field_stamps(record_id)
        return Shadow.from_json(raw) if raw is not None else None

    # --- push -----------------------------------------------------------------------------

    async def _push(self, report: CycleReport) -> None:
        stuck = 0  # rounds in which nothing was acknowledged (another device keeps writing)
        while stuck < MAX_PUSH_ROUNDS:
            outgoing = await asyncio.to_thread(self._collect)
            if not outgoing:
                return
            before = report.pushed + report.parked
            ready, keys = await self._recipient_keys(outgoing, report)
            batch = await asyncio.to_thread(self._seal_batch, ready, keys, report)
            if batch:
                await self._send(batch, report)
            stuck = 0 if report.pushed + report.parked > before else stuck + 1
            self.state.update(done=self.state.state.done + len(outgoing))

    def _collect(self) -> list[_Outgoing]:
        """The next batch: one entry per record (its newest state), oldest change first.
        Rows of records that need nothing sent (already in sync, purged) are dropped."""
        grouped: dict[str, _Outgoing] = {}
        for item in self.store.outbox.pending(limit=OUTBOX_WINDOW):
            entry = grouped.get(item.record_id)
            if entry is None:
                if len(grouped) == self._push_batch:
                    continue
                entry = grouped[item.record_id] = _Outgoing(item.record_id, item.kind, item.op, [])
            entry.seqs.append(item.seq)
        batch: list[_Outgoing] = []
        stale: list[int] = []
        with self.store.transaction():
            for entry in grouped.values():
                info = self.store.sync_info(entry.record_id)
                record = self.store.record(entry.record_id)
                if info is None or record is None or not info.dirty:
                    stale += entry.seqs
                    continue
                entry.record = record
                entry.base_version = info.server_version
                if record.deleted:
                    entry.op = OutboxOp.DELETE
                else:
                    entry.op = OutboxOp.UPSERT
                    shadow = self._shadow(record.id)
                    entry.stamps = current_stamps(values_of(record), record.updated_hlc, shadow)
                batch.append(entry)
            if stale:
                self.store.outbox.remove(stale)
        return batch

    async def _recipient_keys(
        self, outgoing: list[_Outgoing], report: CycleReport
    ) -> tuple[list[_Outgoing], dict[str, bytes]]:
        """The X25519 key of everyone each record is sealed for; a record whose recipients
        cannot be resolved is parked with the reason."""
        keys: dict[str, bytes] = {}
        ready: list[_Outgoing] = []
        for entry in outgoing:
            assert entry.record is not None
            if entry.op is OutboxOp.DELETE:
                ready.append(entry)
                continue
            owner = await self._owner(entry.record.space_id)
            if owner is None:
                await asyncio.to_thread(
                    self._park,
                    entry,
                    Refusal.NO_ACCESS,
                    "this space is not available to you",
                    report,
                )
                continue
            try:
                for account_id in recipients(entry.record, owner):
                    if account_id not in keys:
                        keys[account_id] = (await self.directory.public_keys(account_id)).x25519
            except RefusedError as exc:
                reason = f"cannot get the keys of someone it is shared with: {exc.detail}"
                await asyncio.to_thread(self._park, entry, Refusal.KEYS, reason, report)
                continue
            ready.append(entry)
        return ready, keys

    def _seal_batch(
        self, ready: list[_Outgoing], keys: dict[str, bytes], report: CycleReport
    ) -> list[tuple[Mutation, _Outgoing]]:
        """Mutations for the batch; a record the wire contract cannot carry (or a recipient
        key that is unusable) is parked with the reason instead of stopping the queue."""
        batch = []
        for entry in ready:
            record = entry.record
            assert record is not None
            owner = self._owner_cached(record.space_id) or self.me.account_id
            try:
                fields = seal_record(
                    record, entry.stamps, owner_id=owner, author=self.me.keys, keys=keys
                )
                body = RecordIn.model_validate({**fields, "base_version": entry.base_version})
                mutation = Mutation(mutation_id=entry.mutation_id, op=entry.op.value, record=body)
            except (ValidationError, CryptoError) as exc:
                self._park(entry, Refusal.INVALID, f"this change cannot be sent: {exc}", report)
                continue
            batch.append((mutation, entry))
        batch.sort(key=lambda pair: pair[0].mutation_id)
        return batch

    async def _owner(self, space_id: str) -> str | None:
        known = self._owner_cached(space_id)
        if known is None:
            await self._refresh_spaces()
            known = self._owner_cached(space_id)
        return known

    async def _refresh_spaces(self) -> list[SpaceInfo]:
        answer = await self.api.spaces()
        return await asyncio.to_thread(self.directory.set_spaces, answer)

    def _owner_cached(self, space_id: str) -> str | None:
        info = self.directory.space(space_id)
        return info.owner_id if info is not None else None

    async def _send(self, batch: list[tuple[Mutation, _Outgoing]], report: CycleReport) -> None:
        """Push; a batch the server refuses as a whole is split until the culprit is alone,
        then that one change is parked and the rest go through."""
        try:
            answer = await self.api.push(PushIn(mutations=[m for m, _ in batch]))
        except RefusedError as exc:
            if len(batch) == 1:
                refusal = _BATCH_REFUSALS.get(exc.code, Refusal.INVALID)  # type: ignore[arg-type]
                await asyncio.to_thread(self._park, batch[0][1], refusal, exc.detail, report)
                return
            middle = len(batch) // 2
            await self._send(batch[:middle], report)
            await self._send(batch[middle:], report)
            return
        sent = {m.mutation_id: (m, entry) for m, entry in batch}
        results = [r for r in answer.results if r.mutation_id in sent]
        if {r.mutation_id for r in results} != set(sent):
            raise ProtocolError("the push answer does not cover every change sent")
        currents = [r.current for r in results if r.status == "conflict" and r.current]
        incoming = {item.envelope.id: item for item in await self._open_all(currents)}
        await asyncio.to_thread(self._record_results, results, sent, incoming, report)

    def _record_results(
        self,
        results: list[MutationResult],
        sent: dict[int, tuple[Mutation, _Outgoing]],
        incoming: dict[str, _Incoming],
        report: CycleReport,
    ) -> None:
        with self.store.transaction():
            for result in results:
                _mutation, entry = sent[result.mutation_id]
                if result.status == "applied":
                    self.store.outbox.remove(entry.seqs)
                    self._acknowledged(entry, result)
                    report.pushed += 1
                elif result.status == "conflict" and result.current is not None:
                    self.store.outbox.remove(entry.seqs)
                    item = incoming.get(entry.record_id)
                    if item is None or not self._absorb(item, report):
                        self._requeue(entry)
                else:
                    self._park(
                        entry,
                        Refusal.read(result.refusal),
                        result.reason or "refused by the server",
                        report,
                    )

    def _acknowledged(self, entry: _Outgoing, result: MutationResult) -> None:
        self._unpark(entry.record_id)
        if entry.op is OutboxOp.DELETE:
            self._forget(entry.record_id)
            return
        info = self.store.sync_info(entry.record_id)
        if info is None or result.version is None or entry.record is None:
            return
        if info.server_version is not None and info.server_version > result.version:
            return  # a newer version was pulled meanwhile: this answer is history
        self.store.mark_synced(entry.record_id, result.version, entry.record.updated_hlc)
        self._pushed_versions[entry.record_id] = (entry.record.space_id, result.version)
        # The server now has exactly the stamps we sent: they are the base from here on. A
        # field edited again since keeps its newer stamp (its digest tells it apart).
        earlier = self._shadow(entry.record_id) or Shadow()
        sent = Shadow.of(values_of(entry.record), entry.stamps, entry.stamps)
        acked = Shadow(
            {
                name: FieldState(mine.stamp, mine.digest, state.base)
                if (mine := earlier.get(name)) is not None and mine.stamp > state.stamp
                else state
                for name, state in sent.items()
            }
        )
        self.store.set_field_stamps(entry.record_id, acked.to_json())

    def _requeue(self, entry: _Outgoing) -> None:
        """Still dirty after a conflict that could not be merged now: queue it again under a
        new mutation id (re-sending the old id would only replay the old answer)."""
        info = self.store.sync_info(entry.record_id)
        if info is not None and info.dirty:
            self.store.outbox.add(entry.record_id, info.kind, entry.op)

    def _forget(self, record_id: str) -> None:
        self.store.purge(record_id)  # its outbox rows and field stamps go with it

    # --- parking --------------------------------------------------------------------------

    def parked(self) -> list[ParkedChange]:
        """Changes the server refused, with its reasons (kept across restarts)."""
        raw = self.store.meta.get(PARKED_KEY)
        if raw is None:
            return []
        return [
            ParkedChange(
                item["record_id"],
                item["kind"],
                ChangeOp(item["op"]),
                item["reason"],
                datetime.fromisoformat(item["at"]),
                Refusal.read(item.get("refusal")),
            )
            for item in json.loads(raw)
        ]

    async def retry_parked(self) -> int:
        """Queue every refused change again: the user fixed what the reason said, or it was
        passing (an end date since moved). Refused again, a change is parked again.
        Returns how many were queued; the next push sends them."""
        async with self._cycle:
            return await asyncio.to_thread(self._requeue_parked)

    def _requeue_parked(self) -> int:
        queued = 0
        with self.store.transaction():
            for change in self.parked():
                record = self.store.record(change.record_id)
                if record is None:
                    continue  # purged since (its space was dropped): nothing to send
                op = OutboxOp.DELETE if record.deleted else OutboxOp.UPSERT
                self.store.outbox.add(record.id, record.kind, op)
                queued += 1
            self._save_parked([])
        return queued

    async def dismiss_parked(self) -> None:
        """Stop showing refused changes. They stay on this device as they are; editing one
        queues it again."""
        async with self._cycle:
            await asyncio.to_thread(self._save_parked, [])

    def _save_parked(self, parked: list[ParkedChange]) -> None:
        items = parked[-MAX_PARKED:]
        self.store.meta.set(
            PARKED_KEY,
            json.dumps(
                [
                    {
                        "record_id": p.record_id,
                        "kind": p.kind,
                        "op": p.op.value,
                        "reason": p.reason,
                        "at": p.at.isoformat(),
                        "refusal": p.refusal.value,
                    }
                    for p in items
                ]
            ),
        )
        self.state.update(parked=tuple(items))

    def _park(self, entry: _Outgoing, refusal: Refusal, reason: str, report: CycleReport) -> None:
        """Take the change out of the queue, keep it on the device, and say why. The record
        stays as the user left it; editing it again queues it again."""
        with self.store.transaction():
            self.store.outbox.remove(entry.seqs)
            others = [p for p in self.parked() if p.record_id != entry.record_id]
            change = ParkedChange(
                entry.record_id,
                entry.kind.value,
                ChangeOp(entry.op.value),
                reason,
                self._now(),
                refusal,
            )
            self._save_parked([*others, change])
        report.parked += 1

    def _unpark(self, record_id: str) -> None:
        parked = self.parked()
        if any(p.record_id == record_id for p in parked):
            self._save_parked([p for p in parked if p.record_id != record_id])

    # --- pull -----------------------------------------------------------------------------

    async def _pull_space(self, space_id: str, report: CycleReport) -> None:
        """Page by page, in three overlapping stages: while page n is written to the store
        (a worker thread, mostly SQLCipher and the commit's fsync, without the GIL), page
        n+1 is opened (in worker processes once the pull proves long, see
        `companion.sync.opening`; else a thread) and page n+2 is served (the server works
        in its own process). Pages are written strictly in order, each with its cursor in
        one transaction."""
        cursor = await asyncio.to_thread(self.store.cursors.get, space_id)
        fetch: asyncio.Task[PullOut] | None = self._fetch(space_id, cursor)
        writing: asyncio.Future[None] | None = None
        written = cursor
        opener = PageOpener(self.me.account_id, self.me.keys, worker_allowed=self._worker_allowed)
        try:
            while fetch is not None:
                try:
                    page = await fetch
                except LinkEndedError:
                    fetch = None
                    if writing is not None:
                        await writing
                    await self._drop_space(space_id, report)
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
                        self._apply_page, space_id, incoming, page.removed, page.cursor, report
                    )
                )
                cursor = page.cursor
            if writing is not None:
                await writing
                self._written(space_id, written, cursor)
        finally:
            opener.close()
            report.opened_in_worker += opener.opened_in_worker
            if opener.failed:  # e.g. no memory for them: later pulls go straight to a thread
                self._worker_allowed = False
            if fetch is not None and not fetch.done():
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, SyncError):
                    await fetch
            if writing is not None and not writing.done():
                # A write cannot be stopped halfway (it is one transaction in a thread):
                # let it finish before the error propagates, so nothing uses the store
                # while it commits.
                with contextlib.suppress(Exception):
                    await asyncio.shield(writing)

    def _written(self, space_id: str, before: int, cursor: int) -> int:
        """Bookkeeping once a page up to `cursor` is in the store: progress and echoes."""
        self.state.update(done=self.state.state.done + (cursor - before))
        self._forget_echoes(space_id, cursor)
        return cursor

    def _forget_echoes(self, space_id: str, cursor: int) -> None:
        """Pushed versions at or below the cursor can no longer come back in a pull."""
        done = [
            record_id
            for record_id, (space, version) in self._pushed_versions.items()
            if space == space_id and version <= cursor
        ]
        for record_id in done:
            del self._pushed_versions[record_id]

    def _fetch(self, space_id: str, cursor: int) -> asyncio.Task[PullOut]:
        return asyncio.get_running_loop().create_task(
            self.api.pull(space_id, cursor, self._pull_page)
        )

    def _apply_page(
        self,
        space_id: str,
        incoming: list[_Incoming],
        removed: list[str],
        cursor: int,
        report: CycleReport,
    ) -> None:
        """The page, its removals and its cursor in one transaction. Versions that need no
        merging (all of them on a fresh device) are written in bulk: one store call per
        run of them, not three statements per record."""
        with self.store.transaction():
            infos = self.store.sync_infos(item.envelope.id for item in incoming)
            run: list[_Incoming] = []  # consecutive versions taken as they are, in one write
            seen: set[str] = set()
            for item in incoming:
                record_id = item.envelope.id
                if record_id not in seen and _taken_as_is(item, infos.get(record_id)):
                    run.append(item)
                else:  # in page order: what came before is written first
                    report.pulled += self._take_run(run)
                    run = []
                    if self._absorb(item, report):
                        report.pulled += 1
                seen.add(record_id)
            report.pulled += self._take_run(run)
            for record_id in removed:
                self._forget(record_id)
            if cursor > self.store.cursors.get(space_id):
                self.store.cursors.set(space_id, cursor)

    async def _open_all(self, envelopes: list[RecordEnvelope]) -> list[_Incoming]:
        """Decrypt and verify (conflict answers of a push)."""
        fresh, problems = await self._prepare_open(envelopes)
        return await self._open(fresh, problems)

    async def _prepare_open(
        self, envelopes: list[RecordEnvelope]
    ) -> tuple[list[RecordEnvelope], dict[str, str]]:
        """The envelopes worth opening (this device's own pushes coming back are left out),
        with every author's keys fetched; authors whose keys cannot be had are noted."""
        fresh = [e for e in envelopes if self._pushed_versions.get(e.id, ("", 0))[1] < e.version]
        problems: dict[str, str] = {}
        for author in {e.author_id for e in fresh if not e.deleted}:
            try:
                await self.directory.public_keys(author)
            except RefusedError as exc:
                problems[author] = f"the author's keys are not available: {exc.detail}"
        return fresh, problems

    async def _open(
        self,
        envelopes: list[RecordEnvelope],
        problems: dict[str, str],
        opener: PageOpener | None = None,
    ) -> list[_Incoming]:
        """Each envelope with what opening it gave. Tombstones and records whose author's
        keys are missing need no opening; the rest go to the pull's `opener`, or a
        thread (a single record: right here)."""
        out: list[_Incoming] = []
        slots: list[int] = []
        todo: list[tuple[SealedParts, PublicKeys]] = []
        for envelope in envelopes:
            item = _Incoming(envelope, None)
            out.append(item)
            if envelope.deleted:
                continue
            author = self.directory.cached(envelope.author_id)
            if author is None:
                item.problem = problems.get(envelope.author_id, "unknown author")
                continue
            slots.append(len(out) - 1)
            todo.append((SealedParts.of(envelope, self.me.account_id), author))
        if not todo:
            return out
        me_id, keys = self.me.account_id, self.me.keys
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

    # --- applying remote versions -----------------------------------------------------------

    def _absorb(self, item: _Incoming, report: CycleReport) -> bool:
        """Take one remote version into the store (inside the caller's transaction).

        Returns False when it was skipped: already known, or unreadable."""
        envelope = item.envelope
        info = self.store.sync_info(envelope.id)
        known = info.server_version if info is not None else None
        if known is not None and known >= envelope.version:
            return False
        if envelope.deleted:  # deleted stays deleted, whatever was edited meanwhile
            self._forget(envelope.id)
            return True
        if item.opened is None:
            self._unreadable(envelope.id, item.problem or "cannot be opened")
            return False
        opened = item.opened
        remote = opened.remote  # its record is rebuilt only if a merge needs it
        if info is not None and info.kind != remote.kind:
            self._unreadable(envelope.id, "its id belongs to another kind of record here")
            return False
        if info is None or not info.dirty:
            return self._take_remote(opened, envelope.version)
        local = self.store.record(envelope.id)
        assert local is not None
        if local.deleted:  # a local delete wins over a remote edit: keep it queued
            if not self._take_remote(opened, envelope.version):
                return False
            self._repos[remote.kind].delete(remote.id)
            return True
        return self._merge(local, opened, envelope.version, report)

    def _take_run(self, run: list[_Incoming]) -> int:
        """Store versions taken as they are (`_taken_as_is`) with one bulk write; if the
        store refuses one, that write left nothing and they go one by one, so only the
        refused one is reported. Returns how many were stored."""
        if not run:
            return 0
        try:
            self.store.apply_remote_many([_taken(item) for item in run])
        except InvalidRecordError:
            return sum(self._take_remote(_opened(item), item.envelope.version) for item in run)
        return len(run)

    def _take_remote(self, opened: Opened, version: int) -> bool:
        """Store the remote version as is (inside the caller's transaction). The store
        checks before it writes, so a refusal leaves nothing half-written."""
        try:
            self.store.apply_remote_many([(opened.remote, version, opened.taken_shadow)])
        except InvalidRecordError as exc:  # e.g. a stamp a day ahead of this device's clock
            self._unreadable(opened.remote.id, str(exc))
            return False
        return True

    def _merge(self, local: Record, opened: Opened, version: int, report: CycleReport) -> bool:
        remote, stamps = opened.record, opened.stamps
        shadow = self._shadow(local.id)
        local_values = values_of(local)
        merged = merge(
            local_values,
            current_stamps(local_values, local.updated_hlc, shadow),
            shadow.bases() if shadow else {},
            values_of(remote),
            stamps,
            my_node=self.store.clock.node,
            text_field=TEXT_FIELDS.get(remote.kind),
        )
        if not self._take_remote(opened, version):
            return False
        report.merged += 1
        if merged.overridden:
            replaced = [(local.id, name) for name in merged.overridden]
            report.overridden += replaced
            earlier = self.state.state.replaced_edits
            self.state.update(replaced_edits=(*earlier, *replaced)[-MAX_REPLACED:])
        if not merged.same_as_remote:
            content = dict(merged.values)
            shared_with = content.pop(SHARES, [])
            meta = {
                "id": remote.id,
                "space_id": remote.space_id,
                "author_id": remote.author_id,
                "created_at": remote.created_at,
                "updated_hlc": newest(merged.stamps),
                "deleted": False,
                "shared_with": shared_with,
            }
            result = self._repos[remote.kind].update(record_from_parts(remote.kind, meta, content))
            shadow_after = Shadow.of(values_of(result), merged.stamps, stamps)
            self.store.set_field_stamps(remote.id, shadow_after.to_json())
        if merged.losing_text is not None and isinstance(remote, DiaryEntry):
            self._conflict_copy(local, remote, merged.losing_text)
            report.conflict_copies += 1
        return True

    def _conflict_copy(self, local: Record, remote: DiaryEntry, text: str) -> None:
        """The text that lost, as a private entry pointing at the original, to tidy up."""
        source = local if isinstance(local, DiaryEntry) and local.text == text else remote
        assert isinstance(source, DiaryEntry)
        copy = DiaryEntry(
            id=new_id(),
            space_id=remote.space_id,
            author_id=remote.author_id,
            updated_hlc=self.store.clock.now(),
            text=text,
            mood=source.mood,
            domains=list(source.domains),
            entry_date=source.entry_date,
            conflict_of=remote.id,
        )
        self.store.diary.create(copy)

    def _unreadable(self, record_id: str, reason: str) -> None:
        state = self.state.state
        self.state.update(unreadable=state.unreadable + 1, detail=f"{record_id}: {reason}")

    # --- spaces that ended ------------------------------------------------------------------

    async def _drop_space(self, space_id: str, report: CycleReport) -> None:
        """The link ended or was revoked: nothing of that space stays on this device."""
        if space_id == self.me.space_id:
            raise ProtocolError("the server says this youth's own space ended")

        def drop() -> None:
            with self.store.transaction():
                for repo in self._repos.values():
                    while True:
                        rows = repo.list(space_id=space_id, include_deleted=True, limit=500)
                        if not rows:
                            break
                        for row in rows:
                            self._forget(row.id)
                self.store.cursors.set(space_id, 0)
                self.directory.forget_space(space_id)

        await asyncio.to_thread(drop)
        report.dropped_spaces.append(space_id)


def _opened(item: _Incoming) -> Opened:
    assert item.opened is not None
    return item.opened


def _taken_as_is(item: _Incoming, info: SyncInfo | None) -> bool:
    """Whether `_absorb` would store this version as it came, without merging: readable,
    newer than what the device has, and no unsent local change to merge with (the case of
    every record of a restore)."""
    opened = item.opened
    if item.envelope.deleted or opened is None:
        return False
    if info is None:
        return True
    known = info.server_version
    return (
        not info.dirty
        and info.kind == opened.remote.kind
        and (known is None or known < item.envelope.version)
    )


def _taken(item: _Incoming) -> tuple[RemoteRecord, int, str]:
    """The store's bulk item for a version taken as is: its shadow's base is the server's
    stamps (the per-field bookkeeping of a record with nothing local to merge with)."""
    opened = _opened(item)
    return opened.remote, item.envelope.version, opened.taken_shadow
