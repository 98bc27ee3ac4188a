"""Check 5 of the phone CI profile: nothing reachable from the phone app's entry imports a
desktop-only package. A fresh Python that believes it is on Android (platform.system(), as
on CPython 3.13+ phones) and refuses sqlcipher3, keyring, plyer and flet_web starts the app
the way main.py does on a phone (phone_main: the phone's services, keystore, SQLite3MC
store, an account with a PIN, reminders handed to the OS, the lock screen) and fails on
the first such import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import asyncio, importlib.abc, platform, sys, tempfile
from datetime import date, time, timedelta

BLOCKED = ("sqlcipher3", "keyring", "plyer", "flet_web")


class DesktopOnly(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"a desktop-only module was imported on a phone: {name}")
        return None


sys.meta_path.insert(0, DesktopOnly())
platform.system = lambda: "Android"
import os
folder = tempfile.mkdtemp()
os.environ["FLET_APP_STORAGE_DATA"] = folder
for name in ("COMPANION_DATA_DIR", "COMPANION_STORE_BINDING", "COMPANION_SERVER_URL"):
    os.environ.pop(name, None)

import flet as ft

started = []
ft.run = lambda target, **options: started.append(target)  # no window: just what it runs
import runpy

runpy.run_path("main.py", run_name="__main__")  # the phone build's entry, as flet build runs it
"""

SCENARIO = r"""
from companion.phone.platform import on_phone
from companion.store.binding import binding_name
from companion.youth.app import phone_main
from tests.phone.test_phone_app import an_account, into_keystore
from tests.phone_edge import FlutterEdge
from tests.ui.ui_pilot import Pilot
from pathlib import Path

assert on_phone() and binding_name() == "sqlite3mc"
assert started == [phone_main], started  # main.py starts the phone's app on a phone


async def scenario():
    edge = FlutterEdge()
    into_keystore(an_account(Path(folder), pin="1357", biometric=True), edge)
    app = await Pilot.start(phone_main, edge=edge)
    assert app.exists("unlock-biometric")
    await app.click("unlock-biometric")
    await app.navigate("/more/reminders/new")
    await app.close()

asyncio.run(scenario())
loaded = sorted(name for name in sys.modules if name.split(".")[0] in BLOCKED)
assert not loaded, loaded
print("phone start-up imported none of", BLOCKED)
"""


def test_the_phone_app_starts_without_desktop_only_packages() -> None:
    script = SCRIPT + SCENARIO
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "imported none of" in result.stdout


def test_main_py_is_where_flet_build_looks_for_it() -> None:
    """flet build runs `<[tool.flet.app].path>/main.py` unless told another module."""
    from mobile.phone_deps import pyproject

    app = pyproject()["tool"]["flet"]["app"]
    assert "module" not in app
    assert (REPO / app["path"] / "main.py").is_file()
