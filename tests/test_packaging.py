"""A server install carries none of the app's dependencies, and runs.

As an operator installs it: a fresh virtualenv, `pip install '<checkout>[server]'` (not
editable: a built wheel), then `companion-server migrate` and `serve`, and `/v1/health`.
The checkout is copied first, without build output or virtualenvs, so the wheel is built
from the sources alone (a stale `build/` folder cannot slip old modules in) and the test
writes nothing into the checkout. Needs the package index, like `scripts/bootstrap.sh`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest

from tests.serving import free_port

ROOT = Path(__file__).resolve().parents[1]
# the app's own dependencies (pyproject.toml, extra "app"), normalized names
APP_ONLY = {
    "flet",
    "flet-web",
    "flet-charts",
    "flet-secure-storage",
    "sqlcipher3",
    "keyring",
    "plyer",
    "pynacl",
    "icalendar",
}
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".venv-phone",
    ".ci",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "test-artifacts",
    ".demo-data",
)
INSTALL_TIMEOUT_S = 600.0  # a cold pip cache downloads ~30 packages
# How long a started server may take to answer /health before the test gives up. It returns
# as soon as the server answers (~2 s here); the bound only has to be far above a start on
# two busy cores (imports and migrations took over 30 s there), since speed is not the test.
STARTUP_TIMEOUT_S = 120.0


def _run(args: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 120.0) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _clean_env() -> dict[str, str]:
    """This test process's environment without what would lead the installed server back
    to the checkout or the dev virtualenv, or configure it from outside."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    return {
        key: value
        for key, value in os.environ.items()
        if key not in drop and not key.startswith("COMPANION_")
    }


def _install_server(tmp_path: Path, env: dict[str, str]) -> Path:
    """A fresh virtualenv with the checkout installed with the server extra; its bin folder.

    The venv gets no pip of its own: this environment's pip installs into it (`--python`),
    which skips seeding pip and resolves faster than the old pip a new venv brings. What
    lands in the venv is the same as with the README's `venv/bin/pip install '.[server]'`.
    """
    sources = tmp_path / "checkout"
    shutil.copytree(ROOT, sources, ignore=NOT_SOURCES)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    pip = [sys.executable, "-m", "pip", "--python", venv / "bin" / "python"]
    # --no-compile: bytecode is a cache the server writes (or not) when it runs
    _run(
        [*pip, "install", "--quiet", "--no-compile", f"{sources}[server]"],
        tmp_path,
        env,
        timeout=INSTALL_TIMEOUT_S,
    )
    return venv / "bin"


def _installed(bin_dir: Path, tmp_path: Path, env: dict[str, str]) -> set[str]:
    listed = _run(
        [sys.executable, "-m", "pip", "--python", bin_dir / "python", "list", "--format=json"],
        tmp_path,
        env,
    )
    return {package["name"].lower().replace("_", "-") for package in json.loads(listed)}


def _wait_healthy(url: str, server: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, "companion-server serve stopped while starting"
        try:
            return httpx.get(f"{url}/v1/health", timeout=2.0)
        except httpx.TransportError:
            time.sleep(0.1)  # not listening yet
    raise AssertionError(f"companion-server serve did not answer in {STARTUP_TIMEOUT_S}s")


@pytest.mark.slow
def test_a_server_install_has_no_app_dependency_and_serves(tmp_path: Path) -> None:
    env = _clean_env()
    bin_dir = _install_server(tmp_path, env)

    installed = _installed(bin_dir, tmp_path, env)
    assert {"companion", "fastapi", "uvicorn", "sqlalchemy", "alembic"} <= installed
    assert installed & APP_ONLY == set()
    where = _run(
        [bin_dir / "python", "-c", "import companion_server; print(companion_server.__file__)"],
        tmp_path,
        env,
    )
    assert Path(where.strip()).is_relative_to(tmp_path / "venv")  # the wheel, not the checkout

    database_url = f"sqlite:///{tmp_path / 'server.db'}"
    migrated = _run(
        [bin_dir / "companion-server", "migrate", "--database-url", database_url], tmp_path, env
    )
    assert "database is at schema" in migrated

    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [
            bin_dir / "companion-server",
            "serve",
            "--port",
            str(port),
            "--database-url",
            database_url,
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        answer = _wait_healthy(f"http://127.0.0.1:{port}", server)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert answer.status_code == 200, (tmp_path / "serve.log").read_text()
    assert answer.json() == {"status": "ok", "database": "ok", "version": version}
