"""Appointments with a youth, seen from the caregiver's or network person's side.

This account proposes appointments in the youth's space (shared with the youth only, as
the server allows), moves or cancels its own proposals, and sees the youth's answer. It
adds its own points to discuss, which the youth always sees, and reads the youth's points
only as far as the youth shared them: this device never receives the others. After an
appointment it writes what was agreed and sees the youth's reply and comment. Times are
typed in Brussels time, like the availability hours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from companion.caregiver.availability.service import DEFAULT_ZONE
from companion.caregiver.caseload.directory import CaseloadDirectory, LinkedYouth
from companion.caregiver.profile import Professional
from companion.core.appointments import coming_first, future_moment, is_coming, latest_answer
from companion.core.errors import InvalidInput, NotFound
from companion.core.validation import user_input
from companion.domain.meetings import (
    Agreement,
    AgreementAnswer,
    Appointment,
    AppointmentAnswer,
    AppointmentState,
    DiscussionPoint,
    Who,
    appointment_state,
)
from companion.domain.models import Record
from companion.store import Repository, Store
from companion_wire import RecordKind


@dataclass(frozen=True)
class Proposal:
    """An appointment as typed by the caregiver."""

    title: str
    day: date
    at: time
    minutes: int = 60
    place: str = ""
    video_url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Meeting:
    appointment: Appointment
    state: AppointmentState
    mine: bool  # this account proposed it (and may move or cancel it)
    answer: AppointmentAnswer | None  # the youth's


@dataclass(frozen=True)
class Point:
    point: DiscussionPoint
    mine: bool
    about: Record | None  # the youth's item it brings, if the youth shared it with me


@dataclass(frozen=True)
class AgreedItem:
    agreement: Agreement
    mine: bool
    answer: AgreementAnswer | None  # the youth's reply and comment


class MeetingService:
    def __init__(
        self,
        store: Store,
        me: Professional,
        directory: CaseloadDirectory,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._me = me
        self._directory = directory
        self._now = now
        self.zone = ZoneInfo(DEFAULT_ZONE)
        self._appointments: Repository[Appointment] = store.repository_for(RecordKind.APPOINTMENT)
        self._answers: Repository[AppointmentAnswer] = store.repository_for(
            RecordKind.APPOINTMENT_ANSWER
        )
        self._points: Repository[DiscussionPoint] = store.repository_for(
            RecordKind.DISCUSSION_POINT
        )
        self._agreements: Repository[Agreement] = store.repository_for(RecordKind.AGREEMENT)
        self._agreement_answers: Repository[AgreementAnswer] = store.repository_for(
            RecordKind.AGREEMENT_ANSWER
        )

    # --- appointments --------------------------------------------------------------------

    def meetings(self, space_id: str) -> list[Meeting]:
        """My appointments with this youth: coming ones soonest first, then the rest."""
        youth = self._directory.get(space_id)
        found = [self._meeting(a, youth) for a in self._with_me(youth)]
        return coming_first(found, lambda m: m.state, self._now())

    def next_meeting(self, youth: LinkedYouth) -> Meeting | None:
        """The next appointment with this youth that is on or waiting for their answer."""
        now = self._now()
        coming = [
            m
            for m in (self._meeting(a, youth) for a in self._with_me(youth))
            if is_coming(m.state, now)
        ]
        return min(coming, key=lambda m: m.state.starts_at, default=None)

    def meeting(self, space_id: str, appointment_id: str) -> Meeting:
        youth = self._directory.get(space_id)
        appointment = self._appointments.get(appointment_id)
        if appointment is None or appointment.deleted or appointment.space_id != space_id:
            raise NotFound(appointment_id)
        if appointment.id not in {a.id for a in self._with_me(youth)}:
            raise NotFound(appointment_id)
        return self._meeting(appointment, youth)

    def propose(self, space_id: str, proposal: Proposal) -> Appointment:
        """An appointment with the youth; it waits for their answer."""
        youth = self._directory.get(space_id)
        starts_at = self._future(proposal.day, proposal.at)
        with user_input():
            return self._appointments.add(
                space_id=space_id,
                created_at=self._now(),
                shared_with=[youth.youth_id],
                person_id=self._me.account_id,
                starts_at=starts_at,
                time_zone=self.zone.key,
                title=proposal.title,
                minutes=proposal.minutes,
                place=proposal.place,
                video_url=proposal.video_url,
                note=proposal.note,
            )

    def move(self, space_id: str, appointment_id: str, day: date, at: time) -> Appointment:
        """Another moment for my own proposal: the youth is asked again."""
        meeting = self._own(space_id, appointment_id)
        starts_at = self._future(day, at)
        return self._appointments.change(meeting.appointment, starts_at=starts_at)

    def cancel(self, space_id: str, appointment_id: str) -> Appointment:
        meeting = self._own(space_id, appointment_id)
        return self._appointments.change(meeting.appointment, cancelled=True)

    # --- points to discuss ---------------------------------------------------------------

    def points(self, space_id: str, appointment_id: str) -> list[Point]:
        """My points and the ones the youth shared with me, in the order written."""
        meeting = self.meeting(space_id, appointment_id)
        youth_id = self._directory.get(space_id).youth_id
        mine = self._me.account_id
        found = [
            p
            for p in self._points.every(appointment_id=meeting.appointment.id)
            if p.author_id == mine or (p.author_id == youth_id and mine in p.shared_with)
        ]
        found.sort(key=lambda p: (p.created_at, p.id))
        return [Point(p, p.author_id == mine, self._about(p)) for p in found]

    def add_point(self, space_id: str, appointment_id: str, text: str) -> DiscussionPoint:
        meeting = self.meeting(space_id, appointment_id)
        if meeting.appointment.cancelled:
            raise InvalidInput("cancelled", field="appointment")
        with user_input():
            return self._points.add(
                space_id=space_id,
                created_at=self._now(),
                shared_with=[self._directory.get(space_id).youth_id],
                appointment_id=appointment_id,
                text=text,
            )

    def remove_point(self, space_id: str, point_id: str) -> None:
        self._directory.get(space_id)
        point = self._points.get(point_id)
        if point is None or point.deleted or point.author_id != self._me.account_id:
            raise NotFound(point_id)
        self._points.delete(point_id)

    # --- agreements ----------------------------------------------------------------------

    def agreements(self, space_id: str, appointment_id: str) -> list[AgreedItem]:
        meeting = self.meeting(space_id, appointment_id)
        youth_id = self._directory.get(space_id).youth_id
        mine = self._me.account_id
        found = [
            a
            for a in self._agreements.every(appointment_id=meeting.appointment.id)
            if a.author_id in (mine, youth_id)
        ]
        found.sort(key=lambda a: (a.created_at, a.id))
        return [
            AgreedItem(a, a.author_id == mine, self._agreement_answer(a, youth_id)) for a in found
        ]

    def can_write_agreements(self, meeting: Meeting) -> bool:
        return meeting.state.is_on and meeting.state.starts_at <= self._now()

    def write_agreement(
        self,
        space_id: str,
        appointment_id: str,
        text: str,
        who: Who | str = Who.TOGETHER,
        due: date | None = None,
    ) -> Agreement:
        """What was agreed, once the appointment is on and has begun."""
        meeting = self.meeting(space_id, appointment_id)
        if not self.can_write_agreements(meeting):
            raise InvalidInput("not_yet", field="appointment")
        with user_input():
            return self._agreements.add(
                space_id=space_id,
                created_at=self._now(),
                shared_with=[self._directory.get(space_id).youth_id],
                appointment_id=appointment_id,
                text=text,
                who=who,
                due=due,
            )

    # --- helpers ------------------------------------------------------------------------

    def _with_me(self, youth: LinkedYouth) -> list[Appointment]:
        """Mine, and the youth's own with me; nothing a third person wrote."""
        mine = self._me.account_id
        return [
            a
            for a in self._appointments.every(space_id=youth.space_id)
            if a.person_id == mine and a.author_id in (mine, youth.youth_id)
        ]

    def _meeting(self, appointment: Appointment, youth: LinkedYouth) -> Meeting:
        answer = latest_answer(self._answers.every(appointment_id=appointment.id), youth.youth_id)
        return Meeting(
            appointment,
            appointment_state(appointment, answer, youth.youth_id),
            appointment.author_id == self._me.account_id,
            answer,
        )

    def _agreement_answer(self, agreement: Agreement, youth_id: str) -> AgreementAnswer | None:
        return latest_answer(self._agreement_answers.every(agreement_id=agreement.id), youth_id)

    def _about(self, point: DiscussionPoint) -> Record | None:
        if point.about_kind is None or point.about_id is None:
            return None
        record = self._store.repository_for(point.about_kind).get(point.about_id)
        return record if record is not None and not record.deleted else None

    def _own(self, space_id: str, appointment_id: str) -> Meeting:
        meeting = self.meeting(space_id, appointment_id)
        if not meeting.mine:
            raise InvalidInput("not_yours", field="appointment")
        return meeting

    def _future(self, day: date, at: time) -> datetime:
        return future_moment(day, at, self.zone, self._now())
