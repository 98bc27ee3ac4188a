"""Records survive the trip the store and sync give them: split into server-visible metadata
and encrypted content, turned into JSON text, and rebuilt by `record_from_parts`."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from companion.domain.models import RECORD_TYPES, Record, record_from_parts
from companion_wire import RecordKind, new_id
from tests.domain.domain_samples import valid_fields


def split(record: Record) -> tuple[dict, dict]:
    """Metadata and content as JSON text would carry them."""
    meta = record.model_dump(mode="json", include=set(Record.CONTENT_EXCLUDE))
    return json.loads(json.dumps(meta)), json.loads(json.dumps(record.content()))


def test_every_kind_has_a_model() -> None:
    assert set(RECORD_TYPES) == set(RecordKind)
    assert all(model.KIND is kind for kind, model in RECORD_TYPES.items())


@pytest.mark.parametrize("kind", list(RecordKind))
def test_round_trip_for_every_kind(kind: RecordKind) -> None:
    record = RECORD_TYPES[kind].model_validate(valid_fields(kind))
    meta, content = split(record)
    rebuilt = record_from_parts(kind.value, meta, content)
    assert type(rebuilt) is type(record)
    assert rebuilt == record
    assert rebuilt.kind is kind


@pytest.mark.parametrize("kind", list(RecordKind))
def test_content_carries_no_envelope_fields(kind: RecordKind) -> None:
    """What the server sees stays out of the ciphertext, and the reverse."""
    record = RECORD_TYPES[kind].model_validate(valid_fields(kind))
    meta, content = split(record)
    assert not set(content) & set(meta)
    assert set(content) | set(meta) == set(type(record).model_fields)


def test_metadata_wins_over_content_claims() -> None:
    """Content is written by a client; the envelope the server checked is authoritative."""
    record = RECORD_TYPES[RecordKind.GOAL].model_validate(valid_fields(RecordKind.GOAL))
    meta, content = split(record)
    forged = {**content, "author_id": new_id(), "shared_with": [new_id()]}
    rebuilt = record_from_parts(RecordKind.GOAL, meta, forged)
    assert rebuilt.author_id == record.author_id
    assert rebuilt.shared_with == record.shared_with


def test_rebuilding_validates_the_content() -> None:
    record = RECORD_TYPES[RecordKind.GOAL].model_validate(valid_fields(RecordKind.GOAL))
    meta, content = split(record)
    with pytest.raises(ValidationError):
        record_from_parts(RecordKind.GOAL, meta, {**content, "title": " "})


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        record_from_parts("diary", {}, {})
