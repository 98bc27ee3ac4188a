"""The enums both sides route by: who someone is, what kind a record is, a link's state."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    YOUTH = "youth"
    CAREGIVER = "caregiver"
    NETWORK = "network"


class RecordKind(StrEnum):
    DIARY_ENTRY = "diary_entry"
    MOOD_CHECKIN = "mood_checkin"
    GOAL = "goal"
    GOAL_STEP = "goal_step"
    REMINDER = "reminder"
    CONVERSATION = "conversation"
    MESSAGE = "message"
    DOCUMENT = "document"
    DOCUMENT_COMMENT = "document_comment"


class LinkStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    ENDED = "ended"
    REVOKED = "revoked"
