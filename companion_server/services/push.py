"""Applying a push: idempotent per (device, mutation_id), versions per space, conflicts.

One write transaction per push. It first locks the device row (pushes of one device run
one after another, so a retried batch cannot race itself), then the involved spaces' rows in
id order (no deadlocks between pushes), so each space's version counter is read and bumped
under a lock and commits land in version order: a pull cursor can never skip one. On
SQLite the whole transaction runs under BEGIN IMMEDIATE instead.

A push of one chat message is on the path of every chat message, so it is kept lean: the
reads and writes are in push_rows.py (on PostgreSQL: two round trips for the whole
transaction), the answers are dicts written as JSON directly, not models.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from companion_server.access import (
    CREATE_KINDS,
    SpaceAccess,
    SpaceRow,
    access_by_space,
    conversation_participants,
)
from companion_server.auth import Caller
from companion_server.context import AppContext
from companion_server.db.models import Space
from companion_server.errors import ApiError, unauthorized
from companion_server.services.push_rows import Changes, PushRows, push_transaction
from companion_server.services.records import StoredRecord, envelope
from companion_wire import (
    LiveNudge,
    Mutation,
    PushIn,
    RecordEnvelope,
    RecordIn,
    RecordKind,
    Refusal,
    b64decode,
)

Result = dict[str, Any]  # a MutationResult as JSON (model field order, no None values)


@dataclass
class _Batch:
    """What one push transaction knows: locked spaces, access, records it touches."""

    caller: Caller
    access: dict[str, SpaceAccess | ApiError]
    records: dict[str, StoredRecord]
    stored_ids: frozenset[str]  # records that existed before this push
    created: list[StoredRecord] = field(default_factory=list)  # bulk-inserted at the end
    updated: dict[str, StoredRecord] = field(default_factory=dict)  # of stored_ids
    changed: dict[str, set[RecordKind]] = field(default_factory=lambda: defaultdict(set))
    written: dict[str, list[StoredRecord]] = field(default_factory=lambda: defaultdict(list))
    # Per space, who could read a changed record before or after this push (besides the
    # youth): only they are nudged (nudges/). Readers before count too: an unshared
    # person's app must pull to learn the record is gone.
    audience: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def push(ctx: AppContext, caller: Caller, body: PushIn) -> bytes:
    """Apply the batch in one transaction, then nudge live listeners of changed spaces.
    Returns the PushOut as JSON bytes (as the response model with exclude_none writes it).

    A push that loses a race on a unique key (the same new record id pushed into two spaces
    at once) rolls back whole and answers 409; its retry then gets a proper answer.
    """
    with push_transaction(ctx.db) as rows:
        results, nudges = _apply(rows, caller, body, ctx.clock())
    for nudge, audience in nudges:
        ctx.notifier.publish(nudge, audience)
    return json.dumps({"results": results}, separators=(",", ":"), ensure_ascii=False).encode()


def _apply(
    rows: PushRows, caller: Caller, body: PushIn, now: datetime
) -> tuple[list[Result], list[tuple[LiveNudge, frozenset[str]]]]:
    mutations = body.mutations
    # Everything the batch names is read at once (also for mutations that turn out to be
    # repeats: their spaces are locked too, which changes nothing but saves a round trip).
    loaded = rows.load(
        caller,
        [m.mutation_id for m in mutations],
        sorted({m.record.space_id for m in mutations}),
        sorted(
            {m.record.id for m in mutations}
            | {m.record.conversation_id for m in mutations if m.record.conversation_id}
        ),
    )
    if not loaded.device_ok:
        raise unauthorized("unknown or signed-out device")  # revoked since it signed in
    stored = loaded.stored
    fresh = [m for m in mutations if m.mutation_id not in stored]
    if not fresh:
        return [stored[m.mutation_id] for m in mutations], []
    space_ids = sorted({m.record.space_id for m in fresh})
    batch = _Batch(
        caller,
        access_by_space(loaded.spaces, space_ids, caller, now),
        loaded.records,
        frozenset(loaded.records),
    )
    results: list[Result] = []
    answers: list[dict[str, Any]] = []
    for mutation in mutations:
        if mutation.mutation_id in stored:
            results.append(stored[mutation.mutation_id])
            continue
        result = _apply_one(batch, mutation)
        results.append(result)
        space_id = mutation.record.space_id
        answers.append(
            {
                "device_id": caller.device_id,
                "mutation_id": mutation.mutation_id,
                "space_id": space_id if isinstance(batch.access[space_id], SpaceAccess) else None,
                "result": result,
                "created_at": now,
            }
        )
    changed = {
        space_id: access
        for space_id in batch.changed
        if isinstance(access := batch.access[space_id], SpaceAccess)
    }
    rows.save(
        Changes(
            created=batch.created,
            updated=list(batch.updated.values()),
            answers=answers,
            versions={space_id: access.space.version for space_id, access in changed.items()},
        )
    )
    nudges = [
        (
            LiveNudge(
                space_id=space_id,
                version=access.space.version,
                kinds=sorted(batch.changed[space_id]),
                record=_sole_record(batch.written[space_id]),
            ),
            frozenset(batch.audience[space_id]),
        )
        for space_id, access in changed.items()
    ]
    return results, nudges


def _sole_record(written: list[StoredRecord]) -> RecordEnvelope | None:
    """The record of a one-record commit, for the nudge (nudges/subscription.py keeps it for
    the space owner alone)."""
    return envelope(written[0]) if len(written) == 1 else None


def _result(
    mutation: Mutation,
    status: str,
    *,
    version: int | None = None,
    reason: str | None = None,
    refusal: Refusal | None = None,
    current: dict[str, Any] | None = None,
) -> Result:
    """`MutationResult(...).model_dump(mode="json", exclude_none=True)`, without the model."""
    result: Result = {"mutation_id": mutation.mutation_id, "status": status}
    if version is not None:
        result["version"] = version
    if reason is not None:
        result["reason"] = reason
    if refusal is not None:
        result["refusal"] = refusal.value
    if current is not None:
        result["current"] = current
    return result


def _rejected(mutation: Mutation, refusal: Refusal, reason: str) -> Result:
    return _result(mutation, "rejected", reason=reason, refusal=refusal)


def _apply_one(batch: _Batch, mutation: Mutation) -> Result:
    record = mutation.record
    access = batch.access[record.space_id]
    if isinstance(access, ApiError):
        return _rejected(mutation, Refusal.NO_ACCESS, access.detail)
    current = batch.records.get(record.id)
    if current is not None and current.space_id != record.space_id:
        return _rejected(mutation, Refusal.ID_IN_USE, "this record id is already used")
    if mutation.op == "delete":
        return _delete(batch, access, mutation, current)
    if record.author_id != batch.caller.account_id:
        return _rejected(mutation, Refusal.NOT_AUTHOR, "author_id must be the signed-in account")
    if current is not None:
        refusal = _check_update(batch, mutation, current)
        if refusal is not None:
            return refusal
    elif record.kind not in CREATE_KINDS[access.role]:
        return _rejected(
            mutation, Refusal.ROLE, f"a {access.role.value} cannot create a {record.kind.value}"
        )
    refused = _check_sharing(batch, access, record)
    if refused is not None:
        return _rejected(mutation, *refused)
    version = _next_version(access.space)
    batch.audience[record.space_id].update(
        [record.author_id, *record.shared_with, *(current.shared_with if current else [])]
    )
    if current is None:
        current = _new(record, version)
        batch.created.append(current)
        batch.records[record.id] = current
    else:
        _write(current, record, version)
        _mark_updated(batch, current)
    batch.changed[record.space_id].add(record.kind)
    batch.written[record.space_id].append(current)
    return _result(mutation, "applied", version=current.version)


def _mark_updated(batch: _Batch, record: StoredRecord) -> None:
    """An UPDATE at the end for a record that existed (the new ones are INSERTed as they
    end up)."""
    if record.id in batch.stored_ids:
        batch.updated[record.id] = record


def _check_update(batch: _Batch, mutation: Mutation, current: StoredRecord) -> Result | None:
    record = mutation.record
    if current.author_id != batch.caller.account_id:
        return _rejected(mutation, Refusal.NOT_AUTHOR, "only the author can change this record")
    if current.kind != record.kind.value:
        return _rejected(mutation, Refusal.KIND_CHANGED, "a record cannot change its kind")
    if record.base_version != current.version:
        return _result(
            mutation,
            "conflict",
            reason="the record changed since base_version",
            current=envelope(current).model_dump(mode="json", exclude_none=True),
        )
    if current.deleted:
        return _rejected(mutation, Refusal.DELETED, "this record was deleted")
    if current.kind == RecordKind.MESSAGE.value:
        return _rejected(mutation, Refusal.MESSAGE_FINAL, "chat messages cannot be edited")
    return None


def _check_sharing(
    batch: _Batch, access: SpaceAccess, record: RecordIn
) -> tuple[Refusal, str] | None:
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
            return Refusal.DELETED, "unknown conversation"
        participants = conversation_participants(
            owner, conversation.author_id, conversation.shared_with
        )
        if record.author_id not in participants:
            return Refusal.NO_ACCESS, "you are not in this conversation"
        if not set(record.shared_with) <= participants:
            return Refusal.SHARING, "a message is shared with the conversation's participants only"
    elif not access.is_owner and not set(record.shared_with) <= {owner, record.author_id}:
        return Refusal.SHARING, "only the youth decides who else sees things in their space"
    expected = {owner, record.author_id, *record.shared_with}
    if {wrap.recipient_id for wrap in record.wraps} != expected:
        return (
            Refusal.INVALID,
            "wraps must be exactly for the youth, the author and everyone in shared_with",
        )
    return None


def _delete(
    batch: _Batch, access: SpaceAccess, mutation: Mutation, current: StoredRecord | None
) -> Result:
    if current is None:
        return _result(mutation, "applied", reason="nothing to delete")
    if not access.is_owner and current.author_id != batch.caller.account_id:
        return _rejected(
            mutation, Refusal.NOT_AUTHOR, "only the youth or the author can delete this record"
        )
    if not current.deleted:
        # A tombstone keeps the metadata that routes it; the content is erased for good.
        current.deleted = True
        current.ciphertext = current.nonce = current.signature = b""
        current.wraps = []
        current.updated_at = mutation.record.updated_at
        current.version = _next_version(access.space)
        _mark_updated(batch, current)
        batch.changed[current.space_id].add(RecordKind(current.kind))
        batch.written[current.space_id].append(current)
        batch.audience[current.space_id].update([current.author_id, *current.shared_with])
    return _result(mutation, "applied", version=current.version)


def _next_version(space: Space | SpaceRow) -> int:
    """Bump the space's counter (its row is locked by this transaction)."""
    space.version += 1
    return space.version


def _new(record: RecordIn, version: int) -> StoredRecord:
    return StoredRecord(
        id=record.id,
        space_id=record.space_id,
        kind=record.kind.value,
        author_id=record.author_id,
        version=version,
        deleted=False,
        shared_with=list(record.shared_with),
        conversation_id=record.conversation_id,
        ciphertext=b64decode(record.ciphertext),
        nonce=b64decode(record.nonce),
        wraps=[wrap.model_dump() for wrap in record.wraps],
        signature=b64decode(record.signature),
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def _write(target: StoredRecord, record: RecordIn, version: int) -> None:
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
