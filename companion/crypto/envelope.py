"""Sealing a record version for the people allowed to read it, and proving who made it
(DESIGN §4, docs/security.md).

Each version gets a fresh random content key (XChaCha20-Poly1305, with the record's id,
space, kind and author as associated data, so the server cannot move content between
records). What a version *is* (its ids, who made it, its place in the record's lineage, its
deleted state, its nonce and a hash of its ciphertext) is condensed into a 32-byte digest
(`Header.digest`). The one who makes the version (the signer: its author, or for a deletion
the youth who owns the space) seals, for every reader, the digest with the content key
(`crypto_box`, signer -> reader), and for everyone who read an earlier version and may no
longer, the digest alone: a notice that they lost it. A reader opens its wrap with the
signer's pinned public key and so knows the signer made exactly this version for them: nobody
else holds either private key, not the server and not another reader. That is the
guarantee an Ed25519 signature per version gave, at the cost of one box open (microseconds)
instead of a signature check (~50 µs) per record pulled; what it does not give is proof to a
third party, which nothing here needs.

Unsharing is sealing the next version without that reader (and with a notice for them): the
key is always new, so what an ex-reader already holds does not open it. There is no forward
secrecy: whoever obtains an account's private keys can open every wrap made for that account.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
    crypto_box_afternm,
    crypto_box_beforenm,
    crypto_box_open_afternm,
)
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.utils import random

from companion.crypto.errors import BadKeyError, MalformedError, NotARecipientError, TamperedError
from companion.crypto.keys import KEY_SIZE, AccountKeys

NONCE_SIZE = 24
TAG_SIZE = 16
DIGEST_SIZE = 32
BOX_NONCE_SIZE = 24
KEY_WRAP_SIZE = BOX_NONCE_SIZE + DIGEST_SIZE + KEY_SIZE + TAG_SIZE  # a reader's wrap
NOTICE_WRAP_SIZE = BOX_NONCE_SIZE + DIGEST_SIZE + TAG_SIZE  # an ex-reader's notice
_AD_TAG = b"companion/record/v1"
_DIGEST_PERSON = b"companion-rec-v2"


class SharedKeys:
    """Bounded LRU of crypto_box shared keys per (private key, public key) pair: with it a
    wrap is sealed or opened in microseconds instead of a scalar multiplication each."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self._keys: OrderedDict[tuple[bytes, bytes], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, mine: AccountKeys, theirs: bytes) -> bytes:
        pair = (mine.public.x25519, theirs)
        with self._lock:
            key = self._keys.get(pair)
            if key is not None:
                self._keys.move_to_end(pair)
                return key
        if not isinstance(theirs, bytes) or len(theirs) != KEY_SIZE:
            raise BadKeyError(f"an X25519 public key must be {KEY_SIZE} bytes")
        try:
            key = crypto_box_beforenm(theirs, bytes(mine.encryption))
        except NaclCryptoError:
            raise BadKeyError("X25519 public key is a weak (low-order) point") from None
        with self._lock:
            self._keys[pair] = key
            if len(self._keys) > self.maxsize:
                self._keys.popitem(last=False)
        return key

    def clear(self) -> None:
        """Drop every shared key, e.g. on sign-out, so none outlives the account's session."""
        with self._lock:
            self._keys.clear()

    def __len__(self) -> int:
        return len(self._keys)


SHARED_KEYS = SharedKeys()


def _field(value: str) -> bytes:
    raw = value.encode("utf-8")
    return len(raw).to_bytes(4, "big") + raw


@dataclass(frozen=True)
class Header:
    """What a version is, besides its content. Everything a device acts on is here."""

    record_id: str
    space_id: str
    kind: str
    author_id: str
    signer_id: str  # who made this version: the author, or for a deletion the space's owner
    revision: int  # 1 for a new record, one more than the version it was made on
    prev: bytes  # the digest of the version it was made on; b"" for revision 1
    deleted: bool
    conversation_id: str = ""

    def __post_init__(self) -> None:
        for name in ("record_id", "space_id", "kind", "author_id", "signer_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise MalformedError(f"{name} must be a non-empty string")
        if not isinstance(self.revision, int) or self.revision < 1:
            raise MalformedError("revision must be a positive integer")
        if (self.prev and len(self.prev) != DIGEST_SIZE) or bool(self.prev) != (self.revision > 1):
            raise MalformedError("prev is the previous version's digest, for revision > 1 only")

    def associated_data(self) -> bytes:
        """Binds the ciphertext to its record: the server cannot move it to another."""
        return b"".join(
            (
                _AD_TAG,
                _field(self.record_id),
                _field(self.space_id),
                _field(self.kind),
                _field(self.author_id),
            )
        )

    def digest(self, nonce: bytes, content_hash: bytes) -> bytes:
        """The 32 bytes every wrap of this version carries, sealed by the signer
        (`content_hash`: `hash_content(ciphertext)`, b"" for a deletion)."""
        parts = hashlib.blake2b(digest_size=DIGEST_SIZE, person=_DIGEST_PERSON)
        for value in (
            self.record_id,
            self.space_id,
            self.kind,
            self.author_id,
            self.signer_id,
            self.conversation_id,
        ):
            parts.update(_field(value))
        parts.update(self.revision.to_bytes(8, "big"))
        parts.update(b"\x01" if self.deleted else b"\x00")
        parts.update(len(self.prev).to_bytes(1, "big") + self.prev)
        parts.update(len(nonce).to_bytes(1, "big") + nonce)
        parts.update(len(content_hash).to_bytes(1, "big") + content_hash)
        return parts.digest()


def hash_content(ciphertext: bytes) -> bytes:
    """What the digest holds of the content: readers hash what they got, a notice (which
    comes without the content it took away) carries the hash instead."""
    return hashlib.blake2b(ciphertext, digest_size=DIGEST_SIZE).digest()


@dataclass(frozen=True)
class Sealed:
    """One sealed version: what the wire's record envelope carries besides its header."""

    ciphertext: bytes  # b"" for a deletion
    nonce: bytes  # b"" for a deletion
    wraps: dict[str, bytes]  # account id -> its wrap (readers) or notice (former readers)
    digest: bytes
    content_hash: bytes  # b"" for a deletion


def _box(signer: AccountKeys, public: bytes, message: bytes) -> bytes:
    nonce = random(BOX_NONCE_SIZE)
    return nonce + crypto_box_afternm(message, nonce, SHARED_KEYS.get(signer, public))


def seal(
    payload: bytes,
    header: Header,
    *,
    signer: AccountKeys,
    readers: Mapping[str, bytes],
    former: Mapping[str, bytes] | None = None,
) -> Sealed:
    """Encrypt `payload` under a new content key: a wrap of digest + key for each reader's
    X25519 key, a notice (digest only) for each former reader's."""
    if header.deleted:
        raise MalformedError("a deletion has no content: use seal_deletion")
    if not readers:
        raise MalformedError("a record needs at least one reader (the youth who owns it)")
    key = random(KEY_SIZE)
    nonce = random(NONCE_SIZE)
    ciphertext = crypto_aead_xchacha20poly1305_ietf_encrypt(
        payload, header.associated_data(), nonce, key
    )
    hashed = hash_content(ciphertext)
    digest = header.digest(nonce, hashed)
    wraps = {account: _box(signer, public, digest + key) for account, public in readers.items()}
    for account, public in (former or {}).items():
        if account not in wraps:
            wraps[account] = _box(signer, public, digest)
    return Sealed(ciphertext, nonce, wraps, digest, hashed)


def seal_deletion(header: Header, *, signer: AccountKeys, audience: Mapping[str, bytes]) -> Sealed:
    """A deletion: no content, a notice for everyone who read any version of the record."""
    if not header.deleted:
        raise MalformedError("seal_deletion seals deletions only")
    if not audience:
        raise MalformedError("a deletion needs at least one reader to tell (the youth)")
    digest = header.digest(b"", b"")
    wraps = {account: _box(signer, public, digest) for account, public in audience.items()}
    return Sealed(b"", b"", wraps, digest, b"")


@dataclass(frozen=True)
class OpenedVersion:
    digest: bytes
    payload: bytes | None  # None: a notice (a deletion, or this reader was taken off)


def open_version(
    header: Header,
    *,
    nonce: bytes,
    ciphertext: bytes,
    wrap: bytes | None,
    me: AccountKeys,
    signer_x25519: bytes,
    content_hash: bytes | None = None,
) -> OpenedVersion:
    """Check that the signer made exactly this version for this reader, then decrypt.
    `content_hash` stands in for the content only where it is absent: a notice that takes
    the record away from this reader. Any doubt raises (TamperedError,
    NotARecipientError); nothing half-opens."""
    if wrap is None:
        raise NotARecipientError(f"record {header.record_id} has no wrap for this account")
    if len(wrap) not in (KEY_WRAP_SIZE, NOTICE_WRAP_SIZE):
        raise TamperedError(f"record {header.record_id}: a wrap of the wrong size")
    try:
        inner = crypto_box_open_afternm(
            wrap[BOX_NONCE_SIZE:], wrap[:BOX_NONCE_SIZE], SHARED_KEYS.get(me, signer_x25519)
        )
    except NaclCryptoError:
        raise TamperedError(
            f"record {header.record_id}: not made by its signer (or changed since)"
        ) from None
    if header.deleted:
        hashed = b""
    elif ciphertext or content_hash is None:
        hashed = hash_content(ciphertext)
    else:
        hashed = content_hash
    digest = header.digest(nonce, hashed)
    if inner[:DIGEST_SIZE] != digest:
        raise TamperedError(f"record {header.record_id}: this is not the version its signer made")
    if len(inner) == DIGEST_SIZE:
        return OpenedVersion(digest, None)
    if not ciphertext:
        raise TamperedError(f"record {header.record_id}: a reader's version without content")
    if header.deleted:
        raise TamperedError(f"record {header.record_id}: a deletion carries no content key")
    try:
        payload = crypto_aead_xchacha20poly1305_ietf_decrypt(
            ciphertext, header.associated_data(), nonce, inner[DIGEST_SIZE:]
        )
    except NaclCryptoError:
        raise TamperedError(f"record {header.record_id}: content was changed") from None
    return OpenedVersion(digest, payload)
