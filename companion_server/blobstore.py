"""Where the sealed chunks of files live: behind one small interface, a folder by default.

The server never holds a file's key, so what is stored here is ciphertext only (a scan for
plaintext is part of tests/sync/test_attachments.py). A blob is one file; each chunk is
written at its own offset (chunk `i` at `i * BLOB_SEALED_CHUNK_BYTES`), in whatever order
the chunks arrive, and the database row that says a chunk arrived is written after it
(services/blobs.py). Chunks are not flushed one by one: `finish` reads the whole file back
to hash it and flushes it to disk once, before the blob is marked complete. A crash before
that may lose chunks the rows call received; the hash check then fails, the chunks are
dropped and the client sends them again. (One file per chunk cost a journal commit per
chunk when flushed: slower than the transfer itself.)
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url

from companion_server.settings import Settings, user_data_dir
from companion_wire import BLOB_SEALED_CHUNK_BYTES

_READ = 1024 * 1024


class MissingChunkError(Exception):
    """The database says a chunk arrived, but the store does not have it."""


class BlobStore(Protocol):
    def put_run(self, blob_id: str, first: int, chunks: list[bytes]) -> None: ...

    def read(self, blob_id: str, first: int, length: int) -> bytes: ...

    def finish(self, blob_id: str, size: int) -> bytes: ...

    def delete(self, blob_id: str) -> None: ...


class FolderBlobStore:
    """One file per blob: `<root>/<last two characters of the id>/<blob id>.blob`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, blob_id: str) -> Path:
        return self.root / blob_id[-2:] / f"{blob_id}.blob"

    def put_run(self, blob_id: str, first: int, chunks: list[bytes]) -> None:
        """Chunks `first`, `first + 1`, ... at their offsets (not flushed yet: `finish`)."""
        path = self.path(blob_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            offset = first * BLOB_SEALED_CHUNK_BYTES
            for chunk in chunks:
                os.pwrite(descriptor, chunk, offset)
                offset += len(chunk)
        finally:
            os.close(descriptor)

    def read(self, blob_id: str, first: int, length: int) -> bytes:
        """`length` bytes from chunk `first` on."""
        try:
            descriptor = os.open(self.path(blob_id), os.O_RDONLY)
        except FileNotFoundError as exc:
            raise MissingChunkError(f"blob {blob_id} is not in the store") from exc
        try:
            data = os.pread(descriptor, length, first * BLOB_SEALED_CHUNK_BYTES)
        finally:
            os.close(descriptor)
        if len(data) != length:
            raise MissingChunkError(f"blob {blob_id} is shorter than its chunks")
        return data

    def finish(self, blob_id: str, size: int) -> bytes:
        """The SHA-256 of the blob's `size` bytes, with the file flushed to disk."""
        digest = hashlib.sha256()
        try:
            with self.path(blob_id).open("rb") as handle:
                while piece := handle.read(_READ):
                    digest.update(piece)
                length = handle.tell()
                os.fsync(handle.fileno())
        except FileNotFoundError as exc:
            raise MissingChunkError(f"blob {blob_id} is not in the store") from exc
        if length != size:  # a crash lost a tail the rows call received
            return b""
        descriptor = os.open(self.path(blob_id).parent, os.O_RDONLY)
        try:
            os.fsync(descriptor)  # the file's name too
        finally:
            os.close(descriptor)
        return digest.digest()

    def delete(self, blob_id: str) -> None:
        self.path(blob_id).unlink(missing_ok=True)


def blob_folder(settings: Settings) -> Path:
    """The configured folder; else `blobs` beside a SQLite file; else the user data folder."""
    if settings.blob_dir:
        return Path(settings.blob_dir)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).parent / "blobs"
    return user_data_dir() / "blobs"


def blob_store_for(settings: Settings) -> BlobStore:
    return FolderBlobStore(blob_folder(settings))
