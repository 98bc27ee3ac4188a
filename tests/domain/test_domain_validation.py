"""Every validation rule of the domain models refuses bad input with an error that names the
field (views translate by field name) and leaves an existing record unchanged."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from companion.domain.models import (
    MAX_DIARY_TEXT,
    MAX_DOCUMENT,
    MAX_MESSAGE,
    MAX_NOTE,
    MAX_TITLE,
    RECORD_TYPES,
    CareLink,
    Conversation,
    DiaryEntry,
    Goal,
    MoodCheckin,
    Person,
    Reminder,
)
from companion_wire import MAX_SHARES, RecordKind, new_id
from tests.domain.domain_samples import WHEN, envelope, rejected_fields, valid_fields

K = RecordKind
UUID4 = str(uuid.uuid4())
NAIVE = datetime(2026, 5, 1, 9, 0)

# (kind, field, bad value): each row is one rule of companion/domain/models.py.
BAD_VALUES: list[tuple[RecordKind, str, Any]] = [
    # envelope: ids, stamps, dates, shares (checked on one kind; every kind shares Record)
    (K.GOAL, "id", UUID4),
    (K.GOAL, "id", "not-a-uuid"),
    (K.GOAL, "id", new_id().upper()),
    (K.GOAL, "id", "{" + new_id() + "}"),
    (K.GOAL, "id", "urn:uuid:" + new_id()),
    (K.GOAL, "id", new_id().replace("-", "")),
    (K.GOAL, "space_id", UUID4),
    (K.GOAL, "author_id", ""),
    (K.GOAL, "updated_hlc", "yesterday"),
    (K.GOAL, "updated_hlc", "1767225600000-0000-Device"),
    (K.GOAL, "updated_hlc", "1767225600000-10000-device"),
    (K.GOAL, "updated_hlc", "176722560000-0000-device"),
    (K.GOAL, "created_at", NAIVE),
    (K.GOAL, "created_at", "2026-05-01T09:00:00"),
    (K.GOAL, "shared_with", [UUID4]),
    (K.GOAL, "deleted", "perhaps"),
    # text limits
    (K.DIARY_ENTRY, "text", ""),
    (K.DIARY_ENTRY, "text", " \n\t "),
    (K.DIARY_ENTRY, "text", "x" * (MAX_DIARY_TEXT + 1)),
    (K.MOOD_CHECKIN, "note", "x" * (MAX_NOTE + 1)),
    (K.GOAL, "title", ""),
    (K.GOAL, "title", "   "),
    (K.GOAL, "title", "x" * (MAX_TITLE + 1)),
    (K.GOAL, "why", "x" * (MAX_NOTE + 1)),
    (K.GOAL, "starter_key", "k" * 65),
    (K.GOAL_STEP, "title", "\t"),
    (K.REMINDER, "title", ""),
    (K.CONVERSATION, "title", "x" * (MAX_TITLE + 1)),
    (K.MESSAGE, "text", "  "),
    (K.MESSAGE, "text", "x" * (MAX_MESSAGE + 1)),
    (K.DOCUMENT, "title", ""),
    (K.DOCUMENT, "body", "x" * (MAX_DOCUMENT + 1)),
    (K.DOCUMENT_COMMENT, "text", ""),
    (K.DOCUMENT_COMMENT, "text", "x" * (MAX_NOTE + 1)),
    # moods
    (K.DIARY_ENTRY, "mood", 0),
    (K.DIARY_ENTRY, "mood", 6),
    (K.DIARY_ENTRY, "mood", "happy"),
    (K.MOOD_CHECKIN, "mood", 0),
    (K.MOOD_CHECKIN, "mood", 6),
    (K.MOOD_CHECKIN, "mood", None),
    # life domains and enums
    (K.DIARY_ENTRY, "domains", ["school"]),
    (K.DIARY_ENTRY, "domains", ["money", "health", "money"]),
    (K.GOAL, "domain", "school"),
    (K.GOAL, "domain", None),
    (K.GOAL, "status", "maybe"),
    (K.GOAL_STEP, "status", "active"),
    (K.REMINDER, "recurrence", "yearly"),
    # dates and times
    (K.DIARY_ENTRY, "entry_date", "2026-02-30"),
    (K.GOAL, "target_date", "31/02/2026"),
    (K.MOOD_CHECKIN, "checked_at", NAIVE),
    (K.REMINDER, "first_due", "2026-13-40T25:00"),
    (K.REMINDER, "first_due", "31/02/2026"),
    (K.REMINDER, "first_due", "2026-05-01T09:00"),
    (K.REMINDER, "first_due", NAIVE),
    (K.REMINDER, "snoozed_until", "2026-05-01T09:00:00"),
    (K.REMINDER, "time_zone", "Mars/Olympus"),
    (K.REMINDER, "time_zone", "../../etc/passwd"),
    (K.MESSAGE, "sent_at", NAIVE),
    # ordering
    (K.GOAL_STEP, "position", -1),
    (K.GOAL_STEP, "position", 10_001),
    # links between records
    (K.GOAL_STEP, "goal_id", UUID4),
    (K.REMINDER, "goal_id", "goal-1"),
    (K.MESSAGE, "conversation_id", UUID4),
    (K.DOCUMENT_COMMENT, "document_id", UUID4),
    (K.DIARY_ENTRY, "conflict_of", UUID4),
    (K.GOAL, "suggested_by", UUID4),
    # conversations
    (K.CONVERSATION, "participant_ids", []),
    (K.CONVERSATION, "participant_ids", [new_id()]),
    (K.CONVERSATION, "participant_ids", [UUID4, new_id()]),
]


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    BAD_VALUES,
    ids=[f"{kind.value}.{field}={str(value)[:24]!r}" for kind, field, value in BAD_VALUES],
)
def test_bad_value_is_rejected_naming_the_field(kind: RecordKind, field: str, value: Any) -> None:
    model = RECORD_TYPES[kind]
    data = valid_fields(kind)
    model.model_validate(data)  # the sample itself is valid
    with pytest.raises(ValidationError) as error:
        model.model_validate({**data, field: value})
    assert rejected_fields(error) == {field}


@pytest.mark.parametrize("kind", list(RecordKind))
def test_every_kind_refuses_unknown_fields(kind: RecordKind) -> None:
    with pytest.raises(ValidationError) as error:
        RECORD_TYPES[kind].model_validate({**valid_fields(kind), "owner": "someone"})
    assert rejected_fields(error) == {"owner"}


@pytest.mark.parametrize("kind", list(RecordKind))
@pytest.mark.parametrize("field", ["space_id", "author_id", "updated_hlc"])
def test_every_kind_needs_its_envelope(kind: RecordKind, field: str) -> None:
    data = valid_fields(kind)
    del data[field]
    with pytest.raises(ValidationError) as error:
        RECORD_TYPES[kind].model_validate(data)
    assert rejected_fields(error) == {field}


def test_titles_are_trimmed_and_may_use_the_full_length() -> None:
    goal = Goal(**envelope(), title="  Huur betalen \n", domain="housing")
    assert goal.title == "Huur betalen"
    assert len(Goal(**envelope(), title="x" * MAX_TITLE, domain="housing").title) == MAX_TITLE


def test_diary_text_may_use_the_full_length() -> None:
    text = "x" * MAX_DIARY_TEXT
    assert DiaryEntry(**envelope(), text=text, entry_date="2026-05-01").text == text


@pytest.mark.parametrize("mood", [None, 1, 3, 5])
def test_diary_mood_is_optional_and_one_to_five(mood: int | None) -> None:
    assert DiaryEntry(**envelope(), text="ok", entry_date="2026-05-01", mood=mood).mood == mood


@pytest.mark.parametrize("mood", [1, 5])
def test_mood_checkin_bounds_are_inclusive(mood: int) -> None:
    assert MoodCheckin(**envelope(), mood=mood, checked_at=WHEN).mood == mood


def test_every_life_domain_is_accepted_once() -> None:
    domains = ["housing", "money", "work_school", "health", "relationships", "paperwork"]
    entry = DiaryEntry(**envelope(), text="ok", entry_date="2026-05-01", domains=domains)
    assert [domain.value for domain in entry.domains] == domains


def test_due_time_with_offset_is_accepted() -> None:
    reminder = Reminder(**envelope(), title="Bellen", first_due="2026-05-01T09:00+02:00")
    assert reminder.first_due.utcoffset() == timedelta(hours=2)


def test_a_person_may_be_shared_with_once() -> None:
    person = new_id()
    with pytest.raises(ValidationError) as error:
        Goal(**envelope(shared_with=[person, person]), title="x", domain="money")
    assert rejected_fields(error) == {"shared_with"}


def test_share_list_is_capped() -> None:
    people = [new_id() for _ in range(MAX_SHARES + 1)]
    assert Goal(**envelope(shared_with=people[:-1]), title="x", domain="money")
    with pytest.raises(ValidationError) as error:
        Goal(**envelope(shared_with=people), title="x", domain="money")
    assert rejected_fields(error) == {"shared_with"}


def test_the_same_id_in_two_spellings_is_not_two_people() -> None:
    person = new_id()
    with pytest.raises(ValidationError) as error:
        Goal(**envelope(shared_with=[person, person.upper()]), title="x", domain="money")
    assert rejected_fields(error) == {"shared_with"}


def test_conversation_needs_two_different_people() -> None:
    person = new_id()
    with pytest.raises(ValidationError) as error:
        Conversation(**envelope(), participant_ids=[person, person])
    assert rejected_fields(error) == {"participant_ids"}
    with pytest.raises(ValidationError) as error:
        Conversation(**envelope(), participant_ids=[new_id() for _ in range(MAX_SHARES + 1)])
    assert rejected_fields(error) == {"participant_ids"}


def test_invalid_assignment_is_refused_and_changes_nothing() -> None:
    goal = Goal(**envelope(), title="Huur betalen", domain="housing")
    before = goal.model_dump()
    for field, value in [("title", " "), ("domain", "school"), ("updated_hlc", "now")]:
        with pytest.raises(ValidationError) as error:
            setattr(goal, field, value)
        assert rejected_fields(error) == {field}
    assert goal.model_dump() == before


# --- people and care links -------------------------------------------------------------


def link_fields(**overrides: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "space_id": new_id(),
        "person_id": new_id(),
        "display_name": "Sam (begeleider)",
        "role": "caregiver",
        "status": "active",
        "starts_at": WHEN,
        "ends_at": WHEN + timedelta(days=365),
        **overrides,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("role", "youth"),
        ("role", "boss"),
        ("status", "paused"),
        ("display_name", "  "),
        ("display_name", "x" * (MAX_TITLE + 1)),
        ("starts_at", NAIVE),
        ("ends_at", NAIVE),
        ("person_id", UUID4),
    ],
)
def test_care_link_rules_name_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as error:
        CareLink(**link_fields(**{field: value}))
    assert rejected_fields(error) == {field}


@pytest.mark.parametrize("ends_at", [WHEN, WHEN - timedelta(seconds=1)])
def test_care_link_must_end_after_it_starts(ends_at: datetime) -> None:
    with pytest.raises(ValidationError) as error:
        CareLink(**link_fields(ends_at=ends_at))
    assert "ends_at" in str(error.value)


def test_care_link_may_be_open_ended_and_for_network_people() -> None:
    link = CareLink(**link_fields(ends_at=None, role="network"))
    assert link.ends_at is None


@pytest.mark.parametrize(("field", "value"), [("role", "admin"), ("display_name", ""), ("id", "")])
def test_person_rules_name_the_field(field: str, value: Any) -> None:
    data = {"id": new_id(), "display_name": "Noor", "role": "youth", field: value}
    with pytest.raises(ValidationError) as error:
        Person(**data)
    assert rejected_fields(error) == {field}
