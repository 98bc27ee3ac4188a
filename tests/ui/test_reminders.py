"""Reminders screens: make a repeating reminder for a goal, snooze, pause, quiet hours, a
caregiver's suggestion, and the banner a due reminder shows in the open app."""

from __future__ import annotations

from datetime import datetime, time

from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Recurrence, Reminder
from companion_wire import new_id
from tests.ui.conftest import BRUSSELS


async def new_reminder(app, title: str, day: str, at: str, repeat: str = "none", goal=None):
    await app.navigate("/more/reminders")
    await app.click("reminder-new")
    await app.type("reminder-title", title)
    await app.pick("reminder-day", datetime.strptime(day, "%d/%m/%Y").date())
    await app.pick("reminder-time", datetime.strptime(at, "%H:%M").time())
    await app.choose("reminder-repeat", repeat)
    if goal is not None:
        await app.choose("reminder-goal", goal)
    await app.click("reminder-save")


async def test_a_weekly_reminder_for_a_goal_is_listed_with_its_next_time(app, space):
    goal = space.goals.create("Huur betalen", LifeDomain.MONEY)
    await app.tab("Meer")
    await app.click("menu-more-reminders")
    assert app.exists("reminders-empty")
    await new_reminder(app, "Overschrijving doen", "16/03/2026", "09:00", "weekly", goal.id)
    assert app.route == "/more/reminders"
    [view] = space.reminders.list()
    assert (view.reminder.recurrence, view.reminder.goal_id) == (Recurrence.WEEKLY, goal.id)
    rid = view.reminder.id
    assert app.text_of(f"reminder-next-{rid}") == "Volgende keer: 16/03/2026 09:00"
    assert app.has_text("Elke week · bij doel “Huur betalen”")


async def test_snooze_is_offered_once_due_and_changes_the_next_time(app, space, clock):
    await new_reminder(app, "Bellen", "14/03/2026", "11:00")
    rid = space.reminders.list()[0].reminder.id
    assert not app.exists(f"snooze-hour-{rid}")  # not due: nothing to put off
    clock.advance(minutes=35)  # 11:05: it notified at 11:00
    await app.navigate("/more")
    await app.navigate("/more/reminders")
    assert app.text_of(f"reminder-due-{rid}").startswith("Nu aan de beurt (sinds 11:00)")
    await app.click(f"snooze-hour-{rid}")
    assert app.text_of(f"reminder-next-{rid}") == "Volgende keer: 14/03/2026 12:05"
    assert not app.exists(f"snooze-tomorrow-{rid}")  # put off: not due until then
    clock.advance(hours=1, minutes=5)  # 12:10: due again
    await app.navigate("/more")
    await app.navigate("/more/reminders")
    await app.click(f"snooze-tomorrow-{rid}")
    assert app.text_of(f"reminder-next-{rid}") == "Volgende keer: 15/03/2026 09:00"
    await app.click(f"reminder-pause-{rid}")
    assert app.text_of(f"reminder-next-{rid}") == "Gepauzeerd"
    await app.click(f"reminder-pause-{rid}")
    assert app.text_of(f"reminder-next-{rid}").startswith("Volgende keer")


async def test_a_one_off_in_the_past_is_refused_and_an_edit_is_saved(app, space):
    await new_reminder(app, "Te laat", "14/03/2026", "08:00")
    assert app.route == "/more/reminders/new"
    assert app.has_text("Dit moment is al voorbij")
    assert space.reminders.list() == []
    assert app.text_of("reminder-time") == "Uur: 08:00"
    await app.pick("reminder-time", time(18, 0))  # chosen, not typed after the old time
    assert app.text_of("reminder-time") == "Uur: 18:00"
    await app.click("reminder-save")
    rid = space.reminders.list()[0].reminder.id
    await app.navigate(f"/more/reminders/{rid}")
    await app.type("reminder-title", "Nu wel op tijd")
    await app.click("reminder-save")
    assert space.reminders.get(rid).title == "Nu wel op tijd"
    await app.navigate(f"/more/reminders/{rid}")
    await app.click("reminder-delete")
    await app.click("reminder-delete-yes")
    assert space.reminders.list() == []


async def test_quiet_hours_are_saved_and_checked(app, space):
    await app.navigate("/more/reminders")
    await app.type("quiet-start", "23:00")
    await app.type("quiet-end", "7.30")
    await app.click("quiet-save")
    assert app.text_of("quiet-saved") == "Bewaard: stil van 23:00 tot 07:30."
    assert space.reminders.quiet_hours().end == time(7, 30)
    await app.type("quiet-end", "laat")
    await app.click("quiet-save")
    assert app.exists("quiet-error")
    assert space.reminders.quiet_hours().end == time(7, 30)


async def test_a_caregivers_reminder_is_accepted_from_the_list(app, space, clock):
    office = HybridClock("office", lambda: int(clock().timestamp() * 1000))
    suggestion = Reminder(
        space_id=space.account.space_id,
        author_id=new_id(),
        updated_hlc=office.now(),
        title="Afspraak OCMW",
        first_due=datetime(2026, 3, 20, 14, 0, tzinfo=BRUSSELS),
    )
    space.store.apply_remote(suggestion, 2)
    await app.navigate("/more/reminders")
    assert app.has_text("Afspraak OCMW")
    await app.click(f"reminder-accept-{suggestion.id}")
    [view] = space.reminders.list()
    assert view.reminder.title == "Afspraak OCMW"
    assert not app.exists(f"reminder-accept-{suggestion.id}")


async def test_a_due_reminder_shows_a_banner_in_the_open_app(app, services, space, clock):
    await new_reminder(app, "Pil nemen", "14/03/2026", "10:45")
    services.reminder_scheduler.tick()  # what the loop does every 30 seconds
    clock.advance(minutes=16)
    [fired] = services.reminder_scheduler.tick()
    assert fired.title == "Pil nemen"
    await app.settle()
    assert app.text_of("reminder-banner") == "Pil nemen — Herinnering voor 10:45"
