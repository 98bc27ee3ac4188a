"""Every screen of both apps, walked in the browser in every look a person can choose.

The demo (server, Yasmine's seeded story, both apps) runs once for the module. Each test
opens one app in one look: light, dark and high contrast at 390x844, the largest text at
360x740, and 200 % zoom (a 1280x800 window zoomed in: 640x400 CSS pixels at twice the
density). It unlocks, sets the look in the app's own settings, then visits every screen
and checks it (tests/e2e/a11y_checks.py): no interactive control without a spoken name,
no English word on a Dutch screen, touch targets of 48 px and, in the light look, no axe
violation that applies. Screenshots and a report.json per look go to
test-artifacts/a11y/<look>/<app>/ (git ignores test-artifacts/).

The sign-up and sign-in screens, which need a fresh app, are walked in
test_a11y_first_run.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y_checks import Walk
from tests.e2e.conftest import ROOT
from tests.e2e.screen_reader import activate
from tests.e2e.test_demo import Demo, unlock

pytestmark = pytest.mark.e2e

ARTIFACTS = ROOT / "test-artifacts" / "a11y"


@dataclass(frozen=True)
class Look:
    name: str
    width: int
    height: int
    theme: str  # ThemeChoice value
    text_size: str  # TEXT_SCALES value as the settings radio is tagged
    zoom: float = 1.0
    axe: bool = False


LOOKS = [
    Look("light-390", 390, 844, "light", "1.0", axe=True),
    Look("dark-390", 390, 844, "dark", "1.0"),
    Look("contrast-390", 390, 844, "high_contrast", "1.0"),
    Look("largest-text-360", 360, 740, "light", "1.5"),
    Look("zoom-200", 640, 400, "light", "1.0", zoom=2.0),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    running = Demo(tmp_path_factory.mktemp("a11y") / "demo")
    try:
        (youth, youth_pin), (caregiver, caregiver_pin) = running.start()
        yield {"youth": (youth, youth_pin), "caregiver": (caregiver, caregiver_pin)}
        running.interrupt()
    finally:
        running.kill()


def open_app(browser, url: str, pin: str, look: Look, folder) -> tuple[Page, Walk]:
    context = browser.new_context(
        viewport={"width": look.width, "height": look.height},
        device_scale_factor=2 * look.zoom if look.zoom != 1.0 else 1,
    )
    page = context.new_page()
    page.goto(url)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    walk = Walk(page, folder, run_axe=look.axe)
    page.locator('[flt-semantics-identifier="unlock-pin"] input').first.wait_for(timeout=30000)
    walk.screen("00-lock", scroll_shot=False)
    tap(page, "lock-help")  # help is there before the PIN too
    expect(node(page, "call-*")).to_be_attached(timeout=15000)
    walk.screen("00-lock-help")
    tap(page, "help-close")
    expect(node(page, "call-*")).to_have_count(0, timeout=15000)
    unlock(page, pin)
    return page, walk


def by_id(page: Page, identifier: str):
    return page.locator(f'[flt-semantics-identifier="{identifier}"]')


def tap(page: Page, identifier: str) -> None:
    activate(by_id(page, identifier).first)


def route(page: Page, path: str, marker: str | None = None) -> None:
    """Go to `path` inside the running app (as its router does; no reload, no new PIN)."""
    page.evaluate(
        "path => { history.pushState(null, '', path); "
        "dispatchEvent(new PopStateEvent('popstate', {state: null})); }",
        path,
    )
    if marker is not None:
        expect(by_id(page, marker).first).to_be_attached(timeout=15000)


def set_look(page: Page, settings_path: str, look: Look) -> None:
    route(page, settings_path, "theme")
    tap(page, "language-nl")
    tap(page, f"theme-{look.theme}")
    tap(page, f"text-size-{look.text_size}")
    expect(by_id(page, f"text-size-{look.text_size}").get_by_role("radio")).to_be_checked()


@dataclass(frozen=True)
class Step:
    """A screen of the walk: how to get there, and what shows that it is there (an
    identifier, `prefix*` for the start of one) and, when the screen before had the same,
    what must be gone."""

    name: str
    go: Callable[[Page], None]
    shown: str
    gone: str | None = None


def node(page: Page, marker: str):
    if marker.endswith("*"):
        return page.locator(f'[flt-semantics-identifier^="{marker[:-1]}"]').first
    return by_id(page, marker).first


def walk_steps(page: Page, walk: Walk, steps: list[Step]) -> None:
    for step in steps:
        step.go(page)
        expect(node(page, step.shown)).to_be_attached(timeout=15000)
        if step.gone is not None:
            expect(node(page, step.gone)).to_have_count(0, timeout=15000)
        walk.screen(step.name)


def goto(path: str) -> Callable[[Page], None]:
    return lambda page: route(page, path)


def open_card(page: Page, card, path: str) -> None:
    """Open what a whole-card button (a goal, a caseload row) leads to, at `path` + the id
    in its identifier. Its semantics node carries no tap of its own in Flet 1.0.5's web
    build (no `flt-tappable`: the tap is the card's, inside the excluded subtree), so the
    walk takes the route the card takes; its name and size are still checked on the list."""
    expect(card).to_be_attached(timeout=15000)
    identifier = card.get_attribute("flt-semantics-identifier") or ""
    route(page, path + identifier.split("-", 1)[1])


def click(marker: str) -> Callable[[Page], None]:
    return lambda page: activate(node(page, marker))


YOUTH_STEPS = [
    Step("01-today", goto("/"), "write-diary"),
    Step("02-diary", goto("/diary"), "diary-new"),
    Step("03-diary-share", click("share-*"), "share-save"),
    Step(
        "04-diary-entry",
        lambda page: (tap(page, "share-cancel"), activate(node(page, "entry-*"))),
        "diary-delete",
    ),
    Step("05-diary-new", goto("/diary/new"), "diary-text", gone="diary-delete"),
    Step("06-goals", goto("/goals"), "goal-new"),
    Step("07-goals-starters", click("starter-toggle"), "starter-add-all"),
    Step(
        "08-goal",
        lambda page: open_card(
            page, page.get_by_role("button", name=re.compile("^Doel openen")).first, "/goals/"
        ),
        "goal-progress",
    ),
    Step("09-goal-new", goto("/goals/new"), "goal-title", gone="goal-progress"),
    Step("10-chat", goto("/chat"), "chat-with-*"),
    Step("11-chat-thread", click("chat-with-*"), "chat-input"),
    Step("12-more", goto("/more"), "menu-more-reminders"),
    Step("13-reminders", goto("/more/reminders"), "reminder-new"),
    Step("14-reminder", click("reminder-open-*"), "reminder-delete"),
    Step("15-reminder-new", goto("/more/reminders/new"), "reminder-title", gone="reminder-delete"),
    Step("16-timeline", goto("/more/timeline"), "export-html"),
    Step("17-document", click("event-document-*"), "document-body"),
    Step("18-network", goto("/more/network"), "invite-create"),
    Step("19-settings", goto("/more/settings"), "theme"),
    Step("20-delete-account", goto("/more/settings/delete"), "delete-confirm"),
    Step("21-help", goto("/help"), "call-*"),
    Step("22-appointments", goto("/more/appointments"), "appointment-new"),
    Step("23-appointment-new", goto("/more/appointments/new"), "appointment-save"),
    Step("24-safety-plan", goto("/help/plan"), "plan-start"),
    Step("25-safety-plan-edit", goto("/help/plan/edit"), "plan-save"),
    Step("26-papers", goto("/more/papers"), "paper-add"),
]

CAREGIVER_STEPS = [
    Step("01-caseload", goto("/"), "invitation-code"),
    Step("02-youth", lambda page: open_card(page, node(page, "youth-*"), "/youth/"), "open-chat"),
    Step("03-chat", click("open-chat"), "chat-input"),
    Step("04-suggest", lambda page: (tap(page, "back"), tap(page, "open-suggest")), "suggest-kind"),
    Step(
        "05-documents",
        lambda page: (tap(page, "back"), tap(page, "open-documents")),
        "document-title",
    ),
    Step("06-availability", goto("/availability"), "day-0"),
    Step("07-settings", goto("/settings"), "theme"),
    Step("08-help", goto("/help"), "call-*"),
    Step(
        "09-appointments",
        lambda page: (
            route(page, "/"),
            open_card(page, node(page, "youth-*"), "/youth/"),
            tap(page, "open-appointments"),
        ),
        "appt-propose",
    ),
]


@pytest.mark.parametrize("look", LOOKS, ids=[look.name for look in LOOKS])
def test_every_youth_screen(demo, browser, look):
    url, pin = demo["youth"]
    page, walk = open_app(browser, url, pin, look, ARTIFACTS / look.name / "youth")
    try:
        expect(page.get_by_text("Hoi Yasmine!")).to_be_attached(timeout=30000)
        set_look(page, "/more/settings", look)
        walk_steps(page, walk, YOUTH_STEPS)
    finally:
        problems = walk.save_report()
        page.context.close()
    assert problems == {}


@pytest.mark.parametrize("look", LOOKS, ids=[look.name for look in LOOKS])
def test_every_caregiver_screen(demo, browser, look):
    url, pin = demo["caregiver"]
    page, walk = open_app(browser, url, pin, look, ARTIFACTS / look.name / "caregiver")
    try:
        expect(by_id(page, "caseload")).to_be_attached(timeout=30000)
        set_look(page, "/settings", look)
        walk_steps(page, walk, CAREGIVER_STEPS)
    finally:
        problems = walk.save_report()
        page.context.close()
    assert problems == {}
