"""The rules about appointments that hold on both sides (the youth's app and the caregiver's).

Each side has its own service (who may propose what, with whom); what a moment typed on a
clock means, which appointments count as coming, and which answer is the current one are
the same for both, so they live here once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from companion.core.errors import InvalidInput
from companion.domain.meetings import AppointmentState, AppointmentStatus

CLOSED = (AppointmentStatus.DECLINED, AppointmentStatus.CANCELLED)


class _Answer(Protocol):
    @property
    def author_id(self) -> str: ...

    @property
    def updated_hlc(self) -> str: ...


T = TypeVar("T")
A = TypeVar("A", bound=_Answer)


def is_coming(state: AppointmentState, now: datetime) -> bool:
    """Still ahead and not called off: a proposal waiting for its answer counts too."""
    return state.ends_at > now and state.status not in CLOSED


def coming_first(
    items: Iterable[T], state_of: Callable[[T], AppointmentState], now: datetime
) -> list[T]:
    """Coming ones soonest first, then past and closed ones newest first."""
    found = list(items)
    coming = [item for item in found if is_coming(state_of(item), now)]
    rest = [item for item in found if not is_coming(state_of(item), now)]
    coming.sort(key=lambda item: state_of(item).starts_at)
    rest.sort(key=lambda item: state_of(item).starts_at, reverse=True)
    return coming + rest


def latest_answer(answers: Iterable[A], author_id: str) -> A | None:
    """The answer that holds: the last one its rightful author wrote (nobody else's counts)."""
    theirs = [answer for answer in answers if answer.author_id == author_id]
    return max(theirs, key=lambda answer: answer.updated_hlc, default=None)


def future_moment(day: date, at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """A day and a time typed on a clock in `zone`, refused unless it is still to come."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidInput("invalid_date", field="starts_at")
    if not isinstance(at, time):
        raise InvalidInput("invalid_time", field="starts_at")
    moment = datetime.combine(day, at.replace(tzinfo=None), zone)
    if moment <= now:
        raise InvalidInput("in_the_past", field="starts_at")
    return moment
