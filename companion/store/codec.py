"""Records to rows and back.

Envelope fields get their own columns (the sync engine and filters need them); everything
else is the record's content as JSON, exactly what later travels encrypted.

Every row is validated on its way in (`stamped`), so reading it back need not validate
again: `decode` converts JSON values to the field types named by the model's annotations
and builds the model with `model_construct`, several times faster than validating — it
matters for timelines and search-as-you-type on cheap phones.
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


def values(record: Record, spec: KindSpec) -> tuple[Any, ...]:
    """The row for `record` in WRITE_COLUMNS order."""
    at, position, parent_id, status, domains = spec.columns(record)
    return (
        record.id,
        spec.kind.value,
        record.space_id,
        record.author_id,
        record.created_at.isoformat(),
        record.updated_hlc,
        int(record.deleted),
        _json(record.shared_with),
        record.model_dump_json(exclude=Record.CONTENT_EXCLUDE),
        at,
        position,
        parent_id,
        status,
        _json(domains),
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
        inner = _converter(typing.get_args(annotation)[0])
        return None if inner is None else (lambda v: [inner(x) for x in v])
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


_CONVERTERS = {model: _content_converters(model) for model in RECORD_TYPES.values()}


def decode(model: type[T], row: tuple[Any, ...]) -> T:
    """Rebuild a record from a row selected with READ_COLUMNS (trusted: validated on write)."""
    record_id, space_id, author_id, created_at, hlc, deleted, shared_with, content = row
    data = json.loads(content)
    for name, convert in _CONVERTERS[model]:
        if name in data:
            data[name] = convert(data[name])
    return model.model_construct(
        id=record_id,
        space_id=space_id,
        author_id=author_id,
        created_at=datetime.fromisoformat(created_at),
        updated_hlc=hlc,
        deleted=bool(deleted),
        shared_with=json.loads(shared_with),
        **data,
    )
