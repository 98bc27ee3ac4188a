"""What one youth shared with this caregiver, and what the caregiver proposed in return.

Everything here comes from this device's store, which holds only what the server delivered:
the youth's records shared with this account, plus the caregiver's own suggestions and
documents. Nothing is read while the link is not active (the directory refuses).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from companion.caregiver.caseload.directory import CaseloadDirectory, LinkedYouth
from companion.caregiver.profile import Professional
from companion.domain.hlc import Stamp
from companion.domain.models import (
    DiaryEntry,
    Goal,
    GoalStatus,
    GoalStep,
    Record,
    Reminder,
    StepStatus,
)
from companion.store import Store

YOUTH_GOAL_STATUSES = (GoalStatus.ACTIVE, GoalStatus.DONE)
COUNTED_STEPS = (StepStatus.OPEN, StepStatus.DONE)


@dataclass(frozen=True)
class SharedGoal:
    """A goal the youth shared, with its checklist and the steps I proposed for it."""

    goal: Goal
    steps: list[GoalStep]
    my_suggestions: list[GoalStep]

    @property
    def done(self) -> int:
        return sum(1 for step in self.steps if step.status is StepStatus.DONE)

    @property
    def total(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class OpenSuggestions:
    """My proposals the youth has not answered yet (answering deletes the suggestion)."""

    goals: list[Goal]
    steps: list[GoalStep]
    reminders: list[Reminder]

    @property
    def count(self) -> int:
        return len(self.goals) + len(self.steps) + len(self.reminders)


@dataclass(frozen=True)
class YouthDetail:
    youth: LinkedYouth
    goals: list[SharedGoal]
    diary: list[DiaryEntry]
    reminders: list[Reminder]
    suggestions: OpenSuggestions


def changed_at(record: Record) -> datetime:
    """When a record last changed, from its hybrid logical clock stamp."""
    return datetime.fromtimestamp(Stamp.parse(record.updated_hlc).wall_ms / 1000, UTC)


class YouthService:
    def __init__(self, store: Store, me: Professional, directory: CaseloadDirectory) -> None:
        self._store = store
        self._me = me
        self._directory = directory

    def detail(self, space_id: str) -> YouthDetail:
        youth = self._directory.get(space_id)
        return YouthDetail(
            youth=youth,
            goals=self.goals(youth),
            diary=self._by_youth(self._store.diary, youth),
            reminders=self._by_youth(self._store.reminders, youth),
            suggestions=self.open_suggestions(youth),
        )

    def goals(self, youth: LinkedYouth) -> list[SharedGoal]:
        """The youth's shared goals: active ones first, then reached ones."""
        goals = [
            goal
            for goal in self._by_youth(self._store.goals, youth)
            if goal.status in YOUTH_GOAL_STATUSES
        ]
        goals.sort(key=lambda g: (g.status is GoalStatus.DONE, g.created_at))
        shared = []
        for goal in goals:
            steps = list(self._store.steps.every(goal_id=goal.id))
            shared.append(
                SharedGoal(
                    goal,
                    [s for s in steps if s.status in COUNTED_STEPS],
                    [
                        s
                        for s in steps
                        if s.status is StepStatus.SUGGESTED and s.author_id == self._me.account_id
                    ],
                )
            )
        return shared

    def open_suggestions(self, youth: LinkedYouth) -> OpenSuggestions:
        """Goals count once (their proposed steps travel with them), then lone steps and
        reminders."""
        mine = self._me.account_id
        goals = [
            g
            for g in self._store.goals.every(space_id=youth.space_id)
            if g.author_id == mine and g.status is GoalStatus.SUGGESTED
        ]
        proposed = {g.id for g in goals}
        return OpenSuggestions(
            goals=goals,
            steps=[
                s
                for s in self._store.steps.every(space_id=youth.space_id)
                if s.author_id == mine
                and s.status is StepStatus.SUGGESTED
                and s.goal_id not in proposed
            ],
            reminders=[
                r
                for r in self._store.reminders.every(space_id=youth.space_id)
                if r.author_id == mine
            ],
        )

    def last_activity(self, youth: LinkedYouth) -> datetime | None:
        """The newest change the youth made to anything they shared with me."""
        latest: datetime | None = None
        for repository in (
            self._store.diary,
            self._store.goals,
            self._store.steps,
            self._store.reminders,
            self._store.messages,
            self._store.comments,
        ):
            for record in repository.every(space_id=youth.space_id):
                if record.author_id == youth.youth_id:
                    moment = changed_at(record)
                    latest = moment if latest is None or moment > latest else latest
        return latest

    def _by_youth(self, repository, youth: LinkedYouth) -> list:
        return [
            record
            for record in repository.every(space_id=youth.space_id)
            if record.author_id == youth.youth_id
        ]
