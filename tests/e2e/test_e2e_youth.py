"""A youth's first session in a real browser, then a restart of the app on the same data."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y_checks import small_targets
from tests.e2e.text_entry import type_into

pytestmark = pytest.mark.e2e

MIN_TOUCH = 48


def by_id(page: Page, identifier: str):
    return page.locator(f'[flt-semantics-identifier="{identifier}"]')


def tap(page: Page, identifier: str) -> None:
    by_id(page, identifier).click()


def diary_entry(page: Page, text: str):
    """A diary list item: one button whose name holds preview, date, mood and audience."""
    return page.get_by_role("button", name=re.compile("^" + re.escape(text)))


def open_tab(page: Page, label: str) -> None:
    page.get_by_role("tab", name=label, exact=True).click()


def shot(page: Page, folder, name: str) -> None:
    page.wait_for_timeout(400)  # let the page transition finish before the picture
    page.screenshot(path=str(folder / f"{name}.png"))


def assert_touch_targets(page: Page) -> None:
    """Every button on screen offers at least a 48 x 48 px touch target."""
    small = small_targets(page, MIN_TOUCH)
    assert not small, f"touch targets below {MIN_TOUCH} px: {small}"


def test_first_session_and_restart(app_process, open_page, screenshot_dir):
    page = open_page(app_process.url)
    shots = screenshot_dir

    # --- welcome and sign-up ------------------------------------------------------
    expect(page.get_by_role("heading", name="Welkom bij Companion")).to_be_visible()
    assert_touch_targets(page)
    shot(page, shots, "01-welcome")
    tap(page, "start-new")
    type_into(page, "display-name", "Yasmine")
    shot(page, shots, "02-name")
    tap(page, "create-account")

    code_node = by_id(page, "recovery-code")
    expect(code_node).to_be_visible(timeout=20_000)
    code = re.search(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", code_node.inner_text())
    assert code is not None, "the recovery code is shown in full"
    groups = code.group(0).split("-")
    shot(page, shots, "03-recovery-code")
    tap(page, "code-noted")

    type_into(page, "confirm-group", "ZZZZ")
    tap(page, "confirm-check")
    expect(by_id(page, "error")).to_contain_text("Dat groepje klopt niet")
    type_into(page, "confirm-group", groups[2], replace=True)
    shot(page, shots, "04-confirm-group")
    tap(page, "confirm-check")

    expect(by_id(page, "pin-later")).to_be_visible()
    shot(page, shots, "05-pin-offer")
    tap(page, "pin-later")

    # --- today ------------------------------------------------------------------------
    expect(page.get_by_role("heading", name="Hoi Yasmine!")).to_be_visible()
    expect(by_id(page, "sync-state")).to_contain_text("Nog niet verbonden")
    assert_touch_targets(page)
    shot(page, shots, "06-today")

    # --- diary: write with a mood, then find it --------------------------------------
    open_tab(page, "Dagboek")
    expect(by_id(page, "diary-empty")).to_be_visible()
    shot(page, shots, "07-diary-empty")
    tap(page, "diary-new")
    type_into(page, "diary-text", "Vandaag naar de zee geweest met Lotte. Het deed deugd.")
    tap(page, "entry-mood-4")
    tap(page, "domain-free_time")
    shot(page, shots, "08-diary-new")
    tap(page, "diary-save")
    expect(by_id(page, "diary-text")).to_have_count(0)  # back on the list
    entry = diary_entry(page, "Vandaag naar de zee geweest")
    expect(entry).to_be_visible()
    expect(entry).to_have_accessible_name(re.compile("Goed.*Alleen jij", re.S))
    shot(page, shots, "09-diary-list")

    type_into(page, "diary-search", "zee")
    expect(diary_entry(page, "Vandaag naar de zee geweest")).to_be_visible()
    shot(page, shots, "10-diary-search")
    type_into(page, "diary-search", "fiets", replace=True)
    expect(by_id(page, "diary-empty")).to_contain_text("Niets gevonden")

    # --- settings: French and back -----------------------------------------------------
    open_tab(page, "Meer")
    shot(page, shots, "11-more")
    tap(page, "menu-more-settings")
    expect(page.get_by_role("heading", name="Instellingen")).to_be_visible()
    assert_touch_targets(page)
    shot(page, shots, "12-settings")
    page.get_by_role("radio", name="Français").click()
    expect(page.get_by_role("heading", name="Réglages")).to_be_visible()
    expect(page.get_by_role("tab", name="Journal", exact=True)).to_have_count(0)  # sub-screen
    shot(page, shots, "13-settings-fr")
    page.get_by_role("radio", name="Nederlands").click()
    expect(page.get_by_role("heading", name="Instellingen")).to_be_visible()

    # --- help, from the app bar --------------------------------------------------------
    tap(page, "help-button")
    expect(by_id(page, "call-emergency")).to_contain_text("Bel 112")
    expect(by_id(page, "call-awel")).to_contain_text("Bel 102")
    assert_touch_targets(page)
    shot(page, shots, "14-help")

    # --- quick-hide blanks everything ----------------------------------------------------
    page.keyboard.press("Escape")
    tap(page, "hide-button")
    expect(by_id(page, "hidden-screen")).to_be_visible()
    expect(page.get_by_role("tab")).to_have_count(0)
    expect(by_id(page, "hide-button")).to_have_count(0)
    expect(page.get_by_text("Companion")).to_have_count(0)
    shot(page, shots, "15-hidden")

    # --- restart the app process: the entry is still there ------------------------------
    app_process.stop()
    app_process.start()
    page = open_page(app_process.url)
    open_tab(page, "Dagboek")
    expect(diary_entry(page, "Vandaag naar de zee geweest")).to_be_visible()
