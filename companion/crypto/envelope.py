"""Sealing a record's content for the people allowed to read it (DESIGN §4).

Each version gets a fresh random content key (XChaCha20-Poly1305). The associated data binds
the ciphertext to its record id, space, kind and author, so the server cannot move content
between records. The content key is wrapped with `crypto_box` from the author to every
recipient, and the author also signs (Ed25519) the associated data, nonce and a digest of the
ciphertext, so any recipient can check authorship independently of its own wrap.

Unsharing is sealing the next version without that recipient: the key is always new, so what
an ex-recipient already holds does not open it. There is no forward secrecy: whoever obtains an
account's private keys can open every wrap made for that account.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import nacl.exceptions
from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
)
from nacl.public import Box, PrivateKey, PublicKey
from nacl.signing import VerifyKey
from nacl.utils import random

from companion.crypto.errors import BadKeyError, MalformedError, NotARecipientError, TamperedError
from companion.crypto.keys import KEY_SIZE, AccountKeys, PublicKeys, decode_b64, encode_b64

NONCE_SIZE = 24
TAG_SIZE = 16
SIGNATURE_SIZE = 64
WRAP_SIZE = Box.NONCE_SIZE + KEY_SIZE + TAG_SIZE  # box nonce + content key + MAC
_AD_TAG = b"companion/record/v1"
_SIGNATURE_TAG = b"companion/record-signature/v1"


class BoxCache:
    """Bounded LRU of `Box` per (private key, public key) pair.

    A `Box` holds the precomputed X25519 shared key, so a cached pair wraps or unwraps a
    content key in microseconds instead of a scalar multiplication per record.
    """

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._boxes: OrderedDict[tuple[bytes, bytes], Box] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, mine: PrivateKey, theirs: bytes) -> Box:
        pair = (bytes(mine), theirs)
        with self._lock:
            box = self._boxes.get(pair)
            if box is not None:
                self._boxes.move_to_end(pair)
                return box
        box = _new_box(mine, theirs)
        with self._lock:
            self._boxes[pair] = box
            if len(self._boxes) > self.maxsize:
                self._boxes.popitem(last=False)
        return box

    def clear(self) -> None:
        """Drop every shared key, e.g. on sign-out, so none outlives the account's session."""
        with self._lock:
            self._boxes.clear()

    def __len__(self) -> int:
        return len(self._boxes)


def _new_box(mine: PrivateKey, theirs: bytes) -> Box:
    if not isinstance(theirs, bytes) or len(theirs) != KEY_SIZE:
        raise BadKeyError(f"an X25519 public key must be {KEY_SIZE} bytes")
    try:
        return Box(mine, PublicKey(theirs))
    except nacl.exceptions.CryptoError:
        raise BadKeyError("X25519 public key is a weak (low-order) point") from None


BOX_CACHE = BoxCache()


@dataclass(frozen=True)
class Sealed:
    """One sealed record version: what the wire's RecordEnvelope carries besides metadata."""

    ciphertext: bytes
    nonce: bytes
    wraps: dict[str, bytes]
    signature: bytes

    def __post_init__(self) -> None:
        parts = (self.ciphertext, self.nonce, self.signature, *self.wraps.values())
        if not all(isinstance(part, bytes) for part in parts):
            raise MalformedError("ciphertext, nonce, signature and wraps must be bytes")
        if len(self.ciphertext) < TAG_SIZE:
            raise MalformedError("ciphertext is shorter than its authentication tag")
        if len(self.nonce) != NONCE_SIZE:
            raise MalformedError(f"nonce must be {NONCE_SIZE} bytes")
        if len(self.signature) != SIGNATURE_SIZE:
            raise MalformedError(f"signature must be {SIGNATURE_SIZE} bytes")
        for recipient_id, wrap in self.wraps.items():
            _check_id("recipient_id", recipient_id)
            if len(wrap) != WRAP_SIZE:
                raise MalformedError(f"wrapped key for {recipient_id} must be {WRAP_SIZE} bytes")

    def to_wire(self) -> dict[str, object]:
        """The RecordEnvelope fields ciphertext, nonce, wraps and signature (base64)."""
        return {
            "ciphertext": encode_b64(self.ciphertext),
            "nonce": encode_b64(self.nonce),
            "wraps": [
                {"recipient_id": recipient_id, "wrapped_key": encode_b64(wrap)}
                for recipient_id, wrap in self.wraps.items()
            ],
            "signature": encode_b64(self.signature),
        }

    @classmethod
    def from_wire(cls, fields: Mapping[str, object]) -> Sealed:
        """Parse those fields from a RecordEnvelope dict; any bad shape is a MalformedError."""
        raw_wraps = fields.get("wraps")
        if not isinstance(raw_wraps, list):
            raise MalformedError("wraps must be a list")
        wraps: dict[str, bytes] = {}
        for item in raw_wraps:
            if not isinstance(item, Mapping):
                raise MalformedError("each wrap must be an object")
            recipient_id = item.get("recipient_id")
            _check_id("recipient_id", recipient_id)
            if recipient_id in wraps:
                raise MalformedError(f"two wraps for recipient {recipient_id}")
            wraps[recipient_id] = decode_b64(
                item.get("wrapped_key"), field="wrapped_key", size=WRAP_SIZE
            )
        return cls(
            ciphertext=decode_b64(fields.get("ciphertext"), field="ciphertext"),
            nonce=decode_b64(fields.get("nonce"), field="nonce", size=NONCE_SIZE),
            wraps=wraps,
            signature=decode_b64(fields.get("signature"), field="signature", size=SIGNATURE_SIZE),
        )


def _check_id(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise MalformedError(f"{name} must be a non-empty string")


def associated_data(*, record_id: str, space_id: str, kind: str, author_id: str) -> bytes:
    """Length-prefixed, so no two different field tuples can encode to the same bytes."""
    parts = [_AD_TAG]
    for name, value in (
        ("record_id", record_id),
        ("space_id", space_id),
        ("kind", kind),
        ("author_id", author_id),
    ):
        _check_id(name, value)
        raw = str(value).encode("utf-8")
        parts += [len(raw).to_bytes(4, "big"), raw]
    return b"".join(parts)


def _signed_message(ad: bytes, nonce: bytes, ciphertext: bytes) -> bytes:
    digest = hashlib.blake2b(ciphertext, digest_size=32).digest()
    return b"".join((_SIGNATURE_TAG, len(ad).to_bytes(4, "big"), ad, nonce, digest))


def _wrap_for(author: AccountKeys, recipients: Mapping[str, bytes], key: bytes) -> dict[str, bytes]:
    wraps = {}
    for recipient_id, public in recipients.items():
        _check_id("recipient_id", recipient_id)
        wraps[recipient_id] = bytes(BOX_CACHE.get(author.encryption, public).encrypt(key))
    return wraps


def seal(
    payload: bytes,
    *,
    record_id: str,
    space_id: str,
    kind: str,
    author_id: str,
    author: AccountKeys,
    recipients: Mapping[str, bytes],
) -> Sealed:
    """Encrypt `payload` under a new content key wrapped for each recipient's X25519 key."""
    if not recipients:
        raise MalformedError("a record needs at least one recipient (the youth who owns it)")
    ad = associated_data(record_id=record_id, space_id=space_id, kind=kind, author_id=author_id)
    key = random(KEY_SIZE)
    nonce = random(NONCE_SIZE)
    ciphertext = crypto_aead_xchacha20poly1305_ietf_encrypt(payload, ad, nonce, key)
    wraps = _wrap_for(author, recipients, key)
    signature = author.signing.sign(_signed_message(ad, nonce, ciphertext)).signature
    return Sealed(ciphertext=ciphertext, nonce=nonce, wraps=wraps, signature=signature)


def _unwrap(wrap: bytes, my_keys: AccountKeys, author_x25519: bytes) -> bytes:
    try:
        key = BOX_CACHE.get(my_keys.encryption, author_x25519).decrypt(wrap)
    except nacl.exceptions.CryptoError:
        raise TamperedError(
            "the wrapped content key does not verify (changed, or not made by this author)"
        ) from None
    if len(key) != KEY_SIZE:
        raise TamperedError("the wrapped content key has the wrong size")
    return key


def open_sealed(
    sealed: Sealed,
    *,
    record_id: str,
    space_id: str,
    kind: str,
    author_id: str,
    me_id: str,
    my_keys: AccountKeys,
    author_public: PublicKeys,
) -> bytes:
    """Verify authorship and integrity, then decrypt; any doubt raises, nothing half-opens."""
    wrap = sealed.wraps.get(me_id)
    if wrap is None:
        raise NotARecipientError(f"record {record_id} is not shared with account {me_id}")
    ad = associated_data(record_id=record_id, space_id=space_id, kind=kind, author_id=author_id)
    try:
        VerifyKey(author_public.ed25519).verify(
            _signed_message(ad, sealed.nonce, sealed.ciphertext), sealed.signature
        )
    except nacl.exceptions.CryptoError:
        raise TamperedError(f"record {record_id}: the author's signature does not verify") from None
    key = _unwrap(wrap, my_keys, author_public.x25519)
    try:
        return crypto_aead_xchacha20poly1305_ietf_decrypt(sealed.ciphertext, ad, sealed.nonce, key)
    except nacl.exceptions.CryptoError:
        raise TamperedError(
            f"record {record_id}: content or its record fields were changed"
        ) from None


def add_recipients(
    sealed: Sealed,
    *,
    author_id: str,
    author: AccountKeys,
    recipients: Mapping[str, bytes],
) -> Sealed:
    """Share an existing version with more people: the author adds wraps of the same key.

    The content and signature stay as they are, so nothing needs re-encrypting; the author
    recovers the content key from its own wrap.
    """
    own = sealed.wraps.get(author_id)
    if own is None:
        raise NotARecipientError("the author has no wrap of its own to share this version from")
    key = _unwrap(own, author, author.public.x25519)
    return Sealed(
        ciphertext=sealed.ciphertext,
        nonce=sealed.nonce,
        wraps={**sealed.wraps, **_wrap_for(author, recipients, key)},
        signature=sealed.signature,
    )
