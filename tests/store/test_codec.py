"""Reading rows back skips validation (every row was validated on its way in), so the fast
decoder must produce exactly what validation would: same values, same types."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from companion.domain.models import RECORD_TYPES, Record, RecordKind
from companion.store.codec import _content_converters, decode, values
from companion.store.kinds import SPECS
from tests.store.store_samples import make


def roundtrip(record: Record) -> Record:
    row = values(record, SPECS[record.kind])
    # values() is in WRITE_COLUMNS order; decode reads READ_COLUMNS (no kind, typed columns).
    return decode(type(record), (row[0], *row[2:9]))


def minimal(kind: RecordKind) -> Record:
    """The same record with every optional content field left at its default."""
    full = make(kind)
    model = RECORD_TYPES[kind]
    required = {
        name: getattr(full, name)
        for name, field in model.model_fields.items()
        if field.is_required() or name in Record.CONTENT_EXCLUDE
    }
    return model(**required)


def assert_same_types(a: Any, b: Any) -> None:
    assert type(a) is type(b), (a, b)
    if isinstance(a, list):
        for x, y in zip(a, b, strict=True):
            assert_same_types(x, y)


@pytest.mark.parametrize("kind", list(RecordKind))
@pytest.mark.parametrize("build", [make, minimal], ids=["all_fields", "defaults"])
def test_decoding_equals_validating(kind: RecordKind, build) -> None:
    record = build(kind)
    decoded = roundtrip(record)
    validated = type(record).model_validate(record.model_dump(mode="json"))

    assert decoded == validated == record
    for name in type(record).model_fields:
        assert_same_types(getattr(decoded, name), getattr(validated, name))


def test_a_local_time_zone_offset_survives() -> None:
    brussels = timezone(timedelta(hours=2))
    due = datetime(2026, 3, 29, 9, 0, tzinfo=brussels)
    decoded = roundtrip(make(RecordKind.REMINDER, first_due=due))
    assert decoded.first_due == due
    assert decoded.first_due.utcoffset() == timedelta(hours=2)


def test_a_field_type_the_decoder_does_not_know_fails_loudly() -> None:
    class Odd(Record):
        KIND = RecordKind.DOCUMENT
        extra: dict[str, int]

    with pytest.raises(TypeError, match="cannot decode"):
        _content_converters(Odd)
