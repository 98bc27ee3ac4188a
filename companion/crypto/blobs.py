"""Files (photos, PDFs, papers) sealed on the device in chunks, under a key of their own.

A file gets a fresh random 32-byte key and is cut into chunks of `CHUNK_SIZE` bytes (the
last one may be shorter, and an empty file is one empty chunk). Each chunk is sealed with
XChaCha20-Poly1305; its associated data binds the blob's id, the chunk's index and whether
it is the last one, so a chunk moved to another place, another file's chunk, a file cut
short after a whole chunk or a chunk changed by one bit all fail to open. The nonce is the
chunk index: a key seals one file once, so a nonce never repeats under a key.

What a reader needs to open the file (`BlobKey`: the key, the sizes and a SHA-256 of the
whole ciphertext) travels inside the record that refers to the blob, which is itself sealed
end to end (envelope.py). The server stores and serves only the sealed chunks.

Opening writes the plaintext to a temporary file that becomes the target only when every
chunk opened, the last one said it was the last, and the ciphertext hash matched: nothing
partial is ever left where a finished file is expected.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
)
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.utils import random

from companion.crypto.errors import CryptoError, MalformedError, TamperedError
from companion_wire import BLOB_CHUNK_BYTES, BLOB_SEALED_CHUNK_BYTES, BLOB_TAG_BYTES

CHUNK_SIZE = BLOB_CHUNK_BYTES  # plaintext bytes per chunk (the wire contract's)
TAG_SIZE = BLOB_TAG_BYTES
SEALED_CHUNK_SIZE = BLOB_SEALED_CHUNK_BYTES
KEY_SIZE = 32
HASH_SIZE = 32
_AD_TAG = b"companion/blob/v1"


class BlobTamperedError(TamperedError):
    """A chunk does not open: changed, moved to another index, from another file, or the key
    is not this file's key. `index` says which chunk."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


class BlobTruncatedError(TamperedError):
    """The ciphertext ends early: chunks missing, or the last one is not marked last."""


class BlobHashMismatchError(TamperedError):
    """The ciphertext is not the one the record names (its SHA-256 differs)."""


class BlobTooLongError(TamperedError):
    """More ciphertext than the record says the file has."""


def chunk_count(size: int) -> int:
    """How many chunks a file of `size` plaintext bytes is sealed in (at least one)."""
    return max(1, -(-size // CHUNK_SIZE))


def sealed_size(size: int) -> int:
    """The ciphertext size of a file of `size` plaintext bytes."""
    return size + chunk_count(size) * TAG_SIZE


def sealed_chunk_size(size: int, index: int) -> int:
    """The ciphertext size of chunk `index` of a file of `size` plaintext bytes."""
    count = chunk_count(size)
    if not 0 <= index < count:
        raise MalformedError(f"chunk {index} is outside a file of {count} chunks")
    if index < count - 1:
        return SEALED_CHUNK_SIZE
    return size - (count - 1) * CHUNK_SIZE + TAG_SIZE


@dataclass(frozen=True)
class BlobKey:
    """What opens a sealed file; carried inside the (sealed) record that refers to it."""

    blob_id: str
    key: bytes
    size: int  # plaintext bytes
    sha256: bytes  # of the whole ciphertext, all chunks in order

    def __post_init__(self) -> None:
        if len(self.key) != KEY_SIZE:
            raise MalformedError(f"a file key is {KEY_SIZE} bytes, not {len(self.key)}")
        if len(self.sha256) != HASH_SIZE:
            raise MalformedError(f"a ciphertext hash is {HASH_SIZE} bytes")
        if self.size < 0:
            raise MalformedError("a file size cannot be negative")
        _id_bytes(self.blob_id)

    @property
    def chunks(self) -> int:
        return chunk_count(self.size)

    @property
    def sealed_size(self) -> int:
        return sealed_size(self.size)

    def to_fields(self) -> dict[str, object]:
        """The JSON-safe fields a record stores."""
        return {
            "blob_id": self.blob_id,
            "key": base64.b64encode(self.key).decode(),
            "size": self.size,
            "sha256": self.sha256.hex(),
        }

    @classmethod
    def from_fields(cls, fields: dict[str, object]) -> BlobKey:
        try:
            return cls(
                blob_id=str(fields["blob_id"]),
                key=base64.b64decode(str(fields["key"]), validate=True),
                # an object from a record's JSON: int() refuses what is not a number
                # (TypeError/ValueError, turned into MalformedError below)
                size=int(fields["size"]),  # type: ignore[call-overload]
                sha256=bytes.fromhex(str(fields["sha256"])),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise MalformedError(f"not a file key: {exc}") from exc


def new_file_key() -> bytes:
    return random(KEY_SIZE)


def _id_bytes(blob_id: str) -> bytes:
    try:
        return uuid.UUID(blob_id).bytes
    except ValueError as exc:
        raise MalformedError(f"not a blob id: {blob_id!r}") from exc


def _ad(id_bytes: bytes, index: int, final: bool) -> bytes:
    return _AD_TAG + id_bytes + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


def _nonce(index: int) -> bytes:
    return index.to_bytes(24, "big")


def seal_chunk(key: bytes, blob_id: str, index: int, final: bool, plain: bytes) -> bytes:
    if len(plain) > CHUNK_SIZE:
        raise MalformedError(f"a chunk holds at most {CHUNK_SIZE} bytes")
    ad = _ad(_id_bytes(blob_id), index, final)
    return crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, _nonce(index), key)


def open_chunk(key: bytes, blob_id: str, index: int, final: bool, sealed: bytes) -> bytes:
    ad = _ad(_id_bytes(blob_id), index, final)
    try:
        return crypto_aead_xchacha20poly1305_ietf_decrypt(sealed, ad, _nonce(index), key)
    except NaclCryptoError as exc:
        raise BlobTamperedError(
            index,
            f"chunk {index} of blob {blob_id} does not open: changed, out of order, "
            "from another file, or not this file's key",
        ) from exc


def _read_chunks(source: Path) -> Iterator[tuple[int, bool, bytes]]:
    """(index, final, plaintext) over a file, reading one chunk ahead to know the last."""
    with source.open("rb") as handle:
        current = handle.read(CHUNK_SIZE)
        index = 0
        while True:
            following = handle.read(CHUNK_SIZE)
            yield index, not following, current
            if not following:
                return
            current, index = following, index + 1


def seal_file(source: Path, target: Path, blob_id: str) -> BlobKey:
    """Seal `source` into `target` (the ciphertext, chunks back to back) under a new key."""
    key = new_file_key()
    digest = hashlib.sha256()
    size = 0
    partial = target.with_name(target.name + ".part")
    with partial.open("wb") as out:
        for index, final, plain in _read_chunks(source):
            sealed = seal_chunk(key, blob_id, index, final, plain)
            digest.update(sealed)
            out.write(sealed)
            size += len(plain)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    return BlobKey(blob_id, key, size, digest.digest())


def seal_bytes(data: bytes, blob_id: str) -> tuple[BlobKey, bytes]:
    """Seal bytes held in memory: (key, ciphertext)."""
    key = new_file_key()
    count = chunk_count(len(data))
    parts = [
        seal_chunk(key, blob_id, i, i == count - 1, data[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE])
        for i in range(count)
    ]
    sealed = b"".join(parts)
    return BlobKey(blob_id, key, len(data), hashlib.sha256(sealed).digest()), sealed


def split_sealed(blob: BlobKey, ciphertext: bytes, first: int = 0) -> list[bytes]:
    """Cut a run of ciphertext starting at chunk `first` into its sealed chunks."""
    chunks = []
    offset = 0
    index = first
    while offset < len(ciphertext):
        if index >= blob.chunks:
            raise BlobTooLongError(f"blob {blob.blob_id} has only {blob.chunks} chunks")
        length = sealed_chunk_size(blob.size, index)
        chunks.append(ciphertext[offset : offset + length])
        offset += length
        index += 1
    return chunks


class BlobOpener:
    """Opens the chunks of one blob in order as they arrive, checking order, end and hash."""

    def __init__(self, blob: BlobKey) -> None:
        self.blob = blob
        self.next_index = 0
        self._digest = hashlib.sha256()
        self._id = _id_bytes(blob.blob_id)

    def open(self, sealed: bytes) -> bytes:
        index = self.next_index
        if index >= self.blob.chunks:
            raise BlobTooLongError(
                f"blob {self.blob.blob_id} has {self.blob.chunks} chunks; got more"
            )
        if len(sealed) != sealed_chunk_size(self.blob.size, index):
            raise BlobTruncatedError(
                f"chunk {index} of blob {self.blob.blob_id} is {len(sealed)} bytes, "
                f"not {sealed_chunk_size(self.blob.size, index)}"
            )
        final = index == self.blob.chunks - 1
        self._digest.update(sealed)
        plain = open_chunk(self.blob.key, self.blob.blob_id, index, final, sealed)
        self.next_index += 1
        return plain

    def finish(self) -> None:
        """Raise unless every chunk was opened and the ciphertext is the one named."""
        if self.next_index != self.blob.chunks:
            raise BlobTruncatedError(
                f"blob {self.blob.blob_id} ended after {self.next_index} of "
                f"{self.blob.chunks} chunks"
            )
        if self._digest.digest() != self.blob.sha256:
            raise BlobHashMismatchError(
                f"blob {self.blob.blob_id}'s ciphertext is not the one its record names"
            )


def open_chunks(blob: BlobKey, chunks: Iterable[bytes], target: Path) -> None:
    """Open every sealed chunk into `target`; on any error nothing is left at `target`."""
    opener = BlobOpener(blob)
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as out:
            for sealed in chunks:
                out.write(opener.open(sealed))
            opener.finish()
        os.replace(partial, target)  # an opened copy: fetched again if a crash loses it
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def open_bytes(blob: BlobKey, ciphertext: bytes) -> bytes:
    """Open a whole ciphertext held in memory."""
    if len(ciphertext) < blob.sealed_size:
        raise BlobTruncatedError(
            f"blob {blob.blob_id} is {len(ciphertext)} bytes of {blob.sealed_size}"
        )
    opener = BlobOpener(blob)
    plain = b"".join(opener.open(chunk) for chunk in split_sealed(blob, ciphertext))
    opener.finish()
    return plain


__all__ = [
    "CHUNK_SIZE",
    "SEALED_CHUNK_SIZE",
    "BlobHashMismatchError",
    "BlobKey",
    "BlobOpener",
    "BlobTamperedError",
    "BlobTooLongError",
    "BlobTruncatedError",
    "CryptoError",
    "chunk_count",
    "open_bytes",
    "open_chunks",
    "seal_bytes",
    "seal_chunk",
    "seal_file",
    "sealed_chunk_size",
    "sealed_size",
    "split_sealed",
]
