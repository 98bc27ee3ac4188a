"""Two people, two browsers, one real server: a youth and their caregiver, end to end.

Sam (youth app, phone size) and Els (caregiver app, desktop size) each run in their own app
process and browser context against one server (uvicorn on loopback, SQLite). Everything
between them is encrypted by their own devices and travels through the server:

Sam invites Els -> Els accepts -> Sam shares a goal and writes -> Els sees both, suggests a
step and replies -> Sam accepts the step and reads the reply -> Sam revokes the link ->
after its next sync Els' app shows nothing of Sam's -> Sam's access log lists Els' reads.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from companion_server.db.engine import Database
from companion_server.services.accounts import create_caregiver_account
from tests.e2e.conftest import AppProcess
from tests.e2e.test_caregiver_screens import (
    SHOTS,
    CaregiverApp,
    by_id,
    open_app,
    shot,
    shows,
    tap,
)
from tests.e2e.text_entry import enter_text, type_into
from tests.server.serverkit import relaxed_settings
from tests.serving import running_server

pytestmark = pytest.mark.e2e

EMAIL = "els.peeters@voorziening.be"
PHONE = {"width": 390, "height": 844}


def by_prefix(page: Page, prefix: str):
    return page.locator(f'[flt-semantics-identifier^="{prefix}"]').first


def open_phone(browser, url: str) -> Page:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    page.goto(url)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.wait_for_selector("flt-semantics-host flt-semantics", state="attached")
    return page


def open_tab(page: Page, label: str) -> None:
    page.get_by_role("tab", name=label, exact=True).click()


def wait_until(check, what: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with running_server(url, settings=relaxed_settings(url)) as running:
        yield running


def operator_creates(server) -> str:
    database = Database(server.database_url)
    try:
        with database.write() as session:
            return create_caregiver_account(
                session, "Els Peeters", EMAIL, datetime.now(UTC), timedelta(days=1)
            )
    finally:
        database.dispose()


def sign_up_youth(page: Page) -> None:
    tap(page, "start-new")
    type_into(page, "display-name", "Sam")
    tap(page, "create-account")
    code_node = by_id(page, "recovery-code")
    expect(code_node).to_be_visible(timeout=30000)
    code = re.search(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", code_node.inner_text())
    assert code is not None
    tap(page, "code-noted")
    type_into(page, "confirm-group", code.group(0).split("-")[2])
    tap(page, "confirm-check")
    tap(page, "pin-later")
    expect(page.get_by_role("heading", name="Hoi Sam!")).to_be_visible(timeout=20000)


def activate_caregiver(page: Page, code: str) -> None:
    tap(page, "start-caregiver")
    type_into(page, "activate-email", EMAIL)
    type_into(page, "activate-code", code)
    tap(page, "activate-submit")
    code_node = by_id(page, "recovery-code")
    expect(code_node).to_be_visible(timeout=30000)
    recovery = re.search(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", code_node.inner_text())
    assert recovery is not None
    tap(page, "code-noted")
    type_into(page, "confirm-group", recovery.group(0).split("-")[1])
    tap(page, "confirm-check")
    tap(page, "pin-later")
    expect(by_id(page, "caseload-empty")).to_be_visible(timeout=20000)


def test_youth_and_caregiver_end_to_end(tmp_path, server, browser, monkeypatch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("COMPANION_SERVER_URL", server.url)
    # No short poll: every wait below is shorter than the apps' 60 s poll, so what arrives
    # arrives through the live channel (records, and links that start or end).
    youth_app = AppProcess(tmp_path / "sam")
    youth_app.data_dir.mkdir()
    youth_app.start()
    caregiver_app = CaregiverApp(tmp_path / "els", server.url)
    try:
        caregiver_app.wait()
        sam = open_phone(browser, youth_app.url)
        els = open_app(browser, caregiver_app.url)
        sign_up_youth(sam)
        activate_caregiver(els, operator_creates(server))

        # Sam invites Els as her caregiver; Els accepts the code
        open_tab(sam, "Meer")
        tap(sam, "menu-more-network")
        tap(sam, "invite-create")
        invite = by_id(sam, "invite-code")
        wait_until(
            lambda: invite.count() > 0 or by_id(sam, "invite-error").count() > 0,
            "an invitation code or an error",
        )
        assert invite.count() > 0, (
            "the youth app could not reach the server to make an invitation: "
            + by_id(sam, "invite-error").inner_text()
        )
        code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", invite.inner_text())
        assert code is not None
        type_into(els, "invitation-code", code.group(0))
        tap(els, "invitation-accept")
        expect(els.get_by_role("group", name=re.compile("Sam"))).to_be_visible(timeout=20000)

        # Sam shares a goal and writes to Els (a reload reconnects to the same session)
        sam.reload()
        sam.locator("flt-semantics-placeholder").dispatch_event("click")
        tap(sam, "back")
        open_tab(sam, "Doelen")
        tap(sam, "goal-new")
        type_into(sam, "goal-title", "Een studio huren")
        tap(sam, "goal-save")
        share = by_prefix(sam, "goal-share-")
        expect(share).to_be_visible(timeout=40000)  # Els is known once Sam's app synced
        share.click()
        expect(by_id(sam, "goal-audience")).to_contain_text("Els Peeters")
        tap(sam, "back")  # the goal's own screen has no tab bar
        open_tab(sam, "Chat")
        by_prefix(sam, "chat-with-").click()
        type_into(sam, "chat-input", "Mag ik je iets vragen over de huurwaarborg?")
        tap(sam, "chat-send")

        # Els sees the goal and the message, suggests a step and replies
        els.get_by_role("group", name=re.compile("Sam")).click()
        goal = els.get_by_role("progressbar", name=re.compile("Een studio huren"))
        expect(goal).to_be_visible(timeout=40000)
        enter_text(
            by_prefix(els, "step-title-"), "Huurwaarborg aanvragen bij het OCMW", name="step-title-"
        )
        by_prefix(els, "step-suggest-").click()
        shows(els, "Jouw voorstel: Huurwaarborg aanvragen bij het OCMW")
        tap(els, "open-chat")
        shows(els, "Mag ik je iets vragen over de huurwaarborg?", timeout=40)
        type_into(els, "chat-input", "Natuurlijk! Dat kan via het OCMW, ik leg het je uit.")
        tap(els, "chat-send")
        shot(els, "18-two-party-chat")

        # Sam accepts the step and reads the reply
        tap(sam, "back")
        open_tab(sam, "Doelen")
        accept = by_prefix(sam, "suggestion-accept-")
        expect(accept).to_be_visible(timeout=40000)
        accept.click()
        expect(by_prefix(sam, "suggestion-accept-")).to_have_count(0)
        open_tab(sam, "Chat")
        by_prefix(sam, "chat-with-").click()
        shows(sam, "Natuurlijk! Dat kan via het OCMW", timeout=40)

        # Els sees the accepted step arrive as Sam's own
        tap(els, "back")
        shows(els, "Huurwaarborg aanvragen bij het OCMW", timeout=40)
        wait_until(
            lambda: "Jouw voorstel: Huurwaarborg" not in els.locator("body").aria_snapshot(),
            "the accepted step to replace the suggestion",
        )

        # Sam revokes the link; after its next sync Els' app shows nothing of Sam
        tap(sam, "back")
        open_tab(sam, "Meer")
        tap(sam, "menu-more-network")
        by_prefix(sam, "link-revoke-").click()
        tap(sam, "revoke-confirm")
        expect(by_id(els, "youth-gone")).to_be_visible(timeout=40000)
        tap(els, "back")
        expect(by_id(els, "caseload-empty")).to_be_visible(timeout=20000)
        tree = els.locator("body").aria_snapshot()
        assert "Sam" not in tree and "studio" not in tree
        shot(els, "19-two-party-after-revoke")

        # Sam's access log lists what Els' device received
        tap(sam, "access-log-load")
        shows(sam, "Els Peeters", timeout=20)
    finally:
        caregiver_app.stop()
        youth_app.stop()
