"""Safety-number digits from an account's two public keys (pure hashing, no key objects).

The app shows and compares them (companion.crypto.fingerprint); both sides compute them the
same way from the same bytes, so the formula lives once, here.
"""

from __future__ import annotations

import hashlib

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
