"""Typed sync errors: each one tells the engine (and through it the UI) what to do next.

Offline and server trouble are retried with backoff; a refused sign-in stops syncing until
the user signs in again; a refused request names the server's reason so it can be shown.
"""

from __future__ import annotations

from companion_wire import ErrorCode


class SyncError(Exception):
    """Base of every error raised by companion.sync."""


class OfflineError(SyncError):
    """The server could not be reached, or the connection broke before an answer arrived."""


class SignInRequiredError(SyncError):
    """The device token is missing, expired or revoked: syncing stops until sign-in."""


class ServerError(SyncError):
    """The server answered 5xx: it is there but cannot serve now (retry later, not before
    `retry_after` seconds when it said so: a 503 while its database is away)."""

    def __init__(self, status: int, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"server error {status}: {detail}")
        self.status = status
        self.retry_after = retry_after


class RateLimitedError(SyncError):
    """429: too many attempts; `retry_after` seconds when the server said so."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RefusedError(SyncError):
    """Any other 4xx: the server understood and said no; `detail` is its reason."""

    def __init__(self, status: int, code: ErrorCode | None, detail: str) -> None:
        super().__init__(f"{status} {code.value if code else 'error'}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


class LinkEndedError(RefusedError):
    """The caller's link to this space ended or was revoked: drop the space's records."""


class ProtocolError(SyncError):
    """The server's answer does not have the shape of the wire contract."""


class UnreadableRecordError(SyncError):
    """A pulled record cannot be decrypted, verified or parsed; it is skipped, not applied."""

    def __init__(self, record_id: str, reason: str) -> None:
        super().__init__(f"record {record_id}: {reason}")
        self.record_id = record_id
        self.reason = reason
