"""Records to rows and back.

Envelope fields get their own columns (the sync engine and filters need them); everything
else is the record's content as JSON, exactly what later travels encrypted.

Every row is validated on its way in (`stamped`), so reading it back need not validate
again. Each kind gets a decoder, built once, that converts the JSON values to the field
types named by the model's annotations and fills the instance the way pydantic's
`model_construct` does, minus its per-field bookkeeping: timelines and search-as-you-type
on cheap phones decode hundreds of rows per screen. tests/store/test_codec.py checks every
kind against full validation, so a pydantic upgrade that changes model internals fails
there rather than in a user's timeline.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from pydantic import ValidationError

from companion.domain.models import RECORD_TYPES, Record
from companion.store.errors import InvalidRecordError
from companion.store.kinds import KindSpec

T = TypeVar("T", bound=Record)
Convert = Callable[[Any], Any]

# Column order of a full row write; `values` returns them in this order.
WRITE_COLUMNS = (
    "id",
    "kind",
    "space_id",
    "author_id",
    "created_at",
    "updated_hlc",
    "deleted",
    "shared_with",
    "content",
    "at",
    "position",
    "parent_id",
    "status",
    "domains",
)
# Column order `decode` expects.
READ_COLUMNS = "id, space_id, author_id, created_at, updated_hlc, deleted, shared_with, content"

_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # built once
_loads = json.loads
_set_attr = object.__setattr__  # how pydantic itself fills an instance without validating
_EXCLUDE = dict.fromkeys(Record.CONTENT_EXCLUDE, True)  # pydantic-core's fastest form


def stamped(record: T, hlc: str) -> T:
    """`record` with a new change stamp, validated again: in-place list edits bypass
    assignment validation, and a row that cannot be read back would break every list."""
    data = record.model_dump()
    data["updated_hlc"] = hlc
    try:
        return type(record).model_validate(data)
    except ValidationError as exc:
        raise InvalidRecordError(str(exc)) from exc


def checked(record: T) -> T:
    """`record` validated again, stamp unchanged (records arriving from the server)."""
    return stamped(record, record.updated_hlc)


def content_json(record: Record) -> str:
    """The record's content column: every field but the envelope, as compact JSON."""
    return record.__pydantic_serializer__.to_json(record, exclude=_EXCLUDE).decode()


def values(record: Record, spec: KindSpec[Any]) -> tuple[Any, ...]:
    """The row for `record` in WRITE_COLUMNS order."""
    at, position, parent_id, status, domains = spec.columns(record)
    shared_with = record.shared_with
    return (
        record.id,
        spec.kind.value,
        record.space_id,
        record.author_id,
        record.created_at.isoformat(),
        record.updated_hlc,
        int(record.deleted),
        _json(shared_with) if shared_with else "[]",
        content_json(record),
        at,
        position,
        parent_id,
        status,
        _json(domains) if domains else "[]",
    )


def _converter(annotation: Any) -> Convert | None:
    """How to turn a JSON value back into `annotation`'s type; None when JSON already is."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _converter(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not types.NoneType]
        if len(options) != 1:
            raise TypeError(f"the store cannot decode the union {annotation!r}")
        inner = _converter(options[0])
        return None if inner is None else (lambda v: None if v is None else inner(v))
    if origin is list:
        each = _converter(typing.get_args(annotation)[0])
        return None if each is None else (lambda v: [each(x) for x in v])
    if annotation is datetime:
        return datetime.fromisoformat
    if annotation is date:
        return date.fromisoformat
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    if annotation in (str, int, bool):
        return None
    # A new field type must teach the store how to read it back; fail at import, not later.
    raise TypeError(f"the store cannot decode fields of type {annotation!r}")


def _content_converters(model: type[Record]) -> tuple[tuple[str, Convert], ...]:
    return tuple(
        (name, convert)
        for name, field in model.model_fields.items()
        if name not in Record.CONTENT_EXCLUDE
        and (convert := _converter(field.annotation)) is not None
    )


def _check_plain(model: type[Record]) -> None:
    """The decoder fills exactly what `model_construct` fills; refuse (at import) models
    where that would not be the whole story."""
    features = {
        "post-init hook": model.__pydantic_post_init__ is not None,
        "private attributes": bool(model.__private_attributes__),
        "extra fields": model.model_config.get("extra") == "allow",
        "field aliases": any(
            f.alias is not None or f.validation_alias is not None
            for f in model.model_fields.values()
        ),
    }
    found = [name for name, present in features.items() if present]
    if found:
        raise TypeError(f"the store cannot decode {model.__name__}: it has {', '.join(found)}")


def _decoder(model: type[T]) -> Callable[[tuple[Any, ...]], T]:
    """Build `model`'s row decoder (trusted rows: every one was validated on write)."""
    _check_plain(model)
    converters = _content_converters(model)
    content_fields = tuple(n for n in model.model_fields if n not in Record.CONTENT_EXCLUDE)
    all_fields = frozenset(model.model_fields)
    new = model.__new__

    def decode_row(row: tuple[Any, ...]) -> T:
        record_id, space_id, author_id, created_at, hlc, deleted, shared_with, content = row
        data = _loads(content)
        envelope = {
            "id": record_id,
            "space_id": space_id,
            "author_id": author_id,
            "created_at": datetime.fromisoformat(created_at),
            "updated_hlc": hlc,
            "deleted": bool(deleted),
            "shared_with": _loads(shared_with) if shared_with != "[]" else [],
        }
        if tuple(data) != content_fields:
            # Written when the model had other fields: pydantic fills the defaults of new
            # ones and drops the unknown.
            for name, convert in converters:
                if name in data:
                    data[name] = convert(data[name])
            return model.model_construct(**envelope, **data)
        for name, convert in converters:
            data[name] = convert(data[name])
        record = new(model)
        _set_attr(record, "__dict__", envelope | data)
        _set_attr(record, "__pydantic_fields_set__", set(all_fields))
        _set_attr(record, "__pydantic_extra__", None)
        _set_attr(record, "__pydantic_private__", None)
        return record

    return decode_row


DECODERS: dict[type[Record], Callable[[tuple[Any, ...]], Record]] = {
    model: _decoder(model) for model in RECORD_TYPES.values()
}


def decoder(model: type[T]) -> Callable[[tuple[Any, ...]], T]:
    """`model`'s decoder of rows selected with READ_COLUMNS."""
    # DECODERS holds each model's own decoder (built by `_decoder(model)` above); the dict's
    # type cannot say that the value's record type follows the key.
    return DECODERS[model]  # type: ignore[return-value]


def decode(model: type[T], row: tuple[Any, ...]) -> T:
    """Rebuild a record from a row selected with READ_COLUMNS."""
    return decoder(model)(row)
