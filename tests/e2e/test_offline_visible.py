"""Offline made visible (issue 15's "done when"), in real browsers against one real server.

Sam (youth app, phone size) and Els (caregiver app) are linked and compared their safety
number. Sam's phone loses its connection (tests/e2e/netcut.py cuts the line between her
app and the server): within seconds every screen says "Offline", without Sam doing
anything. She writes a diary entry and shares it with Els: the list marks it "Niet
verstuurd" and Today counts it. The line comes back: the app reconnects by itself, the
offline state and the mark go, and the entry reaches Els.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.netcut import NetworkCut
from tests.e2e.test_appointments import invite, snap, to_tabs, youth_app
from tests.e2e.test_caregiver_screens import CaregiverApp, by_id, open_app, shows, tap
from tests.e2e.test_caregiver_two_party import (
    activate_caregiver,
    by_prefix,
    open_phone,
    open_tab,
    operator_creates,
    server,  # noqa: F401  (fixture)
    sign_up_youth,
)
from tests.e2e.text_entry import type_into

pytestmark = pytest.mark.e2e

TEXT = "Geschreven op de bus zonder bereik."


def sam_row(els: Page) -> Locator:
    """Sam's row in the caseload: one button read as one sentence."""
    return els.get_by_role("button", name=re.compile(r"^Sam\."))


def link_and_compare(sam: Page, els: Page) -> None:
    """Els takes Sam's code; both compare their safety number and say it matches."""
    type_into(els, "invitation-code", invite(sam, "caregiver"))
    tap(els, "invitation-accept")
    expect(sam_row(els)).to_be_visible(timeout=30000)
    sam_row(els).click()
    by_prefix(els, "key-compare-").click()
    by_prefix(els, "key-match-").click()
    expect(by_prefix(els, "key-status-")).to_contain_text("Sleutels gecontroleerd")
    tap(els, "back")
    to_tabs(sam)
    open_tab(sam, "Meer")
    tap(sam, "menu-more-network")
    compare = by_prefix(sam, "key-compare-")
    expect(compare).to_be_visible(timeout=40000)
    compare.click()
    by_prefix(sam, "key-match-").click()
    tap(sam, "back")


def test_offline_shows_unsent_is_marked_and_all_arrives_when_back(
    tmp_path,
    server,  # noqa: F811
    browser,
    monkeypatch,
):
    phone_line = NetworkCut(server.url)
    sam_app = youth_app(tmp_path, monkeypatch, phone_line.url)
    els_app = CaregiverApp(tmp_path / "els", server.url)
    try:
        els_app.wait()
        sam = open_phone(browser, sam_app.url)
        els = open_app(browser, els_app.url)
        sign_up_youth(sam)
        activate_caregiver(els, operator_creates(server))
        link_and_compare(sam, els)
        to_tabs(sam)
        open_tab(sam, "Vandaag")
        expect(by_id(sam, "sync-state")).to_contain_text("Alles is bijgewerkt", timeout=30000)
        expect(by_id(sam, "offline-banner")).to_have_count(0)

        # the line goes: the app says so by itself, on Today and on every other screen
        phone_line.cut()
        expect(by_id(sam, "offline-banner")).to_be_visible(timeout=10000)
        expect(by_id(sam, "sync-state")).to_contain_text("Offline")
        open_tab(sam, "Dagboek")
        expect(by_id(sam, "offline-banner")).to_be_visible()

        # what she writes now is kept, marked and counted
        tap(sam, "diary-new")
        type_into(sam, "diary-text", TEXT)
        tap(sam, "diary-save")
        entry = by_prefix(sam, "entry-")
        expect(entry).to_contain_text(TEXT)
        expect(entry).to_contain_text("Niet verstuurd")
        by_prefix(sam, "share-").click()
        sam.get_by_role("checkbox", name=re.compile("Els Peeters")).click()
        tap(sam, "share-save")
        expect(entry).to_contain_text("Jij en Els Peeters · Niet verstuurd")
        snap(sam, SCREENSHOTS, "50-offline-diary-not-sent")
        entry.click()
        expect(by_id(sam, "entry-unsent")).to_contain_text("Niet verstuurd")
        tap(sam, "back")
        open_tab(sam, "Vandaag")
        expect(by_id(sam, "unsent-count")).to_contain_text("Niet verstuurd: 1")
        snap(sam, SCREENSHOTS, "51-offline-today")

        # the line returns: the app reconnects by itself, sends, and the marks go
        phone_line.restore()
        expect(by_id(sam, "offline-banner")).to_have_count(0, timeout=40000)
        expect(by_id(sam, "sync-state")).to_contain_text("Alles is bijgewerkt", timeout=30000)
        expect(by_id(sam, "unsent-count")).to_have_count(0)
        open_tab(sam, "Dagboek")
        expect(by_prefix(sam, "entry-")).to_contain_text("Jij en Els Peeters")
        expect(by_prefix(sam, "entry-")).not_to_contain_text("Niet verstuurd")

        # and it reached Els
        sam_row(els).click()
        shows(els, TEXT, timeout=40)
    finally:
        els_app.stop()
        sam_app.stop()
        phone_line.close()
