"""Goals and steps per life domain, caregiver suggestions and the starter set, on a real store."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest

from companion.core.errors import InvalidInput, NotFound
from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.models import CareLink, Goal, GoalStatus, GoalStep, Reminder, StepStatus
from companion.domain.starter_set import load_starter_set
from companion.store import ACCOUNT_KEY, Store
from companion.youth.account import Account
from companion.youth.goals.service import GoalsService
from companion.youth.network.links import LinksService
from companion_wire import LinkStatus, Role, new_id

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
CAREGIVER = new_id()
FORMER = new_id()


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "companion.db", key=os.urandom(32))
    yield store
    store.close()


@pytest.fixture
def account(store) -> Account:
    """The youth whose phone this store is (the store stamps what they write)."""
    account = Account(new_id(), new_id(), "Sam")
    store.meta.set(ACCOUNT_KEY, account.account_id)
    return account


@pytest.fixture
def links(store, account) -> LinksService:
    links = LinksService(store, lambda: NOW)
    links.replace_all(
        [
            CareLink(
                id=new_id(),
                space_id=account.space_id,
                person_id=CAREGIVER,
                display_name="Noor",
                role=Role.CAREGIVER,
                status=LinkStatus.ACTIVE,
                starts_at=NOW - timedelta(days=30),
            ),
            CareLink(
                id=new_id(),
                space_id=account.space_id,
                person_id=FORMER,
                display_name="Jan",
                role=Role.NETWORK,
                status=LinkStatus.ACTIVE,
                starts_at=NOW - timedelta(days=60),
                ends_at=NOW - timedelta(days=1),
            ),
        ]
    )
    return links


@pytest.fixture
def language():
    return {"value": "nl"}


@pytest.fixture
def goals(store, account, links, language) -> GoalsService:
    return GoalsService(store, account, links, language=lambda: language["value"])


def from_server(store: Store, record, version: int = 1):
    """Store a record as the sync engine does after pulling it (not the youth's own write)."""
    store.apply_remote(record, version)
    return record


def suggested_goal(store: Store, account: Account, title: str = "Huurcontract lezen") -> Goal:
    goal = Goal(
        space_id=account.space_id,
        author_id=CAREGIVER,
        updated_hlc=HybridClock("caregiver").now(),
        title=title,
        domain=LifeDomain.HOUSING,
        why="Zodat je weet wat je tekent.",
        target_date=date(2026, 6, 1),
        status=GoalStatus.SUGGESTED,
        suggested_by=CAREGIVER,
    )
    return from_server(store, goal)


def suggested_step(store: Store, account: Account, goal_id: str, title: str, position: int = 0):
    step = GoalStep(
        space_id=account.space_id,
        author_id=CAREGIVER,
        updated_hlc=HybridClock("caregiver").now(),
        goal_id=goal_id,
        title=title,
        status=StepStatus.SUGGESTED,
        position=position,
        suggested_by=CAREGIVER,
    )
    return from_server(store, step)


def test_goals_are_listed_per_life_domain(goals) -> None:
    rent = goals.create("Een studio vinden", LifeDomain.HOUSING, why="Eigen plek")
    goals.create("Sparen voor een fiets", "money", target_date=date(2026, 8, 1))

    assert [v.goal.title for v in goals.overview(LifeDomain.HOUSING)] == ["Een studio vinden"]
    assert [v.goal.title for v in goals.overview("money")] == ["Sparen voor een fiets"]
    assert len(goals.overview()) == 2
    assert goals.get(rent.id).why == "Eigen plek"


def test_bad_goal_input_is_a_typed_error_and_stores_nothing(goals, store) -> None:
    with pytest.raises(InvalidInput) as empty:
        goals.create("   ", LifeDomain.MONEY)
    assert (empty.value.code, empty.value.field) == ("empty", "title")
    with pytest.raises(InvalidInput) as domain:
        goals.create("Iets", "astrology")
    assert (domain.value.code, domain.value.field) == ("invalid_choice", "domain")
    with pytest.raises(InvalidInput) as long_title:
        goals.create("x" * 201, LifeDomain.MONEY)
    assert long_title.value.code == "too_long"
    assert goals.overview() == []
    assert store.outbox.count() == 0


def test_editing_keeps_the_goal_and_validates(goals) -> None:
    goal = goals.create("Rijbewijs", LifeDomain.WORK_SCHOOL)
    edited = goals.edit(
        goal.id, title="Rijbewijs B", domain="paperwork", why="Voor werk", target_date=None
    )
    assert (edited.id, edited.title, edited.domain) == (goal.id, "Rijbewijs B", "paperwork")
    with pytest.raises(InvalidInput):
        goals.edit(goal.id, title="", domain="paperwork", why="", target_date=None)
    assert goals.get(goal.id).title == "Rijbewijs B"
    with pytest.raises(NotFound):
        goals.edit(new_id(), title="x", domain="money", why="", target_date=None)


def test_steps_form_a_checklist_with_progress(goals) -> None:
    goal = goals.create("Bankrekening", LifeDomain.MONEY)
    first = goals.add_step(goal.id, "Bank kiezen")
    second = goals.add_step(goal.id, "Afspraak maken")
    goals.add_step(goal.id, "ID meenemen")

    goals.set_step_done(second.id, True)
    view = goals.view(goal.id)
    assert [s.title for s in view.steps] == ["Bank kiezen", "Afspraak maken", "ID meenemen"]
    assert (view.done, view.total) == (1, 3)
    assert view.fraction == pytest.approx(1 / 3)

    goals.set_step_done(second.id, False)
    assert goals.view(goal.id).done == 0
    goals.rename_step(first.id, "Bank vergelijken")
    assert goals.view(goal.id).steps[0].title == "Bank vergelijken"
    with pytest.raises(InvalidInput):
        goals.add_step(goal.id, " ")
    goals.delete_step(first.id)
    assert [s.title for s in goals.view(goal.id).steps] == ["Afspraak maken", "ID meenemen"]


def test_steps_can_be_reordered(goals) -> None:
    goal = goals.create("Verhuizen", LifeDomain.HOUSING)
    a, b, c = (goals.add_step(goal.id, t) for t in ("Dozen", "Busje", "Adres wijzigen"))
    order = goals.move_step(c.id, -1)
    assert [s.id for s in order] == [a.id, c.id, b.id]
    assert [s.id for s in goals.move_step(a.id, -1)] == [a.id, c.id, b.id]  # already first
    with pytest.raises(InvalidInput):
        goals.move_step(a.id, 3)
    goals.add_step(goal.id, "Sleutels")
    assert [s.title for s in goals.view(goal.id).steps][-1] == "Sleutels"


def test_done_goals_sort_after_active_ones(goals) -> None:
    first = goals.create("Eerste", LifeDomain.HEALTH)
    goals.create("Tweede", LifeDomain.HEALTH)
    goals.set_done(first.id, True)
    assert [v.goal.title for v in goals.overview()] == ["Tweede", "Eerste"]
    assert goals.set_done(first.id, False).status is GoalStatus.ACTIVE


def test_deleting_a_goal_removes_its_steps_and_unlinks_reminders(goals, store, account) -> None:
    goal = goals.create("Huur", LifeDomain.HOUSING)
    step = goals.add_step(goal.id, "Overschrijving")
    reminder = store.reminders.create(
        Reminder(
            space_id=account.space_id,
            author_id=account.account_id,
            updated_hlc=store.clock.now(),
            title="Huur betalen",
            first_due=NOW,
            goal_id=goal.id,
        )
    )
    goals.delete(goal.id)
    assert goals.overview() == []
    assert store.steps.get(step.id).deleted
    kept = store.reminders.get(reminder.id)
    assert not kept.deleted and kept.goal_id is None
    with pytest.raises(NotFound):
        goals.get(goal.id)


def test_sharing_a_goal_shares_its_steps_with_active_links_only(goals, store) -> None:
    goal = goals.create("Werk zoeken", LifeDomain.WORK_SCHOOL)
    step = goals.add_step(goal.id, "CV maken")
    with pytest.raises(InvalidInput) as ended:
        goals.share(goal.id, [FORMER])
    assert ended.value.code == "not_linked"
    assert goals.get(goal.id).shared_with == []

    goals.share(goal.id, [CAREGIVER])
    assert goals.get(goal.id).shared_with == [CAREGIVER]
    assert store.steps.get(step.id).shared_with == [CAREGIVER]
    later = goals.add_step(goal.id, "Solliciteren")
    assert later.shared_with == [CAREGIVER]
    goals.share(goal.id, [])
    assert store.steps.get(later.id).shared_with == []


def test_a_suggested_goal_is_accepted_as_the_youths_own(goals, store, account) -> None:
    suggestion = suggested_goal(store, account)
    s1 = suggested_step(store, account, suggestion.id, "Contract vragen", 0)
    s2 = suggested_step(store, account, suggestion.id, "Samen lezen", 1)

    pending, _ = goals.suggestions()
    assert [(p.goal.id, p.by_name, len(p.steps)) for p in pending] == [(suggestion.id, "Noor", 2)]
    assert goals.overview() == []  # a suggestion is not a goal yet

    mine = goals.accept_goal(suggestion.id)
    assert mine.id != suggestion.id
    assert (mine.author_id, mine.status, mine.suggested_by) == (
        account.account_id,
        GoalStatus.ACTIVE,
        CAREGIVER,
    )
    assert mine.shared_with == []  # accepting is not sharing
    view = goals.view(mine.id)
    assert [(s.title, s.status, s.suggested_by) for s in view.steps] == [
        ("Contract vragen", StepStatus.OPEN, CAREGIVER),
        ("Samen lezen", StepStatus.OPEN, CAREGIVER),
    ]
    for record_id in (s1.id, s2.id):
        assert store.steps.get(record_id).deleted
    assert store.goals.get(suggestion.id).deleted
    assert goals.suggestions() == ([], [])
    with pytest.raises(NotFound):
        goals.accept_goal(suggestion.id)


def test_declining_a_suggested_goal_deletes_it(goals, store, account) -> None:
    suggestion = suggested_goal(store, account)
    step = suggested_step(store, account, suggestion.id, "Contract vragen")
    goals.decline_goal(suggestion.id)
    assert store.goals.get(suggestion.id).deleted
    assert store.steps.get(step.id).deleted
    assert goals.overview() == [] and goals.suggestions() == ([], [])


def test_a_suggested_step_joins_the_end_of_the_youths_goal(goals, store, account) -> None:
    goal = goals.create("Zorgverzekering", LifeDomain.HEALTH)
    goals.share(goal.id, [CAREGIVER])
    goals.add_step(goal.id, "Ziekenfonds kiezen")
    proposal = suggested_step(store, account, goal.id, "Kaart aanvragen")
    other = suggested_step(store, account, goal.id, "Huisarts zoeken")

    _, steps = goals.suggestions()
    assert [(s.step.title, s.goal.id, s.by_name) for s in steps] == [
        ("Kaart aanvragen", goal.id, "Noor"),
        ("Huisarts zoeken", goal.id, "Noor"),
    ]
    assert goals.view(goal.id).total == 1  # suggestions do not count until accepted

    accepted = goals.accept_step(proposal.id)
    assert (accepted.title, accepted.suggested_by, accepted.author_id) == (
        "Kaart aanvragen",
        CAREGIVER,
        account.account_id,
    )
    assert accepted.shared_with == [CAREGIVER]  # follows the goal's sharing
    assert [s.title for s in goals.view(goal.id).steps] == ["Ziekenfonds kiezen", "Kaart aanvragen"]
    goals.decline_step(other.id)
    assert store.steps.get(other.id).deleted
    assert goals.suggestions() == ([], [])
    with pytest.raises(NotFound):
        goals.decline_step(other.id)


def test_starter_goals_are_added_once_in_the_apps_language(goals, language) -> None:
    starter = load_starter_set().goals[0]
    offers = goals.starters()
    assert [o.starter.key for o in offers] == [g.key for g in load_starter_set().goals]
    assert not any(o.added for o in offers)

    added = goals.add_starter(starter.key)
    assert (added.title, added.starter_key) == (starter.title.nl, starter.key)
    assert [s.title for s in goals.view(added.id).steps] == [s.nl for s in starter.steps]
    assert next(o for o in goals.starters() if o.starter.key == starter.key).added
    with pytest.raises(InvalidInput) as twice:
        goals.add_starter(starter.key)
    assert twice.value.code == "already_added"
    with pytest.raises(NotFound):
        goals.add_starter("no_such_goal")

    language["value"] = "fr"
    rest = goals.add_all_starters()
    assert len(rest) == len(offers) - 1
    assert all(o.added for o in goals.starters())
    assert rest[0].title == load_starter_set().goals[1].title.fr
    assert goals.add_all_starters() == []
