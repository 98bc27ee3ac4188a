"""What makes this a phone, for every part that asks: the store binding, the key vault's
choice, worker processes (none) and the app's entry."""

from __future__ import annotations

import sys

import pytest

from companion.phone.platform import PLATFORM_ENV, on_phone
from companion.store.binding import BINDING_ENV, SQLITE3MC, binding_name
from companion.sync.opening import processes_available


@pytest.fixture
def android(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PLATFORM_ENV, raising=False)
    monkeypatch.delenv(BINDING_ENV, raising=False)
    monkeypatch.setattr("platform.system", lambda: "Android")  # CPython 3.13+ on a phone


def test_a_phone_is_known_by_platform_system_as_flet_build_fakes_it(android) -> None:
    assert sys.platform == "linux" and on_phone()
    assert binding_name() == SQLITE3MC


def test_a_phone_starts_no_worker_process(android) -> None:
    """Long pulls open their pages in a thread on a phone (no child processes there)."""
    assert not processes_available()


@pytest.mark.parametrize(("forced", "expected"), [("phone", True), ("desktop", False)])
def test_the_environment_can_force_the_answer(monkeypatch, forced: str, expected: bool) -> None:
    monkeypatch.setenv(PLATFORM_ENV, forced)
    monkeypatch.setattr("platform.system", lambda: "Android" if not expected else "Linux")
    assert on_phone() is expected
