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
    CONTACT_KEY = "contact_key"  # a person's keys as this account verified them
    # between appointments (issue 18): what is planned, brought up and agreed face to face
    APPOINTMENT = "appointment"
    APPOINTMENT_ANSWER = "appointment_answer"  # the youth's yes, no or other moment
    DISCUSSION_POINT = "discussion_point"  # "wil ik bespreken"
    AGREEMENT = "agreement"
    AGREEMENT_ANSWER = "agreement_answer"  # the youth's yes or "anders begrepen"
    SAFETY_PLAN = "safety_plan"  # "mijn plan voor moeilijke momenten"
    NETWORK_ALARM = "network_alarm"  # "ik heb je nu nodig"
    # a file (photo, PDF, paper): its key and hash; the blob has the record's id (issue 17)
    ATTACHMENT = "attachment"


class LinkStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    ENDED = "ended"
    REVOKED = "revoked"
