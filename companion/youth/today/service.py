"""What the Today screen summarises: the next reminders and how far each goal has got."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from companion.domain.models import Goal, GoalStatus, StepStatus
from companion.store import Store
from companion.youth.account import Account
from companion.youth.reminders.service import RemindersService

SCAN_LIMIT = 500


@dataclass(frozen=True)
class UpcomingReminder:
    reminder_id: str
    title: str
    due: datetime


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


class TodayService:
    def __init__(
        self,
        store: Store,
        account: Account,
        now: Callable[[], datetime],
        reminders: RemindersService,
    ) -> None:
        self._store = store
        self._account = account
        self._now = now
        self._reminders = reminders

    def next_reminders(self, count: int = 3) -> list[UpcomingReminder]:
        """When each of the youth's own reminders next notifies, soonest first, at most `count`.

        One line per reminder, so a daily reminder does not crowd out the rest. Quiet hours
        apply (a 23:00 reminder shows at the end of quiet hours, when it will really ring),
        and a caregiver's suggestion only appears once the youth has accepted it.
        """
        now = self._now()
        quiet = self._reminders.quiet_hours()
        upcoming: list[UpcomingReminder] = []
        for reminder in self._reminders.own():
            due = self._reminders.next_fire(reminder, now, quiet)
            if due is not None:
                upcoming.append(UpcomingReminder(reminder.id, reminder.title, due))
        upcoming.sort(key=lambda item: item.due)
        return upcoming[:count]

    def goal_progress(self) -> list[GoalProgress]:
        """Active goals with their done/total step counts (declined steps do not count)."""
        progress = []
        goals = self._store.goals.list(
            space_id=self._account.space_id, status=GoalStatus.ACTIVE.value, limit=SCAN_LIMIT
        )
        for goal in goals:
            steps = [
                step
                for step in self._store.steps.list(goal_id=goal.id, limit=SCAN_LIMIT)
                if step.status in (StepStatus.OPEN, StepStatus.DONE)
            ]
            done = sum(1 for step in steps if step.status is StepStatus.DONE)
            progress.append(GoalProgress(goal, done, len(steps)))
        return progress
