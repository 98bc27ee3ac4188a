"""The caregiver's own availability hours (right to disconnect).

The hours are published to the server, so the youth's app shows when this person can be
reached and offers the help lines outside them. On this device they gate notifications:
outside the hours nothing pops up; unread messages simply wait in the caseload.
Until the caregiver chooses, office hours (Monday to Friday, 09:00-17:00) apply.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from companion.core.errors import InvalidInput
from companion.core.validation import to_invalid_input
from companion.store import Store
from companion_wire import Availability, Slot

META_KEY = "availability"
PENDING_KEY = "availability_pending"  # "1" until the server has the current hours
DEFAULT_ZONE = "Europe/Brussels"
DEFAULT_HOURS = Availability(
    timezone=DEFAULT_ZONE,
    slots=[Slot(weekday=day, start="09:00", end="17:00") for day in range(5)],
)


class AvailabilityService:
    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def current(self) -> Availability:
        raw = self._store.meta.get(META_KEY)
        if not raw:
            return DEFAULT_HOURS
        try:
            return Availability.model_validate_json(raw)
        except ValidationError:
            return DEFAULT_HOURS

    def is_chosen(self) -> bool:
        return self._store.meta.get(META_KEY) is not None

    def set_hours(
        self, slots: Iterable[tuple[int, str, str]], timezone: str = DEFAULT_ZONE
    ) -> Availability:
        """Replace the weekly hours: (weekday 0=Monday, "HH:MM", "HH:MM") per block."""
        try:
            hours = Availability(
                timezone=timezone,
                slots=[Slot(weekday=day, start=start, end=end) for day, start, end in slots],
            )
        except ValidationError as error:
            raise _slot_error(error) from None
        _check_no_overlap(hours.slots)
        with self._store.transaction():
            self._store.meta.set(META_KEY, hours.model_dump_json())
            self._store.meta.set(PENDING_KEY, "1")
        return hours

    def pending(self) -> Availability | None:
        """The hours the server does not have yet, or None."""
        return self.current() if self._store.meta.get(PENDING_KEY) == "1" else None

    def mark_published(self, published: Availability) -> None:
        """The server stored `published`; later edits stay pending."""
        if published == self.current():
            self._store.meta.set(PENDING_KEY, "0")

    def is_available(self, at: datetime | None = None) -> bool:
        return is_within(self.current(), at or self._now())


def is_within(hours: Availability, at: datetime) -> bool:
    """Whether `at` falls inside one of the weekly blocks, in the hours' own time zone."""
    local = at.astimezone(ZoneInfo(hours.timezone))
    clock = local.strftime("%H:%M")
    return any(
        slot.weekday == local.weekday() and slot.start <= clock < slot.end for slot in hours.slots
    )


def _check_no_overlap(slots: list[Slot]) -> None:
    by_day = sorted(slots, key=lambda s: (s.weekday, s.start))
    for before, after in itertools.pairwise(by_day):
        if before.weekday == after.weekday and after.start < before.end:
            raise InvalidInput("overlap", field="slots")


def _slot_error(error: ValidationError) -> InvalidInput:
    first = error.errors()[0]
    loc = [str(part) for part in first.get("loc", ())]
    if "start" in loc or "end" in loc or first.get("type") == "string_pattern_mismatch":
        return InvalidInput("invalid_time", field="slots")
    if "end must be after start" in str(first.get("msg", "")):
        return InvalidInput("end_before_start", field="slots")
    generic = to_invalid_input(error)
    return InvalidInput(generic.code, field="slots", **generic.params)
