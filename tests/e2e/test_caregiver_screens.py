"""Every caregiver screen in a real browser at 1280x800, against the real server.

The world: a server (uvicorn on loopback, SQLite) with the demo story seeded through the real
sync path (Els Peeters and Yasmine, companion/demo/seed.py). Two caregiver app processes in
web mode: Els' own device (signed in, PIN) and a new computer on which Jan activates the
account the operator just made for him. Each screen is checked, then photographed into
test-artifacts/screenshots/caregiver/.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from companion.demo import story
from companion.demo.seed import seed
from companion_server.db.engine import Database
from companion_server.services.accounts import create_caregiver_account
from tests.e2e.a11y_checks import small_targets
from tests.e2e.conftest import ROOT, _free_port
from tests.e2e.screen_reader import tap as tap_control
from tests.e2e.text_entry import type_into
from tests.server.serverkit import relaxed_settings
from tests.serving import running_server

pytestmark = pytest.mark.e2e

SHOTS = ROOT / "test-artifacts" / "screenshots" / "caregiver"
DESKTOP = {"width": 1280, "height": 800}
MIN_TOUCH = 40  # desktop: mouse targets, a little smaller than the phone's 48


class CaregiverApp:
    """`companion --role caregiver --web` on a data folder, talking to one server."""

    def __init__(self, data_dir: Path, server_url: str) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.log = data_dir.parent / f"{data_dir.name}.log"
        env = {
            **os.environ,
            "COMPANION_DATA_DIR": str(data_dir),
            "COMPANION_VAULT": "file",
            "COMPANION_SERVER_URL": server_url,
            "COMPANION_SYNC_INTERVAL": "2",
            "FLET_WEB_NO_CDN": "true",
        }
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "companion.cli",
                    "--role",
                    "caregiver",
                    "--web",
                    "--port",
                    str(self.port),
                ],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=sink,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def wait(self) -> None:
        import socket

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the caregiver app did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)


def by_id(page: Page, identifier: str):
    return page.locator(f'[flt-semantics-identifier="{identifier}"]')


def tap(page: Page, identifier: str) -> None:
    tap_control(page, by_id(page, identifier).first)


def shot(page: Page, name: str) -> None:
    page.mouse.move(DESKTOP["width"] - 2, DESKTOP["height"] - 2)  # no hover highlight
    page.wait_for_timeout(500)  # let transitions finish before the picture
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def shows(page: Page, text: str, timeout: float = 20) -> None:
    """`text` is on screen for a screen reader (Flutter merges a card's texts into one
    label, so this reads the accessibility tree rather than single text nodes)."""
    deadline = time.monotonic() + timeout
    while text not in (tree := page.locator("body").aria_snapshot()):
        assert time.monotonic() < deadline, f"{text!r} not on screen:\n{tree}"
        page.wait_for_timeout(250)


def assert_targets(page: Page) -> None:
    """Every button is big enough to hit with a mouse or a finger on a touch screen."""
    small = small_targets(page, MIN_TOUCH)
    assert not small, f"buttons below {MIN_TOUCH} px: {small}"


def open_app(browser, url: str) -> Page:
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
    page = context.new_page()
    page.goto(url)
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.wait_for_selector("flt-semantics-host flt-semantics", state="attached")
    return page


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The server with the demo story, and a one-time code for a second caregiver."""
    root = tmp_path_factory.mktemp("caregiver-e2e")
    url = f"sqlite:///{root / 'server.db'}"
    with running_server(url, settings=relaxed_settings(url)) as server:
        # Playwright owns this thread's event loop: seed in a thread of its own
        with ThreadPoolExecutor(1) as worker:
            worker.submit(asyncio.run, seed(root, server.url, server.database_url)).result()
        database = Database(server.database_url)
        try:
            with database.write() as session:
                code = create_caregiver_account(
                    session,
                    "Jan Janssens",
                    "jan.janssens@demo.companion.be",
                    datetime.now(UTC),
                    timedelta(days=1),
                )
        finally:
            database.dispose()
        yield root, server, code


def test_every_caregiver_screen(world, browser):
    root, server, code = world
    SHOTS.mkdir(parents=True, exist_ok=True)
    els_app = CaregiverApp(root / "caregiver", server.url)
    jan_app = CaregiverApp(root / "jan", server.url)
    try:
        els_app.wait()
        jan_app.wait()

        # --- a new computer: Jan activates the account the operator made --------------
        page = open_app(browser, jan_app.url)
        expect(by_id(page, "start-caregiver")).to_be_visible(timeout=30000)
        assert_targets(page)
        shot(page, "01-sign-in")
        tap(page, "start-caregiver")
        type_into(page, "activate-email", "jan.janssens@demo.companion.be")
        type_into(page, "activate-code", "ABCD-EFGH-JKMN-PQRS")
        tap(page, "activate-submit")
        expect(by_id(page, "error")).to_contain_text("horen niet samen", timeout=30000)
        type_into(page, "activate-code", code, replace=True)
        shot(page, "02-activate")
        tap(page, "activate-submit")
        code_node = by_id(page, "recovery-code")
        expect(code_node).to_be_visible(timeout=30000)
        recovery = re.search(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", code_node.inner_text())
        assert recovery is not None
        shot(page, "03-recovery-code")
        tap(page, "code-noted")
        type_into(page, "confirm-group", recovery.group(0).split("-")[1])
        shot(page, "04-confirm-code")
        tap(page, "confirm-check")
        expect(by_id(page, "pin-later")).to_be_visible()
        shot(page, "05-pin")
        tap(page, "pin-later")
        expect(by_id(page, "caseload-empty")).to_be_visible(timeout=20000)
        expect(page.get_by_role("heading", name="Jongeren van Jan Janssens")).to_be_visible()
        shot(page, "06-caseload-empty")
        tap(page, "invitation-accept")
        expect(by_id(page, "invitation-error")).to_contain_text("8 letters")
        page.context.close()

        # --- Els' own computer: PIN, caseload, one youth --------------------------------
        page = open_app(browser, els_app.url)
        expect(by_id(page, "unlock-pin")).to_be_visible(timeout=30000)
        shot(page, "07-lock")
        type_into(page, "unlock-pin", story.CAREGIVER_PIN)
        tap(page, "unlock")
        row = page.get_by_role("button", name=re.compile(r"^Yasmine\."))
        expect(row).to_be_visible(timeout=30000)
        expect(row).to_contain_text("2 ongelezen")
        expect(by_id(page, "sync-state")).to_contain_text("Bijgewerkt", timeout=20000)
        assert_targets(page)
        shot(page, "08-caseload")
        row.click()
        goal = page.get_by_role("progressbar", name=re.compile("Werk vinden"))
        expect(goal).to_be_visible(timeout=20000)
        shows(page, "Ik mag beginnen bij de bakkerij!")
        snapshot = page.locator("body").aria_snapshot()
        assert "Ruzie met mijn zus" not in snapshot  # a private diary entry never arrives
        expect(by_id(page, "period-end")).to_contain_text("Toegang tot en met")
        assert_targets(page)
        shot(page, "09-youth")
        page.mouse.move(600, 500)  # over the content column, which scrolls
        page.mouse.wheel(0, 900)
        shot(page, "10-youth-scrolled")

        # --- chat ---------------------------------------------------------------------
        tap(page, "open-chat")
        shows(page, "ik snap er niks van")
        type_into(page, "chat-input", "Tot donderdag om 14 uur!")
        tap(page, "chat-send")
        shows(page, "Tot donderdag om 14 uur!")
        deadline = time.monotonic() + 20
        while page.locator("body").aria_snapshot().count("afgeleverd") < 3:
            assert time.monotonic() < deadline, "the new message was never acknowledged"
            page.wait_for_timeout(250)
        shot(page, "11-chat")
        tap(page, "back")

        # --- suggestions ----------------------------------------------------------------
        tap(page, "open-suggest")
        expect(by_id(page, "suggest-title")).to_be_visible()
        type_into(page, "suggest-title", "Een fietsherstelling leren")
        tap(page, "domain-free_time")
        type_into(page, "suggest-steps", "Repair Café opzoeken")
        shot(page, "12-suggest-goal")
        page.get_by_role("radio", name="Een herinnering", exact=True).click()
        expect(by_id(page, "suggest-date")).to_be_visible()
        shot(page, "13-suggest-reminder")
        page.get_by_role("radio", name="Een doel", exact=True).click()
        type_into(page, "suggest-title", "Een fietsherstelling leren", replace=True)
        tap(page, "domain-free_time")
        tap(page, "suggest-submit")
        shows(page, "Doel: Een fietsherstelling leren")

        # --- documents --------------------------------------------------------------------
        page.mouse.move(600, 500)  # the detail kept its scroll position: back to the top
        page.mouse.wheel(0, -3000)
        tap(page, "open-documents")
        shows(page, story.STORY.document_title)
        tap(page, "document-draft")
        shot(page, "14-documents")
        tap(page, "back")
        expect(by_id(page, "document-draft")).to_have_count(0)  # the screen has slid away

        # --- availability, settings, help ---------------------------------------------------
        page.get_by_role("button", name=re.compile("Bereikbaar")).click()
        expect(by_id(page, "hours-save")).to_be_visible()
        assert_targets(page)
        shot(page, "15-availability")
        page.get_by_role("button", name=re.compile("Instellingen")).click()
        expect(by_id(page, "account-name")).to_contain_text("Els Peeters (begeleider)")
        shot(page, "16-settings")
        page.get_by_role("button", name="Hulp", exact=True).click()
        expect(by_id(page, "call-emergency")).to_contain_text("112")
        shot(page, "17-help")
        page.context.close()
    finally:
        els_app.stop()
        jan_app.stop()
