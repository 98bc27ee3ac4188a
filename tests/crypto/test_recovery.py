"""Recovery code and key backup: a new phone plus the code gets the account back."""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import replace

import nacl.pwhash.argon2id as argon2id
import pytest

import companion_wire as protocol
from companion.crypto.errors import (
    InvalidRecoveryCodeError,
    MalformedError,
    WrongRecoveryCodeError,
)
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import (
    ALPHABET,
    DATA_SYMBOLS,
    DEFAULT_MEMLIMIT,
    DEFAULT_OPSLIMIT,
    MAX_OPSLIMIT,
    KdfParams,
    KeyBackup,
    RecoveryCode,
    RecoveryCredentials,
    calibrate,
    derive,
    enrol,
    lookup_id,
    make_backup,
    normalise,
    restore_backup,
)


@pytest.fixture
def code() -> RecoveryCode:
    return RecoveryCode.generate()


@pytest.fixture
def kdf() -> KdfParams:
    return KdfParams.fast()


def test_a_code_is_eight_groups_of_four_without_look_alikes(code):
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){7}", str(code))
    assert not set("01ILO") & set(code.value)
    assert RecoveryCode.generate() != code


def test_a_code_carries_at_least_128_random_bits():
    assert len(set(ALPHABET)) == len(ALPHABET) == 31
    assert DATA_SYMBOLS * math.log2(len(ALPHABET)) >= 128


def test_the_code_never_shows_in_repr(code):
    assert code.value not in repr(code)
    assert code.value[:8] not in repr(code)


@pytest.mark.parametrize(
    "spelling",
    [
        str,
        lambda c: str(c).lower(),
        lambda c: str(c).replace("-", " "),
        lambda c: f"  {c.value[:16]} – {c.value[16:]}\n",
        lambda c: " ".join(c.value),
    ],
)
def test_the_code_is_accepted_however_it_is_typed(code, spelling):
    assert RecoveryCode.parse(spelling(code)) == code


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda v: v[:-1], "length"),
        (lambda v: v + "A", "length"),
        (lambda v: "", "length"),
        (lambda v: "O" + v[1:], "character"),
        (lambda v: "0" + v[1:], "character"),
        (lambda v: "l" + v[1:], "character"),
        (lambda v: "#" + v[1:], "character"),
        (lambda v: "ß" + v[2:], "character"),  # upper-cases to "SS": must not slip through
        (lambda v: "Ａ" + v[1:], "character"),  # full-width letter
    ],
)
def test_malformed_codes_say_what_is_wrong(code, mangle, reason):
    with pytest.raises(InvalidRecoveryCodeError) as caught:
        normalise(mangle(code.value))
    assert caught.value.reason == reason


def test_every_single_typo_is_caught_before_any_network_call(code):
    for index, symbol in itertools.product(range(len(code.value)), ALPHABET):
        if symbol == code.value[index]:
            continue
        typo = code.value[:index] + symbol + code.value[index + 1 :]
        with pytest.raises(InvalidRecoveryCodeError) as caught:
            normalise(typo)
        assert caught.value.reason == "checksum"


def test_every_swap_of_two_symbols_is_caught(code):
    value = code.value
    for left, right in itertools.combinations(range(len(value)), 2):
        if value[left] == value[right]:
            continue
        chars = list(value)
        chars[left], chars[right] = chars[right], chars[left]
        with pytest.raises(InvalidRecoveryCodeError, match="typo"):
            normalise("".join(chars))


def test_derived_secrets_are_deterministic_and_independent(code, kdf):
    first, again = derive(code, kdf), derive(code, kdf)
    assert first == again
    lookup = lookup_id(code)
    assert len({first.backup_key, first.auth_secret, lookup}) == 3
    assert lookup == lookup_id(RecoveryCode.parse(str(code).lower()))
    assert all(len(secret) == 32 for secret in (*first, lookup))


def test_a_different_salt_or_code_gives_different_secrets(code, kdf):
    secrets = derive(code, kdf)
    assert derive(code, KdfParams.fast()).backup_key != secrets.backup_key
    other = RecoveryCode.generate()
    assert derive(other, kdf).auth_secret != secrets.auth_secret
    assert lookup_id(other) != lookup_id(code)


def test_backup_and_restore_with_the_right_code_returns_the_same_keys(code, kdf):
    keys = AccountKeys.generate()
    backup = make_backup(keys, code, kdf)
    assert keys.to_bytes() not in backup.ciphertext
    assert restore_backup(backup, RecoveryCode.parse(str(code).lower())) == keys


def test_the_backup_survives_the_wire(code, kdf):
    keys = AccountKeys.generate()
    wire = json.loads(json.dumps(make_backup(keys, code, kdf).to_wire()))
    assert wire["kdf"]["alg"] == "argon2id13"
    assert restore_backup(KeyBackup.from_wire(wire), code) == keys


def test_a_wrong_code_is_refused_cleanly(code, kdf):
    backup = make_backup(AccountKeys.generate(), code, kdf)
    with pytest.raises(WrongRecoveryCodeError):
        restore_backup(backup, RecoveryCode.generate())


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: replace(b, ciphertext=b.ciphertext[:-1] + bytes([b.ciphertext[-1] ^ 1])),
        lambda b: replace(b, nonce=bytes(24)),
        lambda b: replace(b, kdf=replace(b.kdf, opslimit=b.kdf.opslimit + 1)),
        lambda b: replace(b, kdf=replace(b.kdf, salt=bytes(16))),
    ],
)
def test_a_damaged_or_re_parameterised_backup_does_not_open(code, kdf, damage):
    backup = make_backup(AccountKeys.generate(), code, kdf)
    with pytest.raises(WrongRecoveryCodeError):
        restore_backup(damage(backup), code)


def test_enrolment_matches_what_recovery_will_send(code, kdf):
    keys = AccountKeys.generate()
    enrolment = enrol(keys, code, kdf)

    assert enrolment.credentials.lookup == lookup_id(code)
    derived = derive(code, enrolment.backup.kdf)
    assert enrolment.credentials.auth_secret == derived.auth_secret
    assert restore_backup(enrolment.backup, code, derived=derived) == keys
    wire = json.loads(json.dumps(enrolment.credentials.to_wire()))
    assert RecoveryCredentials.from_wire(wire) == enrolment.credentials


@pytest.mark.parametrize(
    "change",
    [
        {"alg": "scrypt"},
        {"salt": "AAAA"},
        {"salt": None},
        {"opslimit": 0},
        {"opslimit": MAX_OPSLIMIT + 1},
        {"opslimit": True},
        {"opslimit": "3"},
        {"memlimit": 1024},
        {"memlimit": 64 * 1024**3},  # a hostile server must not make the phone allocate 64 GiB
    ],
)
def test_unusable_kdf_parameters_are_refused(kdf, change):
    with pytest.raises(MalformedError):
        KdfParams.from_wire(kdf.to_wire() | change)


def test_kdf_parameters_round_trip_and_default_to_the_calibrated_cost():
    params = KdfParams.create()
    assert (params.opslimit, params.memlimit) == (DEFAULT_OPSLIMIT, DEFAULT_MEMLIMIT)
    assert KdfParams.from_wire(json.loads(json.dumps(params.to_wire()))) == params
    assert KdfParams.create().salt != params.salt


def test_malformed_backup_and_credentials_from_the_wire_are_refused(code, kdf):
    wire = make_backup(AccountKeys.generate(), code, kdf).to_wire()
    with pytest.raises(MalformedError):
        KeyBackup.from_wire(wire | {"kdf": "argon2id13"})
    with pytest.raises(MalformedError):
        KeyBackup.from_wire(wire | {"nonce": wire["ciphertext"]})
    with pytest.raises(MalformedError):
        RecoveryCredentials.from_wire({"lookup": "AAAA", "auth_secret": "AAAA"})


class SteppingClock:
    """A fake clock: every reading is `step` seconds after the previous one."""

    def __init__(self, step: float) -> None:
        self.step, self.now = step, 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_calibration_stops_as_soon_as_a_derivation_is_slow_enough():
    params = calibrate(0.3, memlimit=argon2id.MEMLIMIT_MIN, clock=SteppingClock(1.0))
    assert params.opslimit == 2
    assert params.memlimit == argon2id.MEMLIMIT_MIN


def test_calibration_on_a_very_fast_device_stops_at_the_ceiling():
    params = calibrate(0.3, memlimit=argon2id.MEMLIMIT_MIN, clock=SteppingClock(0.001))
    assert params.opslimit == MAX_OPSLIMIT


def test_enrolment_fits_the_servers_sign_up_models(code, kdf):
    keys = AccountKeys.generate()
    enrolment = enrol(keys, code, kdf)

    backup = protocol.KeyBackup.model_validate_json(json.dumps(enrolment.backup.to_wire()))
    credentials = protocol.RecoveryCredentials.model_validate_json(
        json.dumps(enrolment.credentials.to_wire())
    )

    assert KeyBackup.from_wire(backup.model_dump()) == enrolment.backup
    assert RecoveryCredentials.from_wire(credentials.model_dump()) == enrolment.credentials
    default = protocol.KdfParams.model_validate(KdfParams.create().to_wire())
    assert KdfParams.from_wire(default.model_dump()).opslimit == DEFAULT_OPSLIMIT
