"""Suggesting a goal, a step or a reminder in a youth's space.

A suggestion is a record the caregiver writes in the youth's space with status `suggested`
(goals, steps) and `suggested_by` set. The youth always reads everything in their space;
accepting makes the youth's own copy and deletes the suggestion, declining only deletes it.
Until then the caregiver may withdraw it (authors may delete their records).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from companion.caregiver.caseload.directory import CaseloadDirectory, LinkedYouth
from companion.caregiver.profile import Professional
from companion.caregiver.youth.service import YOUTH_GOAL_STATUSES
from companion.core.errors import InvalidInput, NotAllowed, NotFound
from companion.core.validation import user_input
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Goal, GoalStatus, GoalStep, Recurrence, Reminder, StepStatus
from companion.store import Store

MAX_STEPS = 20


class SuggestionService:
    def __init__(
        self,
        store: Store,
        me: Professional,
        directory: CaseloadDirectory,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._me = me
        self._directory = directory
        self._now = now

    def suggest_goal(
        self,
        space_id: str,
        title: str,
        domain: LifeDomain | str,
        *,
        why: str = "",
        target_date: date | None = None,
        steps: Iterable[str] = (),
    ) -> Goal:
        """A whole goal with the first steps to take; the youth accepts or declines it."""
        youth = self._youth(space_id)
        titles = [text.strip() for text in steps if text.strip()]
        if len(titles) > MAX_STEPS:
            raise InvalidInput("too_many", field="steps", max_length=MAX_STEPS)
        with user_input(), self._store.transaction():
            stored = self._store.goals.add(
                **self._envelope(youth),
                title=title,
                domain=domain,
                why=why,
                target_date=target_date,
                status=GoalStatus.SUGGESTED,
                suggested_by=self._me.account_id,
            )
            self._store.steps.add_many(
                {
                    **self._envelope(youth),
                    "goal_id": stored.id,
                    "title": text,
                    "position": position,
                    "status": StepStatus.SUGGESTED,
                    "suggested_by": self._me.account_id,
                }
                for position, text in enumerate(titles)
            )
        return stored

    def suggest_step(self, space_id: str, goal_id: str, title: str) -> GoalStep:
        """A next step for a goal the youth shared with me."""
        youth = self._youth(space_id)
        goal = self._store.goals.get(goal_id)
        if (
            goal is None
            or goal.deleted
            or goal.space_id != space_id
            or goal.author_id != youth.youth_id
            or goal.status not in YOUTH_GOAL_STATUSES
        ):
            raise NotFound(goal_id)
        existing = list(self._store.steps.every(goal_id=goal_id))
        with user_input():
            return self._store.steps.add(
                **self._envelope(youth),
                goal_id=goal_id,
                title=title,
                position=max((s.position for s in existing), default=-1) + 1,
                status=StepStatus.SUGGESTED,
                suggested_by=self._me.account_id,
            )

    def suggest_reminder(
        self,
        space_id: str,
        title: str,
        first_due: datetime,
        *,
        recurrence: Recurrence | str = Recurrence.NONE,
        goal_id: str | None = None,
    ) -> Reminder:
        """A reminder in the youth's own time zone; it never fires before they accept it."""
        youth = self._youth(space_id)
        if goal_id is not None:
            goal = self._store.goals.get(goal_id)
            if goal is None or goal.deleted or goal.space_id != space_id:
                raise NotFound(goal_id)
        with user_input():
            return self._store.reminders.add(
                **self._envelope(youth),
                title=title,
                first_due=first_due,
                recurrence=recurrence,
                goal_id=goal_id,
                suggested_by=self._me.account_id,
            )

    def withdraw(self, record_id: str) -> None:
        """Take back a suggestion the youth has not answered yet."""
        for repository, is_open in (
            (self._store.goals, lambda r: r.status is GoalStatus.SUGGESTED),
            (self._store.steps, lambda r: r.status is StepStatus.SUGGESTED),
            (self._store.reminders, lambda r: True),
        ):
            record = repository.get(record_id)
            if record is None:
                continue
            if record.deleted or record.author_id != self._me.account_id or not is_open(record):
                raise NotFound(record_id)
            self._youth(record.space_id)
            with self._store.transaction():
                if isinstance(record, Goal):
                    for step in self._store.steps.every(goal_id=record.id):
                        if step.author_id == self._me.account_id:
                            self._store.steps.delete(step.id)
                repository.delete(record_id)
            return
        raise NotFound(record_id)

    def _youth(self, space_id: str) -> LinkedYouth:
        if not self._me.can_suggest:
            raise NotAllowed("only caregivers make suggestions")
        return self._directory.get(space_id)

    def _envelope(self, youth: LinkedYouth) -> dict[str, object]:
        """Shared only with the youth, who owns the space (the server allows no one else)."""
        return {
            "space_id": youth.space_id,
            "created_at": self._now(),
            "shared_with": [youth.youth_id],
        }
