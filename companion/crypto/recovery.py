"""Recovery code and key backup: a lost phone must not lose the account (DESIGN §3).

At sign-up the app shows a recovery code once. Argon2id turns it into a master secret, from
which two independent keys are hashed: `backup_key` encrypts the account's private keys into a
`KeyBackup` the server stores, and `auth_secret` proves knowledge of the code to the server.
A `lookup` hashed directly from the code lets the server find the backup without an account id.
The server never sees the code, the master secret or `backup_key`.

Codes are 32 symbols (8 groups of 4) from a 31-symbol alphabet without look-alikes (no 0/O,
1/I/L): 30 random symbols (about 148.6 bits, above the 128 required) and 2 check symbols that
catch every single typo and every swap of two symbols before any network call.

Argon2id is slow on purpose (about 0.3 s here): run `derive`, `make_backup`, `enrol` and
`restore_backup` off the UI thread.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import nacl.exceptions
import nacl.pwhash.argon2id as argon2id
from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
)
from nacl.utils import random

from companion.crypto.errors import (
    InvalidRecoveryCodeError,
    MalformedError,
    WrongRecoveryCodeError,
)
from companion.crypto.keys import AccountKeys, decode_b64, encode_b64

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOOK_ALIKES = "01ILO"
DATA_SYMBOLS = 30
CODE_LENGTH = DATA_SYMBOLS + 2
GROUP = 4
_SEPARATORS = frozenset(" \t\r\n-\u2010\u2011\u2012\u2013\u2014")
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}

KDF_ALG = "argon2id13"
SALT_SIZE = argon2id.SALTBYTES
SECRET_SIZE = 32
NONCE_SIZE = 24
# Chosen by `calibrate()` on the development machine (see docs/benchmarks.md "## Crypto"):
# 64 MiB stays safe on cheap phones; the operation count brings one derivation to >= 0.3 s.
DEFAULT_MEMLIMIT = 64 * 1024 * 1024
DEFAULT_OPSLIMIT = 16
# Ceilings protect a device from a server sending absurd parameters (memory or minutes).
MAX_OPSLIMIT = 32
MAX_MEMLIMIT = 256 * 1024 * 1024
_CALIBRATION_START_OPS = 2
_BACKUP_AD = b"companion/key-backup/v1"


def _checks(values: list[int]) -> str:
    """Two check symbols: a plain sum catches any single typo, a position-weighted sum catches
    any swap of two different symbols (31 is prime and the weights 1..30 differ)."""
    plain = sum(values) % len(ALPHABET)
    weighted = sum((index + 1) * value for index, value in enumerate(values)) % len(ALPHABET)
    return ALPHABET[plain] + ALPHABET[weighted]


def normalise(text: str) -> str:
    """Accept lower case, spaces and dashes; return the 32 canonical symbols or raise."""
    if not isinstance(text, str):
        raise InvalidRecoveryCodeError("character", "a recovery code is text")
    symbols = []
    for char in text:
        if char in _SEPARATORS:
            continue
        upper = char.upper() if char.isascii() else char
        if upper in LOOK_ALIKES:
            raise InvalidRecoveryCodeError(
                "character", f"{char!r} is never used in a recovery code (no 0, O, 1, I or L)"
            )
        if upper not in _VALUE:
            raise InvalidRecoveryCodeError(
                "character", f"{char!r} cannot appear in a recovery code"
            )
        symbols.append(upper)
    if len(symbols) != CODE_LENGTH:
        raise InvalidRecoveryCodeError(
            "length", f"a recovery code has {CODE_LENGTH} characters; this one has {len(symbols)}"
        )
    code = "".join(symbols)
    if _checks([_VALUE[s] for s in code[:DATA_SYMBOLS]]) != code[DATA_SYMBOLS:]:
        raise InvalidRecoveryCodeError(
            "checksum", "this recovery code contains a typo; compare it with the one you saved"
        )
    return code


@dataclass(frozen=True, repr=False)
class RecoveryCode:
    """A validated code in canonical form. `repr` hides it; `str` is the grouped display."""

    value: str

    def __post_init__(self) -> None:
        if normalise(self.value) != self.value:
            raise InvalidRecoveryCodeError("character", "use RecoveryCode.parse for typed text")

    @classmethod
    def generate(cls) -> RecoveryCode:
        values = [secrets.randbelow(len(ALPHABET)) for _ in range(DATA_SYMBOLS)]
        return cls("".join(ALPHABET[v] for v in values) + _checks(values))

    @classmethod
    def parse(cls, text: str) -> RecoveryCode:
        return cls(normalise(text))

    def __str__(self) -> str:
        return "-".join(self.value[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))

    def __repr__(self) -> str:
        return "RecoveryCode(…)"


def _int_in(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MalformedError(f"{name} must be an integer from {low} to {high}")
    return value


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored next to the backup so restoring uses exactly these."""

    salt: bytes
    opslimit: int
    memlimit: int
    alg: str = KDF_ALG

    def __post_init__(self) -> None:
        if self.alg != KDF_ALG:
            raise MalformedError(f"unsupported key derivation {self.alg!r}; expected {KDF_ALG}")
        if not isinstance(self.salt, bytes) or len(self.salt) != SALT_SIZE:
            raise MalformedError(f"salt must be {SALT_SIZE} bytes")
        _int_in("opslimit", self.opslimit, argon2id.OPSLIMIT_MIN, MAX_OPSLIMIT)
        _int_in("memlimit", self.memlimit, argon2id.MEMLIMIT_MIN, MAX_MEMLIMIT)

    @classmethod
    def create(
        cls, *, opslimit: int = DEFAULT_OPSLIMIT, memlimit: int = DEFAULT_MEMLIMIT
    ) -> KdfParams:
        """Fresh random salt with the given cost."""
        return cls(salt=random(SALT_SIZE), opslimit=opslimit, memlimit=memlimit)

    @classmethod
    def fast(cls) -> KdfParams:
        """The cheapest parameters Argon2id allows: for tests only, never for real accounts."""
        return cls.create(opslimit=argon2id.OPSLIMIT_MIN, memlimit=argon2id.MEMLIMIT_MIN)

    def to_wire(self) -> dict[str, object]:
        return {
            "alg": self.alg,
            "salt": encode_b64(self.salt),
            "opslimit": self.opslimit,
            "memlimit": self.memlimit,
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, object]) -> KdfParams:
        alg = data.get("alg")
        if not isinstance(alg, str):
            raise MalformedError("kdf.alg must be a string")
        return cls(
            alg=alg,
            salt=decode_b64(data.get("salt"), field="kdf.salt", size=SALT_SIZE),
            opslimit=data.get("opslimit"),  # type: ignore[arg-type]  # checked in __post_init__
            memlimit=data.get("memlimit"),  # type: ignore[arg-type]  # checked in __post_init__
        )

    def associated_data(self) -> bytes:
        """Binds a backup's ciphertext to the parameters it was made with."""
        return b"".join(
            (
                _BACKUP_AD,
                self.alg.encode("ascii"),
                self.salt,
                self.opslimit.to_bytes(8, "big"),
                self.memlimit.to_bytes(8, "big"),
            )
        )


@dataclass(frozen=True)
class KeyBackup:
    """The account's private keys encrypted under `backup_key`; opaque to the server."""

    kdf: KdfParams
    nonce: bytes
    ciphertext: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.nonce, bytes) or len(self.nonce) != NONCE_SIZE:
            raise MalformedError(f"backup nonce must be {NONCE_SIZE} bytes")
        if not isinstance(self.ciphertext, bytes) or not self.ciphertext:
            raise MalformedError("backup ciphertext must be non-empty bytes")

    def to_wire(self) -> dict[str, object]:
        return {
            "kdf": self.kdf.to_wire(),
            "nonce": encode_b64(self.nonce),
            "ciphertext": encode_b64(self.ciphertext),
        }

    @classmethod
    def from_wire(cls, data: Mapping[str, object]) -> KeyBackup:
        kdf = data.get("kdf")
        if not isinstance(kdf, Mapping):
            raise MalformedError("key_backup.kdf must be an object")
        return cls(
            kdf=KdfParams.from_wire(kdf),
            nonce=decode_b64(data.get("nonce"), field="key_backup.nonce", size=NONCE_SIZE),
            ciphertext=decode_b64(data.get("ciphertext"), field="key_backup.ciphertext"),
        )


@dataclass(frozen=True, repr=False)
class RecoveryCredentials:
    """What the client sends to enrol or to recover: where to look, and the proof of the code."""

    lookup: bytes
    auth_secret: bytes

    def __post_init__(self) -> None:
        for name in ("lookup", "auth_secret"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != SECRET_SIZE:
                raise MalformedError(f"{name} must be {SECRET_SIZE} bytes")

    def to_wire(self) -> dict[str, str]:
        return {"lookup": encode_b64(self.lookup), "auth_secret": encode_b64(self.auth_secret)}

    @classmethod
    def from_wire(cls, data: Mapping[str, object]) -> RecoveryCredentials:
        return cls(
            lookup=decode_b64(data.get("lookup"), field="lookup", size=SECRET_SIZE),
            auth_secret=decode_b64(data.get("auth_secret"), field="auth_secret", size=SECRET_SIZE),
        )

    def __repr__(self) -> str:
        return f"RecoveryCredentials(lookup={self.lookup.hex()[:12]}…)"


class DerivedSecrets(NamedTuple):
    """The two keys Argon2id yields for one code and one set of parameters."""

    backup_key: bytes
    auth_secret: bytes

    def __repr__(self) -> str:
        return "DerivedSecrets(…)"


class Enrolment(NamedTuple):
    """Everything sign-up sends about recovery, made with a single Argon2id run."""

    backup: KeyBackup
    credentials: RecoveryCredentials


def _blake(data: bytes, person: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=SECRET_SIZE, person=person).digest()


def lookup_id(code: RecoveryCode) -> bytes:
    """Fast by design: the code's entropy, not the hash cost, makes it unguessable."""
    return _blake(code.value.encode("ascii"), b"companion-lookup")


def derive(code: RecoveryCode, kdf: KdfParams) -> DerivedSecrets:
    master = argon2id.kdf(
        SECRET_SIZE,
        code.value.encode("ascii"),
        kdf.salt,
        opslimit=kdf.opslimit,
        memlimit=kdf.memlimit,
    )
    return DerivedSecrets(
        backup_key=_blake(master, b"cmp-backup"), auth_secret=_blake(master, b"cmp-auth")
    )


def _encrypt_backup(keys: AccountKeys, kdf: KdfParams, backup_key: bytes) -> KeyBackup:
    nonce = random(NONCE_SIZE)
    ciphertext = crypto_aead_xchacha20poly1305_ietf_encrypt(
        keys.to_bytes(), kdf.associated_data(), nonce, backup_key
    )
    return KeyBackup(kdf=kdf, nonce=nonce, ciphertext=ciphertext)


def make_backup(keys: AccountKeys, code: RecoveryCode, kdf: KdfParams) -> KeyBackup:
    return _encrypt_backup(keys, kdf, derive(code, kdf).backup_key)


def enrol(keys: AccountKeys, code: RecoveryCode, kdf: KdfParams) -> Enrolment:
    """Backup and credentials for sign-up or activation, deriving only once."""
    derived = derive(code, kdf)
    return Enrolment(
        backup=_encrypt_backup(keys, kdf, derived.backup_key),
        credentials=RecoveryCredentials(lookup=lookup_id(code), auth_secret=derived.auth_secret),
    )


def restore_backup(
    backup: KeyBackup, code: RecoveryCode, *, derived: DerivedSecrets | None = None
) -> AccountKeys:
    """Decrypt the account keys. Pass `derived` (from the same code and `backup.kdf`) when the
    recovery flow already ran `derive` for the auth secret, to skip a second Argon2id run."""
    backup_key = (derived or derive(code, backup.kdf)).backup_key
    try:
        blob = crypto_aead_xchacha20poly1305_ietf_decrypt(
            backup.ciphertext, backup.kdf.associated_data(), backup.nonce, backup_key
        )
    except nacl.exceptions.CryptoError:
        raise WrongRecoveryCodeError(
            "this recovery code does not open the key backup (wrong code, or a damaged backup)"
        ) from None
    return AccountKeys.from_bytes(blob)


def calibrate(
    target_seconds: float = 0.3,
    *,
    memlimit: int = DEFAULT_MEMLIMIT,
    clock: Callable[[], float] = time.perf_counter,
) -> KdfParams:
    """Raise the operation count at a fixed memory cost until one derivation takes at least
    `target_seconds` on this device (or the ceiling is reached); returns fresh parameters."""
    probe = RecoveryCode.generate()
    opslimit = _CALIBRATION_START_OPS
    while True:
        trial = KdfParams.create(opslimit=opslimit, memlimit=memlimit)
        started = clock()
        derive(probe, trial)
        elapsed = clock() - started
        if elapsed >= target_seconds or opslimit >= MAX_OPSLIMIT:
            return trial
        estimate = math.ceil(opslimit * target_seconds / max(elapsed, 1e-9))
        opslimit = min(MAX_OPSLIMIT, max(opslimit + 1, estimate))
