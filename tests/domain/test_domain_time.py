"""When things happen: reminder repeats, snooze and pause; care links that end by themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from companion.domain.models import CareLink, Record, Reminder, record_from_parts
from companion_wire import new_id
from tests.domain.domain_samples import envelope

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def reminder(first_due: datetime, recurrence: str = "none", **fields: Any) -> Reminder:
    return Reminder(
        **envelope(), title="Pil nemen", first_due=first_due, recurrence=recurrence, **fields
    )


def via_storage(record: Reminder) -> Reminder:
    """What a reminder looks like after the store or a sync: JSON, meta and content split."""
    meta = record.model_dump(mode="json", include=set(Record.CONTENT_EXCLUDE))
    rebuilt = record_from_parts(record.kind, meta, record.content())
    assert isinstance(rebuilt, Reminder)
    return rebuilt


def test_one_off_reminder_is_due_once() -> None:
    once = reminder(at(2026, 5, 1))
    assert once.occurrences(at(2026, 4, 30), limit=3) == [at(2026, 5, 1)]
    assert once.occurrences(at(2026, 5, 1)) == []  # strictly after: not due again at its time
    assert once.occurrences(at(2026, 6, 1)) == []


def test_daily_reminder() -> None:
    daily = reminder(at(2026, 5, 1), "daily")
    assert daily.occurrences(at(2026, 4, 1), limit=2) == [at(2026, 5, 1), at(2026, 5, 2)]
    assert daily.occurrences(at(2026, 5, 3, 9, 0), limit=2) == [at(2026, 5, 4), at(2026, 5, 5)]
    assert daily.occurrences(at(2026, 5, 3, 8, 59)) == [at(2026, 5, 3)]


def test_daily_reminder_years_later_is_still_on_time() -> None:
    daily = reminder(at(2026, 5, 1), "daily")
    assert daily.occurrences(at(2036, 5, 1, 10, 0)) == [at(2036, 5, 2)]


def test_weekly_reminder_keeps_its_weekday() -> None:
    weekly = reminder(at(2026, 5, 4), "weekly")  # a Monday
    found = weekly.occurrences(at(2026, 5, 5), limit=3)
    assert found == [at(2026, 5, 11), at(2026, 5, 18), at(2026, 5, 25)]
    assert {moment.weekday() for moment in found} == {0}


def test_monthly_on_the_31st_clamps_without_drifting() -> None:
    monthly = reminder(at(2026, 1, 31), "monthly")
    assert monthly.occurrences(at(2026, 1, 1), limit=4) == [
        at(2026, 1, 31),
        at(2026, 2, 28),
        at(2026, 3, 31),
        at(2026, 4, 30),
    ]


def test_monthly_in_a_leap_year_uses_the_29th() -> None:
    monthly = reminder(at(2028, 1, 31), "monthly")
    assert monthly.occurrences(at(2028, 2, 1), limit=2) == [at(2028, 2, 29), at(2028, 3, 31)]


def test_monthly_across_the_new_year() -> None:
    monthly = reminder(at(2026, 11, 30), "monthly")
    assert monthly.occurrences(at(2026, 12, 31), limit=2) == [at(2027, 1, 30), at(2027, 2, 28)]


def test_snooze_replaces_the_next_time_then_the_rhythm_continues() -> None:
    daily = reminder(at(2026, 5, 1), "daily", snoozed_until=at(2026, 5, 3, 9, 10))
    assert daily.occurrences(at(2026, 5, 3, 9, 5), limit=2) == [
        at(2026, 5, 3, 9, 10),
        at(2026, 5, 4),
    ]


def test_snooze_in_the_past_is_ignored() -> None:
    daily = reminder(at(2026, 5, 1), "daily", snoozed_until=at(2026, 5, 1, 9, 10))
    assert daily.occurrences(at(2026, 5, 3, 10, 0)) == [at(2026, 5, 4)]


def test_snoozed_one_off_reminder_comes_back_once() -> None:
    once = reminder(at(2026, 5, 1), snoozed_until=at(2026, 5, 1, 9, 15))
    assert once.occurrences(at(2026, 5, 1, 9, 1), limit=3) == [at(2026, 5, 1, 9, 15)]


def test_paused_or_deleted_reminder_is_never_due() -> None:
    assert reminder(at(2026, 5, 1), "daily", active=False).occurrences(at(2026, 4, 1)) == []
    assert reminder(at(2026, 5, 1), "daily", deleted=True).occurrences(at(2026, 4, 1)) == []


def test_daily_reminder_stays_at_local_time_across_summer_time() -> None:
    """Belgium moves to summer time on 29 March 2026: 09:00 stays 09:00 on the wall clock."""
    daily = reminder(datetime(2026, 3, 27, 9, 0, tzinfo=BRUSSELS), "daily")
    assert daily.time_zone == "Europe/Brussels"
    for stored in (daily, via_storage(daily)):
        found = stored.occurrences(at(2026, 3, 27, 12, 0), limit=3)
        local = [moment.astimezone(BRUSSELS) for moment in found]
        assert [(m.day, m.hour, m.minute) for m in local] == [(28, 9, 0), (29, 9, 0), (30, 9, 0)]


def test_time_zone_can_be_given_with_a_plain_offset() -> None:
    """What a client sends over JSON: an offset plus the zone name."""
    weekly = reminder(
        datetime.fromisoformat("2026-10-19T09:00:00+02:00"), "weekly", time_zone="Europe/Brussels"
    )
    found = weekly.occurrences(at(2026, 10, 18), limit=2)
    assert [moment.astimezone(BRUSSELS).hour for moment in found] == [9, 9]
    assert [moment.utcoffset() for moment in found] == [timedelta(hours=2), timedelta(hours=1)]


def test_without_a_zone_the_offset_is_kept_as_given() -> None:
    daily = reminder(datetime.fromisoformat("2026-03-27T09:00:00+01:00"), "daily")
    assert daily.time_zone is None
    assert daily.occurrences(at(2026, 3, 30), limit=1)[0].utcoffset() == timedelta(hours=1)


# --- care links -------------------------------------------------------------------------

START = at(2026, 1, 1)
END = at(2026, 12, 31)


def link(status: str = "active", ends_at: datetime | None = END) -> CareLink:
    return CareLink(
        id=new_id(),
        space_id=new_id(),
        person_id=new_id(),
        display_name="Sam",
        role="caregiver",
        status=status,
        starts_at=START,
        ends_at=ends_at,
    )


@pytest.mark.parametrize(
    ("moment", "active"),
    [
        (START - timedelta(microseconds=1), False),
        (START, True),
        (END - timedelta(microseconds=1), True),
        (END, False),
        (END + timedelta(days=1), False),
    ],
)
def test_care_link_is_active_only_inside_its_period(moment: datetime, active: bool) -> None:
    assert link().is_active(moment) is active


def test_open_ended_link_stays_active() -> None:
    assert link(ends_at=None).is_active(at(2099, 1, 1))


@pytest.mark.parametrize("status", ["invited", "ended", "revoked"])
def test_only_an_accepted_link_gives_access(status: str) -> None:
    assert not link(status).is_active(at(2026, 6, 1))


def test_link_end_compares_instants_not_wall_clocks() -> None:
    """23:30 in Brussels on 30 December is already past an end at 22:00 UTC."""
    ends = link(ends_at=at(2026, 12, 30, 22, 0))
    assert not ends.is_active(datetime(2026, 12, 30, 23, 30, tzinfo=BRUSSELS))
