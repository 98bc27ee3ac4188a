"""The app-lock PIN: format, hashing, verification and slowing down guessers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from companion.core.app_lock import PIN_SECRET, AppLock
from companion.core.errors import InvalidInput, TooManyAttempts, WrongPin
from tests.phone_edge import device_vault

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Clock:
    def __init__(self):
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self):
        return self.now


@pytest.fixture
def setup():
    vault, clock = device_vault(), Clock()
    return vault, clock, AppLock(vault, clock, FAST)


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", "", " 1234", "１２３４"])
def test_pin_must_be_four_to_six_ascii_digits(setup, pin):
    _, _, lock = setup
    with pytest.raises(InvalidInput) as failure:
        lock.set_pin(pin, pin)
    assert failure.value.code == "pin_format"
    assert not lock.enabled


def test_pin_is_stored_only_as_a_salted_argon2id_hash(setup):
    vault, _, lock = setup
    with pytest.raises(InvalidInput):
        lock.set_pin("1234", "1243")
    lock.set_pin("1234", "1234")
    stored = vault.get(PIN_SECRET)
    assert stored.startswith(b"$argon2id$") and b"1234" not in stored.split(b"$")[-1]
    first = stored
    lock.set_pin("1234", "1234")
    assert vault.get(PIN_SECRET) != first  # fresh salt each time
    lock.verify("1234")
    with pytest.raises(WrongPin):
        lock.verify("4321")


def test_wrong_tries_wait_longer_and_longer_even_after_a_restart(setup):
    vault, clock, lock = setup
    lock.set_pin("2580", "2580")
    for _ in range(5):
        with pytest.raises(WrongPin):
            lock.verify("0000")
    restarted = AppLock(vault, clock, FAST)
    with pytest.raises(TooManyAttempts) as failure:
        restarted.verify("2580")  # even the right PIN waits
    assert failure.value.params["seconds"] == 31
    clock.now += timedelta(seconds=31)
    with pytest.raises(WrongPin):
        restarted.verify("1111")
    assert restarted.wait_remaining() == timedelta(seconds=60)
    clock.now += timedelta(seconds=61)
    restarted.verify("2580")
    assert restarted.wait_remaining() == timedelta(0)


def test_disabling_needs_the_pin(setup):
    _, _, lock = setup
    lock.set_pin("2580", "2580")
    with pytest.raises(WrongPin):
        lock.disable("0000")
    assert lock.enabled
    lock.disable("2580")
    assert not lock.enabled
    lock.verify("anything")  # no lock: nothing to check
