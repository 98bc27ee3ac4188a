"""Applying a push: idempotent per (device, mutation_id), versions per space, conflicts.

One write transaction per push. It first locks the device row (pushes of one device run
one after another, so a retried batch cannot race itself), then the involved spaces' rows in
id order (no deadlocks between pushes), so each space's version counter is read and bumped
under a lock and commits land in version order: a pull cursor can never skip one. On
SQLite the whole transaction runs under BEGIN IMMEDIATE instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from companion.domain.models import RecordKind
from companion.sync.protocol import (
    LiveNudge,
    Mutation,
    MutationResult,
    PushIn,
    PushOut,
    RecordEnvelope,
    RecordIn,
    b64decode,
)
from companion_server.access import (
    CREATE_KINDS,
    SpaceAccess,
    access_from,
    conversation_participants,
)
from companion_server.auth import Caller
from companion_server.context import AppContext
from companion_server.db.models import Device, Link, MutationLog, Record, Space
from companion_server.errors import ApiError
from companion_server.services.records import envelope


@dataclass
class _Batch:
    """What one push transaction knows: locked spaces, access, records it touches."""

    caller: Caller
    access: dict[str, SpaceAccess | ApiError]
    records: dict[str, Record]
    created: list[Record] = field(default_factory=list)  # bulk-inserted at the end
    changed: dict[str, set[RecordKind]] = field(default_factory=lambda: defaultdict(set))
    written: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))


def push(ctx: AppContext, caller: Caller, body: PushIn) -> PushOut:
    """Apply the batch in one transaction, then nudge live listeners of changed spaces.

    A push that loses a race on a unique key (the same new record id pushed into two spaces
    at once) rolls back whole and answers 409; its retry then gets a proper answer.
    """
    with ctx.db.write() as session:
        results, nudges = _apply(session, caller, body, ctx.clock())
    for nudge in nudges:
        ctx.notifier.publish(nudge)
    return PushOut(results=results)


def _apply(
    session: Session, caller: Caller, body: PushIn, now: datetime
) -> tuple[list[MutationResult], list[LiveNudge]]:
    session.execute(select(Device.id).where(Device.id == caller.device_id).with_for_update())
    stored = dict(
        session.execute(
            select(MutationLog.mutation_id, MutationLog.result).where(
                MutationLog.device_id == caller.device_id,
                MutationLog.mutation_id.in_([m.mutation_id for m in body.mutations]),
            )
        ).all()
    )
    fresh = [m for m in body.mutations if m.mutation_id not in stored]
    batch = _load(session, caller, fresh, now)
    results: list[MutationResult] = []
    log: list[dict[str, Any]] = []
    for mutation in body.mutations:
        if mutation.mutation_id in stored:
            results.append(MutationResult.model_validate(stored[mutation.mutation_id]))
            continue
        result = _apply_one(batch, mutation)
        results.append(result)
        space_id = mutation.record.space_id
        log.append(
            {
                "device_id": caller.device_id,
                "mutation_id": mutation.mutation_id,
                "space_id": space_id if isinstance(batch.access[space_id], SpaceAccess) else None,
                "result": result.model_dump(mode="json", exclude_none=True),
                "created_at": now,
            }
        )
    # Bulk INSERTs (executemany with a cached statement) rather than row-by-row ORM flushes.
    if batch.created:
        columns = [c.key for c in Record.__table__.columns]
        rows = [{key: getattr(r, key) for key in columns} for r in batch.created]
        session.execute(insert(Record.__table__), rows)
    if log:
        session.execute(insert(MutationLog.__table__), log)
    session.flush()  # updates of records that existed before this push
    nudges = [
        LiveNudge(
            space_id=space_id,
            version=access.space.version,
            kinds=sorted(kinds),
            record=_sole_record(batch.written[space_id]),
        )
        for space_id, kinds in batch.changed.items()
        if isinstance(access := batch.access[space_id], SpaceAccess)
    ]
    return results, nudges


def _sole_record(written: list[Record]) -> RecordEnvelope | None:
    """The record of a one-record commit, for the space owner's nudge (live.py decides)."""
    return envelope(written[0]) if len(written) == 1 else None


def _load(session: Session, caller: Caller, fresh: list[Mutation], now: datetime) -> _Batch:
    space_ids = sorted({m.record.space_id for m in fresh})
    spaces = {
        space.id: space
        for space in session.scalars(
            select(Space).where(Space.id.in_(space_ids)).order_by(Space.id).with_for_update()
        )
    }
    links: dict[str, list[Link]] = defaultdict(list)
    for link in session.scalars(
        select(Link).where(Link.space_id.in_(space_ids), Link.person_id == caller.account_id)
    ):
        links[link.space_id].append(link)
    access = {sid: access_from(spaces.get(sid), links[sid], caller, now) for sid in space_ids}
    wanted = {m.record.id for m in fresh} | {
        m.record.conversation_id for m in fresh if m.record.conversation_id
    }
    records = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(wanted)))}
    return _Batch(caller, access, records)


def _rejected(mutation: Mutation, reason: str) -> MutationResult:
    return MutationResult(mutation_id=mutation.mutation_id, status="rejected", reason=reason)


def _apply_one(batch: _Batch, mutation: Mutation) -> MutationResult:
    record = mutation.record
    access = batch.access[record.space_id]
    if isinstance(access, ApiError):
        return _rejected(mutation, access.detail)
    current = batch.records.get(record.id)
    if current is not None and current.space_id != record.space_id:
        return _rejected(mutation, "this record id is already used")
    if mutation.op == "delete":
        return _delete(batch, access, mutation, current)
    if record.author_id != batch.caller.account_id:
        return _rejected(mutation, "author_id must be the signed-in account")
    if current is not None:
        refusal = _check_update(batch, mutation, current)
        if refusal is not None:
            return refusal
    elif record.kind not in CREATE_KINDS[access.role]:
        return _rejected(mutation, f"a {access.role.value} cannot create a {record.kind.value}")
    reason = _check_sharing(batch, access, record)
    if reason is not None:
        return _rejected(mutation, reason)
    if current is None:
        current = Record(id=record.id, space_id=record.space_id, author_id=record.author_id)
        batch.created.append(current)
        batch.records[record.id] = current
    _write(current, record, _next_version(batch, access))
    batch.changed[record.space_id].add(record.kind)
    batch.written[record.space_id].append(current)
    return MutationResult(
        mutation_id=mutation.mutation_id, status="applied", version=current.version
    )


def _check_update(batch: _Batch, mutation: Mutation, current: Record) -> MutationResult | None:
    record = mutation.record
    if current.author_id != batch.caller.account_id:
        return _rejected(mutation, "only the author can change this record")
    if current.kind != record.kind.value:
        return _rejected(mutation, "a record cannot change its kind")
    if record.base_version != current.version:
        return MutationResult(
            mutation_id=mutation.mutation_id,
            status="conflict",
            reason="the record changed since base_version",
            current=envelope(current),
        )
    if current.deleted:
        return _rejected(mutation, "this record was deleted")
    if current.kind == RecordKind.MESSAGE.value:
        return _rejected(mutation, "chat messages cannot be edited")
    return None


def _check_sharing(batch: _Batch, access: SpaceAccess, record: RecordIn) -> str | None:
    """Who a record may be shared with, and that the wraps match exactly (DESIGN §4)."""
    owner = access.space.owner_id
    if record.kind is RecordKind.MESSAGE:
        conversation = batch.records.get(record.conversation_id or "")
        if (
            conversation is None
            or conversation.space_id != record.space_id
            or conversation.kind != RecordKind.CONVERSATION.value
            or conversation.deleted
        ):
            return "unknown conversation"
        participants = conversation_participants(
            owner, conversation.author_id, conversation.shared_with
        )
        if record.author_id not in participants:
            return "you are not in this conversation"
        if not set(record.shared_with) <= participants:
            return "a message is shared with the conversation's participants only"
    elif not access.is_owner and not set(record.shared_with) <= {owner, record.author_id}:
        return "only the youth decides who else sees things in their space"
    expected = {owner, record.author_id, *record.shared_with}
    if {wrap.recipient_id for wrap in record.wraps} != expected:
        return "wraps must be exactly for the youth, the author and everyone in shared_with"
    return None


def _delete(
    batch: _Batch, access: SpaceAccess, mutation: Mutation, current: Record | None
) -> MutationResult:
    if current is None:
        return MutationResult(
            mutation_id=mutation.mutation_id, status="applied", reason="nothing to delete"
        )
    if not access.is_owner and current.author_id != batch.caller.account_id:
        return _rejected(mutation, "only the youth or the author can delete this record")
    if not current.deleted:
        # A tombstone keeps the metadata that routes it; the content is erased for good.
        current.deleted = True
        current.ciphertext = current.nonce = current.signature = b""
        current.wraps = []
        current.updated_at = mutation.record.updated_at
        current.version = _next_version(batch, access)
        batch.changed[current.space_id].add(RecordKind(current.kind))
        batch.written[current.space_id].append(current)
    return MutationResult(
        mutation_id=mutation.mutation_id, status="applied", version=current.version
    )


def _next_version(batch: _Batch, access: SpaceAccess) -> int:
    access.space.version += 1
    return access.space.version


def _write(target: Record, record: RecordIn, version: int) -> None:
    target.kind = record.kind.value
    target.version = version
    target.deleted = False
    target.shared_with = list(record.shared_with)
    target.conversation_id = record.conversation_id
    target.ciphertext = b64decode(record.ciphertext)
    target.nonce = b64decode(record.nonce)
    target.wraps = [wrap.model_dump() for wrap in record.wraps]
    target.signature = b64decode(record.signature)
    target.created_at = record.created_at
    target.updated_at = record.updated_at
