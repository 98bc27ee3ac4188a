"""Fixtures for store tests: every test runs on both SQLCipher bindings (desktop sqlcipher3,
phone SQLite3MC), each on a fresh encrypted store, closed afterwards.

COMPANION_STORE_BINDING set when the run starts narrows that to one binding (the phone
CI profile, mobile/build_sqlite3mc_wheel.sh). A test module that opens each binding itself
(interop tests) sets `OPENS_EACH_BINDING_ITSELF = True` and runs once, on the default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.store import Store
from companion.store.binding import BINDING_ENV, SQLCIPHER3, SQLITE3MC, binding_name
from tests.store.store_samples import KEY

BINDINGS = [binding_name()] if os.environ.get(BINDING_ENV) else [SQLCIPHER3, SQLITE3MC]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "binding" in metafunc.fixturenames and not getattr(
        metafunc.module, "OPENS_EACH_BINDING_ITSELF", False
    ):
        metafunc.parametrize("binding", BINDINGS, indirect=True)


@pytest.fixture(autouse=True)
def binding(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The binding `Store.open` picks, through its documented override (inherited by the
    child processes the crash tests start)."""
    forced = getattr(request, "param", None)
    if forced is None:
        monkeypatch.delenv(BINDING_ENV, raising=False)
    else:
        monkeypatch.setenv(BINDING_ENV, forced)
    return binding_name()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "companion.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path, KEY) as opened:
        yield opened
