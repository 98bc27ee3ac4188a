"""Records, push, pull and the live channel on the wire: what sync moves."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from companion_wire.enums import RecordKind
from companion_wire.fields import (
    Ciphertext,
    Digest,
    Id,
    RecordNonce,
    Wire,
    WireTime,
    WrappedKey,
)
from companion_wire.limits import MAX_AUDIENCE, MAX_BATCH, MAX_INT64, MAX_SHARES


class Wrap(Wire):
    """A version sealed for one account: its content key and digest (a reader), or its
    digest alone (a notice to someone who read an earlier version and may no longer)."""

    recipient_id: Id
    wrapped_key: WrappedKey


RECORD_RULES = (
    "Each person appears once in `shared_with` and has at most one wrap; "
    "`conversation_id` is set for messages and only for them; `prev` is set exactly when "
    "`revision` is above 1; there is at least one wrap; a deletion carries no ciphertext, "
    "nonce or content hash; a live record has a nonce and a content hash."
)


def _state_rules(schema: dict[str, Any]) -> None:
    """The OpenAPI schema of every record model states the rules `_consistent` checks."""
    schema["description"] = f"{schema.get('description', '')}\n\n{RECORD_RULES}".strip()


class _RecordBody(Wire):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_state_rules)

    id: Id
    space_id: Id
    kind: RecordKind
    author_id: Id
    # who made this version and sealed its wraps: the author; for a deletion also the
    # youth who owns the space
    signer_id: Id
    revision: int = Field(ge=1, le=MAX_INT64, description="per record; one more per version")
    prev: Digest = Field(default="", description="digest of the version this one was made on")
    deleted: bool = False
    shared_with: list[Id] = Field(
        default_factory=list, max_length=MAX_SHARES, json_schema_extra={"uniqueItems": True}
    )
    conversation_id: Id | None = None  # messages only: lets the server check participants
    ciphertext: Ciphertext = ""
    nonce: RecordNonce = ""
    content_hash: Digest = Field(default="", description="BLAKE2b-256 of the ciphertext")
    wraps: list[Wrap] = Field(default_factory=list, max_length=MAX_AUDIENCE)
    created_at: WireTime
    updated_at: WireTime

    @model_validator(mode="after")
    def _consistent(self) -> _RecordBody:
        if len(set(self.shared_with)) != len(self.shared_with):
            raise ValueError("a person appears twice in shared_with")
        if len({wrap.recipient_id for wrap in self.wraps}) != len(self.wraps):
            raise ValueError("two wraps for the same recipient")
        if (self.kind is RecordKind.MESSAGE) != (self.conversation_id is not None):
            raise ValueError("conversation_id is required for messages and only for messages")
        if bool(self.prev) != (self.revision > 1):
            raise ValueError("prev is set exactly when revision is above 1")
        if not self.wraps:
            raise ValueError("a version needs wraps (readers) or notices (a deletion)")
        if self.deleted and (self.ciphertext or self.nonce or self.content_hash):
            raise ValueError("a deletion carries no content")
        if not self.deleted and not (self.nonce and self.content_hash):
            raise ValueError("a live record needs a nonce and its content's hash")
        return self


class RecordIn(_RecordBody):
    """A record version as pushed: no version (the server assigns it), `base_version` it was
    made on (None for a record the server has never acknowledged). A live (not deleted)
    record carries its ciphertext."""

    base_version: int | None = Field(default=None, ge=1, le=MAX_INT64)

    @model_validator(mode="after")
    def _has_content(self) -> RecordIn:
        if not self.deleted and not self.ciphertext:
            raise ValueError("a live record needs its ciphertext")
        return self


class RecordEnvelope(_RecordBody):
    """A record version as stored and served; `version` is per space and only grows. Someone
    who may no longer read it gets it without ciphertext and with their notice only."""

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
    """A batch of mutations; each `mutation_id` appears once in it."""

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


class SpaceAdvance(Wire):
    """A space a push wrote in: what the caller could see of it just before (`before`) and
    the version of the push's last change (`after`). Versions in between are this push's
    own, so a device that had pulled up to `before` moves its cursor to `after` unread."""

    space_id: Id
    before: int = Field(ge=0, le=MAX_INT64)
    after: int = Field(ge=0, le=MAX_INT64)


class PushOut(Wire):
    results: list[MutationResult]
    spaces: list[SpaceAdvance] = Field(default_factory=list)


class PullOut(Wire):
    """One page of what changed in a space after `cursor`, as far as the caller may know.

    The youth gets every version of their space. A linked person gets the versions they may
    read, and, for a record they read before and may no longer (unshared, deleted), the
    version that took it away, with their notice only; their cursor moves with those alone,
    so it says nothing about the rest of the space. Keep pulling while `has_more`. A reader
    who is neither the youth nor the author gets `shared_with` and `wraps` reduced to their
    own entry.
    """

    records: list[RecordEnvelope]
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
