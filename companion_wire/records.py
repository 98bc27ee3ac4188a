"""Records, push, pull and the live channel on the wire: what sync moves."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field, field_validator, model_validator

from companion_wire.enums import RecordKind
from companion_wire.fields import Ciphertext, Id, RecordNonce, Signature, Wire, WrappedKey
from companion_wire.limits import MAX_BATCH, MAX_INT64, MAX_SHARES, MAX_WRAPS


class Wrap(Wire):
    """A record's content key sealed for one recipient account."""

    recipient_id: Id
    wrapped_key: WrappedKey


class _RecordBody(Wire):
    id: Id
    space_id: Id
    kind: RecordKind
    author_id: Id
    deleted: bool = False
    shared_with: list[Id] = Field(default_factory=list, max_length=MAX_SHARES)
    conversation_id: Id | None = None  # messages only: lets the server check participants
    ciphertext: Ciphertext = ""
    nonce: RecordNonce = ""
    wraps: list[Wrap] = Field(default_factory=list, max_length=MAX_WRAPS)
    signature: Signature = ""
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @model_validator(mode="after")
    def _consistent(self) -> _RecordBody:
        if len(set(self.shared_with)) != len(self.shared_with):
            raise ValueError("a person appears twice in shared_with")
        if len({wrap.recipient_id for wrap in self.wraps}) != len(self.wraps):
            raise ValueError("two wraps for the same recipient")
        if (self.kind is RecordKind.MESSAGE) != (self.conversation_id is not None):
            raise ValueError("conversation_id is required for messages and only for messages")
        if not self.deleted and not (
            self.ciphertext and self.nonce and self.signature and self.wraps
        ):
            raise ValueError("a live record needs ciphertext, nonce, signature and wraps")
        return self


class RecordIn(_RecordBody):
    """A record as pushed: no version (the server assigns it), `base_version` it was made on.

    `base_version` is None for a record the server has never acknowledged. A tombstone
    (op `delete`) may leave ciphertext, nonce, signature and wraps empty; the server erases
    them anyway.
    """

    base_version: int | None = Field(default=None, ge=1, le=MAX_INT64)


class RecordEnvelope(_RecordBody):
    """A record as stored and served; `version` is per space and only grows."""

    version: int = Field(ge=1, le=MAX_INT64)


class Mutation(Wire):
    """One change. `op` and `record.deleted` agree: upsert with false, delete with true."""

    mutation_id: int = Field(ge=1, le=MAX_INT64, description="monotonic per device")
    op: Literal["upsert", "delete"]
    record: RecordIn

    @model_validator(mode="after")
    def _op_matches(self) -> Mutation:
        if self.record.deleted != (self.op == "delete"):
            raise ValueError("op 'delete' goes with deleted=true, op 'upsert' with deleted=false")
        return self


class PushIn(Wire):
    mutations: list[Mutation] = Field(min_length=1, max_length=MAX_BATCH)

    @field_validator("mutations")
    @classmethod
    def _unique_ids(cls, value: list[Mutation]) -> list[Mutation]:
        if len({m.mutation_id for m in value}) != len(value):
            raise ValueError("a mutation_id appears twice in one push")
        return value


class MutationResult(Wire):
    """Replayed byte for byte when the same (device, mutation_id) is pushed again.

    Unlike the rest of the wire, it ignores fields it does not know, and `refusal` is
    plain text: a stored answer is replayed as it was, so an app must be able to read the
    answers of a newer server (or an older app those of this one) without failing."""

    model_config = ConfigDict(extra="ignore")

    mutation_id: int
    status: Literal["applied", "conflict", "rejected"]
    version: int | None = None  # applied: the record's new version
    reason: str | None = None  # conflict/rejected: why, in plain (English) words
    refusal: str | None = Field(default=None, max_length=32)  # a Refusal, for the app to translate
    current: RecordEnvelope | None = None  # conflict: the record as the server has it


class PushOut(Wire):
    results: list[MutationResult]


class PullOut(Wire):
    """One page of a space's changes after `cursor`, tombstones included.

    `removed` lists records this caller received before and may no longer see (unshared):
    drop them. A page may hold fewer records than asked (invisible changes are skipped but
    still move the cursor); keep pulling while `has_more`. A reader who is neither the youth
    nor the author gets `shared_with` and `wraps` reduced to their own entry.
    """

    records: list[RecordEnvelope]
    removed: list[Id]
    cursor: int
    has_more: bool


class LiveNudge(Wire):
    """What the live channel tells a client: space S is at version V (then the client pulls).

    `record` is set only for the youth who owns the space, when the commit changed exactly
    one record: the envelope a pull of version V would return (still sealed and signed), so
    the youth's devices take a new chat message without a round trip. Everyone else pulls:
    their access is checked and the delivery logged at pull time.
    """

    space_id: Id
    version: int = Field(ge=0, le=MAX_INT64)
    # Kinds changed in that commit (`message` = a new chat message). Empty: the space's
    # links changed (an invitation accepted, a link revoked or given an end date).
    kinds: list[RecordKind]
    record: RecordEnvelope | None = None

    @model_validator(mode="after")
    def _record_is_that_version(self) -> LiveNudge:
        record = self.record
        if record is not None and (
            record.space_id != self.space_id or record.version != self.version
        ):
            raise ValueError("a nudge's record is the space's record at the nudge's version")
        return self
