"""The wire contract between the Companion app and its server, as pydantic v2 models.

Client and server both import this module, so they cannot drift apart. It must never import
server code. Every binary value travels as standard base64 (with padding, no newlines); the
server treats keys, ciphertext, nonces, wraps and signatures as opaque bytes.

Routes live under `/v1`. Errors other than FastAPI's own validation errors (422, `detail`
is a list) are `ErrorOut` bodies: a human `detail` and a machine `code` to switch on.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from companion.domain.models import LinkStatus, RecordKind, Role

API_PREFIX = "/v1"

# Limits the server enforces; clients should split their work to stay inside them.
MAX_BODY_BYTES = 2 * 1024 * 1024  # whole request body -> 413
MAX_BATCH = 500  # mutations per push -> 422
MAX_CIPHERTEXT_BYTES = 256 * 1024  # per record (rounded up to a whole base64 quantum) -> 422
MAX_SHARES = 50  # people one record is shared with
MAX_WRAPS = MAX_SHARES + 1  # the youth + everyone in shared_with (the author is one of them)
MAX_WRAPPED_KEY_BYTES = 256
MAX_KEY_BACKUP_BYTES = 4096
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 200
MAX_ACCESS_LOG_LIMIT = 500
MAX_NAME = 80
MAX_SLOTS = 42
MAX_INT64 = 2**63 - 1

UUID7_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
INVITATION_CODE_PATTERN = r"^[A-Za-z0-9]{4}[- ]?[A-Za-z0-9]{4}$"
ACTIVATION_CODE_PATTERN = r"^[A-Za-z0-9]{4}(?:[- ]?[A-Za-z0-9]{4}){3}$"
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # base64url of 32 random bytes, no padding
EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"
_B64_CHAR = "[A-Za-z0-9+/]"


def b64encode(data: bytes) -> str:
    """Encode bytes the way the wire expects (standard alphabet, padded, one line)."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Decode a wire base64 value; raises ValueError on anything that is not strict base64.
    (What base64.b64decode(text, validate=True) does, minus its wrapper: this runs four
    times per pulled record.)"""
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except TypeError:
        raise ValueError("base64 must be text or bytes") from None


def _b64_chars(n_bytes: int) -> int:
    return 4 * math.ceil(n_bytes / 3)


def _exact_b64_pattern(n_bytes: int) -> str:
    full, rest = divmod(n_bytes, 3)
    data_chars = full * 4 + (0, 2, 3)[rest]
    padding = ("", "==", "=")[rest]
    return f"{_B64_CHAR}{{{data_chars}}}{padding}"


def b64_exact(n_bytes: int, *, allow_empty: bool = False) -> Any:
    """A base64 string that decodes to exactly `n_bytes` bytes (or is empty, for tombstones)."""
    body = _exact_b64_pattern(n_bytes)
    pattern = f"^(?:{body})?$" if allow_empty else f"^{body}$"
    chars = _b64_chars(n_bytes)
    return Annotated[
        str,
        StringConstraints(
            min_length=0 if allow_empty else chars, max_length=chars, pattern=pattern
        ),
    ]


def b64_max(max_bytes: int, *, min_bytes: int = 0) -> Any:
    """A base64 string of at most `max_bytes` decoded bytes (bounded in the OpenAPI schema)."""
    pattern = f"^(?:{_B64_CHAR}{{4}})*(?:{_B64_CHAR}{{2}}==|{_B64_CHAR}{{3}}=)?$"
    return Annotated[
        str,
        StringConstraints(
            min_length=_b64_chars(min_bytes), max_length=_b64_chars(max_bytes), pattern=pattern
        ),
    ]


Id = Annotated[str, StringConstraints(min_length=36, max_length=36, pattern=UUID7_PATTERN)]
Key32 = b64_exact(32)
Salt16 = b64_exact(16)
Nonce24 = b64_exact(24)
Ciphertext = b64_max(MAX_CIPHERTEXT_BYTES)
WrappedKey = b64_max(MAX_WRAPPED_KEY_BYTES, min_bytes=1)
BackupCiphertext = b64_max(MAX_KEY_BACKUP_BYTES, min_bytes=1)
RecordNonce = b64_exact(24, allow_empty=True)
Signature = b64_exact(64, allow_empty=True)
Token = Annotated[str, StringConstraints(pattern=TOKEN_PATTERN)]
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=EMAIL_PATTERN, to_lower=True, strip_whitespace=True),
]


def normalise_code(value: str) -> str:
    """Codes are read aloud and typed on phones: case, dashes and spaces do not matter."""
    return re.sub(r"[- ]", "", value).upper()


InvitationCode = Annotated[
    str, StringConstraints(pattern=INVITATION_CODE_PATTERN), AfterValidator(normalise_code)
]
ActivationCode = Annotated[
    str, StringConstraints(pattern=ACTIVATION_CODE_PATTERN), AfterValidator(normalise_code)
]


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("must not contain control characters")
    return value


Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME), AfterValidator(_name)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- errors -------------------------------------------------------------------------------


class ErrorCode(StrEnum):
    UNAUTHORIZED = "unauthorized"  # no, malformed, unknown or revoked token; wrong secret
    FORBIDDEN = "forbidden"  # your role may not do this
    NO_ACCESS = "no_access"  # not your space (also said when the space does not exist)
    LINK_ENDED = "link_ended"  # your link ended/was revoked/passed its end date: drop the space
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"  # e.g. a method the route does not have
    ID_IN_USE = "id_in_use"  # a client-chosen id (account, space, record) is taken
    CONFLICT = "conflict"  # the request clashes with the current state
    INVITATION_INVALID = "invitation_invalid"  # unknown, expired, used or withdrawn
    ROLE_MISMATCH = "role_mismatch"  # the invitation is for another role
    ALREADY_LINKED = "already_linked"
    RATE_LIMITED = "rate_limited"
    BODY_TOO_LARGE = "body_too_large"
    UNAVAILABLE = "unavailable"


class ErrorOut(_Wire):
    detail: str
    code: ErrorCode


# --- keys and recovery ---------------------------------------------------------------------


class PublicKeys(_Wire):
    """An account's public keys, shared by all its devices."""

    x25519: Key32
    ed25519: Key32


class KdfParams(_Wire):
    alg: Literal["argon2id13"] = "argon2id13"
    salt: Salt16
    opslimit: int = Field(ge=1, le=64)
    memlimit: int = Field(ge=8192, le=2**32)


class KeyBackup(_Wire):
    """Account private keys sealed under a key derived from the recovery code; opaque here."""

    kdf: KdfParams
    nonce: Nonce24
    ciphertext: BackupCiphertext


class RecoveryCredentials(_Wire):
    """Derived from the recovery code on the device; the code itself never leaves it."""

    lookup: Key32
    auth_secret: Key32


# --- accounts and sessions -----------------------------------------------------------------


class SignUpIn(_Wire):
    """A youth (or an invited network person) signs up from the app.

    Offline first: the app may choose its own `account_id` and (youth) `space_id` as UUIDv7
    before it ever reached the server; the server takes them if unused (409 `id_in_use`).
    """

    account_id: Id | None = None
    space_id: Id | None = None
    display_name: Name
    role: Literal[Role.YOUTH, Role.NETWORK]
    public_keys: PublicKeys
    recovery: RecoveryCredentials
    key_backup: KeyBackup
    device_name: Name
    invitation_code: InvitationCode | None = None

    @model_validator(mode="after")
    def _network_needs_invitation(self) -> SignUpIn:
        if self.role is Role.NETWORK:
            if self.invitation_code is None:
                raise ValueError("a network person signs up with an invitation code")
            if self.space_id is not None:
                raise ValueError("only a youth has a space")
        return self


class ActivateIn(_Wire):
    """A caregiver account made by the operator is activated from the app."""

    email: Email
    activation_code: ActivationCode
    public_keys: PublicKeys
    recovery: RecoveryCredentials
    key_backup: KeyBackup
    device_name: Name


class SessionOut(_Wire):
    account_id: Id
    device_id: Id
    token: Token  # send as `Authorization: Bearer <token>`; shown once, stored hashed
    role: Role
    space_id: Id | None = None  # the youth's own space


class RecoveryParamsIn(_Wire):
    lookup: Key32


class RecoveryParamsOut(_Wire):
    kdf: KdfParams


class RecoverIn(_Wire):
    lookup: Key32
    auth_secret: Key32
    device_name: Name


class RecoverOut(SessionOut):
    key_backup: KeyBackup


class Slot(_Wire):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: str = Field(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$", description="HH:MM")
    end: str = Field(pattern=r"^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$", description="HH:MM")

    @model_validator(mode="after")
    def _ordered(self) -> Slot:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Availability(_Wire):
    """When a caregiver or network person can be reached (right to disconnect)."""

    timezone: str = Field(min_length=1, max_length=64, examples=["Europe/Brussels"])
    slots: list[Slot] = Field(default_factory=list, max_length=MAX_SLOTS)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in _zones():
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Brussels)"
            )
        return value


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


class MeOut(_Wire):
    account_id: Id
    display_name: str
    role: Role
    email: str | None = None
    space_id: Id | None = None
    public_keys: PublicKeys | None = None
    availability: Availability | None = None
    created_at: datetime


class DeviceOut(_Wire):
    id: Id
    name: str
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None
    current: bool  # the device making this request


class AccountKeysOut(_Wire):
    account_id: Id
    display_name: str
    role: Role
    public_keys: PublicKeys


# --- invitations, spaces and links ---------------------------------------------------------


class InvitationIn(_Wire):
    """A youth invites a caregiver or network person; a caregiver invites a youth."""

    role: Role
    link_ends_at: AwareDatetime | None = None  # end of the care period the link will have


class InvitationOut(_Wire):
    code: str  # `ABCD-EFGH`
    qr_payload: str  # `companion://join?code=ABCD-EFGH&fp=<inviter fingerprint>`
    role: Role
    expires_at: datetime
    link_id: Id | None = None  # the pending (invited) link, for invitations made by a youth


class InvitationPreview(_Wire):
    """What the invited person sees before accepting; the app checks the fingerprint."""

    inviter_id: Id
    inviter_name: str
    inviter_role: Role
    inviter_public_keys: PublicKeys
    role: Role
    expires_at: datetime


class LinkOut(_Wire):
    """A care link; `status` is computed at read time (a passed `ends_at` reads `ended`)."""

    id: Id
    space_id: Id
    person_id: Id | None = None  # None while the invitation is not accepted yet
    display_name: str | None = None
    role: Literal[Role.CAREGIVER, Role.NETWORK]
    status: LinkStatus
    starts_at: datetime
    ends_at: datetime | None = None
    invitation_expires_at: datetime | None = None  # for status `invited`
    availability: Availability | None = None
    created_at: datetime


class LinkPatch(_Wire):
    """Set (or, youth only, clear) the end of a care period; the linked person may shorten it."""

    ends_at: AwareDatetime | None


class SpaceOut(_Wire):
    space_id: Id
    owner_id: Id
    owner_name: str
    my_role: Role  # youth for the owner, else the role of the caller's link
    version: int | None  # latest record version; None once the caller's access ended
    links: list[LinkOut]  # owner: every link; linked person: their own link(s)


class AccessLogEntry(_Wire):
    id: int
    account_id: Id
    display_name: str | None  # None once that account is deleted
    record_id: Id
    kind: RecordKind
    route: str = Field(max_length=16, description="how it was delivered, e.g. pull")
    at: datetime


class AccessLogOut(_Wire):
    entries: list[AccessLogEntry]
    next_before: int | None  # pass as `before` for the next (older) page


# --- records and sync -----------------------------------------------------------------------


class Wrap(_Wire):
    """A record's content key sealed for one recipient account."""

    recipient_id: Id
    wrapped_key: WrappedKey


class _RecordBody(_Wire):
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


class Mutation(_Wire):
    """One change. `op` and `record.deleted` agree: upsert with false, delete with true."""

    mutation_id: int = Field(ge=1, le=MAX_INT64, description="monotonic per device")
    op: Literal["upsert", "delete"]
    record: RecordIn

    @model_validator(mode="after")
    def _op_matches(self) -> Mutation:
        if self.record.deleted != (self.op == "delete"):
            raise ValueError("op 'delete' goes with deleted=true, op 'upsert' with deleted=false")
        return self


class PushIn(_Wire):
    mutations: list[Mutation] = Field(min_length=1, max_length=MAX_BATCH)

    @field_validator("mutations")
    @classmethod
    def _unique_ids(cls, value: list[Mutation]) -> list[Mutation]:
        if len({m.mutation_id for m in value}) != len(value):
            raise ValueError("a mutation_id appears twice in one push")
        return value


class Refusal(StrEnum):
    """Why a change was not sent: the app says it in the user's language (`reason` is the
    English detail, for logs and support). The last three arise on the device."""

    NO_ACCESS = "no_access"  # not, or no longer, linked to this space
    ID_IN_USE = "id_in_use"  # the record id belongs to another space
    NOT_AUTHOR = "not_author"  # only the author edits; only the youth or the author deletes
    ROLE = "role"  # this role may not create this kind of record here
    KIND_CHANGED = "kind_changed"  # a record cannot become another kind
    DELETED = "deleted"  # deleted on another device meanwhile
    MESSAGE_FINAL = "message_final"  # chat messages cannot be edited
    SHARING = "sharing"  # shared with someone it may not be shared with
    KEYS = "keys"  # a recipient's public keys could not be had
    INVALID = "invalid"  # the change does not fit the wire contract
    OTHER = "other"  # anything else, or a refusal recorded before codes existed

    @classmethod
    def read(cls, value: object) -> Refusal:
        """A code from the wire or the store; OTHER for none or one this app does not know."""
        try:
            return cls(value)
        except ValueError:
            return cls.OTHER


class MutationResult(_Wire):
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


class PushOut(_Wire):
    results: list[MutationResult]


class PullOut(_Wire):
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


class LiveNudge(_Wire):
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


class HealthOut(_Wire):
    status: Literal["ok"]
    database: Literal["ok"]
    version: str
