"""Goals, reminders, timeline and export in a real browser (390x844), with screenshots.

A youth signs up, makes a goal with steps and ticks one, adds a daily reminder, opens her
story, exports it as HTML and opens the exported file in the browser.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pickers import pick_day, pick_time
from tests.e2e.test_e2e_youth import assert_touch_targets, by_id, open_tab, shot, tap
from tests.e2e.text_entry import type_into

pytestmark = pytest.mark.e2e


def sign_up(page: Page, name: str) -> None:
    tap(page, "start-new")
    type_into(page, "display-name", name)
    tap(page, "create-account")
    code_node = by_id(page, "recovery-code")
    expect(code_node).to_be_visible(timeout=20_000)
    code = re.search(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", code_node.inner_text())
    assert code is not None
    tap(page, "code-noted")
    type_into(page, "confirm-group", code.group(0).split("-")[2])
    tap(page, "confirm-check")
    tap(page, "pin-later")
    expect(page.get_by_role("heading", name=f"Hoi {name}!")).to_be_visible()


def go_to(page: Page, url: str) -> None:
    """Open a deep link, as typing it in the address bar does (reloads the app)."""
    page.goto(url)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.wait_for_selector("flt-semantics-host flt-semantics", state="attached")
    # The semantics tree comes before the first painted frame; a screenshot taken now would
    # show Flet's "Working..." overlay. Only the pictures wait for this, no assertion does.
    expect(page.get_by_text("Working...")).to_have_count(0)
    page.wait_for_timeout(750)


def next_month_28th(today: date) -> date:
    return date(today.year + today.month // 12, today.month % 12 + 1, 28)


def test_goal_reminder_story_and_export(app_process, open_page, screenshot_dir):
    page = open_page(app_process.url)
    shots = screenshot_dir
    sign_up(page, "Yasmine")
    tap(page, "mood-4")  # today's mood, so the story has a mood chart
    expect(by_id(page, "mood-today")).to_be_visible()

    # --- a goal with steps, one ticked off ------------------------------------------------
    open_tab(page, "Doelen")
    expect(by_id(page, "goals-empty")).to_be_visible()
    shot(page, shots, "20-goals-empty")
    tap(page, "goal-new")
    type_into(page, "goal-title", "Een bankrekening openen")
    page.get_by_role("radio", name="Geld").click()
    target = next_month_28th(date.today())
    pick_day(page, "goal-target", target, months_ahead=1)  # the calendar, not typing
    expect(by_id(page, "goal-target")).to_contain_text(f"Klaar tegen: {target:%d/%m/%Y}")
    shot(page, shots, "21-goal-new")
    tap(page, "goal-save")
    expect(by_id(page, "goal-progress")).to_have_text("Nog geen stappen")
    steps = ("Een bank kiezen", "Een afspraak maken", "Identiteitskaart meenemen")
    for count, step in enumerate(steps, start=1):
        type_into(page, "step-new", step)
        tap(page, "step-add")
        expect(by_id(page, "goal-progress")).to_have_text(f"0 van {count} stappen klaar")
    page.get_by_role("checkbox", name="Stap klaar: Een bank kiezen").click()
    expect(by_id(page, "goal-progress")).to_have_text("1 van 3 stappen klaar")
    assert_touch_targets(page)
    shot(page, shots, "22-goal-steps")
    go_to(page, app_process.url + "goals")
    goal_card = page.get_by_role("button", name=re.compile("Een bankrekening openen"))
    expect(goal_card).to_be_visible()
    shot(page, shots, "23-goals-list")
    tap(page, "starter-toggle")
    expect(by_id(page, "starter-add-all")).to_be_visible()
    shot(page, shots, "24-goals-starter-set")

    # --- a daily reminder -------------------------------------------------------------------
    open_tab(page, "Meer")
    tap(page, "menu-more-reminders")
    expect(by_id(page, "reminders-empty")).to_be_visible()
    tap(page, "reminder-new")
    type_into(page, "reminder-title", "Bankafschriften bekijken")
    pick_time(page, "reminder-time", 20, 30)
    expect(by_id(page, "reminder-time")).to_contain_text("Uur: 20:30")
    page.get_by_role("radio", name="Elke dag").click()
    page.get_by_role("radio", name="Een bankrekening openen").click()
    shot(page, shots, "25-reminder-new")
    tap(page, "reminder-save")
    card = page.get_by_role(
        "button", name=re.compile("Bankafschriften bekijken.*Elke dag · bij doel")
    )
    expect(card).to_be_visible()
    assert_touch_targets(page)
    shot(page, shots, "26-reminders")

    # --- chat and network: nobody linked yet, and the screens say so -------------------
    go_to(page, app_process.url + "chat")
    expect(by_id(page, "chat-empty")).to_be_visible()
    shot(page, shots, "30-chat-empty")
    tap(page, "chat-invite")
    expect(by_id(page, "network-empty")).to_be_visible()
    tap(page, "access-log-load")
    expect(by_id(page, "access-log-problem")).to_contain_text("Niet beschikbaar zonder verbinding")
    assert_touch_targets(page)
    shot(page, shots, "31-network")

    # --- the story, and the export opened in the browser ---------------------------------
    go_to(page, app_process.url + "more")
    tap(page, "menu-more-timeline")
    expect(page.get_by_text("Een bankrekening openen").first).to_be_visible()
    expect(by_id(page, "mood-summary")).to_contain_text("gemiddeld 4,0 op 5")
    page.wait_for_timeout(800)  # the page transition, so the picture is of this screen only
    shot(page, shots, "27-timeline")
    tap(page, "export-html")
    path_text = by_id(page, "export-path")
    expect(path_text).to_contain_text(".html")
    page.mouse.move(195, 500)
    page.mouse.wheel(0, 2000)  # Flutter draws on a canvas: scroll it like a person would
    shot(page, shots, "28-timeline-exported")
    exported = Path(re.search(r"(/\S+\.html)", path_text.inner_text()).group(1))
    assert exported.parent == app_process.data_dir / "exports"

    page.goto(exported.as_uri())
    expect(page.get_by_role("heading", name="Mijn verhaal — Yasmine")).to_be_visible()
    expect(page.get_by_role("heading", name="Een bankrekening openen")).to_be_visible()
    expect(page.get_by_text("☑ Een bank kiezen")).to_be_visible()
    expect(page.get_by_text(re.compile("Bankafschriften bekijken"))).to_be_visible()
    page.screenshot(path=str(shots / "29-export-html.png"), full_page=False)
