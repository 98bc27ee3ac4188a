"""What differs between record kinds in the store: which fields become filter columns, and order.

One generic repository reads these specs instead of one copy-pasted repository per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from companion.domain.files import Attachment
from companion.domain.meetings import (
    Agreement,
    AgreementAnswer,
    Appointment,
    AppointmentAnswer,
    DiscussionPoint,
)
from companion.domain.models import (
    ContactKey,
    Conversation,
    DiaryEntry,
    Document,
    DocumentComment,
    Goal,
    GoalStep,
    Message,
    MoodCheckin,
    Record,
    Reminder,
)
from companion.domain.safety import NetworkAlarm, SafetyPlan
from companion.store.errors import InvalidQueryError
from companion_wire import RecordKind

R = TypeVar("R", bound=Record)


class Order(Enum):
    NEWEST_FIRST = "newest_first"
    SOONEST_FIRST = "soonest_first"
    BY_POSITION = "by_position"
    # The latest `limit` rows (paged back from the newest), returned oldest first: a chat.
    LATEST_IN_READING_ORDER = "latest_in_reading_order"

    @property
    def sql(self) -> str:
        """ORDER BY clause the query runs (reading order is restored after the query)."""
        if self is Order.SOONEST_FIRST:
            return "at ASC, id ASC"
        if self is Order.BY_POSITION:
            return "position ASC, at ASC, id ASC"
        return "at DESC, id DESC"


@dataclass(frozen=True)
class KindSpec(Generic[R]):
    model: type[R]
    at_field: str  # what `since` / `until` filter on and the lists sort by
    order: Order = Order.NEWEST_FIRST
    parent_field: str | None = None  # goal_id, conversation_id, appointment_id...
    has_status: bool = False
    domains_field: str | None = None  # a list of domains, or one domain
    position_field: str | None = None

    @property
    def kind(self) -> RecordKind:
        return self.model.KIND

    @property
    def at_is_date(self) -> bool:
        return self.model.model_fields[self.at_field].annotation is date

    def filter_column(self, name: str) -> str:
        """The column behind a kind-specific `list(**filters)` argument."""
        if name == self.parent_field:
            return "parent_id"
        if name == "status" and self.has_status:
            return "status"
        allowed = sorted(n for n in (self.parent_field, "status" if self.has_status else None) if n)
        raise InvalidQueryError(
            f"{self.kind.value} lists cannot filter on {name!r} (allowed: {allowed or 'none'})"
        )

    def columns(self, record: R) -> tuple[str, int | None, str | None, str | None, list[str]]:
        """at, position, parent_id, status, domains: the typed columns filters use."""
        domains: list[str] = []
        if self.domains_field:
            value = getattr(record, self.domains_field)
            domains = [str(d) for d in value] if isinstance(value, list) else [str(value)]
        return (
            at_text(getattr(record, self.at_field)),
            getattr(record, self.position_field) if self.position_field else None,
            getattr(record, self.parent_field) if self.parent_field else None,
            # has_status: the kind's model has a `status` field (Record itself has none)
            str(record.status) if self.has_status else None,  # type: ignore[attr-defined]
            domains,
        )

    def bound(self, name: str, value: object) -> str:
        """A `since` / `until` argument as the comparable column text, or a clear error."""
        if self.at_is_date:
            if type(value) is not date:
                raise InvalidQueryError(f"{name} must be a date for {self.kind.value} lists")
        elif not isinstance(value, datetime) or value.utcoffset() is None:
            raise InvalidQueryError(
                f"{name} must be a datetime with a time zone for {self.kind.value} lists"
            )
        return at_text(value)


def at_text(value: date | datetime) -> str:
    """Sortable text: dates as ISO dates, datetimes in UTC with fixed width."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.isoformat()


SPECS: dict[RecordKind, KindSpec[Any]] = {
    spec.kind: spec
    for spec in (
        KindSpec(DiaryEntry, "entry_date", domains_field="domains"),
        KindSpec(MoodCheckin, "checked_at"),
        KindSpec(Goal, "created_at", has_status=True, domains_field="domain"),
        KindSpec(
            GoalStep,
            "created_at",
            Order.BY_POSITION,
            parent_field="goal_id",
            has_status=True,
            position_field="position",
        ),
        KindSpec(Reminder, "first_due", Order.SOONEST_FIRST, parent_field="goal_id"),
        KindSpec(Conversation, "created_at"),
        KindSpec(Message, "sent_at", Order.LATEST_IN_READING_ORDER, parent_field="conversation_id"),
        KindSpec(Document, "created_at"),
        KindSpec(
            DocumentComment,
            "created_at",
            Order.LATEST_IN_READING_ORDER,
            parent_field="document_id",
        ),
        KindSpec(ContactKey, "verified_at", parent_field="person_id"),
        KindSpec(Appointment, "starts_at", Order.SOONEST_FIRST, parent_field="person_id"),
        KindSpec(AppointmentAnswer, "created_at", parent_field="appointment_id"),
        KindSpec(DiscussionPoint, "created_at", parent_field="appointment_id"),
        KindSpec(Agreement, "created_at", parent_field="appointment_id"),
        KindSpec(AgreementAnswer, "created_at", parent_field="agreement_id"),
        KindSpec(SafetyPlan, "created_at"),
        KindSpec(NetworkAlarm, "sent_at"),
        KindSpec(Attachment, "created_at", parent_field="parent_id"),
    )
}
