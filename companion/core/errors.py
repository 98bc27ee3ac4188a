"""Errors services raise for the views to translate; each carries a stable `code`.

A view shows `t(error.message_key, **error.params)`; the code never changes when wording
does, and tests assert on codes instead of sentences.
"""

from __future__ import annotations

from companion.sync.errors import (
    OfflineError,
    RateLimitedError,
    RefusedError,
    SignInRequiredError,
    SyncError,
)


class ServiceError(Exception):
    """Base class: something the user can act on, with a translation key."""

    code = "unexpected"

    def __init__(self, detail: str = "", *, field: str | None = None, **params: object) -> None:
        super().__init__(detail or self.code)
        self.field = field
        self.params = params

    @property
    def message_key(self) -> str:
        return f"error.{self.code}"


class InvalidInput(ServiceError):
    """Input failed validation; `code` names the rule, `field` the input."""

    def __init__(self, code: str, *, field: str | None = None, **params: object) -> None:
        self.code = code
        super().__init__(f"{field or 'input'}: {code}", field=field, **params)


class NotFound(ServiceError):
    code = "not_found"


class NotConnected(ServiceError):
    """The action needs the server and this device has no connection to it (yet)."""

    code = "not_connected"


class WrongPin(ServiceError):
    code = "wrong_pin"


class TooManyAttempts(ServiceError):
    code = "too_many_attempts"


class AccountExists(ServiceError):
    code = "account_exists"


class NoAccount(ServiceError):
    code = "no_account"


class NotAllowed(ServiceError):
    """This role may not do that here (a network person suggesting, an ended link)."""

    code = "not_allowed"


class Offline(ServiceError):
    """The server cannot be reached from here now; nothing changed."""

    code = "offline"


class RateLimited(ServiceError):
    """Too many attempts in a short time; the server asks to wait."""

    code = "rate_limited"


class ServerTrouble(ServiceError):
    """The server is there but cannot help now (busy, failing, odd answer): try later."""

    code = "server_error"


class ServerRefused(ServiceError):
    """The server understood and said no. `reason` (its error code) picks the message, in
    the user's language; the server's own English sentence stays in `detail`, for logs."""

    code = "refused"
    REASONS = frozenset(
        {
            "invitation_invalid",
            "role_mismatch",
            "already_linked",
            "forbidden",
            "conflict",
            "link_ended",
            "no_access",
            "unauthorized",
        }
    )

    @property
    def message_key(self) -> str:
        reason = self.params.get("reason")
        return f"error.refused_{reason if reason in self.REASONS else 'other'}"


def from_sync_error(error: SyncError) -> ServiceError:
    """What the sync layer said happened on the wire, as what the user can do about it:
    check the connection, wait a little, sign in again, or read why the server said no."""
    if isinstance(error, OfflineError):
        return Offline(str(error))
    if isinstance(error, RateLimitedError):
        return RateLimited(str(error))
    if isinstance(error, SignInRequiredError):
        return ServerRefused(str(error), reason="unauthorized")
    if isinstance(error, RefusedError):
        reason = error.code.value if error.code is not None else "other"
        return ServerRefused(error.detail, reason=reason)
    return ServerTrouble(str(error))


class KeysNotKept(ServiceError):
    """The phone's keystore did not confirm it keeps the new keys; nothing is lost yet (they
    are in memory) and trying again writes them again."""

    code = "keys_not_kept"


class CannotOpen(ServiceError):
    """The account on this device cannot be opened now. `reason` picks what the screen says
    and offers (restore with the recovery code, try again, make room); nothing was changed,
    deleted or replaced, and nothing will be until the person chooses."""

    REASONS = (
        "keys_gone",  # the keystore lost the keys (a phone reset its secure storage)
        "keystore_locked",  # the keystore cannot be read right now
        "keystore_damaged",  # it holds something Companion did not write
        "wrong_key",  # the data file does not open with the key kept for it
        "damaged",  # the data file fails its integrity checks
        "too_new",  # written by a newer app version
        "disk_full",
        "busy",  # another app window holds the file
    )

    code = "cannot_open"

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        self.reason = reason
        super().__init__(detail or reason)
