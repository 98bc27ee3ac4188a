"""The screens before an account exists, walked in every look: the youth's sign-up (welcome,
invitation code, recovery, name, recovery code, confirming it, the PIN offer), help and
quick-hide from there, and the caregiver's sign-in (welcome, activation, joining by an
invitation). Same checks, screenshots and report as test_a11y_walk.py, under
test-artifacts/a11y/<look>/youth-first-run/ and .../caregiver-sign-in/.

The look is written to the fresh app's preferences file before it starts, as the settings
screen would have left it.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y_checks import Walk
from tests.e2e.conftest import AppProcess
from tests.e2e.test_a11y_walk import (
    ARTIFACTS,
    LOOKS,
    Look,
    Step,
    activate,
    by_id,
    click,
    node,
    tap,
    walk_steps,
)
from tests.e2e.text_entry import type_into

pytestmark = pytest.mark.e2e


def fresh_app(tmp_path, look: Look) -> AppProcess:
    app = AppProcess(tmp_path / "data")
    app.data_dir.mkdir()
    preferences = {"language": "nl", "theme": look.theme, "text_scale": float(look.text_size)}
    (app.data_dir / "preferences.json").write_text(json.dumps(preferences), encoding="utf-8")
    app.start()
    return app


def open_page(browser, url: str, look: Look) -> Page:
    context = browser.new_context(
        viewport={"width": look.width, "height": look.height},
        device_scale_factor=2 * look.zoom if look.zoom != 1.0 else 1,
    )
    page = context.new_page()
    page.goto(url)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    return page


def back_then(marker: str):
    return lambda page: (tap(page, "back"), activate(node(page, marker)))


def confirm_recovery_code(page: Page) -> None:
    code = re.search(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", by_id(page, "recovery-code").inner_text())
    assert code is not None
    tap(page, "code-noted")
    type_into(page, "confirm-group", code.group(0).split("-")[2])


def name_then_create(page: Page) -> None:
    type_into(page, "display-name", "Yasmine")
    tap(page, "create-account")


def hide_after_help(page: Page) -> None:
    """Back from help, then quick hide: once help has slid away, or the tap goes to the
    hide button of the help screen on its way out."""
    tap(page, "back")
    expect(node(page, "call-*")).to_have_count(0, timeout=15000)
    tap(page, "hide-button")


YOUTH_STEPS = [
    Step("01-welcome", lambda page: None, "start-new"),
    Step("02-invitation-code", click("start-invite"), "invite-next"),
    Step("03-restore", back_then("start-restore"), "restore-next"),
    Step("04-name", back_then("start-new"), "create-account"),
    Step("05-recovery-code", name_then_create, "code-noted"),
    Step("06-confirm-code", confirm_recovery_code, "confirm-check"),
    Step("07-pin-offer", click("confirm-check"), "pin-later"),
    Step("08-help", click("help-button"), "call-*"),
    Step("09-hidden", lambda page: hide_after_help(page), "hidden-screen"),
]

CAREGIVER_STEPS = [
    Step("01-welcome", lambda page: None, "start-caregiver"),
    Step("02-activate", click("start-caregiver"), "activate-submit"),
    Step("03-join", back_then("start-network"), "join-submit"),
    Step("04-help", click("help-button"), "call-*"),
]


@pytest.mark.parametrize("look", LOOKS, ids=[look.name for look in LOOKS])
def test_youth_sign_up_screens(tmp_path, browser, look):
    app = fresh_app(tmp_path, look)
    page = open_page(browser, app.url, look)
    walk = Walk(page, ARTIFACTS / look.name / "youth-first-run", run_axe=look.axe)
    try:
        expect(by_id(page, "start-new")).to_be_attached(timeout=60000)  # a cold start
        walk_steps(page, walk, YOUTH_STEPS)
    finally:
        problems = walk.save_report()
        page.context.close()
        app.stop()
    assert problems == {}


@pytest.mark.parametrize("look", LOOKS, ids=[look.name for look in LOOKS])
def test_caregiver_sign_in_screens(tmp_path, browser, look, monkeypatch):
    monkeypatch.setenv("COMPANION_ROLE", "caregiver")
    app = fresh_app(tmp_path, look)
    page = open_page(browser, app.url, look)
    walk = Walk(page, ARTIFACTS / look.name / "caregiver-sign-in", run_axe=look.axe)
    try:
        expect(by_id(page, "start-caregiver")).to_be_attached(timeout=60000)  # a cold start
        walk_steps(page, walk, CAREGIVER_STEPS)
    finally:
        problems = walk.save_report()
        page.context.close()
        app.stop()
    assert problems == {}
