"""Today: mood check-in, next reminders, goal progress and the honest sync state."""

from __future__ import annotations

from datetime import timedelta

from companion.core.sync_status import SyncPhase, SyncState
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Goal, GoalStep, Recurrence, Reminder, StepStatus
from companion.sync.state import ChangeOp, ParkedChange
from companion_wire import Refusal


def fields(space):
    return {
        "space_id": space.account.space_id,
        "author_id": space.account.account_id,
        "updated_hlc": space.store.clock.now(),
    }


async def test_mood_check_in_is_stored_and_can_be_changed(app, space):
    assert app.has_text("Hoe voel je je nu?")
    await app.click("mood-4")
    assert "Goed" in app.text_of("mood-today")
    await app.click("mood-2")
    assert "Niet goed" in app.text_of("mood-today")
    moods = [c.mood for c in space.store.moods.list(space_id=space.account.space_id)]
    assert sorted(moods) == [2, 4]


async def test_yesterdays_mood_does_not_count_for_today(services, space, clock, pilot_for):
    space.moods.check_in(5)
    clock.advance(days=1)
    app = await pilot_for(services)
    assert not app.exists("mood-today") and app.has_text("Hoe voel je je nu?")


async def test_next_reminders_are_listed_soonest_first_once_each(services, space, clock, pilot_for):
    now = clock()
    for title, due, repeat in (
        ("Huur betalen", now + timedelta(days=3), Recurrence.NONE),
        ("Medicatie", now - timedelta(days=2, hours=1), Recurrence.DAILY),
        ("Al voorbij", now - timedelta(days=1), Recurrence.NONE),
    ):
        space.store.reminders.create(
            Reminder(title=title, first_due=due, recurrence=repeat, **fields(space))
        )
    app = await pilot_for(services)
    texts = app.texts()
    assert "Al voorbij" not in texts
    shown = [text for text in texts if text in ("Huur betalen", "Medicatie")]
    assert shown == ["Medicatie", "Huur betalen"]


async def test_goal_progress_counts_done_steps(services, space, pilot_for):
    goal = space.store.goals.create(
        Goal(title="Eigen studio zoeken", domain=LifeDomain.HOUSING, **fields(space))
    )
    for title, status in (
        ("Budget maken", StepStatus.DONE),
        ("Sociaal verhuurkantoor bellen", StepStatus.OPEN),
        ("Inschrijven", StepStatus.OPEN),
        ("Voorgestelde stap", StepStatus.DECLINED),
    ):
        space.store.steps.create(
            GoalStep(goal_id=goal.id, title=title, status=status, **fields(space))
        )
    app = await pilot_for(services)
    assert app.has_text("Eigen studio zoeken")
    assert app.has_text("1 van 3 stappen gedaan")


async def test_sync_state_is_honest_and_follows_the_engine(app, services, space):
    assert app.text_of("sync-state") == "Nog niet verbonden"
    assert app.has_text("blijft veilig op deze telefoon")
    assert not app.exists("offline-banner") and not app.exists("unsent-count")
    first = space.diary.write("Een")
    space.diary.share(first.id, [])  # a second change of the same entry counts once
    space.diary.write("Twee")
    services.sync_state.publish(SyncState(phase=SyncPhase.OFFLINE, pending=3))
    await app.settle()
    assert app.text_of("sync-state") == "Offline"
    assert app.exists("offline-banner")
    assert app.text_of("unsent-count").startswith("Niet verstuurd: 2.")


async def test_a_change_held_for_an_unchecked_person_is_not_called_arrived(app, services, clock):
    """Up to date, yet one entry waits for a key check: the card does not say that what was
    shared arrived, says why, and leads to the network screen where the check is done."""
    held = ParkedChange(
        "r1", "diary_entry", ChangeOp.UPSERT, "x is not verified yet", clock(), Refusal.UNVERIFIED
    )
    services.sync_state.publish(SyncState(phase=SyncPhase.UP_TO_DATE, parked=(held,)))
    await app.settle()
    assert app.text_of("sync-state") == "Alles is bijgewerkt"
    assert not app.has_text("Wat je deelde, is aangekomen.")
    assert app.has_text("Niet alles wat je deelde, is verstuurd")
    assert app.has_text("je controleerde de sleutels van wie je het deelt nog niet")
    await app.click("unsent-check-keys")
    assert app.route == "/more/network"


async def test_write_diary_shortcut_opens_a_new_entry(app):
    await app.click("write-diary")
    assert app.route == "/diary/new" and app.exists("diary-text")
