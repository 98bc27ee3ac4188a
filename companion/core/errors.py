"""Errors services raise for the views to translate; each carries a stable `code`.

A view shows `t(error.message_key, **error.params)`; the code never changes when wording
does, and tests assert on codes instead of sentences.
"""

from __future__ import annotations


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
