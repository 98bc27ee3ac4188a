"""Safety numbers: people compare them in person to know the server gave the right keys."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from companion.crypto.errors import FingerprintMismatchError
from companion.crypto.fingerprint import (
    combined_safety_number,
    safety_number,
    verify_fingerprint,
)
from companion.crypto.keys import AccountKeys


@pytest.fixture
def alice():
    return AccountKeys.generate().public


@pytest.fixture
def bob():
    return AccountKeys.generate().public


def test_a_safety_number_is_five_groups_of_five_digits(alice):
    assert re.fullmatch(r"\d{5}( \d{5}){4}", safety_number(alice))
    assert safety_number(alice) == safety_number(replace(alice))


def test_the_number_changes_when_either_key_changes(alice, bob):
    number = safety_number(alice)
    assert safety_number(replace(alice, x25519=bob.x25519)) != number
    assert safety_number(replace(alice, ed25519=bob.ed25519)) != number


@pytest.mark.parametrize(
    "spelling", [lambda n: n, lambda n: n.replace(" ", ""), lambda n: n.replace(" ", "-")]
)
def test_the_right_number_verifies_however_it_was_typed(alice, spelling):
    verify_fingerprint(spelling(safety_number(alice)), alice)


def test_a_replaced_key_is_caught(alice, bob):
    with pytest.raises(FingerprintMismatchError, match="does not match"):
        verify_fingerprint(safety_number(alice), bob)


def test_a_single_wrong_digit_is_caught(alice):
    number = safety_number(alice)
    wrong = ("1" if number[0] != "1" else "2") + number[1:]
    with pytest.raises(FingerprintMismatchError):
        verify_fingerprint(wrong, alice)


@pytest.mark.parametrize("text", ["", "12345", "1234a 12345 12345 12345 12345", "١٢٣٤٥" * 5, None])
def test_something_that_is_not_a_number_is_reported_as_such(alice, text):
    with pytest.raises(FingerprintMismatchError, match="not a safety number"):
        verify_fingerprint(text, alice)


def test_combined_number_is_the_same_on_both_phones(alice, bob):
    combined = combined_safety_number(alice, bob)
    assert combined == combined_safety_number(bob, alice)
    assert re.fullmatch(r"\d{5}( \d{5}){9}", combined)
    halves = {combined[:29], combined[30:]}
    assert halves == {safety_number(alice), safety_number(bob)}


def test_combined_number_differs_when_one_person_is_swapped(alice, bob):
    carol = AccountKeys.generate().public
    assert combined_safety_number(alice, bob) != combined_safety_number(alice, carol)
