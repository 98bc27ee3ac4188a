"""Reminders: one-off or repeating, optionally tied to a goal, with snooze and quiet hours.

Times are wall-clock times in the device's IANA zone, so a daily 09:00 stays 09:00 across
daylight-saving changes. Quiet hours (default 22:00-08:00, right to disconnect) never drop
a reminder: one due inside them fires when they end. A reminder a caregiver wrote is a
suggestion until the youth accepts it (making their own copy) and never fires before that.
"""

from __future__ import annotations

import builtins
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from companion.core.dates import parse_time
from companion.core.errors import InvalidInput, NotFound
from companion.core.validation import user_input
from companion.domain.models import GoalStatus, Recurrence, Reminder
from companion.store import Store
from companion.youth.account import Account

QUIET_HOURS_KEY = "quiet_hours"
DELIVERIES_KEY = "reminder_deliveries"
HANDED_KEY = "reminders_handed_to_os"  # phones: what the OS was asked to show, and when
DEFAULT_ZONE = "Europe/Brussels"  # the app is made for Flanders
SNOOZE_MORNING = time(9, 0)
# a quiet window is shorter than a day, so looking back one day finds any held-back occurrence
_LOOKBACK = timedelta(days=1)
_SCAN = 8
# a reminder that notified less than this long ago is due: it can be put off (snoozed)
DUE_FOR = timedelta(hours=12)


def local_zone_name(env: dict[str, str] | None = None) -> str:
    """The device's IANA zone: $TZ, else /etc/localtime's target, else Europe/Brussels."""
    env = dict(os.environ) if env is None else env
    candidates = [env.get("TZ", "").lstrip(":")]
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return DEFAULT_ZONE


def format_time(value: time | datetime) -> str:
    return value.strftime("%H:%M")


@dataclass(frozen=True)
class QuietHours:
    """A daily window without notifications; start == end means none."""

    start: time = time(22, 0)
    end: time = time(8, 0)

    @property
    def enabled(self) -> bool:
        return self.start != self.end

    def contains(self, moment: datetime) -> bool:
        """Is `moment` (read in its own zone) inside the window?"""
        if not self.enabled:
            return False
        now = moment.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def release(self, moment: datetime) -> datetime:
        """When a notification due at `moment` may be shown: at once, or when quiet ends."""
        if not self.contains(moment):
            return moment
        end = datetime.combine(moment.date(), self.end, moment.tzinfo)
        return end if end > moment else end + timedelta(days=1)

    def hold(self, moment: datetime) -> datetime:
        """The last minute before the quiet window `moment` falls in (or `moment` itself):
        for what must ring before a moment rather than after the window."""
        if not self.contains(moment):
            return moment
        start = datetime.combine(moment.date(), self.start, moment.tzinfo)
        if start > moment:
            start -= timedelta(days=1)
        return start - timedelta(minutes=1)

    def to_json(self) -> str:
        return json.dumps({"start": format_time(self.start), "end": format_time(self.end)})

    @classmethod
    def from_json(cls, raw: str | None) -> QuietHours:
        """The stored setting; anything unreadable falls back to the default window."""
        try:
            data = json.loads(raw or "")
            return cls(parse_time(data["start"]), parse_time(data["end"]))
        except (ValueError, KeyError, TypeError, InvalidInput):
            return cls()


class Snooze(StrEnum):
    HOUR = "hour"  # one hour from now
    TOMORROW = "tomorrow"  # tomorrow at 09:00


@dataclass(frozen=True)
class Deliveries:
    """What this device already notified: nothing before `since` (its first run) fires, and
    a reminder notifies only for times after it was made and after its last delivery
    (editing or resuming a reminder counts as delivered up to then)."""

    since: datetime
    last: dict[str, datetime]

    def bound(self, reminder: Reminder) -> datetime:
        """Notify only for times strictly after this moment."""
        moments = [self.since, reminder.created_at]
        if reminder.id in self.last:
            moments.append(self.last[reminder.id])
        return max(moments)

    def to_json(self) -> str:
        last = {rid: at.isoformat() for rid, at in self.last.items()}
        return json.dumps({"since": self.since.isoformat(), "last": last})

    @classmethod
    def from_json(cls, raw: str | None) -> Deliveries | None:
        try:
            data = json.loads(raw or "")
            since = datetime.fromisoformat(data["since"])
            last = {rid: datetime.fromisoformat(at) for rid, at in data["last"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if any(moment.tzinfo is None for moment in [since, *last.values()]):
            return None
        return cls(since, last)


@dataclass(frozen=True)
class ReminderView:
    reminder: Reminder
    next_at: datetime | None  # when it will notify next (quiet hours applied); None: never
    goal_title: str | None
    due_at: datetime | None = None  # it notified at this time and may be snoozed; else None


class RemindersService:
    def __init__(
        self,
        store: Store,
        account: Account,
        now: Callable[[], datetime],
        *,
        zone: str | None = None,
    ) -> None:
        self._store = store
        self._account = account
        self._now = now
        if zone is not None:
            self.zone = ZoneInfo(zone)
        else:  # the clock's own named zone if it has one, else the device's
            current = now().tzinfo
            self.zone = current if isinstance(current, ZoneInfo) else ZoneInfo(local_zone_name())

    # --- reading -------------------------------------------------------------------------

    def list(self) -> list[ReminderView]:
        """The youth's own reminders: the next to notify first, then paused or finished ones."""
        now = self._local_now()
        quiet = self.quiet_hours()
        goals = self._goal_titles()
        views = [
            ReminderView(
                r,
                self.next_fire(r, now, quiet),
                goals.get(r.goal_id or ""),
                due_at=self.due(r, now, quiet),
            )
            for r in self.own()
        ]
        far = datetime.max.replace(tzinfo=self.zone)
        views.sort(key=lambda v: (v.next_at is None, v.next_at or far, v.reminder.title))
        return views

    def own(self) -> builtins.list[Reminder]:
        """Reminders the youth wrote (the ones that may notify)."""
        return [
            r
            for r in self._store.reminders.every(space_id=self._account.space_id)
            if r.author_id == self._account.account_id
        ]

    def get(self, reminder_id: str) -> Reminder:
        reminder = self._store.reminders.get(reminder_id)
        if reminder is None or reminder.deleted or reminder.author_id != self._account.account_id:
            raise NotFound(reminder_id)
        return reminder

    def next_fire(
        self, reminder: Reminder, after: datetime, quiet: QuietHours | None = None
    ) -> datetime | None:
        """The first time strictly after `after` this reminder notifies, quiet hours applied."""
        quiet = quiet or self.quiet_hours()
        for due in reminder.occurrences(after - _LOOKBACK, limit=_SCAN):
            fire = quiet.release(due.astimezone(self.zone))
            if fire > after:
                return fire
        later = reminder.occurrences(after, limit=1)
        return quiet.release(later[0].astimezone(self.zone)) if later else None

    # --- writing -------------------------------------------------------------------------

    def create(
        self,
        title: str,
        day: date,
        at: time,
        *,
        recurrence: Recurrence | str = Recurrence.NONE,
        goal_id: str | None = None,
    ) -> Reminder:
        first_due = self._due(day, at)
        self._check_future(first_due, recurrence)
        with user_input():
            return self._store.reminders.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                title=title,
                first_due=first_due,
                recurrence=recurrence,
                goal_id=self._goal(goal_id),
            )

    def edit(
        self,
        reminder_id: str,
        *,
        title: str,
        day: date,
        at: time,
        recurrence: Recurrence | str,
        goal_id: str | None,
    ) -> Reminder:
        """Change what and when; a new time clears an old snooze."""
        reminder = self.get(reminder_id)
        first_due = self._due(day, at)
        self._check_future(first_due, recurrence)
        with user_input():
            stored = self._store.reminders.change(
                reminder,
                title=title,
                first_due=first_due,
                time_zone=self.zone.key,
                recurrence=recurrence,
                goal_id=self._goal(goal_id),
                snoozed_until=None,
            )
        self.record_deliveries([reminder_id], self._now())  # a time already past stays quiet
        return stored

    def set_active(self, reminder_id: str, active: bool) -> Reminder:
        """Pause or resume without losing the reminder."""
        reminder = self.get(reminder_id)
        stored = self._store.reminders.change(reminder, active=active)
        if active:  # what fell due while paused stays quiet
            self.record_deliveries([reminder_id], self._now())
        return stored

    def delete(self, reminder_id: str) -> None:
        self.get(reminder_id)
        self._store.reminders.delete(reminder_id)

    def due(
        self, reminder: Reminder, now: datetime, quiet: QuietHours | None = None
    ) -> datetime | None:
        """When this reminder notified, if that was less than `DUE_FOR` ago and it was not
        put off since (a snooze replaces the time it defers); None when it is not due."""
        quiet = quiet or self.quiet_hours()
        since = now - DUE_FOR
        fired = [
            fire
            for due in reminder.occurrences(since - _LOOKBACK, limit=_SCAN)
            if since < (fire := quiet.release(due.astimezone(self.zone))) <= now
        ]
        return max(fired, default=None)

    def snooze(self, reminder_id: str, choice: Snooze | str) -> Reminder:
        """Put off a due reminder by an hour or to tomorrow morning. Only a reminder that
        notified can be put off, and never to before its next planned time on that day:
        a daily 10:00 put off "to tomorrow" comes at 10:00, not at 09:00 and again at 10:00."""
        try:
            choice = Snooze(choice)
        except ValueError:
            raise InvalidInput("invalid_choice", field="snooze") from None
        reminder = self.get(reminder_id)
        now = self._local_now()
        if self.due(reminder, now) is None:
            raise InvalidInput("not_due", field="snooze")
        if choice is Snooze.HOUR:
            until = now + timedelta(hours=1)
        else:
            until = datetime.combine(now.date() + timedelta(days=1), SNOOZE_MORNING, self.zone)
        planned = reminder.model_copy(update={"snoozed_until": None}).occurrences(now, limit=1)
        if planned:
            upcoming = planned[0].astimezone(self.zone)
            if upcoming > until and upcoming.date() == until.date():
                until = upcoming
        return self._store.reminders.change(reminder, snoozed_until=until, active=True)

    # --- quiet hours ---------------------------------------------------------------------

    def quiet_hours(self) -> QuietHours:
        return QuietHours.from_json(self._store.meta.get(QUIET_HOURS_KEY))

    def set_quiet_hours(self, start: time, end: time) -> QuietHours:
        """Save the window (start == end turns quiet hours off)."""
        if not isinstance(start, time) or not isinstance(end, time):
            raise InvalidInput("invalid_time", field="quiet_hours")
        quiet = QuietHours(
            start.replace(second=0, microsecond=0, tzinfo=None),
            end.replace(second=0, microsecond=0, tzinfo=None),
        )
        self._store.meta.set(QUIET_HOURS_KEY, quiet.to_json())
        return quiet

    # --- what this device already notified ---------------------------------------------

    def deliveries(self) -> Deliveries:
        """The delivery record, started now on first use (older reminders never fire)."""
        found = Deliveries.from_json(self._store.meta.get(DELIVERIES_KEY))
        if found is None:
            found = Deliveries(self._now(), {})
            self._store.meta.set(DELIVERIES_KEY, found.to_json())
        return found

    def record_deliveries(self, reminder_ids: Iterable[str], at: datetime) -> Deliveries:
        """Remember these reminders notified at `at` (forgetting deleted reminders)."""
        current = self.deliveries()
        own = {r.id for r in self.own()}
        last = {rid: moment for rid, moment in current.last.items() if rid in own}
        last.update({rid: at for rid in reminder_ids if rid in own})
        updated = Deliveries(current.since, last)
        self._store.meta.set(DELIVERIES_KEY, updated.to_json())
        return updated

    def handed_to_os(self) -> builtins.list[tuple[str, datetime]]:
        """(reminder id, time) of every notification last handed to the phone's OS."""
        try:
            raw = json.loads(self._store.meta.get(HANDED_KEY) or "[]")
            return [(str(rid), datetime.fromisoformat(at)) for rid, at in raw]
        except (ValueError, TypeError):
            return []  # unreadable: nothing counts as shown, so nothing is lost

    def remember_handed(self, plan: Iterable[tuple[str, datetime]]) -> None:
        """Keep what the OS now holds, so the next start knows what it has shown since."""
        entries = [[rid, at.isoformat()] for rid, at in plan]
        self._store.meta.set(HANDED_KEY, json.dumps(entries))

    # --- suggestions from a caregiver ---------------------------------------------------

    def suggestions(self) -> builtins.list[Reminder]:
        """Reminders someone else wrote in the youth's space, waiting for a yes or no."""
        return [
            r
            for r in self._store.reminders.every(space_id=self._account.space_id)
            if r.author_id != self._account.account_id
        ]

    def accept(self, suggestion_id: str) -> Reminder:
        """The youth's own copy (keeping who suggested it) replaces the suggestion."""
        suggestion = self._suggestion(suggestion_id)
        goal_id = suggestion.goal_id if suggestion.goal_id in self._goal_titles() else None
        with self._store.transaction():
            stored = self._store.reminders.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                title=suggestion.title,
                first_due=suggestion.first_due,
                time_zone=suggestion.time_zone,
                recurrence=suggestion.recurrence,
                goal_id=goal_id,
                suggested_by=suggestion.suggested_by or suggestion.author_id,
            )
            self._store.reminders.delete(suggestion_id)
        return stored

    def decline(self, suggestion_id: str) -> None:
        self._suggestion(suggestion_id)
        self._store.reminders.delete(suggestion_id)

    # --- helpers ------------------------------------------------------------------------

    def _local_now(self) -> datetime:
        return self._now().astimezone(self.zone)

    def _due(self, day: date, at: time) -> datetime:
        if not isinstance(day, date) or isinstance(day, datetime):
            raise InvalidInput("invalid_date", field="first_due")
        if not isinstance(at, time):
            raise InvalidInput("invalid_time", field="first_due")
        return datetime.combine(day, at.replace(tzinfo=None), self.zone)

    def _check_future(self, first_due: datetime, recurrence: Recurrence | str) -> None:
        """A one-off reminder in the past would never notify: say so instead of storing it."""
        if recurrence == Recurrence.NONE and first_due <= self._now():
            raise InvalidInput("in_the_past", field="first_due")

    def _goal(self, goal_id: str | None) -> str | None:
        if goal_id is None or goal_id == "":
            return None
        if goal_id not in self._goal_titles():
            raise InvalidInput("invalid_choice", field="goal_id")
        return goal_id

    def _goal_titles(self) -> dict[str, str]:
        return {
            goal.id: goal.title
            for goal in self._store.goals.every(space_id=self._account.space_id)
            if goal.status in (GoalStatus.ACTIVE, GoalStatus.DONE)
        }

    def _suggestion(self, reminder_id: str) -> Reminder:
        reminder = self._store.reminders.get(reminder_id)
        if reminder is None or reminder.deleted or reminder.author_id == self._account.account_id:
            raise NotFound(reminder_id)
        return reminder
