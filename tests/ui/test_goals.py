"""Goals screens: create a goal with steps and tick them, filter by domain, accept or decline a
caregiver's suggestion, add starter goals, share a goal — through the running app."""

from __future__ import annotations

from datetime import date, timedelta

from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.models import CareLink, Goal, GoalStatus
from companion.domain.starter_set import load_starter_set
from companion_wire import LinkStatus, Role, new_id

NOOR = new_id()


def link_noor(space, clock) -> None:
    space.links.replace_all(
        [
            CareLink(
                id=new_id(),
                space_id=space.account.space_id,
                person_id=NOOR,
                display_name="Noor",
                role=Role.CAREGIVER,
                status=LinkStatus.ACTIVE,
                starts_at=clock() - timedelta(days=10),
            )
        ]
    )


async def make_goal(app, title: str, domain: str, steps=()) -> str:
    await app.tab("Doelen")
    await app.click("goal-new")
    await app.type("goal-title", title)
    await app.choose("goal-domain", domain)
    await app.pick("goal-target", date(2026, 6, 30))
    await app.click("goal-save")
    goal_id = app.route.rsplit("/", 1)[1]
    for step in steps:
        await app.type("step-new", step)
        await app.click("step-add")
    return goal_id


async def test_a_goal_with_steps_is_ticked_off_and_reached(app, space):
    goal_id = await make_goal(
        app, "Bankrekening openen", "money", ["Bank kiezen", "Afspraak maken", "ID meenemen"]
    )
    view = space.goals.view(goal_id)
    assert [s.title for s in view.steps] == ["Bank kiezen", "Afspraak maken", "ID meenemen"]
    assert view.goal.domain is LifeDomain.MONEY and str(view.goal.target_date) == "2026-06-30"
    assert app.text_of("goal-progress") == "0 van 3 stappen klaar"

    await app.toggle(f"step-{view.steps[1].id}")
    assert app.text_of("goal-progress") == "1 van 3 stappen klaar"
    await app.click(f"step-up-{view.steps[2].id}")
    assert [s.title for s in space.goals.view(goal_id).steps] == [
        "Bank kiezen",
        "ID meenemen",
        "Afspraak maken",
    ]
    await app.click("goal-done")
    assert space.goals.get(goal_id).status is GoalStatus.DONE
    await app.back()
    assert "Doel bereikt!" in app.text_of(f"goal-{goal_id}")


async def test_a_goal_without_a_title_is_refused_on_screen(app, space):
    await app.tab("Doelen")
    await app.click("goal-new")
    await app.pick("goal-target", date(2026, 6, 30))
    assert app.text_of("goal-target") == "Klaar tegen: 30/06/2026"
    await app.click("goal-target-clear")  # a target date is optional
    assert app.text_of("goal-target") == "Klaar tegen: nog niet gekozen"
    await app.click("goal-save")
    assert app.text_of("error") == "Vul dit in."
    assert space.goals.overview() == []


async def test_the_domain_filter_shows_one_life_domain(app, space):
    money = space.goals.create("Sparen", LifeDomain.MONEY)
    home = space.goals.create("Studio zoeken", LifeDomain.HOUSING)
    await app.tab("Doelen")
    assert app.exists(f"goal-{money.id}") and app.exists(f"goal-{home.id}")
    await app.toggle("filter-housing")
    assert app.exists(f"goal-{home.id}") and not app.exists(f"goal-{money.id}")
    await app.toggle("filter-health")
    assert app.text_of("goals-empty") == "Geen doelen in dit domein."
    await app.toggle("filter-all")
    assert app.exists(f"goal-{money.id}")


async def test_a_caregivers_suggestion_is_accepted_or_declined(app, space, clock):
    link_noor(space, clock)
    office = HybridClock("office", lambda: int(clock().timestamp() * 1000))

    def suggest(title: str) -> Goal:
        goal = Goal(
            space_id=space.account.space_id,
            author_id=NOOR,
            updated_hlc=office.now(),
            title=title,
            domain=LifeDomain.PAPERWORK,
            status=GoalStatus.SUGGESTED,
            suggested_by=NOOR,
        )
        space.store.apply_remote(goal, 1)
        return goal

    wanted, unwanted = suggest("ID-kaart vernieuwen"), suggest("Belastingbrief invullen")
    await app.tab("Doelen")
    assert app.has_text("Voorgesteld door Noor")
    await app.click(f"suggestion-accept-{wanted.id}")
    [mine] = space.goals.overview()
    assert (mine.goal.title, mine.goal.suggested_by) == ("ID-kaart vernieuwen", NOOR)
    assert app.exists(f"goal-{mine.goal.id}")
    await app.click(f"suggestion-decline-{unwanted.id}")
    assert not app.has_text("Voorgesteld door Noor")
    assert space.goals.suggestions() == ([], [])


async def test_starter_goals_are_added_one_by_one_or_all_at_once(app, space):
    starters = load_starter_set().goals
    await app.tab("Doelen")
    await app.click("starter-toggle")
    await app.click(f"starter-add-{starters[0].key}")
    assert app.exists(f"starter-added-{starters[0].key}")
    assert [v.goal.title for v in space.goals.overview()] == [starters[0].title.nl]
    await app.click("starter-add-all")
    assert len(space.goals.overview()) == len(starters)
    assert not app.exists("starter-add-all")


async def test_a_goal_is_shared_with_a_linked_person(app, space, clock):
    link_noor(space, clock)
    goal_id = await make_goal(app, "Werk zoeken", "work_school", ["CV maken"])
    assert app.text_of("goal-audience") == "Wie dit kan lezen: Alleen jij"
    await app.toggle(f"goal-share-{NOOR}")
    assert space.goals.get(goal_id).shared_with == [NOOR]
    assert space.goals.view(goal_id).steps[0].shared_with == [NOOR]
    assert "Noor" in app.text_of("goal-audience")
