"""Safety numbers: public keys turned into digits two people can compare aloud or by QR.

Public keys come from the server, so pairing in person checks that the server (or anyone in
between) did not hand out its own keys. A person's number is 25 digits (about 83 bits from a
hash of both public keys): forging keys with the same number means a second preimage search,
far out of reach. The combined number for two people is both numbers side by side, smaller
first, rather than one hash of the pair: a single short hash over two keys an attacker both
chooses would only need a birthday search.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from companion.crypto.errors import FingerprintMismatchError
from companion.crypto.keys import PublicKeys

GROUPS = 5
GROUP_DIGITS = 5
DIGITS = GROUPS * GROUP_DIGITS
_CHUNK_BYTES = 5  # 40 bits per group, reduced mod 10^5 (bias below 1e-7)
_PERSON = b"companion-fp-v1"


def safety_digits(x25519: bytes, ed25519: bytes) -> str:
    """The 25 digits of one person's safety number, without spaces."""
    digest = hashlib.blake2b(
        x25519 + ed25519, digest_size=GROUPS * _CHUNK_BYTES, person=_PERSON
    ).digest()
    return "".join(
        f"{int.from_bytes(digest[i : i + _CHUNK_BYTES], 'big') % 10**GROUP_DIGITS:05d}"
        for i in range(0, len(digest), _CHUNK_BYTES)
    )


_SEPARATORS = frozenset(" \t-")


def _digits(public: PublicKeys) -> str:
    return safety_digits(public.x25519, public.ed25519)


def _group(digits: str) -> str:
    return " ".join(digits[i : i + GROUP_DIGITS] for i in range(0, len(digits), GROUP_DIGITS))


def safety_number(public: PublicKeys) -> str:
    """One person's number, e.g. "04217 88310 52941 00736 19824"."""
    return _group(_digits(public))


def combined_safety_number(a: PublicKeys, b: PublicKeys) -> str:
    """Ten groups both people see identically, whichever of them is `a`."""
    first, second = sorted((_digits(a), _digits(b)))
    return _group(first + second)


def verify_fingerprint(expected: str, public: PublicKeys) -> None:
    """Compare a number from a QR code or typed in (spaces and dashes ignored) with the keys
    the server gave us; raise if it is not theirs."""
    actual = _digits(public)
    text = expected if isinstance(expected, str) else ""
    given = "".join(char for char in text if char not in _SEPARATORS)
    if not (len(given) == DIGITS and given.isascii() and given.isdigit()):
        raise FingerprintMismatchError(
            f"{expected!r} is not a safety number ({DIGITS} digits); "
            "the invitation may be damaged, ask for it again"
        )
    if given != actual:
        raise FingerprintMismatchError(
            "the safety number does not match this person's keys: do not connect; "
            "the keys may have been replaced"
        )


def invitation_payload(code: str, inviter: PublicKeys) -> str:
    """What an invitation's QR code holds: the code and the inviter's own safety digits,
    computed on the inviter's device (the server is not the one to vouch for them)."""
    return f"companion://join?{urlencode({'code': code, 'fp': _digits(inviter)})}"
