"""Appointments with a caregiver or network person: proposing, answering, moving, the .ics.

Either side proposes. Someone else's proposal waits for the youth: yes, no, or yes at
another moment (that moment then holds; the proposer sees it). The youth's own proposals
are on as written, and the youth moves or cancels them by changing them. Only authors change
records, so the youth's answer is a record of its own (companion.domain.meetings). Every
appointment is shared with exactly the person it is with; nobody else linked sees it.
Times are typed as a day and a time on the youth's clock, in their IANA zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from companion.core.appointments import coming_first, future_moment, is_coming, latest_answer
from companion.core.calendar_file import CalendarEvent, write_calendar_file
from companion.core.errors import InvalidInput, NotFound
from companion.core.validation import user_input
from companion.domain.meetings import (
    AnswerKind,
    Appointment,
    AppointmentAnswer,
    AppointmentState,
    AppointmentStatus,
    appointment_state,
)
from companion.store import Repository, Store
from companion.youth.account import Account
from companion.youth.network.links import LinksService
from companion_wire import RecordKind


@dataclass(frozen=True)
class AppointmentDraft:
    """An appointment as typed: with whom, what, which day, what time, how long, where."""

    person_id: str
    title: str
    day: date
    at: time
    minutes: int = 60
    place: str = ""
    video_url: str = ""
    note: str = ""


@dataclass(frozen=True)
class AppointmentView:
    appointment: Appointment
    state: AppointmentState
    person_name: str | None  # None once that person is no longer linked
    mine: bool  # the youth proposed it
    answer: AppointmentAnswer | None

    @property
    def id(self) -> str:
        return self.appointment.id

    @property
    def waiting(self) -> bool:
        """Someone else proposed it and the youth has not said yes or no to this moment."""
        return self.state.status is AppointmentStatus.PROPOSED


class AppointmentsService:
    def __init__(
        self,
        store: Store,
        account: Account,
        links: LinksService,
        now: Callable[[], datetime],
        zone: ZoneInfo,
    ) -> None:
        self._store = store
        self._account = account
        self._links = links
        self._now = now
        self.zone = zone
        self._appointments: Repository[Appointment] = store.repository_for(RecordKind.APPOINTMENT)
        self._answers: Repository[AppointmentAnswer] = store.repository_for(
            RecordKind.APPOINTMENT_ANSWER
        )

    # --- reading -------------------------------------------------------------------------

    def all(self) -> list[AppointmentView]:
        """Coming ones first (soonest first), then past and closed ones (newest first)."""
        return coming_first(map(self._view, self._genuine()), lambda v: v.state, self._now())

    def upcoming(self, limit: int = 3) -> list[AppointmentView]:
        """What is still ahead and not called off: proposals waiting for an answer too."""
        now = self._now()
        return [v for v in self.all() if is_coming(v.state, now)][:limit]

    def get(self, appointment_id: str) -> AppointmentView:
        appointment = self._appointments.get(appointment_id)
        if appointment is None or appointment.deleted or not self._is_genuine(appointment):
            raise NotFound(appointment_id)
        return self._view(appointment)

    def people(self) -> list[tuple[str, str]]:
        """(person id, name) of everyone the youth can make an appointment with now."""
        return [(link.person_id, link.display_name) for link in self._links.active()]

    # --- the youth's own proposals -------------------------------------------------------

    def propose(self, draft: AppointmentDraft) -> Appointment:
        """A new appointment with a linked person; they see it, nobody else does."""
        self._linked(draft.person_id)
        starts_at = self._future(draft.day, draft.at)
        with user_input():
            return self._appointments.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                shared_with=[draft.person_id],
                time_zone=self.zone.key,
                starts_at=starts_at,
                **_content(draft),
            )

    def edit(self, appointment_id: str, draft: AppointmentDraft) -> Appointment:
        """Change (and so move) one of the youth's own appointments."""
        view = self._own(appointment_id)
        if draft.person_id != view.appointment.person_id:
            raise InvalidInput("invalid_choice", field="person_id")
        starts_at = self._future(draft.day, draft.at)
        with user_input():
            return self._appointments.change(
                view.appointment, time_zone=self.zone.key, starts_at=starts_at, **_content(draft)
            )

    def cancel(self, appointment_id: str) -> Appointment:
        """Call off one of the youth's own appointments (it stays in the story, cancelled)."""
        view = self._own(appointment_id)
        return self._appointments.change(view.appointment, cancelled=True)

    # --- answering someone else's ---------------------------------------------------------

    def accept(self, appointment_id: str) -> AppointmentAnswer:
        return self._answer(appointment_id, AnswerKind.ACCEPTED, None)

    def decline(self, appointment_id: str) -> AppointmentAnswer:
        return self._answer(appointment_id, AnswerKind.DECLINED, None)

    def move(self, appointment_id: str, day: date, at: time) -> Appointment | AppointmentAnswer:
        """Another moment: the youth's own appointment changes; someone else's is accepted
        at the new moment, which then holds (the proposer sees it)."""
        view = self.get(appointment_id)
        if view.mine:
            current = view.appointment
            draft = AppointmentDraft(
                current.person_id,
                current.title,
                day,
                at,
                current.minutes,
                current.place,
                current.video_url,
                current.note,
            )
            return self.edit(appointment_id, draft)
        return self._answer(appointment_id, AnswerKind.ACCEPTED, self._future(day, at))

    # --- for the phone's own calendar ------------------------------------------------------

    def write_calendar_file(self, appointment_id: str, folder: Path) -> Path:
        """An .ics of an appointment that is on, for the phone's calendar app."""
        view = self.get(appointment_id)
        if not view.state.is_on:
            raise InvalidInput("not_agreed", field="appointment")
        appointment = view.appointment
        event = CalendarEvent(
            uid=appointment.id,
            title=appointment.title,
            starts_at=view.state.starts_at,
            ends_at=view.state.ends_at,
            time_zone=appointment.time_zone,
            place=appointment.place,
            url=appointment.video_url,
            note=appointment.note,
            stamp=self._now(),
        )
        return write_calendar_file(event, folder)

    # --- helpers ------------------------------------------------------------------------

    def _answer(
        self, appointment_id: str, kind: AnswerKind, moved_to: datetime | None
    ) -> AppointmentAnswer:
        view = self.get(appointment_id)
        if view.mine:
            raise InvalidInput("own_appointment", field="appointment")
        if view.appointment.cancelled:
            raise InvalidInput("cancelled", field="appointment")
        fields = {
            "answer": kind,
            "for_start": view.appointment.starts_at,
            "moved_to": moved_to,
        }
        if view.answer is not None:
            return self._answers.change(view.answer, **fields)
        return self._answers.add(
            space_id=self._account.space_id,
            created_at=self._now(),
            shared_with=[view.appointment.author_id],
            appointment_id=appointment_id,
            **fields,
        )

    def _genuine(self) -> list[Appointment]:
        return [
            a
            for a in self._appointments.every(space_id=self._account.space_id)
            if self._is_genuine(a)
        ]

    def _is_genuine(self, appointment: Appointment) -> bool:
        """Someone else's appointment is always with its author: a record claiming to be
        with a third person is not shown."""
        me = self._account.account_id
        return appointment.author_id == me or appointment.person_id == appointment.author_id

    def _view(self, appointment: Appointment) -> AppointmentView:
        answer = self._my_answer(appointment.id)
        names = self._links.names([appointment.person_id])
        return AppointmentView(
            appointment,
            appointment_state(appointment, answer, self._account.account_id),
            names[0] if names else None,
            appointment.author_id == self._account.account_id,
            answer,
        )

    def _my_answer(self, appointment_id: str) -> AppointmentAnswer | None:
        return latest_answer(
            self._answers.every(appointment_id=appointment_id), self._account.account_id
        )

    def _own(self, appointment_id: str) -> AppointmentView:
        view = self.get(appointment_id)
        if not view.mine:
            raise InvalidInput("not_yours", field="appointment")
        return view

    def _linked(self, person_id: str) -> None:
        if person_id not in {link.person_id for link in self._links.active()}:
            raise InvalidInput("not_linked", field="person_id")

    def _future(self, day: date, at: time) -> datetime:
        return future_moment(day, at, self.zone, self._now())


def _content(draft: AppointmentDraft) -> dict[str, object]:
    return {
        "person_id": draft.person_id,
        "title": draft.title,
        "minutes": draft.minutes,
        "place": draft.place,
        "video_url": draft.video_url,
        "note": draft.note,
    }
