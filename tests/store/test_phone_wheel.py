"""The phone binding's wheel builds from its sdist with the network off, and the store works
on it: mobile/build_sqlite3mc_wheel.sh applies the mobile recipe's patches, builds inside
a network namespace, installs the wheel in a fresh venv and runs the recipe's tests and the
store suite there. Needs PyPI for the sdist (unless cached), setuptools and the project's
dependencies; a C compiler and Python headers. Six to ten minutes on two cores, so it runs
when asked for (COMPANION_BUILD_PHONE_WHEEL=1), not in every CI run: the phone profile's
checks use PyPI's build of the same package, and this shows the recipe itself builds."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.store.store_samples import REPO

OPENS_EACH_BINDING_ITSELF = True  # conftest: one run; the script forces the phone binding
SCRIPT = REPO / "mobile" / "build_sqlite3mc_wheel.sh"


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("COMPANION_BUILD_PHONE_WHEEL") != "1",
    reason="builds a wheel from source for minutes; set COMPANION_BUILD_PHONE_WHEEL=1",
)
def test_the_phone_wheel_builds_offline_and_runs_the_store_suite(tmp_path: Path) -> None:
    env = {**os.environ, "SQLITE3MC_WORK": str(tmp_path / "sqlite3mc")}
    env.pop("COMPANION_STORE_BINDING", None)
    result = subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=1800
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "network check: unreachable as it must be" in output
    assert "Created wheel for apsw_sqlite3mc" in output
    assert "no sqlite_extra binaries" in output
    assert "SQLite3 Multiple Ciphers" in output
    summary = [line for line in output.splitlines() if " passed" in line][-1]
    assert "failed" not in summary and "error" not in summary, summary
