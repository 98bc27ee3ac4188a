"""Appointments and what surrounds them: the youth's answer, points to discuss, agreements.

Only an author changes a record (the server enforces it), so whoever answers writes their
own record: a caregiver's proposal stays theirs and the youth's yes, no or other moment is
an `AppointmentAnswer` the youth owns; the same for an agreement and the youth's reply to
it. `appointment_state` combines an appointment with the youth's answer the same way on
every device, so both sides always agree on where an appointment stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, model_validator

from companion.domain.models import (
    MAX_NOTE,
    AwareDatetime,
    Id,
    Record,
    Title,
    ZoneName,
)
from companion_wire import RecordKind

MAX_PLACE = 200
MAX_LINK = 500
MIN_MINUTES = 5
MAX_MINUTES = 12 * 60
# what a youth may bring to an appointment besides their own questions (papers join here)
ABOUT_KINDS = frozenset({RecordKind.DIARY_ENTRY, RecordKind.GOAL, RecordKind.DOCUMENT})


def _filled(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _video_link(value: str) -> str:
    """A link the app hands to the browser: https only, no spaces (no video in the app)."""
    value = value.strip()
    if value and (not value.startswith("https://") or any(c.isspace() for c in value)):
        raise ValueError("a video link starts with https:// and has no spaces")
    return value


Note = Annotated[str, Field(max_length=MAX_NOTE), AfterValidator(_filled)]
VideoLink = Annotated[str, Field(max_length=MAX_LINK), AfterValidator(_video_link)]


class Appointment(Record):
    """A face-to-face (or video) meeting of the youth with one linked person. Whoever
    proposes it writes it; `person_id` is always that other person, never the youth."""

    KIND = RecordKind.APPOINTMENT

    person_id: Id
    title: Title
    starts_at: AwareDatetime
    time_zone: ZoneName  # where the wall-clock time was meant (JSON keeps only the offset)
    minutes: int = Field(default=60, ge=MIN_MINUTES, le=MAX_MINUTES)
    place: str = Field(default="", max_length=MAX_PLACE)
    video_url: VideoLink = ""
    note: str = Field(default="", max_length=MAX_NOTE)
    cancelled: bool = False

    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.time_zone))


class AnswerKind(StrEnum):
    ACCEPTED = "accepted"  # with `moved_to`: yes, at that other moment (which then holds)
    DECLINED = "declined"


class AppointmentAnswer(Record):
    """The youth's answer to an appointment someone else proposed."""

    KIND = RecordKind.APPOINTMENT_ANSWER

    appointment_id: Id
    answer: AnswerKind
    for_start: AwareDatetime  # the proposed start it answers: a later move asks again
    moved_to: AwareDatetime | None = None
    note: str = Field(default="", max_length=MAX_NOTE)

    @model_validator(mode="after")
    def _declined_is_not_moved(self) -> AppointmentAnswer:
        if self.answer is AnswerKind.DECLINED and self.moved_to is not None:
            raise ValueError("a declined appointment has no other moment")
        return self


class AppointmentStatus(StrEnum):
    PROPOSED = "proposed"  # waiting for the youth's answer
    ACCEPTED = "accepted"
    MOVED = "moved"  # on, at the moment the youth chose
    DECLINED = "declined"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class AppointmentState:
    status: AppointmentStatus
    starts_at: datetime
    ends_at: datetime

    @property
    def is_on(self) -> bool:
        """Agreed by both: reminders ring, Today shows it, agreements follow it."""
        return self.status in (AppointmentStatus.ACCEPTED, AppointmentStatus.MOVED)


def appointment_state(
    appointment: Appointment, answer: AppointmentAnswer | None, youth_id: str
) -> AppointmentState:
    """Where an appointment stands. The youth's own proposals are on as written; another
    person's wait for the youth's answer to that very start (moving it asks again); a
    moment the youth chose holds, and is simply accepted once the proposer takes it over."""
    length = timedelta(minutes=appointment.minutes)
    start = appointment.starts_at

    def state(status: AppointmentStatus, at: datetime = start) -> AppointmentState:
        return AppointmentState(status, at, at + length)

    if appointment.cancelled:
        return state(AppointmentStatus.CANCELLED)
    if appointment.author_id == youth_id:
        return state(AppointmentStatus.ACCEPTED)
    if answer is None or answer.appointment_id != appointment.id:
        return state(AppointmentStatus.PROPOSED)
    if answer.answer is AnswerKind.ACCEPTED and answer.moved_to is not None:
        if answer.moved_to == start:
            return state(AppointmentStatus.ACCEPTED)
        if answer.for_start == start:
            return state(AppointmentStatus.MOVED, answer.moved_to)
        return state(AppointmentStatus.PROPOSED)
    if answer.for_start != start:
        return state(AppointmentStatus.PROPOSED)
    if answer.answer is AnswerKind.DECLINED:
        return state(AppointmentStatus.DECLINED)
    return state(AppointmentStatus.ACCEPTED)


class DiscussionPoint(Record):
    """One thing to talk about at an appointment ("wil ik bespreken"): a line in the
    author's words, and maybe one of the youth's items brought along."""

    KIND = RecordKind.DISCUSSION_POINT

    appointment_id: Id
    text: Note
    about_kind: RecordKind | None = None
    about_id: Id | None = None

    @model_validator(mode="after")
    def _about_one_item(self) -> DiscussionPoint:
        if (self.about_kind is None) != (self.about_id is None):
            raise ValueError("about_kind and about_id go together")
        if self.about_kind is not None and self.about_kind not in ABOUT_KINDS:
            raise ValueError(f"a point cannot be about a {self.about_kind.value}")
        return self


class Who(StrEnum):
    YOUTH = "youth"
    OTHER = "other"  # the caregiver or network person of the appointment
    TOGETHER = "together"


class Agreement(Record):
    """What was agreed at an appointment: who does what, by when."""

    KIND = RecordKind.AGREEMENT

    appointment_id: Id
    text: Note
    who: Who = Who.TOGETHER
    due: date | None = None


class AgreementReply(StrEnum):
    OPEN = "open"  # not answered yet (a comment only)
    ACCEPTED = "accepted"
    UNDERSTOOD_DIFFERENTLY = "understood_differently"  # "dat heb ik anders begrepen"


class AgreementAnswer(Record):
    """The youth's say about an agreement someone else wrote: a reply and/or a comment, and
    the goal step or reminder it became."""

    KIND = RecordKind.AGREEMENT_ANSWER

    agreement_id: Id
    reply: AgreementReply
    comment: str = Field(default="", max_length=MAX_NOTE)
    step_id: Id | None = None
    reminder_id: Id | None = None
