"""Goals with small steps per life domain, caregiver suggestions and the 18+ starter set.

A caregiver suggests by writing records the youth cannot edit (the server lets only authors
update): a Goal with status `suggested`, or a GoalStep with status `suggested`. Accepting
makes the youth's own record (keeping `suggested_by`) and deletes the suggestion, which the
youth may do in their own space; declining only deletes it. A goal the youth owns stays
private until they share it; its steps follow the goal's sharing so a caregiver who sees
the goal also sees how far it got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from companion.core.errors import InvalidInput, NotFound
from companion.core.validation import user_input
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Goal, GoalStatus, GoalStep, StepStatus
from companion.domain.starter_set import StarterGoal, load_starter_set
from companion.i18n import current_language
from companion.store import Store
from companion.youth.account import Account
from companion.youth.network.links import LinksService

OWN_STATUSES = (GoalStatus.ACTIVE, GoalStatus.DONE)
COUNTED_STEPS = (StepStatus.OPEN, StepStatus.DONE)


@dataclass(frozen=True)
class GoalView:
    """A goal with its checklist, for the goals list and the goal screen."""

    goal: Goal
    steps: list[GoalStep]

    @property
    def done(self) -> int:
        return sum(1 for step in self.steps if step.status is StepStatus.DONE)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class GoalSuggestion:
    """A whole goal a caregiver proposed, with the steps they proposed under it."""

    goal: Goal
    steps: list[GoalStep]
    by_name: str | None  # None when the suggester is no longer among the links


@dataclass(frozen=True)
class StepSuggestion:
    """One step a caregiver proposed for a goal the youth already has."""

    step: GoalStep
    goal: Goal
    by_name: str | None


@dataclass(frozen=True)
class StarterOffer:
    starter: StarterGoal
    added: bool  # the youth already has a goal made from it


class GoalsService:
    def __init__(
        self,
        store: Store,
        account: Account,
        links: LinksService,
        *,
        language: Callable[[], str] = current_language,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._now = now
        self._account = account
        self._links = links
        self._language = language

    # --- reading -------------------------------------------------------------------------

    def overview(self, domain: LifeDomain | str | None = None) -> list[GoalView]:
        """The youth's goals (active first, then done), each with its counted steps."""
        goals = [
            goal
            for goal in self._store.goals.every(space_id=self._account.space_id, domain=domain)
            if goal.status in OWN_STATUSES
        ]
        goals.sort(key=lambda g: (g.status is GoalStatus.DONE, g.target_date or date.max))
        return [GoalView(goal, self._own_steps(goal.id)) for goal in goals]

    def get(self, goal_id: str) -> Goal:
        """One of the youth's own goals (not a suggestion); NotFound otherwise."""
        goal = self._store.goals.get(goal_id)
        if goal is None or goal.deleted or goal.status not in OWN_STATUSES:
            raise NotFound(goal_id)
        return goal

    def view(self, goal_id: str) -> GoalView:
        return GoalView(self.get(goal_id), self._own_steps(goal_id))

    def titles(self) -> dict[str, str]:
        """Goal id -> title of the youth's own goals (for reminder links and the timeline)."""
        return {view.goal.id: view.goal.title for view in self.overview()}

    # --- the youth's own goals ----------------------------------------------------------

    def create(
        self,
        title: str,
        domain: LifeDomain | str,
        *,
        why: str = "",
        target_date: date | None = None,
    ) -> Goal:
        with user_input():
            return self._store.goals.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                title=title,
                domain=domain,
                why=why,
                target_date=target_date,
            )

    def edit(
        self,
        goal_id: str,
        *,
        title: str,
        domain: LifeDomain | str,
        why: str,
        target_date: date | None,
    ) -> Goal:
        goal = self.get(goal_id)
        with user_input():
            return self._store.goals.change(
                goal, title=title, domain=domain, why=why, target_date=target_date
            )

    def set_done(self, goal_id: str, done: bool) -> Goal:
        """Mark a goal reached (a milestone on the timeline) or take it up again."""
        goal = self.get(goal_id)
        status = GoalStatus.DONE if done else GoalStatus.ACTIVE
        if goal.status is status:
            return goal
        return self._store.goals.change(goal, status=status)

    def share(self, goal_id: str, person_ids: Iterable[str]) -> Goal:
        """Set exactly who besides the youth sees this goal and its steps; empty = only you."""
        wanted = list(dict.fromkeys(person_ids))
        allowed = {link.person_id for link in self._links.active()}
        if any(pid not in allowed for pid in wanted):
            raise InvalidInput("not_linked", field="shared_with")
        goal = self.get(goal_id)
        with self._store.transaction():
            for step in self._own_steps(goal_id):
                self._store.steps.change(step, shared_with=wanted)
            return self._store.goals.change(goal, shared_with=wanted)

    def delete(self, goal_id: str) -> None:
        """Delete the goal with its steps; reminders that pointed at it stay, unlinked."""
        self.get(goal_id)
        with self._store.transaction():
            for step in list(self._store.steps.every(goal_id=goal_id)):
                self._store.steps.delete(step.id)
            for reminder in list(self._store.reminders.every(goal_id=goal_id)):
                if reminder.author_id == self._account.account_id:
                    self._store.reminders.change(reminder, goal_id=None)
            self._store.goals.delete(goal_id)

    # --- steps ---------------------------------------------------------------------------

    def add_step(self, goal_id: str, title: str) -> GoalStep:
        goal = self.get(goal_id)
        steps = self._own_steps(goal_id)
        position = max((s.position for s in steps), default=-1) + 1
        with user_input():
            return self._store.steps.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                goal_id=goal_id,
                title=title,
                position=position,
                shared_with=list(goal.shared_with),
            )

    def rename_step(self, step_id: str, title: str) -> GoalStep:
        step = self._own_step(step_id)
        with user_input():
            return self._store.steps.change(step, title=title)

    def set_step_done(self, step_id: str, done: bool) -> GoalStep:
        step = self._own_step(step_id)
        status = StepStatus.DONE if done else StepStatus.OPEN
        if step.status is status:
            return step
        return self._store.steps.change(step, status=status)

    def move_step(self, step_id: str, offset: int) -> list[GoalStep]:
        """Move a step up (-1) or down (+1) the checklist; returns the new order."""
        if offset not in (-1, 1):
            raise InvalidInput("invalid_choice", field="offset")
        step = self._own_step(step_id)
        steps = self._own_steps(step.goal_id)
        index = next(i for i, s in enumerate(steps) if s.id == step_id)
        target = index + offset
        if not 0 <= target < len(steps):
            return steps
        steps[index], steps[target] = steps[target], steps[index]
        with self._store.transaction():
            for position, item in enumerate(steps):
                if item.position != position:
                    self._store.steps.change(item, position=position)
        return self._own_steps(step.goal_id)

    def delete_step(self, step_id: str) -> None:
        self._own_step(step_id)
        self._store.steps.delete(step_id)

    # --- suggestions from a caregiver ---------------------------------------------------

    def suggestions(self) -> tuple[list[GoalSuggestion], list[StepSuggestion]]:
        """Goals and steps waiting for the youth's yes or no, oldest first."""
        goals = [
            GoalSuggestion(goal, self._suggested_steps(goal.id), self._name(goal))
            for goal in self._store.goals.every(
                space_id=self._account.space_id, status=GoalStatus.SUGGESTED
            )
        ]
        own = {view.goal.id: view.goal for view in self.overview()}
        steps = [
            StepSuggestion(step, own[step.goal_id], self._name(step))
            for step in self._store.steps.every(
                space_id=self._account.space_id, status=StepStatus.SUGGESTED
            )
            if step.goal_id in own
        ]
        goals.sort(key=lambda s: s.goal.created_at)
        steps.sort(key=lambda s: s.step.created_at)
        return goals, steps

    def accept_goal(self, suggestion_id: str) -> Goal:
        """Make the suggested goal (and its suggested steps) the youth's own, privately."""
        suggestion = self._goal_suggestion(suggestion_id)
        by = suggestion.suggested_by or suggestion.author_id
        proposed = self._suggested_steps(suggestion_id)
        with self._store.transaction():
            stored = self._store.goals.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                title=suggestion.title,
                domain=suggestion.domain,
                why=suggestion.why,
                target_date=suggestion.target_date,
                suggested_by=by,
                starter_key=suggestion.starter_key,
            )
            self._store.steps.add_many(
                {
                    "space_id": self._account.space_id,
                    "created_at": self._now(),
                    "goal_id": stored.id,
                    "title": step.title,
                    "position": position,
                    "suggested_by": step.suggested_by or step.author_id,
                }
                for position, step in enumerate(proposed)
            )
            for step in proposed:
                self._store.steps.delete(step.id)
            self._store.goals.delete(suggestion_id)
        return stored

    def decline_goal(self, suggestion_id: str) -> None:
        self._goal_suggestion(suggestion_id)
        with self._store.transaction():
            for step in self._suggested_steps(suggestion_id):
                self._store.steps.delete(step.id)
            self._store.goals.delete(suggestion_id)

    def accept_step(self, suggestion_id: str) -> GoalStep:
        """Add the suggested step to the end of its goal's checklist as the youth's own."""
        suggestion = self._step_suggestion(suggestion_id)
        goal = self.get(suggestion.goal_id)
        steps = self._own_steps(goal.id)
        with self._store.transaction():
            stored = self._store.steps.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                goal_id=goal.id,
                title=suggestion.title,
                position=max((s.position for s in steps), default=-1) + 1,
                suggested_by=suggestion.suggested_by or suggestion.author_id,
                shared_with=list(goal.shared_with),
            )
            self._store.steps.delete(suggestion_id)
        return stored

    def decline_step(self, suggestion_id: str) -> None:
        self._step_suggestion(suggestion_id)
        self._store.steps.delete(suggestion_id)

    # --- the "18+ paperwork" starter set ------------------------------------------------

    def starters(self) -> list[StarterOffer]:
        taken = {
            goal.starter_key
            for goal in self._store.goals.every(space_id=self._account.space_id)
            if goal.starter_key and goal.status in OWN_STATUSES
        }
        return [StarterOffer(s, s.key in taken) for s in load_starter_set().goals]

    def add_starter(self, key: str) -> Goal:
        """Add one starter goal with its steps; adding the same one twice is refused."""
        offers = {offer.starter.key: offer for offer in self.starters()}
        offer = offers.get(key)
        if offer is None:
            raise NotFound(key)
        if offer.added:
            raise InvalidInput("already_added", field="starter")
        return self._add_starters([offer.starter])[0]

    def add_all_starters(self) -> list[Goal]:
        """Add every starter goal the youth does not have yet, all in one go."""
        return self._add_starters([o.starter for o in self.starters() if not o.added])

    def _add_starters(self, starters: list[StarterGoal]) -> list[Goal]:
        """Starter goals in the app's current language, stored in one transaction."""
        language = self._language()
        built = [
            starter.contents(space_id=self._account.space_id, language=language)
            for starter in starters
        ]
        if not built:
            return []
        with self._store.transaction():
            stored = self._store.goals.add_many(goal for goal, _ in built)
            self._store.steps.add_many(step for _, steps in built for step in steps)
        return stored

    # --- helpers ------------------------------------------------------------------------

    def _own_steps(self, goal_id: str) -> list[GoalStep]:
        """The checklist: open and done steps in order (suggestions and declined ones aside)."""
        return [s for s in self._store.steps.every(goal_id=goal_id) if s.status in COUNTED_STEPS]

    def _suggested_steps(self, goal_id: str) -> list[GoalStep]:
        return list(self._store.steps.every(goal_id=goal_id, status=StepStatus.SUGGESTED))

    def _own_step(self, step_id: str) -> GoalStep:
        step = self._store.steps.get(step_id)
        if step is None or step.deleted or step.status not in COUNTED_STEPS:
            raise NotFound(step_id)
        self.get(step.goal_id)
        return step

    def _goal_suggestion(self, goal_id: str) -> Goal:
        goal = self._store.goals.get(goal_id)
        if goal is None or goal.deleted or goal.status is not GoalStatus.SUGGESTED:
            raise NotFound(goal_id)
        return goal

    def _step_suggestion(self, step_id: str) -> GoalStep:
        step = self._store.steps.get(step_id)
        if step is None or step.deleted or step.status is not StepStatus.SUGGESTED:
            raise NotFound(step_id)
        return step

    def _name(self, record: Goal | GoalStep) -> str | None:
        names = self._links.names([record.suggested_by or record.author_id])
        return names[0] if names else None
