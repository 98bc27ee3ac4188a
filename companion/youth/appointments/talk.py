""" "Wil ik bespreken": what the youth wants to talk about at an appointment.

The youth writes their own questions and, by choice, brings a diary entry, a goal or a
document along. Each point is private until the youth shares it with the person of the
appointment; sharing a point that brings an item shares that item with them too (the screen
says so first), because a point about an entry they cannot read helps nobody. The other
person's own points are theirs; the youth always sees them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from companion.core.errors import InvalidInput, NotFound
from companion.core.validation import user_input
from companion.domain.meetings import ABOUT_KINDS, DiscussionPoint
from companion.domain.models import Record
from companion.store import Repository, Store
from companion.youth.account import Account
from companion.youth.appointments.service import AppointmentsService, AppointmentView
from companion.youth.diary.service import DiaryService
from companion.youth.goals.service import GoalsService
from companion.youth.network.links import LinksService
from companion_wire import RecordKind

PREVIEW_CHARS = 80
ITEMS_OFFERED = 20  # the latest diary entries a youth can pick from


@dataclass(frozen=True)
class Item:
    """Something of the youth's that a point can bring along."""

    kind: RecordKind
    record_id: str
    title: str


@dataclass(frozen=True)
class PointView:
    point: DiscussionPoint
    mine: bool
    author_name: str | None
    shared: bool  # (the youth's own) the person of the appointment sees it
    about: Item | None  # the item it brings, as this device has it


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class PointsService:
    def __init__(
        self,
        store: Store,
        account: Account,
        links: LinksService,
        now: Callable[[], datetime],
        appointments: AppointmentsService,
        diary: DiaryService,
        goals: GoalsService,
    ) -> None:
        self._store = store
        self._account = account
        self._links = links
        self._now = now
        self._appointments = appointments
        self._diary = diary
        self._goals = goals
        self._points: Repository[DiscussionPoint] = store.repository_for(
            RecordKind.DISCUSSION_POINT
        )

    def points(self, appointment_id: str) -> list[PointView]:
        """Every point of an appointment, in the order they were written."""
        view = self._appointments.get(appointment_id)
        found = [
            p
            for p in self._points.every(appointment_id=appointment_id)
            if p.author_id in (self._account.account_id, view.appointment.person_id)
        ]
        found.sort(key=lambda p: (p.created_at, p.id))
        return [self._view(point, view) for point in found]

    def items(self) -> list[Item]:
        """What the youth can bring along: recent diary entries, own goals, documents."""
        entries = self._diary.list(limit=ITEMS_OFFERED)
        goals = [g.goal for g in self._goals.overview()]
        documents = self._store.documents.every(space_id=self._account.space_id)
        return [
            *[Item(RecordKind.DIARY_ENTRY, e.id, preview(e.text)) for e in entries],
            *[Item(RecordKind.GOAL, g.id, g.title) for g in goals],
            *[Item(RecordKind.DOCUMENT, d.id, d.title) for d in documents],
        ]

    def add(
        self,
        appointment_id: str,
        text: str,
        *,
        share: bool = False,
        about: tuple[RecordKind, str] | None = None,
    ) -> DiscussionPoint:
        """A point in the youth's words, maybe bringing an item; shared only if `share`."""
        view = self._open(appointment_id)
        kind, record_id = about if about is not None else (None, None)
        if about is not None:
            item = self._item(*about)
            text = text.strip() or item.title
        with user_input(), self._store.transaction():
            point = self._points.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                appointment_id=appointment_id,
                text=text,
                about_kind=kind,
                about_id=record_id,
            )
            if share:
                point = self._share(point, view)
        return point

    def set_shared(self, point_id: str, share: bool) -> DiscussionPoint:
        """Let the person of the appointment see this point (and the item it brings), or
        stop showing it. Unsharing the point leaves the item's own sharing as it is."""
        point = self._own(point_id)
        view = self._appointments.get(point.appointment_id)
        with self._store.transaction():
            if share:
                return self._share(point, view)
            return self._points.change(point, shared_with=[])

    def remove(self, point_id: str) -> None:
        point = self._own(point_id)
        self._points.delete(point.id)

    # --- helpers ------------------------------------------------------------------------

    def _share(self, point: DiscussionPoint, view: AppointmentView) -> DiscussionPoint:
        person = view.appointment.person_id
        if person not in {link.person_id for link in self._links.active()}:
            raise InvalidInput("not_linked", field="shared_with")
        if point.about_kind is not None and point.about_id is not None:
            self._share_item(point.about_kind, point.about_id, person)
        return self._points.change(point, shared_with=[person])

    def _share_item(self, kind: RecordKind, record_id: str, person: str) -> None:
        record = self._record(kind, record_id)
        if person in record.shared_with or person == record.author_id:
            return
        if kind is RecordKind.DIARY_ENTRY:
            self._diary.share(record_id, [*record.shared_with, person])
        elif kind is RecordKind.GOAL:
            self._goals.share(record_id, [*record.shared_with, person])
        else:  # a caregiver's document: only its author decides who reads it
            raise InvalidInput("not_shareable", field="about")

    def _item(self, kind: RecordKind, record_id: str) -> Item:
        if kind not in ABOUT_KINDS:
            raise InvalidInput("invalid_choice", field="about")
        for item in self.items():
            if item.kind is kind and item.record_id == record_id:
                return item
        record = self._record(kind, record_id)  # an older diary entry than the list shows
        return Item(kind, record_id, _title(record))

    def _record(self, kind: RecordKind, record_id: str) -> Record:
        record = self._store.repository_for(kind).get(record_id)
        if record is None or record.deleted or record.space_id != self._account.space_id:
            raise NotFound(record_id)
        return record

    def _view(self, point: DiscussionPoint, view: AppointmentView) -> PointView:
        mine = point.author_id == self._account.account_id
        about = None
        if point.about_kind is not None and point.about_id is not None:
            record = self._store.repository_for(point.about_kind).get(point.about_id)
            if record is not None and not record.deleted:
                about = Item(point.about_kind, record.id, _title(record))
        return PointView(
            point,
            mine,
            None if mine else view.person_name,
            mine and view.appointment.person_id in point.shared_with,
            about,
        )

    def _own(self, point_id: str) -> DiscussionPoint:
        point = self._points.get(point_id)
        if point is None or point.deleted or point.author_id != self._account.account_id:
            raise NotFound(point_id)
        return point

    def _open(self, appointment_id: str) -> AppointmentView:
        view = self._appointments.get(appointment_id)
        if view.appointment.cancelled:
            raise InvalidInput("cancelled", field="appointment")
        return view


def _title(record: Record) -> str:
    for name in ("title", "text"):
        value = getattr(record, name, None)
        if isinstance(value, str) and value.strip():
            return preview(value)
    return ""
