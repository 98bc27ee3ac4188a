"""Pushing the outbox: stamp, collect, seal, send, and record each answer.

Each round takes the oldest changes (one entry per record, its newest state), seals each as
the next version after the newest this device accepted (its mark, companion.store.marks)
for everyone who may read it, with a notice for whoever may no longer
(`companion.sync.payload`), and sends them as one batch with per-device mutation ids, so a
retried request is answered from the server's log. Content is sealed only for keys this
account verified (`Directory.trusted`); a change for someone not verified yet waits,
parked with that reason, until they are. Each
answer is recorded in one transaction: acknowledged, merged with the newer version the
server holds (a conflict, through `companion.sync.applying`), or parked with the reason
(`companion.sync.parking`) so that one refused change never blocks the ones behind it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from companion.crypto.errors import CryptoError
from companion.domain.models import Record
from companion.store import Mark, OutboxOp
from companion.sync.applying import Applier, Incoming
from companion.sync.context import CycleReport, SyncContext
from companion.sync.errors import ProtocolError, RefusedError
from companion.sync.fields import FieldState, Shadow, current_stamps, values_of
from companion.sync.parking import Parking
from companion.sync.payload import SealedVersion, recipients, seal_record
from companion.sync.pulling import Puller
from companion.sync.state import ChangeOp, ParkedChange
from companion_wire import (
    ErrorCode,
    Mutation,
    MutationResult,
    PushIn,
    RecordIn,
    RecordKind,
    Refusal,
    SpaceAdvance,
)

MAX_PUSH_ROUNDS = 25  # rounds without progress before giving up until the next cycle
OUTBOX_WINDOW = 1000  # outbox rows read per push round (the store's maximum)

# A push refused as a whole (HTTP 4xx) and split down to one change: why, by error code.
# a refusal without a code (None) is INVALID, like any code not named here
_BATCH_REFUSALS: dict[ErrorCode | None, Refusal] = {
    ErrorCode.NO_ACCESS: Refusal.NO_ACCESS,
    ErrorCode.LINK_ENDED: Refusal.NO_ACCESS,
    ErrorCode.FORBIDDEN: Refusal.ROLE,
    ErrorCode.ID_IN_USE: Refusal.ID_IN_USE,
}


class _Unverified(Exception):
    def __init__(self, account_id: str) -> None:
        super().__init__(account_id)
        self.account_id = account_id


@dataclass
class Outgoing:
    record_id: str
    kind: RecordKind
    op: OutboxOp
    seqs: list[int]
    record: Record | None = None
    stamps: dict[str, str] = field(default_factory=dict)
    base_version: int | None = None
    base: Mark | None = None  # the newest version this device accepted: the next follows it
    sealed: SealedVersion | None = None

    @property
    def mutation_id(self) -> int:
        return max(self.seqs)


class Pusher:
    def __init__(
        self,
        ctx: SyncContext,
        parking: Parking,
        puller: Puller,
        applier: Applier,
        *,
        batch_size: int,
        held: Callable[[], frozenset[str]] = frozenset,
    ) -> None:
        """`puller` opens the newer versions conflict answers carry; `applier` merges them;
        `held` names records that wait in the outbox (attachments whose file is not up)."""
        self._ctx = ctx
        self._store = ctx.store
        self._parking = parking
        self._puller = puller
        self._applier = applier
        self._batch_size = batch_size
        self._held = held

    async def push(self, report: CycleReport) -> None:
        """Send the outbox, batch by batch, until it is empty or stops moving."""
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
            self._ctx.advance(len(outgoing))

    def stamp_pending(self, record_ids: Iterable[str] | None = None) -> None:
        """Give locally changed fields their stamp now, while the edit is the newest one.

        Run after local writes (even offline), for the records written or for the whole
        outbox: the stamps then name the edit that changed each field rather than the last
        edit before the next sync.
        """
        store = self._store
        if record_ids is None:
            wanted = [item.record_id for item in store.outbox.pending(limit=OUTBOX_WINDOW)]
        else:
            wanted = list(record_ids)
        with store.transaction():
            for record_id in dict.fromkeys(wanted):
                record = store.record(record_id)
                if record is None or record.deleted:
                    continue
                shadow = self._ctx.shadow(record.id)
                values = values_of(record)
                stamps = current_stamps(values, record.updated_hlc, shadow)
                fresh = Shadow.of(values, stamps, shadow.bases() if shadow else None)
                if fresh != shadow:
                    store.set_field_stamps(record.id, fresh.to_json())

    def _collect(self) -> list[Outgoing]:
        """The next batch: one entry per record (its newest state), oldest change first.
        Rows of records that need nothing sent (already in sync, purged) are dropped."""
        store = self._store
        grouped: dict[str, Outgoing] = {}
        held = self._held()
        for item in store.outbox.pending(limit=OUTBOX_WINDOW):
            if item.record_id in held:
                continue
            entry = grouped.get(item.record_id)
            if entry is None:
                if len(grouped) == self._batch_size:
                    continue
                entry = grouped[item.record_id] = Outgoing(item.record_id, item.kind, item.op, [])
            entry.seqs.append(item.seq)
        batch: list[Outgoing] = []
        stale: list[int] = []
        with store.transaction():
            marks = store.marks.get_many(grouped)
            for entry in grouped.values():
                info = store.sync_info(entry.record_id)
                record = store.record(entry.record_id)
                if info is None or record is None or not info.dirty:
                    stale += entry.seqs
                    continue
                entry.record = record
                entry.base_version = info.server_version
                entry.base = marks.get(entry.record_id)
                if record.deleted:
                    entry.op = OutboxOp.DELETE
                else:
                    entry.op = OutboxOp.UPSERT
                    shadow = self._ctx.shadow(record.id)
                    entry.stamps = current_stamps(values_of(record), record.updated_hlc, shadow)
                batch.append(entry)
            if stale:
                store.outbox.remove(stale)
        return batch

    async def _recipient_keys(
        self, outgoing: list[Outgoing], report: CycleReport
    ) -> tuple[list[Outgoing], dict[str, bytes]]:
        """The X25519 key of everyone each version is sealed for: trusted keys for readers
        (a change for someone not verified yet is parked), the known ones for notices."""
        directory = self._ctx.directory
        keys: dict[str, bytes] = {}
        ready: list[Outgoing] = []
        for entry in outgoing:
            assert entry.record is not None
            owner = await self._owner(entry.record.space_id)
            if owner is None:
                reason = "this space is not available to you"
                await asyncio.to_thread(self._park, entry, Refusal.NO_ACCESS, reason, report)
                continue
            earlier = entry.base.audience if entry.base is not None else ()
            readers = [] if entry.record.deleted else recipients(entry.record, owner)
            told = [a for a in dict.fromkeys([*earlier, owner, entry.record.author_id])]
            try:
                for account_id in readers:
                    await directory.public_keys(account_id)  # pinned, to compare in person
                    trusted = directory.keys.trusted(account_id)
                    if trusted is None:
                        raise _Unverified(account_id)
                    keys[account_id] = trusted.x25519
                for account_id in told:
                    if account_id not in keys:
                        known = directory.keys.cached(account_id)
                        if known is not None:
                            keys[account_id] = known.x25519
            except _Unverified as unverified:
                reason = f"{unverified.account_id} is not verified yet"
                await asyncio.to_thread(self._park, entry, Refusal.UNVERIFIED, reason, report)
                continue
            except RefusedError as exc:
                reason = f"cannot get the keys of someone it is shared with: {exc.detail}"
                await asyncio.to_thread(self._park, entry, Refusal.KEYS, reason, report)
                continue
            ready.append(entry)
        return ready, keys

    async def _owner(self, space_id: str) -> str | None:
        known = self._ctx.owner_of(space_id)
        if known is None:
            await self._ctx.refresh_spaces()
            known = self._ctx.owner_of(space_id)
        return known

    def _seal_batch(
        self, ready: list[Outgoing], keys: dict[str, bytes], report: CycleReport
    ) -> list[tuple[Mutation, Outgoing]]:
        """Mutations for the batch; a record the wire contract cannot carry (or a recipient
        key that is unusable) is parked with the reason instead of stopping the queue."""
        me = self._ctx.me
        batch = []
        for entry in ready:
            record = entry.record
            assert record is not None
            owner = self._ctx.owner_of(record.space_id) or me.account_id
            try:
                entry.sealed = seal_record(
                    record,
                    entry.stamps,
                    owner_id=owner,
                    signer_id=me.account_id,
                    signer=me.keys,
                    base=entry.base,
                    keys=keys,
                )
                fields = {**entry.sealed.fields, "base_version": entry.base_version}
                body = RecordIn.model_validate(fields)
                mutation = Mutation(mutation_id=entry.mutation_id, op=entry.op.value, record=body)
            except (ValidationError, CryptoError) as exc:
                self._park(entry, Refusal.INVALID, f"this change cannot be sent: {exc}", report)
                continue
            batch.append((mutation, entry))
        batch.sort(key=lambda pair: pair[0].mutation_id)
        return batch

    async def _send(self, batch: list[tuple[Mutation, Outgoing]], report: CycleReport) -> None:
        """Push; a batch the server refuses as a whole is split until the culprit is alone,
        then that one change is parked and the rest go through."""
        try:
            answer = await self._ctx.api.push(PushIn(mutations=[m for m, _ in batch]))
        except RefusedError as exc:
            if len(batch) == 1:
                refusal = _BATCH_REFUSALS.get(exc.code, Refusal.INVALID)
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
        incoming = {item.envelope.id: item for item in await self._puller.open_all(currents)}
        await asyncio.to_thread(
            self._record_results, results, sent, incoming, report, answer.spaces
        )

    def _record_results(
        self,
        results: list[MutationResult],
        sent: dict[int, tuple[Mutation, Outgoing]],
        incoming: dict[str, Incoming],
        report: CycleReport,
        advances: list[SpaceAdvance],
    ) -> None:
        store = self._store
        with store.transaction():
            self._skip_own_versions(advances)
            for result in results:
                _mutation, entry = sent[result.mutation_id]
                if result.status == "applied":
                    store.outbox.remove(entry.seqs)
                    self._acknowledged(entry, result)
                    report.pushed += 1
                elif result.status == "conflict" and result.current is not None:
                    store.outbox.remove(entry.seqs)
                    item = incoming.get(entry.record_id)
                    if item is None or not self._applier.absorb(item, report):
                        self._requeue(entry)
                else:
                    self._park(
                        entry,
                        Refusal.read(result.refusal),
                        result.reason or "refused by the server",
                        report,
                    )

    def _skip_own_versions(self, advances: list[SpaceAdvance]) -> None:
        """Where this device had pulled up to just before the push, the versions the push
        made are its own (acknowledged in this same transaction): the cursor moves past
        them instead of pulling them back. Elsewhere others wrote in between: pull."""
        for advance in advances:
            if self._store.cursors.get(advance.space_id) == advance.before:
                self._store.cursors.set(advance.space_id, advance.after)

    def _acknowledged(self, entry: Outgoing, result: MutationResult) -> None:
        self._parking.unpark(entry.record_id)
        if entry.sealed is not None:
            self._store.marks.set_many([(entry.record_id, entry.sealed.mark)])
        if entry.op is OutboxOp.DELETE:
            self._ctx.forget(entry.record_id)
            return
        info = self._store.sync_info(entry.record_id)
        if info is None or result.version is None or entry.record is None:
            return
        if info.server_version is not None and info.server_version > result.version:
            return  # a newer version was pulled meanwhile: this answer is history
        self._store.mark_synced(entry.record_id, result.version, entry.record.updated_hlc)
        self._ctx.pushed(entry.record_id, entry.record.space_id, result.version)
        # The server now has exactly the stamps we sent: they are the base from here on. A
        # field edited again since keeps its newer stamp (its digest tells it apart).
        earlier = self._ctx.shadow(entry.record_id) or Shadow()
        sent = Shadow.of(values_of(entry.record), entry.stamps, entry.stamps)
        acked = Shadow(
            {
                name: FieldState(mine.stamp, mine.digest, state.base)
                if (mine := earlier.get(name)) is not None and mine.stamp > state.stamp
                else state
                for name, state in sent.items()
            }
        )
        self._store.set_field_stamps(entry.record_id, acked.to_json())

    def _requeue(self, entry: Outgoing) -> None:
        """Still dirty after a conflict that could not be merged now: queue it again under a
        new mutation id (re-sending the old id would only replay the old answer)."""
        info = self._store.sync_info(entry.record_id)
        if info is not None and info.dirty:
            self._store.outbox.add(entry.record_id, info.kind, entry.op)

    def _park(self, entry: Outgoing, refusal: Refusal, reason: str, report: CycleReport) -> None:
        """Take the change out of the queue, keep it on the device, and say why. The record
        stays as the user left it; editing it again queues it again."""
        op = ChangeOp(entry.op.value)
        change = ParkedChange(
            entry.record_id, entry.kind.value, op, reason, self._ctx.now(), refusal
        )
        self._parking.park(change, entry.seqs)
        report.parked += 1
