"""Blobs: the sealed files the server stores for attachment records, uploaded and fetched
in runs of chunks.

A blob has the id of the attachment record that will refer to it. The uploader declares its
ciphertext size and SHA-256 first (`BlobIn`), then sends chunks in any order, several back
to back per request, and finally asks the server to `complete` it: the server checks that
every chunk is there and that they hash to the declared SHA-256. Only a complete blob is
served, and only to whoever may read its attachment record.
"""

from __future__ import annotations

from pydantic import Field

from companion_wire.fields import Id, Sha256, Wire
from companion_wire.limits import BLOB_SEALED_CHUNK_BYTES, BLOB_TAG_BYTES, MAX_BLOB_BYTES


def blob_chunks(size: int) -> int:
    """How many chunks a blob of `size` ciphertext bytes has (at least one)."""
    return max(1, -(-size // BLOB_SEALED_CHUNK_BYTES))


def blob_chunk_size(size: int, index: int) -> int:
    """The ciphertext bytes of chunk `index` of a blob of `size` bytes."""
    count = blob_chunks(size)
    return (
        BLOB_SEALED_CHUNK_BYTES
        if index < count - 1
        else size - (count - 1) * BLOB_SEALED_CHUNK_BYTES
    )


def valid_blob_size(size: int) -> bool:
    """Whether `size` is what sealing a file can give: every chunk carries its tag."""
    last = size - (blob_chunks(size) - 1) * BLOB_SEALED_CHUNK_BYTES
    return last >= BLOB_TAG_BYTES


class BlobIn(Wire):
    id: Id
    space_id: Id
    size: int = Field(
        ge=BLOB_TAG_BYTES, description=f"ciphertext bytes (413 over {MAX_BLOB_BYTES})"
    )
    sha256: Sha256


class BlobOut(Wire):
    id: Id
    space_id: Id
    size: int
    chunks: int
    received: list[int] = Field(description="indices of the chunks the server holds")
    complete: bool
