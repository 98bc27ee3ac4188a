"""Browser end-to-end tests: the real app in Flet web mode, driven by headless Chromium.

The app runs as `python -m companion` in a subprocess with its own data folder, so a test
can stop it and start it again on the same data (a restart). Controls are found by role,
label and `[flt-semantics-identifier=...]` after enabling Flutter's accessibility tree.
Chromium comes from Debian (/usr/bin/chromium); `playwright install` is never used. In CI
a missing Chromium fails the run (tests/machine.py).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.machine import require

CHROMIUM = os.environ.get("COMPANION_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots" / "youth"
VIEWPORT = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppProcess:
    """`python -m companion` in web mode on a data folder; start/stop/restart."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.log = data_dir.parent / "app.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        env = dict(
            os.environ,
            FLET_FORCE_WEB_SERVER="true",
            FLET_WEB_NO_CDN="true",
            FLET_SERVER_PORT=str(self.port),
            COMPANION_DATA_DIR=str(self.data_dir),
            COMPANION_VAULT="file",
        )
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "companion"], env=env, cwd=ROOT, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited early:\n{self.log.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("app did not start listening within 60 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists() or shutil.which("chromium") is not None, "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def app_process(tmp_path):
    process = AppProcess(tmp_path / "data")
    process.data_dir.mkdir()
    process.start()
    yield process
    process.stop()


@pytest.fixture
def open_page(browser):
    """`open_page(url)` -> a phone-sized page with Flutter's accessibility tree enabled."""
    contexts = []

    def open_(url: str):
        context = browser.new_context(viewport=VIEWPORT, device_scale_factor=2)
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        page.locator("flt-semantics-placeholder").dispatch_event("click")
        page.wait_for_selector("flt-semantics-host flt-semantics", state="attached")
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
