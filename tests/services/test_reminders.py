"""Reminders (repeat, snooze, quiet hours, goal link, suggestions) and the reminder loop that
fires them, on a real store with a hand-moved clock; only the OS notification is faked."""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.core.errors import InvalidInput, NotFound
from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Recurrence, Reminder
from companion.notify import (
    FanOutNotifier,
    InAppNotifier,
    InAppScheduler,
    NotifyError,
    PlyerNotifier,
    RecordingNotifier,
)
from companion.store import ACCOUNT_KEY, Store
from companion.youth.account import Account
from companion.youth.goals.service import GoalsService
from companion.youth.network.links import LinksService
from companion.youth.reminders.scheduler import ReminderScheduler
from companion.youth.reminders.service import QuietHours, RemindersService, Snooze, parse_time
from companion_wire import new_id

BRUSSELS = ZoneInfo("Europe/Brussels")
CAREGIVER = new_id()


class HandClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def wall_ms(self) -> int:
        return int(self.current.timestamp() * 1000)

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> HandClock:
    return HandClock(datetime(2026, 3, 14, 10, 30, tzinfo=BRUSSELS))


@pytest.fixture
def store(tmp_path, clock):
    store = Store.open(
        tmp_path / "companion.db", key=os.urandom(32), clock=HybridClock("phone", clock.wall_ms)
    )
    yield store
    store.close()


@pytest.fixture
def account(store) -> Account:
    """The youth whose phone this store is (the store stamps what they write)."""
    account = Account(new_id(), new_id(), "Sam")
    store.meta.set(ACCOUNT_KEY, account.account_id)
    return account


@pytest.fixture
def reminders(store, account, clock) -> RemindersService:
    return RemindersService(store, account, clock, zone="Europe/Brussels")


@pytest.fixture
def goals(store, account, clock) -> GoalsService:
    return GoalsService(store, account, LinksService(store, clock))


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def scheduler(reminders, clock, notifier) -> ReminderScheduler:
    adapter = InAppScheduler(notifier, body=lambda at: f"om {at:%H:%M}")
    return ReminderScheduler(adapter, clock, lambda: reminders)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BRUSSELS)


# --- the reminders themselves -------------------------------------------------------------


def test_a_one_off_reminder_is_listed_with_its_next_time(reminders) -> None:
    made = reminders.create("Huur betalen", date(2026, 3, 15), time(9, 0))
    assert made.time_zone == "Europe/Brussels"
    [view] = reminders.list()
    assert (view.reminder.id, view.next_at, view.goal_title) == (made.id, at(15, 9), None)


def test_bad_reminder_input_is_refused_and_nothing_is_stored(reminders, store) -> None:
    with pytest.raises(InvalidInput) as past:
        reminders.create("Te laat", date(2026, 3, 14), time(10, 0))
    assert (past.value.code, past.value.field) == ("in_the_past", "first_due")
    with pytest.raises(InvalidInput) as empty:
        reminders.create("  ", date(2026, 3, 15), time(9, 0))
    assert empty.value.code == "empty"
    with pytest.raises(InvalidInput) as repeat:
        reminders.create("x", date(2026, 3, 15), time(9, 0), recurrence="hourly")
    assert (repeat.value.code, repeat.value.field) == ("invalid_choice", "recurrence")
    with pytest.raises(InvalidInput) as goal:
        reminders.create("x", date(2026, 3, 15), time(9, 0), goal_id=new_id())
    assert goal.value.field == "goal_id"
    with pytest.raises(InvalidInput):
        reminders.create("x", "15/03/2026", time(9, 0))  # type: ignore[arg-type]
    assert reminders.list() == []
    assert store.outbox.count() == 0


def test_a_repeating_reminder_in_the_past_is_fine_and_linked_to_a_goal(reminders, goals) -> None:
    goal = goals.create("Budget bijhouden", LifeDomain.MONEY)
    reminders.create(
        "Uitgaven noteren",
        date(2026, 3, 1),
        time(20, 0),
        recurrence=Recurrence.DAILY,
        goal_id=goal.id,
    )
    [view] = reminders.list()
    assert view.next_at == at(14, 20)
    assert view.goal_title == "Budget bijhouden"


def test_daily_reminders_keep_their_local_time_across_daylight_saving(reminders, clock) -> None:
    made = reminders.create("Pil", date(2026, 3, 27), time(9, 0), recurrence="daily")
    clock.set(at(28, 10))  # the night of 28 to 29 March the clocks go forward
    view = reminders.list()[0]
    assert view.next_at == at(29, 9)
    assert view.next_at.utcoffset() == timedelta(hours=2)
    monthly = reminders.create("Huur", date(2026, 1, 31), time(8, 30), recurrence="monthly")
    nxt = reminders.next_fire(monthly, at(28, 10))
    assert nxt == at(31, 8, 30)
    assert reminders.get(made.id).recurrence is Recurrence.DAILY


def test_quiet_hours_hold_a_reminder_until_they_end(reminders) -> None:
    assert reminders.quiet_hours() == QuietHours(time(22, 0), time(8, 0))
    late = reminders.create("Afwas", date(2026, 3, 14), time(23, 15), recurrence="daily")
    assert reminders.list()[0].next_at == at(15, 8)

    reminders.set_quiet_hours(time(23, 30), time(7, 0))
    assert reminders.list()[0].next_at == at(14, 23, 15)
    reminders.set_quiet_hours(time(0, 0), time(0, 0))  # turned off
    assert not reminders.quiet_hours().enabled
    assert reminders.next_fire(late, at(14, 23, 20)) == at(15, 23, 15)
    with pytest.raises(InvalidInput):
        reminders.set_quiet_hours("22:00", time(8, 0))  # type: ignore[arg-type]


def test_quiet_hours_inside_one_day_and_unreadable_settings() -> None:
    lunch = QuietHours(time(12, 0), time(13, 30))
    assert lunch.release(at(14, 12, 15)) == at(14, 13, 30)
    assert lunch.release(at(14, 13, 30)) == at(14, 13, 30)
    assert QuietHours.from_json("{not json") == QuietHours()
    assert QuietHours.from_json('{"start": "25:00", "end": "08:00"}') == QuietHours()


def test_times_are_read_as_people_write_them() -> None:
    assert parse_time("9:00") == time(9, 0)
    assert parse_time(" 09.30 ") == time(9, 30)
    assert parse_time("21u15") == time(21, 15)
    for bad in ("24:00", "9", "nine", "", "12:60"):
        with pytest.raises(InvalidInput) as error:
            parse_time(bad)
        assert error.value.code == "invalid_time"


def test_only_a_due_reminder_can_be_snoozed_and_a_snooze_puts_it_off(reminders, clock) -> None:
    made = reminders.create("Bellen", date(2026, 3, 14), time(11, 0))
    assert reminders.list()[0].due_at is None
    with pytest.raises(InvalidInput) as refused:  # 10:30: not due yet, nothing to put off
        reminders.snooze(made.id, Snooze.HOUR)
    assert refused.value.code == "not_due"
    clock.set(at(14, 11, 5))  # it notified at 11:00
    assert reminders.list()[0].due_at == at(14, 11)
    hour = reminders.snooze(made.id, Snooze.HOUR)
    assert hour.snoozed_until == at(14, 12, 5)
    [view] = reminders.list()
    assert (view.next_at, view.due_at) == (at(14, 12, 5), None)  # put off: no longer due
    with pytest.raises(InvalidInput):
        reminders.snooze(made.id, Snooze.HOUR)
    clock.set(at(14, 12, 10))  # it notified again: due again, and tomorrow is 09:00
    reminders.snooze(made.id, "tomorrow")
    assert reminders.list()[0].next_at == at(15, 9)
    with pytest.raises(InvalidInput):
        reminders.snooze(made.id, "forever")
    edited = reminders.edit(
        made.id,
        title="Bellen",
        day=date(2026, 3, 16),
        at=time(10, 0),
        recurrence="none",
        goal_id=None,
    )
    assert edited.snoozed_until is None


def test_a_daily_reminder_planned_for_tomorrow_is_not_snoozed_into_today(reminders, clock) -> None:
    """Issue 15: a daily 08:30 made after today's 08:30 was put off "an hour" to today."""
    clock.set(at(14, 9, 45))
    made = reminders.create("Pil nemen", date(2026, 3, 15), time(8, 30), recurrence="daily")
    assert reminders.list()[0].next_at == at(15, 8, 30)
    with pytest.raises(InvalidInput):
        reminders.snooze(made.id, Snooze.HOUR)
    assert reminders.list()[0].next_at == at(15, 8, 30)  # unchanged, not today 10:45


def test_a_snooze_never_comes_before_the_next_planned_time(reminders, clock) -> None:
    """A daily 10:00 put off "to tomorrow" comes tomorrow at 10:00, not at 09:00 and then
    again at 10:00; a daily 08:30 put off to tomorrow comes at 09:00 (later, not earlier)."""
    late = reminders.create("Post lezen", date(2026, 3, 14), time(11, 0), recurrence="daily")
    early = reminders.create("Pil nemen", date(2026, 3, 15), time(8, 30), recurrence="daily")
    clock.set(at(14, 11, 1))
    assert reminders.snooze(late.id, Snooze.TOMORROW).snoozed_until == at(15, 11)
    views = {view.reminder.id: view for view in reminders.list()}
    assert views[late.id].next_at == at(15, 11)
    assert reminders.next_fire(reminders.get(late.id), at(15, 11)) == at(16, 11)  # once
    clock.set(at(15, 8, 31))
    assert reminders.snooze(early.id, Snooze.TOMORROW).snoozed_until == at(16, 9)
    assert reminders.next_fire(reminders.get(early.id), at(15, 8, 31)) == at(16, 9)


def test_paused_reminders_never_notify_and_sort_last(reminders) -> None:
    first = reminders.create("A", date(2026, 3, 15), time(9, 0))
    reminders.create("B", date(2026, 3, 20), time(9, 0))
    reminders.set_active(first.id, False)
    assert [(v.reminder.title, v.next_at) for v in reminders.list()] == [
        ("B", at(20, 9)),
        ("A", None),
    ]
    reminders.delete(first.id)
    assert [v.reminder.title for v in reminders.list()] == ["B"]
    with pytest.raises(NotFound):
        reminders.get(first.id)


def caregiver_reminder(store: Store, account: Account, clock: HandClock) -> Reminder:
    reminder = Reminder(
        space_id=account.space_id,
        author_id=CAREGIVER,
        updated_hlc=HybridClock("caregiver", clock.wall_ms).now(),
        title="Afspraak OCMW",
        first_due=at(20, 14),
        recurrence=Recurrence.NONE,
        suggested_by=CAREGIVER,
    )
    store.apply_remote(reminder, 3)
    return reminder


def test_a_caregivers_reminder_is_a_suggestion_until_accepted(
    reminders, store, account, clock
) -> None:
    suggestion = caregiver_reminder(store, account, clock)
    assert reminders.list() == []
    assert [r.id for r in reminders.suggestions()] == [suggestion.id]
    mine = reminders.accept(suggestion.id)
    assert (mine.author_id, mine.suggested_by, mine.first_due) == (
        account.account_id,
        CAREGIVER,
        at(20, 14),
    )
    assert store.reminders.get(suggestion.id).deleted
    assert [v.reminder.id for v in reminders.list()] == [mine.id]
    with pytest.raises(NotFound):
        reminders.decline(mine.id)  # your own reminder is not a suggestion


def test_declining_a_suggested_reminder_deletes_it(reminders, store, account, clock) -> None:
    suggestion = caregiver_reminder(store, account, clock)
    reminders.decline(suggestion.id)
    assert store.reminders.get(suggestion.id).deleted
    assert reminders.suggestions() == []


# --- the reminder loop --------------------------------------------------------------------


def test_a_due_reminder_fires_once(reminders, scheduler, notifier, clock) -> None:
    reminders.create("Huur betalen", date(2026, 3, 14), time(11, 0))
    assert scheduler.tick() == []
    clock.set(at(14, 10, 59))
    assert scheduler.tick() == []
    clock.set(at(14, 11, 1))
    [fired] = scheduler.tick()
    assert fired.title == "Huur betalen"
    assert notifier.shown == [("Huur betalen", "om 11:00")]
    clock.advance(minutes=5)
    assert scheduler.tick() == []
    assert len(notifier.shown) == 1


def test_a_daily_reminder_fires_every_day_and_missed_days_fire_once(
    reminders, scheduler, notifier, clock
) -> None:
    reminders.create("Pil", date(2026, 3, 14), time(12, 0), recurrence="daily")
    scheduler.tick()  # the app is running
    clock.set(at(14, 12, 1))
    scheduler.tick()
    clock.set(at(15, 12, 1))
    scheduler.tick()
    assert [title for title, _ in notifier.shown] == ["Pil", "Pil"]
    clock.set(at(19, 18, 0))  # the app was closed for four days
    scheduler.tick()
    scheduler.tick()
    assert len(notifier.shown) == 3
    assert scheduler.plan()[reminders.list()[0].reminder.id][0] == at(20, 12)


def test_quiet_hours_delay_the_notification_to_their_end(
    reminders, scheduler, notifier, clock
) -> None:
    reminders.create("Afwas", date(2026, 3, 14), time(23, 0))
    scheduler.tick()
    clock.set(at(14, 23, 1))
    assert scheduler.tick() == []
    clock.set(at(15, 7, 59))
    assert scheduler.tick() == []
    clock.set(at(15, 8, 0))
    assert [d.title for d in scheduler.tick()] == ["Afwas"]
    assert notifier.shown == [("Afwas", "om 08:00")]


def test_a_restart_does_not_repeat_a_delivery(reminders, notifier, clock) -> None:
    reminders.create("Huur", date(2026, 3, 14), time(11, 0))

    def new_scheduler() -> ReminderScheduler:
        adapter = InAppScheduler(notifier, body=lambda moment: "")
        return ReminderScheduler(adapter, clock, lambda: reminders)

    assert new_scheduler().tick() == []
    clock.set(at(14, 11, 1))
    assert len(new_scheduler().tick()) == 1
    assert new_scheduler().tick() == []
    assert len(notifier.shown) == 1


def test_reminders_from_before_this_devices_first_run_never_fire(
    store, account, reminders, scheduler, clock, notifier
) -> None:
    # a daily reminder written long ago on the youth's old phone, arriving by sync
    old_clock = HybridClock("oldphone", lambda: int(at(1, 8).timestamp() * 1000))
    old = Reminder(
        space_id=account.space_id,
        author_id=account.account_id,
        updated_hlc=old_clock.now(),
        created_at=at(1, 8),
        title="Pil",
        first_due=at(1, 9),
        recurrence=Recurrence.DAILY,
    )
    store.apply_remote(old, 7)
    clock.set(at(20, 9, 30))  # this device's first run: today's 09:00 is already past
    assert scheduler.tick() == []
    assert notifier.shown == []
    assert scheduler.plan()[old.id][0] == at(21, 9)


def test_editing_or_resuming_never_fires_a_time_already_past(
    reminders, scheduler, notifier, clock
) -> None:
    made = reminders.create("Bellen", date(2026, 3, 14), time(12, 0), recurrence="daily")
    scheduler.tick()
    clock.set(at(14, 11, 0))
    reminders.edit(
        made.id,
        title="Bellen",
        day=date(2026, 3, 14),
        at=time(10, 45),
        recurrence="daily",
        goal_id=None,
    )
    assert scheduler.tick() == []
    assert scheduler.plan()[made.id][0] == at(15, 10, 45)
    reminders.set_active(made.id, False)
    clock.set(at(17, 12, 0))
    assert scheduler.tick() == []
    reminders.set_active(made.id, True)
    assert scheduler.tick() == []
    assert notifier.shown == []
    assert scheduler.plan()[made.id][0] == at(18, 10, 45)


def test_deleting_or_pausing_cancels_the_plan(reminders, scheduler, clock, notifier) -> None:
    a = reminders.create("A", date(2026, 3, 14), time(11, 0))
    b = reminders.create("B", date(2026, 3, 14), time(11, 0))
    assert set(scheduler.refresh()) == {a.id, b.id}
    scheduler.tick()
    reminders.delete(a.id)
    reminders.set_active(b.id, False)
    clock.set(at(14, 11, 5))
    assert scheduler.tick() == []
    assert notifier.shown == []


def test_no_open_account_means_nothing_is_planned(reminders, clock, notifier) -> None:
    current = {"service": reminders}
    adapter = InAppScheduler(notifier, body=lambda moment: "")
    scheduler = ReminderScheduler(adapter, clock, lambda: current["service"])
    reminders.create("A", date(2026, 3, 14), time(11, 0))
    scheduler.refresh()
    assert len(adapter.planned()) == 1
    current["service"] = None  # the account was deleted or closed
    scheduler.refresh()
    assert adapter.planned() == {}


def test_a_notification_nobody_could_show_is_retried(reminders, clock) -> None:
    screen = InAppNotifier()
    scheduler = ReminderScheduler(
        InAppScheduler(screen, body=lambda moment: "nu"), clock, lambda: reminders
    )
    reminders.create("Bellen", date(2026, 3, 14), time(11, 0))
    scheduler.tick()
    clock.set(at(14, 11, 1))
    assert scheduler.tick() == []  # no screen open: nothing delivered, nothing lost
    seen: list[tuple[str, str]] = []
    unsubscribe = screen.subscribe(lambda title, body: seen.append((title, body)))
    clock.advance(seconds=30)
    assert [d.title for d in scheduler.tick()] == ["Bellen"]
    assert seen == [("Bellen", "nu")]
    unsubscribe()
    with pytest.raises(NotifyError):
        screen.notify("x", "y")


async def test_the_loop_checks_every_interval_without_real_waiting(
    reminders, scheduler, notifier, clock
) -> None:
    reminders.create("Huur", date(2026, 3, 14), time(10, 31))
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds=seconds)
        if len(waits) % 4 == 0:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await scheduler.run(interval=30, sleep=fake_sleep)
    assert waits == [30, 30, 30, 30]
    assert notifier.shown == [("Huur", "om 10:31")]
    # a second loop can start once the first one ended
    with pytest.raises(asyncio.CancelledError):
        await scheduler.run(interval=30, sleep=fake_sleep)


async def test_only_one_loop_runs_at_a_time(scheduler) -> None:
    started = asyncio.Event()

    async def hold(_seconds: float) -> None:
        started.set()
        await asyncio.Event().wait()

    first = asyncio.ensure_future(scheduler.run(sleep=hold))
    await started.wait()
    await asyncio.wait_for(scheduler.run(sleep=hold), timeout=1)  # returns at once
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first


# --- notifier adapters --------------------------------------------------------------------


class Broken:
    def notify(self, title: str, body: str) -> None:
        raise NotifyError("no service")


def test_one_broken_channel_does_not_silence_the_others() -> None:
    recorder = RecordingNotifier()
    FanOutNotifier([Broken(), recorder]).notify("Huur", "nu")
    assert recorder.shown == [("Huur", "nu")]
    with pytest.raises(NotifyError):
        FanOutNotifier([Broken()]).notify("Huur", "nu")


@pytest.mark.filterwarnings("ignore::UserWarning")  # plyer warns about each backend it probes
def test_plyer_notifier_passes_the_text_and_reports_a_missing_service(monkeypatch) -> None:
    pytest.importorskip("plyer", reason="desktop notifications (phones have the OS's)")
    from plyer import notification

    shown: list[dict] = []
    monkeypatch.setattr(notification, "notify", lambda **kwargs: shown.append(kwargs))
    PlyerNotifier().notify("Huur", "om 09:00")
    assert shown[0]["title"] == "Huur" and shown[0]["message"] == "om 09:00"
    assert shown[0]["app_name"] == "Companion"

    def unavailable(**_kwargs) -> None:
        raise NotImplementedError("No usable implementation found!")

    monkeypatch.setattr(notification, "notify", unavailable)
    with pytest.raises(NotifyError):
        PlyerNotifier().notify("Huur", "om 09:00")


def test_the_in_app_scheduler_needs_aware_times(notifier) -> None:
    adapter = InAppScheduler(notifier, body=lambda moment: "")
    with pytest.raises(ValueError):
        adapter.schedule(new_id(), datetime(2026, 3, 14, 9, 0), "naive")
    adapter.schedule("r1", at(14, 9), "A")
    adapter.cancel("r1")
    adapter.cancel("unknown")
    assert adapter.fire_due(at(20, 9)) == []


# --- the Today summary --------------------------------------------------------------------


def test_today_shows_when_reminders_really_ring_and_not_unaccepted_suggestions(
    reminders, store, account, clock
) -> None:
    from companion.youth.today.service import TodayService

    today = TodayService(store, account, clock, reminders)
    caregiver_reminder(store, account, clock)  # a suggestion: not the youth's until accepted
    late = reminders.create("Medicatie", date(2026, 3, 14), time(23, 15))  # in quiet hours
    early = reminders.create("Bus", date(2026, 3, 14), time(18, 0))
    upcoming = today.next_reminders()
    assert [(item.reminder_id, item.due) for item in upcoming] == [
        (early.id, at(14, 18)),
        (late.id, at(15, 8)),  # held until quiet hours end at 08:00
    ]
