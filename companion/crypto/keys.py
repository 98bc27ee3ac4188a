"""An account's key pairs: X25519 to receive wrapped content keys, Ed25519 to sign records.

All devices of one account share these keys (DESIGN §3); they travel between devices only
inside the recovery backup and live at rest only in the key vault, both as `to_bytes()`.
The base64 helpers live here because every wire field of the crypto layer is base64.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from nacl.public import PrivateKey
from nacl.signing import SigningKey

from companion.crypto.errors import BadKeyError, MalformedError

KEY_SIZE = 32
_FORMAT = b"CMPK"  # so a vault or backup never mistakes other bytes for keys
_VERSION = 1
_SERIALISED_SIZE = len(_FORMAT) + 1 + 2 * KEY_SIZE


def encode_b64(data: bytes) -> str:
    """Standard base64 without newlines, as the wire contract requires."""
    return base64.b64encode(data).decode("ascii")


def decode_b64(text: object, *, field: str, size: int | None = None) -> bytes:
    """Strict base64 decode of a wire field; a wrong shape is a `MalformedError` naming it."""
    if not isinstance(text, str):
        raise MalformedError(f"{field} must be a base64 string, got {type(text).__name__}")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise MalformedError(f"{field} is not valid base64") from None
    if size is not None and len(data) != size:
        raise MalformedError(f"{field} must decode to {size} bytes, got {len(data)}")
    return data


@dataclass(frozen=True)
class PublicKeys:
    """What the server publishes for an account; what a safety number is computed from."""

    x25519: bytes
    ed25519: bytes

    def __post_init__(self) -> None:
        for name in ("x25519", "ed25519"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != KEY_SIZE:
                raise BadKeyError(f"{name} public key must be {KEY_SIZE} bytes")

    def to_wire(self) -> dict[str, str]:
        return {"x25519": encode_b64(self.x25519), "ed25519": encode_b64(self.ed25519)}

    @classmethod
    def from_wire(cls, data: Mapping[str, object]) -> PublicKeys:
        return cls(
            x25519=decode_b64(data.get("x25519"), field="public_keys.x25519", size=KEY_SIZE),
            ed25519=decode_b64(data.get("ed25519"), field="public_keys.ed25519", size=KEY_SIZE),
        )


class AccountKeys:
    """The private halves. `repr` never shows them, so they cannot leak into logs."""

    __slots__ = ("_public", "encryption", "signing")

    def __init__(self, encryption: PrivateKey, signing: SigningKey) -> None:
        self.encryption = encryption
        self.signing = signing
        self._public = PublicKeys(
            x25519=bytes(encryption.public_key), ed25519=bytes(signing.verify_key)
        )

    @classmethod
    def generate(cls) -> AccountKeys:
        return cls(PrivateKey.generate(), SigningKey.generate())

    @property
    def public(self) -> PublicKeys:
        return self._public

    def to_bytes(self) -> bytes:
        """Versioned secret serialisation for the vault and the recovery backup."""
        return _FORMAT + bytes([_VERSION]) + bytes(self.encryption) + bytes(self.signing)

    @classmethod
    def from_bytes(cls, data: bytes) -> AccountKeys:
        if not isinstance(data, bytes) or not data.startswith(_FORMAT):
            raise BadKeyError("not a Companion account key blob")
        if len(data) <= len(_FORMAT) or data[len(_FORMAT)] != _VERSION:
            raise BadKeyError("unsupported account key format version")
        if len(data) != _SERIALISED_SIZE:
            raise BadKeyError(f"account key blob must be {_SERIALISED_SIZE} bytes")
        body = data[len(_FORMAT) + 1 :]
        return cls(PrivateKey(body[:KEY_SIZE]), SigningKey(body[KEY_SIZE:]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AccountKeys):
            return NotImplemented
        return hmac.compare_digest(self.to_bytes(), other.to_bytes())

    def __hash__(self) -> int:
        return hash(self._public)

    def __repr__(self) -> str:
        return f"AccountKeys(public={self._public.x25519.hex()[:16]}…)"
