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
        RecordKind.APPOINTMENT: {
            "person_id": person,
            "title": "Gesprek over wonen",
            "starts_at": WHEN,
            "time_zone": "Europe/Brussels",
            "minutes": 45,
            "place": "Kantoor De Brug, Gent",
            "video_url": "https://meet.example.org/sam-els",
            "note": "Breng je huurcontract mee.",
            "cancelled": True,
        },
        RecordKind.APPOINTMENT_ANSWER: {
            "appointment_id": new_id(),
            "answer": "accepted",
            "for_start": WHEN,
            "moved_to": WHEN.replace(hour=14),
            "note": "Dan heb ik school.",
        },
        RecordKind.DISCUSSION_POINT: {
            "appointment_id": new_id(),
            "text": "Hierover wil ik praten",
            "about_kind": "diary_entry",
            "about_id": new_id(),
        },
        RecordKind.AGREEMENT: {
            "appointment_id": new_id(),
            "text": "Sam vraagt de huurwaarborg aan bij het OCMW.",
            "who": "youth",
            "due": date(2026, 5, 15),
        },
        RecordKind.AGREEMENT_ANSWER: {
            "agreement_id": new_id(),
            "reply": "understood_differently",
            "comment": "Ik dacht dat Els dat zou doen.",
            "step_id": new_id(),
            "reminder_id": new_id(),
        },
        RecordKind.SAFETY_PLAN: {
            "warning_signs": ["Ik slaap slecht"],
            "my_coping": ["Muziek luisteren", "Gaan wandelen"],
            "places": ["Het park"],
            "people": ["Tante Mia 0470 12 34 56"],
            "professionals": ["Huisarts 09 123 45 67"],
            "note": "Bel eerst Mia.",
            "alarm_to": [person],
        },
        RecordKind.NETWORK_ALARM: {"text": "Kun je bellen?", "sent_at": WHEN},
        RecordKind.CONTACT_KEY: {
            "person_id": person,
            "x25519": "A" * 43 + "=",
            "ed25519": "B" * 43 + "=",
            "verified_at": WHEN,
            "method": "invitation",
        },
        RecordKind.ATTACHMENT: {
            "name": "brief OCMW.jpg",
            "mime": "image/jpeg",
            "size": 123_456,
            "key": "C" * 43 + "=",
            "sha256": "ab" * 32,
            "thumbnail": "/9j/4AAQSkZJRg==",
            "parent_id": new_id(),
            "parent_kind": "message",
            "title": "Brief van het OCMW",
        },
    }
    # a verified key is private to its author: never shared
    shared = [] if kind is RecordKind.CONTACT_KEY else [person]
    return {**envelope(shared_with=shared), **fields[kind]}


def rejected_fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    """Top-level field names a ValidationError points at (the names views translate)."""
    return {str(item["loc"][0]) for item in error.value.errors() if item["loc"]}
