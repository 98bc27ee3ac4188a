"""`companion demo`, as the README's first command runs it: start, use both apps, stop.

The demo runs as a subprocess on free ports and its own folder. Both printed URLs are
opened in Chromium; each app is unlocked with the printed PIN and shows the seeded story.
SIGINT (Ctrl-C) must stop the server and both apps and exit 0; a second run reuses the
folder without seeding again.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y_checks import settle
from tests.e2e.conftest import ROOT
from tests.e2e.text_entry import type_into

pytestmark = pytest.mark.e2e

URL = re.compile(r"(http://127\.0\.0\.1:\d+/)\s+pincode (\d+)")
START_TIMEOUT_S = 150
CHECKED = "Sleutels gecontroleerd"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(
            socket.SOL_SOCKET, socket.SO_REUSEADDR, 1
        )  # ignore TIME_WAIT, as servers do
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Demo:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ports = [_free_port() for _ in range(3)]
        self.output = folder.parent / "demo-output.txt"
        self.process: subprocess.Popen | None = None

    def start(self) -> list[tuple[str, str]]:
        """Run `companion demo`; returns [(url, pin)] for the youth and caregiver apps."""
        server, youth, caregiver = self.ports
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("COMPANION_DATA_DIR", None)
        self.output.write_text("")
        sink = self.output.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "companion.cli",
                "demo",
                "--folder",
                str(self.folder),
                "--server-port",
                str(server),
                "--youth-port",
                str(youth),
                "--caregiver-port",
                str(caregiver),
            ],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=sink,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            found = URL.findall(self.text())
            if len(found) == 2:
                return found
            assert self.process.poll() is None, f"the demo stopped:\n{self.text()[-3000:]}"
            time.sleep(0.5)
        raise AssertionError(f"the demo printed no URLs in time:\n{self.text()[-3000:]}")

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def interrupt(self) -> int:
        """What Ctrl-C in the terminal does."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def key_status(page: Page):
    """Where this app stands with the other person's keys (one linked person here)."""
    return page.locator('[flt-semantics-identifier^="key-status-"]').first


def unlock(page: Page, pin: str) -> None:
    page.locator('[flt-semantics-identifier="unlock-pin"] input').first.wait_for(timeout=30000)
    settle(page)  # a click while the screen still slides in lands beside the field
    type_into(page, "unlock-pin", pin)
    page.locator('[flt-semantics-identifier="unlock"]').click()


def test_the_demo_starts_signs_in_and_stops_cleanly(tmp_path, browser):
    demo = Demo(tmp_path / "demo")
    try:
        (youth_url, youth_pin), (caregiver_url, caregiver_pin) = demo.start()
        assert "De demo wordt klaargezet" in demo.text()

        youth_context = browser.new_context(viewport={"width": 390, "height": 844})
        youth = youth_context.new_page()
        youth.goto(youth_url)
        youth.locator("flt-semantics-placeholder").dispatch_event("click")
        unlock(youth, youth_pin)
        expect(youth.get_by_text("Hoi Yasmine!")).to_be_visible(timeout=30000)
        expect(youth.get_by_text("Huur betalen").first).to_be_visible()
        # the demo's two people compared their safety number: each app says so
        youth.get_by_role("tab", name="Meer", exact=True).click()
        youth.locator('[flt-semantics-identifier="menu-more-network"]').click()
        expect(key_status(youth)).to_contain_text(CHECKED + ": wat je met Els Peeters deelt")

        caregiver_context = browser.new_context(viewport={"width": 1280, "height": 800})
        caregiver = caregiver_context.new_page()
        caregiver.goto(caregiver_url)
        caregiver.locator("flt-semantics-placeholder").dispatch_event("click")
        unlock(caregiver, caregiver_pin)
        row = caregiver.get_by_role("button", name=re.compile(r"^Yasmine\."))
        expect(row).to_be_visible(timeout=30000)
        row.click()
        # what Yasmine shared arrived encrypted through the real server; her private goal did not
        shared = caregiver.get_by_role("progressbar", name=re.compile("Een eigen budget opmaken"))
        expect(shared).to_be_visible(timeout=30000)
        assert "Huurwaarborg van mijn vorige kamer" not in caregiver.locator("body").aria_snapshot()
        expect(key_status(caregiver)).to_contain_text(CHECKED + ": wat je met Yasmine deelt")
        expect(caregiver.locator('[flt-semantics-identifier^="key-compare-"]')).to_have_count(0)
        youth_context.close()
        caregiver_context.close()

        assert demo.interrupt() == 0
        assert "stopping" in demo.text()
        for port in demo.ports:
            assert _port_free(port), f"port {port} is still in use after Ctrl-C"

        # running it again reuses the folder: no new seeding, same sign-in
        again = demo.start()
        assert again == [(youth_url, youth_pin), (caregiver_url, caregiver_pin)]
        assert "De demo wordt klaargezet" not in demo.text()
        assert demo.interrupt() == 0
    finally:
        demo.kill()
