"""Suggesting goals, steps and reminders in a youth's space, and what the youth then sees."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from companion.caregiver.profile import Professional
from companion.caregiver.session import CaregiverSession
from companion.core.errors import InvalidInput, NotAllowed, NotFound
from companion.crypto.keys import AccountKeys
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Goal, GoalStatus, GoalStep, Recurrence, StepStatus
from companion_wire import Role, new_id
from tests.caregiver.conftest import BRUSSELS, link_for


def test_a_suggested_goal_with_steps_waits_for_the_youth(session, youth, me, store):
    goal = session.suggestions.suggest_goal(
        youth.space_id,
        "Een eigen studio zoeken",
        LifeDomain.HOUSING,
        why="Je wil graag dichter bij je werk wonen.",
        steps=["Budget bepalen", "  ", "Zoekertjes bekijken"],
    )
    assert goal.status is GoalStatus.SUGGESTED and goal.suggested_by == me.account_id
    assert goal.space_id == youth.space_id and goal.shared_with == [youth.id]
    steps = store.steps.list(goal_id=goal.id)
    assert [(s.title, s.position, s.status) for s in steps] == [
        ("Budget bepalen", 0, StepStatus.SUGGESTED),
        ("Zoekertjes bekijken", 1, StepStatus.SUGGESTED),
    ]
    assert all(s.suggested_by == me.account_id for s in steps)
    # each record leaves with the next sync
    assert store.outbox.count() == 3
    assert (
        session.youth.open_suggestions(session.directory.get(youth.space_id)).count == 1
    )  # the goal; its steps travel with it


def test_a_step_for_a_goal_the_youth_shared(session, youth, me):
    goal = youth.record(
        Goal, title="Rijbewijs halen", domain=LifeDomain.PAPERWORK, shared_with=[me.account_id]
    )
    youth.record(GoalStep, goal_id=goal.id, title="Theorie leren", position=0)
    step = session.suggestions.suggest_step(youth.space_id, goal.id, "Rijschool bellen")
    assert (step.goal_id, step.status, step.position) == (goal.id, StepStatus.SUGGESTED, 1)
    [shared] = session.youth.goals(session.directory.get(youth.space_id))
    assert [s.title for s in shared.steps] == ["Theorie leren"]
    assert [s.title for s in shared.my_suggestions] == ["Rijschool bellen"]


def test_no_step_for_a_goal_that_is_not_the_youths(session, youth, store):
    suggestion = session.suggestions.suggest_goal(youth.space_id, "Sparen", LifeDomain.MONEY)
    with pytest.raises(NotFound):
        session.suggestions.suggest_step(youth.space_id, suggestion.id, "Rekening openen")
    with pytest.raises(NotFound):
        session.suggestions.suggest_step(youth.space_id, new_id(), "Rekening openen")
    assert store.outbox.count() == 1  # only the goal itself


def test_a_reminder_keeps_the_youths_time_zone(session, youth):
    due = datetime(2026, 3, 20, 9, 0, tzinfo=BRUSSELS)
    reminder = session.suggestions.suggest_reminder(
        youth.space_id, "Huur betalen", due, recurrence=Recurrence.MONTHLY
    )
    assert reminder.time_zone == "Europe/Brussels" and reminder.suggested_by == reminder.author_id
    assert reminder.recurrence is Recurrence.MONTHLY


def test_invalid_input_changes_nothing(session, youth, store):
    with pytest.raises(InvalidInput) as caught:
        session.suggestions.suggest_goal(youth.space_id, "", LifeDomain.HOUSING)
    assert caught.value.code == "empty"
    with pytest.raises(InvalidInput):
        session.suggestions.suggest_goal(youth.space_id, "Werk", "astronautics")
    with pytest.raises(InvalidInput):
        session.suggestions.suggest_goal(
            youth.space_id, "Werk", LifeDomain.WORK_SCHOOL, steps=[f"stap {i}" for i in range(21)]
        )
    assert store.outbox.count() == 0


def test_withdrawing_removes_the_goal_and_its_steps(session, youth, store):
    goal = session.suggestions.suggest_goal(
        youth.space_id, "Sporten", LifeDomain.FREE_TIME, steps=["Sportclub kiezen"]
    )
    session.suggestions.withdraw(goal.id)
    assert store.goals.get(goal.id).deleted
    assert store.steps.list(goal_id=goal.id) == []
    assert session.youth.open_suggestions(session.directory.get(youth.space_id)).count == 0
    with pytest.raises(NotFound):
        session.suggestions.withdraw(goal.id)


def test_the_youths_own_goal_cannot_be_withdrawn(session, youth, me):
    goal = youth.record(
        Goal, title="Rijbewijs halen", domain=LifeDomain.PAPERWORK, shared_with=[me.account_id]
    )
    with pytest.raises(NotFound):
        session.suggestions.withdraw(goal.id)


def test_a_network_person_does_not_suggest(store, clock, notifier, youth, me):
    friend = Professional(new_id(), "Tante Mia", Role.NETWORK)
    network = CaregiverSession(store, friend, AccountKeys.generate().public, clock, notifier)
    network.directory.replace_all([link_for(youth, clock, role=Role.NETWORK)])
    with pytest.raises(NotAllowed):
        network.suggestions.suggest_goal(youth.space_id, "Sparen", LifeDomain.MONEY)
    with pytest.raises(NotAllowed):
        network.documents.share(youth.space_id, "Verslag", "tekst")
    assert store.outbox.count() == 0


def test_no_suggestions_after_the_care_period(session, youth, clock):
    session.directory.replace_all([link_for(youth, clock, ends_at=clock() + timedelta(hours=1))])
    clock.advance(hours=2)
    with pytest.raises(NotFound):
        session.suggestions.suggest_goal(youth.space_id, "Sparen", LifeDomain.MONEY)
