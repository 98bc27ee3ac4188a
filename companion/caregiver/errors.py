"""Errors only the caregiver app raises; their messages live in the `caregiver` namespace."""

from __future__ import annotations

from companion.core.errors import InvalidInput, ServiceError
from companion.sync.errors import (
    OfflineError,
    RateLimitedError,
    RefusedError,
    SignInRequiredError,
    SyncError,
)


class CaregiverError(ServiceError):
    @property
    def message_key(self) -> str:
        return f"caregiver.error_{self.code}"


class NotAllowed(CaregiverError):
    """This role may not do that here (a network person suggesting, an ended link)."""

    code = "not_allowed"


class ActivationFailed(CaregiverError):
    """The server said no to signing in; `reason` (a server error code) picks the message."""

    code = "activation_failed"
    REASONS = frozenset(
        {"unauthorized", "rate_limited", "invitation_invalid", "role_mismatch", "already_linked"}
    )

    @property
    def message_key(self) -> str:
        reason = self.params.get("reason")
        suffix = reason if reason in self.REASONS else "other"
        return f"caregiver.error_signin_{suffix}"


class ServerUnreachable(CaregiverError):
    """Signing in needs the server once; it could not be reached."""

    code = "server_unreachable"


class CaregiverInvalid(InvalidInput):
    """Input only this app checks (hours, times, sign-in codes); messages in `caregiver`."""

    @property
    def message_key(self) -> str:
        return f"caregiver.error_{self.code}"


class ServerRefused(CaregiverError):
    """The server understood and said no; `reason` (its error code) picks the message."""

    code = "refused"
    REASONS = frozenset(
        {
            "invitation_invalid",
            "role_mismatch",
            "already_linked",
            "forbidden",
            "conflict",
            "link_ended",
            "rate_limited",
            "unauthorized",
        }
    )

    @property
    def message_key(self) -> str:
        reason = self.params.get("reason")
        suffix = reason if reason in self.REASONS else "other"
        return f"caregiver.error_refused_{suffix}"


def from_sync_error(error: SyncError) -> ServiceError:
    """The sync layer's typed error as one the views can translate."""
    if isinstance(error, OfflineError):
        return ServerUnreachable(str(error))
    if isinstance(error, RateLimitedError):
        return ServerRefused(str(error), reason="rate_limited")
    if isinstance(error, SignInRequiredError):
        return ServerRefused(str(error), reason="unauthorized")
    if isinstance(error, RefusedError) and error.code is not None:
        return ServerRefused(str(error), reason=error.code.value)
    return ServerRefused(str(error), reason="other")
