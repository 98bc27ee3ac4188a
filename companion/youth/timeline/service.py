"""The timeline, "mijn verhaal": the youth's story by date, with a mood chart and documents.

Events come from records this device already has: diary entries, goals started and
reached, steps ticked off, documents a caregiver shared, the first message with each
person, appointments that were (or are) on, and what was agreed at them. A goal or step
is 'reached' when its latest version says done; the moment is the wall time of that
version's clock stamp (the models keep no separate done date).
Documents are a caregiver's records the youth cannot edit; the youth's say about one is a
separate DocumentComment they own, which they can add, change or remove.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from companion.core.errors import NotFound
from companion.core.validation import user_input
from companion.domain.hlc import Stamp
from companion.domain.life_domains import LifeDomain
from companion.domain.meetings import (
    Agreement,
    Appointment,
    AppointmentAnswer,
    appointment_state,
)
from companion.domain.models import (
    Document,
    DocumentComment,
    GoalStatus,
    Message,
    Record,
    StepStatus,
)
from companion.store import Store
from companion.youth.account import Account
from companion.youth.network.links import LinksService
from companion_wire import RecordKind

PREVIEW_CHARS = 120
MOOD_DAYS = 30


class EventKind(StrEnum):
    DIARY = "diary"
    GOAL_STARTED = "goal_started"
    GOAL_DONE = "goal_done"
    STEP_DONE = "step_done"
    DOCUMENT = "document"
    FIRST_MESSAGE = "first_message"
    APPOINTMENT = "appointment"
    AGREEMENT = "agreement"


@dataclass(frozen=True)
class TimelineEvent:
    kind: EventKind
    at: datetime  # orders events; for diary entries the start of their day
    title: str  # the youth's or caregiver's own words, or a person's name
    record_id: str
    domains: tuple[LifeDomain, ...] = ()
    mood: int | None = None
    detail: str = ""  # e.g. the goal a ticked-off step belongs to
    opens: str = ""  # the record the event opens when not its own (an agreement's appointment)

    @property
    def day(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class MoodPoint:
    day: date
    mood: float  # average of that day's check-ins and diary moods
    count: int


@dataclass(frozen=True)
class DocumentView:
    document: Document
    author_name: str | None
    comment: DocumentComment | None  # the youth's own comment, if any


def stamp_time(record: Record) -> datetime:
    """When this version of a record was written (its clock stamp's wall time)."""
    return datetime.fromtimestamp(Stamp.parse(record.updated_hlc).wall_ms / 1000, UTC)


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class TimelineService:
    def __init__(
        self,
        store: Store,
        account: Account,
        links: LinksService,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._account = account
        self._links = links
        self._now = now

    def events(self, domain: LifeDomain | str | None = None) -> list[TimelineEvent]:
        """Newest first; with a domain, only events tagged with it (documents and chat
        have no domain, so a filter leaves them out)."""
        wanted = LifeDomain(domain) if domain is not None else None
        found = [
            *self._diary(),
            *self._goals(),
            *self._documents(),
            *self._chats(),
            *self._meetings(),
        ]
        if wanted is not None:
            found = [event for event in found if wanted in event.domains]
        found.sort(key=lambda e: (e.at, e.record_id), reverse=True)
        return found

    def mood_series(self, days: int = MOOD_DAYS) -> list[MoodPoint]:
        """Daily average mood over the last `days` days, from check-ins and diary moods."""
        today = self._now().date()
        first = today - timedelta(days=days - 1)
        zone = self._now().tzinfo
        per_day: dict[date, list[int]] = defaultdict(list)
        for checkin in self._store.moods.every(space_id=self._account.space_id):
            day = checkin.checked_at.astimezone(zone).date()
            if first <= day <= today:
                per_day[day].append(checkin.mood)
        for entry in self._store.diary.every(space_id=self._account.space_id, since=first):
            if entry.mood is not None and entry.entry_date <= today:
                per_day[entry.entry_date].append(entry.mood)
        return [
            MoodPoint(day, sum(moods) / len(moods), len(moods))
            for day, moods in sorted(per_day.items())
        ]

    # --- documents and the youth's comments ---------------------------------------------

    def documents(self) -> list[DocumentView]:
        return [
            self._document_view(d)
            for d in self._store.documents.every(space_id=self._account.space_id)
        ]

    def document(self, document_id: str) -> DocumentView:
        document = self._store.documents.get(document_id)
        if document is None or document.deleted or document.space_id != self._account.space_id:
            raise NotFound(document_id)
        return self._document_view(document)

    def set_comment(self, document_id: str, text: str) -> DocumentComment:
        """Add or change the youth's comment; the document's author can read it."""
        view = self.document(document_id)
        readers = (
            [view.document.author_id] if view.document.author_id != self._account.account_id else []
        )
        with user_input():
            if view.comment is None:
                return self._store.comments.add(
                    space_id=self._account.space_id,
                    created_at=self._now(),
                    document_id=document_id,
                    text=text,
                    shared_with=readers,
                )
            return self._store.comments.change(view.comment, text=text)

    def delete_comment(self, document_id: str) -> None:
        view = self.document(document_id)
        if view.comment is None:
            raise NotFound(document_id)
        self._store.comments.delete(view.comment.id)

    # --- event sources ------------------------------------------------------------------

    def _diary(self) -> list[TimelineEvent]:
        zone = self._now().tzinfo
        return [
            TimelineEvent(
                EventKind.DIARY,
                datetime.combine(entry.entry_date, datetime.min.time(), zone),
                preview(entry.text),
                entry.id,
                tuple(entry.domains),
                entry.mood,
            )
            for entry in self._store.diary.every(space_id=self._account.space_id)
        ]

    def _goals(self) -> list[TimelineEvent]:
        events: list[TimelineEvent] = []
        goals = {}
        for goal in self._store.goals.every(space_id=self._account.space_id):
            if goal.status not in (GoalStatus.ACTIVE, GoalStatus.DONE):
                continue
            goals[goal.id] = goal
            domains = (goal.domain,)
            events.append(
                TimelineEvent(EventKind.GOAL_STARTED, goal.created_at, goal.title, goal.id, domains)
            )
            if goal.status is GoalStatus.DONE:
                events.append(
                    TimelineEvent(
                        EventKind.GOAL_DONE, stamp_time(goal), goal.title, goal.id, domains
                    )
                )
        for step in self._store.steps.every(
            space_id=self._account.space_id, status=StepStatus.DONE
        ):
            step_goal = goals.get(step.goal_id)
            if step_goal is None:
                continue
            events.append(
                TimelineEvent(
                    EventKind.STEP_DONE,
                    stamp_time(step),
                    step.title,
                    step.id,
                    (step_goal.domain,),
                    detail=step_goal.title,
                )
            )
        return events

    def _documents(self) -> list[TimelineEvent]:
        return [
            TimelineEvent(
                EventKind.DOCUMENT,
                view.document.created_at,
                view.document.title,
                view.document.id,
                detail=view.author_name or "",
            )
            for view in self.documents()
        ]

    def _chats(self) -> list[TimelineEvent]:
        """The first message with each person: when a conversation really began."""
        me = self._account.account_id
        first: dict[str, tuple[datetime, str]] = {}
        for conversation in self._store.conversations.every(space_id=self._account.space_id):
            others = [p for p in conversation.participant_ids if p != me]
            if len(others) != 1:
                continue
            oldest = self._oldest_message(conversation.id)
            if oldest is None:
                continue
            person = others[0]
            if person not in first or oldest.sent_at < first[person][0]:
                first[person] = (oldest.sent_at, oldest.id)
        names = {link.person_id: link.display_name for link in self._links.all()}
        return [
            TimelineEvent(EventKind.FIRST_MESSAGE, at, names.get(person, ""), record_id)
            for person, (at, record_id) in first.items()
        ]

    def _meetings(self) -> list[TimelineEvent]:
        """Appointments that are on, at their start, and what was agreed at each."""
        me = self._account.account_id
        answers: dict[str, AppointmentAnswer] = {
            answer.appointment_id: answer
            for answer in self._store.repository_for(RecordKind.APPOINTMENT_ANSWER).every(
                space_id=self._account.space_id
            )
            if answer.author_id == me
        }
        appointments: dict[str, Appointment] = {}
        events: list[TimelineEvent] = []
        for appointment in self._store.repository_for(RecordKind.APPOINTMENT).every(
            space_id=self._account.space_id
        ):
            if appointment.author_id not in (me, appointment.person_id):
                continue  # someone else's appointment is always with its author
            appointments[appointment.id] = appointment
            state = appointment_state(appointment, answers.get(appointment.id), me)
            if state.is_on:
                names = self._links.names([appointment.person_id])
                events.append(
                    TimelineEvent(
                        EventKind.APPOINTMENT,
                        state.starts_at,
                        appointment.title,
                        appointment.id,
                        detail=names[0] if names else "",
                    )
                )
        agreement: Agreement
        for agreement in self._store.repository_for(RecordKind.AGREEMENT).every(
            space_id=self._account.space_id
        ):
            meeting = appointments.get(agreement.appointment_id)
            if meeting is not None and agreement.author_id in (me, meeting.person_id):
                events.append(
                    TimelineEvent(
                        EventKind.AGREEMENT,
                        agreement.created_at,
                        preview(agreement.text),
                        agreement.id,
                        detail=meeting.title,
                        opens=meeting.id,
                    )
                )
        return events

    def _oldest_message(self, conversation_id: str) -> Message | None:
        messages = list(self._store.messages.every(conversation_id=conversation_id))
        return min(messages, key=lambda m: (m.sent_at, m.id), default=None)

    def _document_view(self, document: Document) -> DocumentView:
        mine = [
            c
            for c in self._store.comments.every(document_id=document.id)
            if c.author_id == self._account.account_id
        ]
        comment = max(mine, key=lambda c: c.created_at, default=None)
        names = self._links.names([document.author_id])
        return DocumentView(document, names[0] if names else None, comment)
