"""Turn pydantic validation failures of domain models into `InvalidInput` errors.

The domain models (companion.domain.models) hold the rules; services call `build(...)`
so every rule a model enforces reaches the user as one translatable message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from companion.core.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)

_CODES = {
    "string_too_long": "too_long",
    "too_long": "too_many",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "greater_than": "out_of_range",
    "less_than": "out_of_range",
    "date_parsing": "invalid_date",
    "date_from_datetime_parsing": "invalid_date",
    "date_type": "invalid_date",
    "enum": "invalid_choice",
    "int_parsing": "invalid_number",
    "missing": "required",
}


def to_invalid_input(error: ValidationError) -> InvalidInput:
    """The first failure of `error` as an `InvalidInput` (field = top-level field name)."""
    first = error.errors()[0]
    loc = first.get("loc") or ()
    field = str(loc[0]) if loc else None
    kind = first.get("type", "")
    message = str(first.get("msg", ""))
    if kind == "value_error" and "must not be empty" in message:
        code = "empty"
    elif kind == "value_error" and "appears twice" in message:
        code = "duplicate"
    else:
        code = _CODES.get(kind, "invalid")
    params: dict[str, object] = {}
    ctx = first.get("ctx") or {}
    for name in ("max_length", "ge", "le"):
        if name in ctx:
            params[name] = ctx[name]
    return InvalidInput(code, field=field, **params)


@contextmanager
def user_input() -> Iterator[None]:
    """Around a write from what the user typed: a rule the model enforces becomes one
    translatable `InvalidInput` (the store validates when it stamps and stores)."""
    try:
        yield
    except ValidationError as error:
        raise to_invalid_input(error) from None


def build(model: type[M], /, **fields: object) -> M:
    """Validate `fields` into `model`, raising `InvalidInput` instead of ValidationError."""
    try:
        return model(**fields)
    except ValidationError as error:
        raise to_invalid_input(error) from None


def revise(record: M, /, **changes: object) -> M:
    """A validated copy of `record` with `changes` applied (the original stays untouched)."""
    data = record.model_dump()
    data.update(changes)
    return build(type(record), **data)
