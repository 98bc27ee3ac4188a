"""Shaping the on-disk state a write-ahead log leaves behind, for the recovery tests.

WAL format (sqlite.org/fileformat2.html#walformat): a 32-byte header (magic, version, page
size, checkpoint sequence, two salts, checksum), then frames: a 24-byte header (page number,
database size in pages on a commit frame else 0, the two salts, checksum) and one page.
Both bindings store encrypted pages in the frames exactly as in the main file.
"""

from __future__ import annotations

import struct
from pathlib import Path

WAL_HEADER = 32
FRAME_HEADER = 24


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def committed_frames(wal: bytes) -> tuple[int, dict[int, bytes]]:
    """(page size, newest committed image of each page) of a WAL file's bytes."""
    page_size, _, salt1, salt2 = struct.unpack(">IIII", wal[8:24])
    pending: dict[int, bytes] = {}
    committed: dict[int, bytes] = {}
    offset = WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(wal):
        page, commit, frame_salt1, frame_salt2 = struct.unpack(">IIII", wal[offset : offset + 16])
        if (frame_salt1, frame_salt2) != (salt1, salt2):
            break  # a frame of an earlier generation of the log: not part of this one
        pending[page] = wal[offset + FRAME_HEADER : offset + FRAME_HEADER + page_size]
        if commit:
            committed = dict(pending)
        offset += FRAME_HEADER + page_size
    return page_size, committed


def stop_checkpoint_after(path: Path, pages: int) -> None:
    """Leave `path` as a checkpoint leaves it when the disk has room for `pages` pages only:
    pages 1..`pages` overwritten with their newest committed image from the -wal (the main
    file's own where the -wal has none), nothing after them, and the -wal as it was."""
    page_size, committed = committed_frames(wal_path(path).read_bytes())
    old = path.read_bytes()
    assert max(committed) > pages, "the -wal must hold pages the main file has no room for"
    images = [
        committed.get(page, old[(page - 1) * page_size : page * page_size])
        for page in range(1, pages + 1)
    ]
    assert all(len(image) == page_size for image in images)
    path.write_bytes(b"".join(images))
