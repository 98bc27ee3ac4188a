"""Choosing a date or a time in the browser tests, as a person does with Flutter's pickers
(Dutch names: the app sets the page's locale)."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from tests.e2e.text_entry import enter_text


def pick_day(page: Page, identifier: str, day: date, months_ahead: int) -> None:
    """Open the date field `identifier`, go `months_ahead` months on and tap `day`."""
    page.locator(f'[flt-semantics-identifier="{identifier}"]').click()
    for _ in range(months_ahead):
        page.get_by_role("button", name="Volgende maand").click()
    page.get_by_role("button", name=f"{day.day}, ", exact=False).first.click()
    page.get_by_role("button", name="Kiezen").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def pick_time(page: Page, identifier: str, hour: int, minute: int) -> None:
    """Open the time field `identifier`, switch the clock to typing, type hour and minutes."""
    page.locator(f'[flt-semantics-identifier="{identifier}"]').click()
    page.get_by_role("button", name="Overschakelen naar tekstinvoer").click()
    enter_text(page.get_by_role("textbox", name="Uur"), f"{hour:02d}", replace=True, name="uur")
    minutes = page.get_by_role("textbox", name="Minuten")
    enter_text(minutes, f"{minute:02d}", replace=True, name="minuten")
    page.get_by_role("button", name="Kiezen").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
