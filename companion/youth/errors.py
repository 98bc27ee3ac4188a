"""Sync-layer failures as the ServiceErrors youth screens translate (onboarding, restore).

The sync layer says what happened on the wire; the youth needs what to do about it: check
the connection, wait a little, check the code.
"""

from __future__ import annotations

from companion.core.errors import NotConnected, ServiceError
from companion.sync.errors import (
    OfflineError,
    RateLimitedError,
    RefusedError,
    SignInRequiredError,
    SyncError,
)
from companion.youth.network.service import ServerRefused, ServerTrouble


class Offline(ServiceError):
    """The server cannot be reached from here now; nothing changed."""

    code = "offline"


class RateLimited(ServiceError):
    """Too many attempts in a short time; the server asks to wait."""

    code = "rate_limited"


def translate_sync_error(error: SyncError) -> ServiceError:
    if isinstance(error, OfflineError):
        return Offline(str(error))
    if isinstance(error, RateLimitedError):
        return RateLimited(str(error))
    if isinstance(error, SignInRequiredError):
        return NotConnected(str(error))
    if isinstance(error, RefusedError):
        return ServerRefused(error.detail, reason=error.detail)
    return ServerTrouble(str(error))
