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
from companion_server.services import blobs
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
    # Per space, who holds a wrap or a notice of a version this push wrote (besides the
    # youth), with the newest such version: only they are nudged, with that version, not
    # the space's (nudges/): what others did in the space is none of their business.
    audience: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    # Per space, the first version this push wrote (what the caller had seen is one less).
    first: dict[str, int] = field(default_factory=dict)

    def access_owner(self, space_id: str) -> str:
        access = self.access[space_id]
        assert isinstance(access, SpaceAccess)
        return access.space.owner_id

    def wrote(self, record: StoredRecord) -> None:
        """Bookkeeping of a version written: its space changed, who hears of it."""
        space_id = record.space_id
        self.first.setdefault(space_id, record.version)
        self.changed[space_id].add(RecordKind(record.kind))
        self.written[space_id].append(record)
        owner = self.access_owner(space_id)
        heard = self.audience[space_id]
        for account in record.audience() - {owner}:
            heard[account] = record.version


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
    blobs.drop(ctx, _deleted_attachments(body, results))  # their files go at once
    return json.dumps(results, separators=(",", ":"), ensure_ascii=False).encode()


def _deleted_attachments(body: PushIn, results: dict[str, Any]) -> list[str]:
    """Ids of the attachment records this push deleted (their blobs have the same ids)."""
    deletions = {
        m.mutation_id: m.record.id
        for m in body.mutations
        if m.op == "delete" and m.record.kind is RecordKind.ATTACHMENT
    }
    if not deletions:
        return []
    return [
        deletions[r["mutation_id"]]
        for r in results["results"]
        if r["mutation_id"] in deletions and r["status"] == "applied"
    ]


def _apply(
    rows: PushRows, caller: Caller, body: PushIn, now: datetime
) -> tuple[dict[str, Any], list[tuple[LiveNudge, dict[str, int]]]]:
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
        return {"results": [stored[m.mutation_id] for m in mutations], "spaces": []}, []
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
            reads=[
                (reader, record.id, record.space_id, record.version)
                for written in batch.written.values()
                for record in written
                for reader in sorted(record.audience() - {batch.access_owner(record.space_id)})
            ],
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
            batch.audience[space_id],
        )
        for space_id, access in changed.items()
    ]
    advances = [
        {
            "space_id": space_id,
            "before": loaded.seen.get(space_id, batch.first[space_id] - 1),
            "after": access.space.version,
        }
        for space_id, access in changed.items()
    ]
    return {"results": results, "spaces": advances}, nudges


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


def _conflict(mutation: Mutation, current: StoredRecord) -> Result:
    """Made on an older version: the answer carries the current one to merge with."""
    return _result(
        mutation,
        "conflict",
        reason="the record changed since base_version",
        current=envelope(current).model_dump(mode="json", exclude_none=True),
    )


def _apply_one(batch: _Batch, mutation: Mutation) -> Result:
    record = mutation.record
    access = batch.access[record.space_id]
    if isinstance(access, ApiError):
        return _rejected(mutation, Refusal.NO_ACCESS, access.detail)
    current = batch.records.get(record.id)
    if current is not None and current.space_id != record.space_id:
        return _rejected(mutation, Refusal.ID_IN_USE, "this record id is already used")
    if record.signer_id != batch.caller.account_id:
        return _rejected(mutation, Refusal.NOT_AUTHOR, "signer_id must be the signed-in account")
    lineage = _check_lineage(mutation, current)
    if lineage is not None:
        return lineage
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
    bad_notices = _check_notices(record, current, access.space.owner_id)
    if bad_notices is not None:
        return _rejected(mutation, Refusal.INVALID, bad_notices)
    version = _next_version(access.space)
    if current is None:
        current = _new(record, version)
        batch.created.append(current)
        batch.records[record.id] = current
    else:
        _write(current, record, version)
        _mark_updated(batch, current)
    batch.wrote(current)
    return _result(mutation, "applied", version=current.version)


def _check_lineage(mutation: Mutation, current: StoredRecord | None) -> Result | None:
    """A version's revision is one more than the stored one's (1 for a new record). A
    version made on an older one (stale base_version) gets its conflict answer further on;
    only a broken client lands here. (Whether `prev` is the stored version's digest, the
    readers check: the server trusts nothing it could check on their behalf.)"""
    record = mutation.record
    if current is not None and record.base_version != current.version:
        return None
    expected = current.revision + 1 if current is not None else 1
    if record.revision != expected:
        return _rejected(
            mutation, Refusal.INVALID, f"revision must be {expected}, one more than stored"
        )
    return None


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
        return _conflict(mutation, current)
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
    if record.kind is RecordKind.CONTACT_KEY and record.shared_with:
        return Refusal.SHARING, "a verified key is never shared"
    readers = {owner, record.author_id, *record.shared_with}
    if not readers <= {wrap.recipient_id for wrap in record.wraps}:
        return Refusal.INVALID, "the youth, the author and everyone in shared_with need a wrap"
    return None


def _check_notices(record: RecordIn, current: StoredRecord | None, owner: str) -> str | None:
    """Wraps beyond the readers are notices, for people who held the version before and
    may no longer read this one: nobody else is told anything about the record."""
    readers = {owner, record.author_id, *record.shared_with}
    earlier = current.audience() if current is not None else set()
    extra = {wrap.recipient_id for wrap in record.wraps} - readers
    if not extra <= earlier:
        return "wraps beyond the readers are notices: only for people who held the version before"
    return None


def _delete(
    batch: _Batch, access: SpaceAccess, mutation: Mutation, current: StoredRecord | None
) -> Result:
    """A deletion is a version too: made by the author or the youth, on the current
    version, with a notice for everyone who held a version of the record."""
    record = mutation.record
    if current is None:
        return _result(mutation, "applied", reason="nothing to delete")
    if not access.is_owner and current.author_id != batch.caller.account_id:
        return _rejected(
            mutation, Refusal.NOT_AUTHOR, "only the youth or the author can delete this record"
        )
    if current.deleted:
        return _result(mutation, "applied", version=current.version)
    if record.base_version != current.version:
        return _conflict(mutation, current)
    told = {wrap.recipient_id for wrap in record.wraps}
    if not told <= current.audience() | {access.space.owner_id, current.author_id}:
        return _rejected(mutation, Refusal.INVALID, "a deletion tells only who held the record")
    # A deletion keeps what routes it and the notices; the content is erased for good.
    current.deleted = True
    current.ciphertext = current.nonce = current.content_hash = b""
    current.signer_id = record.signer_id
    current.revision = record.revision
    current.prev = b64decode(record.prev)
    current.wraps = [wrap.model_dump() for wrap in record.wraps]
    current.updated_at = record.updated_at
    current.version = _next_version(access.space)
    _mark_updated(batch, current)
    batch.wrote(current)
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
        signer_id=record.signer_id,
        revision=record.revision,
        prev=b64decode(record.prev),
        version=version,
        deleted=False,
        shared_with=list(record.shared_with),
        conversation_id=record.conversation_id,
        ciphertext=b64decode(record.ciphertext),
        nonce=b64decode(record.nonce),
        content_hash=b64decode(record.content_hash),
        wraps=[wrap.model_dump() for wrap in record.wraps],
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def _write(target: StoredRecord, record: RecordIn, version: int) -> None:
    target.kind = record.kind.value
    target.signer_id = record.signer_id
    target.revision = record.revision
    target.prev = b64decode(record.prev)
    target.version = version
    target.deleted = False
    target.shared_with = list(record.shared_with)
    target.conversation_id = record.conversation_id
    target.ciphertext = b64decode(record.ciphertext)
    target.nonce = b64decode(record.nonce)
    target.content_hash = b64decode(record.content_hash)
    target.wraps = [wrap.model_dump() for wrap in record.wraps]
    target.created_at = record.created_at
    target.updated_at = record.updated_at
