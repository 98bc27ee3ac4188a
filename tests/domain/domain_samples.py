"""Valid building blocks for domain tests, so each test changes exactly one thing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from companion_wire import RecordKind, new_id

STAMP = "1767225600000-0000-device1"
WHEN = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def envelope(**overrides: Any) -> dict[str, Any]:
    """The fields every record needs, valid unless overridden."""
    return {"space_id": new_id(), "author_id": new_id(), "updated_hlc": STAMP, **overrides}


def valid_fields(kind: RecordKind) -> dict[str, Any]:
    """A complete, valid record of `kind` with every optional field filled in."""
    person, other = new_id(), new_id()
    fields: dict[RecordKind, dict[str, Any]] = {
        RecordKind.DIARY_ENTRY: {
            "text": "Vandaag ging ik naar het OCMW.",
            "mood": 4,
            "domains": ["money", "paperwork"],
            "entry_date": date(2026, 5, 1),
            "conflict_of": new_id(),
        },
        RecordKind.MOOD_CHECKIN: {"mood": 2, "note": "moe", "checked_at": WHEN},
        RecordKind.GOAL: {
            "title": "Een bankrekening openen",
            "domain": "money",
            "why": "Mijn loon moet ergens op komen.",
            "target_date": date(2026, 9, 1),
            "status": "suggested",
            "suggested_by": person,
            "starter_key": "bank_account",
        },
        RecordKind.GOAL_STEP: {
            "goal_id": new_id(),
            "title": "Afspraak maken bij de bank",
            "status": "done",
            "position": 2,
            "suggested_by": person,
        },
        RecordKind.REMINDER: {
            "title": "Huur betalen",
            "first_due": WHEN,
            "time_zone": "Europe/Brussels",
            "recurrence": "monthly",
            "goal_id": new_id(),
            "snoozed_until": WHEN,
            "active": False,
            "suggested_by": person,
        },
        RecordKind.CONVERSATION: {"participant_ids": [person, other], "title": "Chat met Sam"},
        RecordKind.MESSAGE: {"conversation_id": new_id(), "text": "Hoi!", "sent_at": WHEN},
        RecordKind.DOCUMENT: {"title": "Handelingsplan", "body": "Doelen voor dit jaar..."},
        RecordKind.DOCUMENT_COMMENT: {"document_id": new_id(), "text": "Klopt niet helemaal."},
    }
    return {**envelope(shared_with=[person]), **fields[kind]}


def rejected_fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    """Top-level field names a ValidationError points at (the names views translate)."""
    return {str(item["loc"][0]) for item in error.value.errors() if item["loc"]}
