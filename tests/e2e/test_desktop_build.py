"""The desktop build for real: PyInstaller builds build.spec offline, and the frozen binary
serves the caregiver sign-in to a browser. Slow (about a minute), so it lives with the browser
tests and shares their Chromium (a second Playwright instance cannot run beside it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build.spec"

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_pyinstaller_builds_a_binary_that_serves_the_caregiver_app(tmp_path, browser):
    """The real build, offline; then the frozen binary opens the caregiver sign-in."""
    pytest.importorskip("PyInstaller")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(tmp_path / "dist"),
            "--workpath",
            str(tmp_path / "work"),
            str(SPEC),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    binary = tmp_path / "dist" / "Companion" / ("Companion.exe" if os.name == "nt" else "Companion")
    assert binary.exists()
    assert (tmp_path / "dist/Companion/_internal/companion/assets/i18n/nl/caregiver.json").exists()

    port = _free_port()
    (tmp_path / "data").mkdir()
    env = {
        **os.environ,
        "COMPANION_DATA_DIR": str(tmp_path / "data"),
        "COMPANION_VAULT": "file",
    }
    env.pop("COMPANION_ROLE", None)
    log = (tmp_path / "app.log").open("wb")
    process = subprocess.Popen(
        [str(binary), "--web", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    try:
        page = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert page is not None and page.status_code == 200, (tmp_path / "app.log").read_text()
        assert "flutter" in page.text.lower()
        # the frozen build is the caregiver app: its sign-in screen is what a browser gets
        context = browser.new_context()
        try:
            view = context.new_page()
            view.goto(f"http://127.0.0.1:{port}/")
            view.locator("flt-semantics-placeholder").dispatch_event("click")
            view.locator('[flt-semantics-identifier="start-caregiver"]').wait_for(timeout=30000)
        finally:
            context.close()
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
