"""Secrets the server hands out or checks: device tokens, invitation and activation codes.

Everything is stored as SHA-256 only. The inputs are high-entropy random values (or, for the
recovery auth secret, an Argon2id output), so a fast hash is enough: there is nothing to
brute-force that the rate limits do not already cover.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256-bit device tokens
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on phones


def new_token() -> str:
    """A device token as sent by the client: base64url of 32 random bytes, no padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).rstrip(b"=").decode()


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii")).digest()


def secret_hash(secret: bytes) -> bytes:
    return hashlib.sha256(secret).digest()


def same_hash(a: bytes | None, b: bytes) -> bool:
    return a is not None and hmac.compare_digest(a, b)


def new_code(length: int) -> str:
    """A random code from the unambiguous alphabet (5 bits per character)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def code_hash(normalised_code: str) -> bytes:
    return hashlib.sha256(normalised_code.encode("ascii")).digest()


def group(code: str, size: int = 4) -> str:
    """`ABCDEFGH` -> `ABCD-EFGH`, the form people read and type."""
    return "-".join(code[i : i + size] for i in range(0, len(code), size))
