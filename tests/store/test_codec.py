"""Reading rows back skips validation (every row was validated on its way in), so the fast
decoder must produce exactly what validation would: same values, same types, same pydantic
state, so a decoded record behaves like a validated one when it is edited and saved."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import PrivateAttr, ValidationError

from companion.domain.models import RECORD_TYPES, DiaryEntry, Record
from companion.store.codec import _check_plain, _content_converters, content_json, decode, values
from companion.store.kinds import SPECS
from companion_wire import RecordKind
from tests.store.store_samples import make, repository


def read_row(record: Record) -> tuple[Any, ...]:
    """The READ_COLUMNS row the store keeps for `record`."""
    row = values(record, SPECS[record.kind])
    # values() is in WRITE_COLUMNS order; decode reads READ_COLUMNS (no kind, typed columns).
    return (row[0], *row[2:9])


def roundtrip(record: Record) -> Record:
    return decode(type(record), read_row(record))


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


def assert_identical(decoded: Record, validated: Record) -> None:
    """Equal, and equal in everything pydantic keeps per instance."""
    assert decoded == validated
    assert type(decoded) is type(validated)
    assert list(decoded.__dict__) == list(validated.__dict__)  # field order: repr, iteration
    assert repr(decoded) == repr(validated)
    assert decoded.model_fields_set == validated.model_fields_set
    assert decoded.__pydantic_extra__ == validated.__pydantic_extra__
    assert decoded.__pydantic_private__ == validated.__pydantic_private__
    assert decoded.model_dump_json() == validated.model_dump_json()
    for name in type(validated).model_fields:
        assert_same_types(getattr(decoded, name), getattr(validated, name))


@pytest.mark.parametrize("kind", list(RecordKind))
@pytest.mark.parametrize("build", [make, minimal], ids=["all_fields", "defaults"])
def test_decoding_equals_validating(kind: RecordKind, build) -> None:
    record = build(kind)
    decoded = roundtrip(record)
    assert_identical(decoded, type(record).model_validate(record.model_dump()))
    # From JSON, pydantic picks its own UTC tzinfo class: equal values, other repr.
    assert decoded == type(record).model_validate_json(record.model_dump_json()) == record


@pytest.mark.parametrize("kind", list(RecordKind))
def test_what_the_store_returns_equals_validating_what_it_holds(store, kind: RecordKind) -> None:
    repo = repository(store, kind)
    stored = repo.create(make(kind))
    validated = type(stored).model_validate(stored.model_dump())
    for read in (repo.get(stored.id), repo.list(limit=1)[0], store.record(stored.id)):
        assert_identical(read, validated)


def test_a_decoded_record_still_validates_every_edit() -> None:
    decoded = roundtrip(make(RecordKind.DIARY_ENTRY))
    with pytest.raises(ValidationError):
        decoded.mood = 9
    with pytest.raises(ValidationError):
        decoded.text = "   "
    decoded.mood = 1
    assert decoded.mood == 1


def test_decoded_records_share_no_mutable_state() -> None:
    row = read_row(make(RecordKind.DIARY_ENTRY))
    first, second = decode(DiaryEntry, row), decode(DiaryEntry, row)
    first.domains.append("housing")
    first.shared_with.clear()
    object.__getattribute__(first, "__pydantic_fields_set__").discard("mood")
    assert second == decode(DiaryEntry, row)
    assert "mood" in second.model_fields_set


def test_content_json_is_exactly_pydantics_json_of_the_content() -> None:
    for kind in RecordKind:
        record = make(kind)
        assert content_json(record) == record.model_dump_json(exclude=set(Record.CONTENT_EXCLUDE))
        assert json.loads(content_json(record)) == record.content()


def test_a_row_from_an_app_version_with_other_fields_still_decodes() -> None:
    """Content written before a field existed gets the field's default; a field the model
    no longer has is dropped, as validation would do with extra data ignored."""
    record = make(RecordKind.DIARY_ENTRY)
    row = list(read_row(record))
    content = json.loads(row[7])
    del content["conflict_of"]
    content["weather"] = "sunny"
    row[7] = json.dumps(content)

    decoded = decode(DiaryEntry, tuple(row))

    assert decoded.conflict_of is None
    assert not hasattr(decoded, "weather")
    assert decoded == record.model_copy(update={"conflict_of": None})
    assert "conflict_of" not in decoded.model_fields_set


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


def test_a_model_with_state_the_decoder_would_not_fill_fails_loudly() -> None:
    class Private(Record):
        KIND = RecordKind.DOCUMENT
        _seen: bool = PrivateAttr(default=False)

    with pytest.raises(TypeError, match="private attributes"):
        _check_plain(Private)
