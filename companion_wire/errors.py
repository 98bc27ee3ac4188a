"""How the server says no: an error body with a code, and why one change was refused."""

from __future__ import annotations

from enum import StrEnum

from companion_wire.fields import Wire


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
    BLOB_TOO_LARGE = "blob_too_large"  # 413: a file over MAX_BLOB_BYTES
    QUOTA_EXCEEDED = "quota_exceeded"  # 413: the space's files would pass its quota
    BLOB_INCOMPLETE = "blob_incomplete"  # 409: chunks missing (upload them, then complete)
    BLOB_COMPLETE = "blob_complete"  # 409: a finished blob does not change
    BLOB_MISMATCH = "blob_mismatch"  # 422: chunks do not add up to the declared hash or size
    UNAVAILABLE = "unavailable"  # 503: the database is away for now; honour Retry-After
    INTERNAL = "internal"  # 500: a server bug


class ErrorOut(Wire):
    detail: str
    code: ErrorCode


class Refusal(StrEnum):
    """Why a change was not sent: the app says it in the user's language (`reason` is the
    English detail, for logs and support). KEYS, UNVERIFIED, INVALID and OTHER arise on the
    device."""

    NO_ACCESS = "no_access"  # not, or no longer, linked to this space
    ID_IN_USE = "id_in_use"  # the record id belongs to another space
    NOT_AUTHOR = "not_author"  # only the author edits; only the youth or the author deletes
    ROLE = "role"  # this role may not create this kind of record here
    KIND_CHANGED = "kind_changed"  # a record cannot become another kind
    DELETED = "deleted"  # deleted on another device meanwhile
    MESSAGE_FINAL = "message_final"  # chat messages cannot be edited
    SHARING = "sharing"  # shared with someone it may not be shared with
    KEYS = "keys"  # a recipient's public keys could not be had
    UNVERIFIED = "unverified"  # a reader's keys are not verified yet: compare safety numbers
    INVALID = "invalid"  # the change does not fit the wire contract
    OTHER = "other"  # anything else, or a refusal recorded before codes existed

    @classmethod
    def read(cls, value: object) -> Refusal:
        """A code from the wire or the store; OTHER for none or one this app does not know."""
        if not isinstance(value, str):
            return cls.OTHER
        try:
            return cls(value)
        except ValueError:
            return cls.OTHER
