"""Files sealed in chunks: every way a blob can be damaged gives its own typed error, and
nothing partial is left where the opened file is expected."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import pytest

from companion.crypto.blobs import (
    CHUNK_SIZE,
    SEALED_CHUNK_SIZE,
    BlobHashMismatchError,
    BlobKey,
    BlobTamperedError,
    BlobTooLongError,
    BlobTruncatedError,
    chunk_count,
    open_bytes,
    open_chunks,
    seal_bytes,
    seal_file,
    sealed_size,
    split_sealed,
)
from companion.crypto.errors import MalformedError
from companion_wire import new_id

SIZES = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17]


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_at_chunk_edges(size: int) -> None:
    data = os.urandom(size)
    key, sealed = seal_bytes(data, new_id())
    assert len(sealed) == sealed_size(size) == key.sealed_size
    assert key.chunks == chunk_count(size)
    assert open_bytes(key, sealed) == data
    assert data[:64] not in sealed or size == 0


def test_file_round_trip_and_key_fields(tmp_path: Path) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 5)
    source = tmp_path / "letter.pdf"
    source.write_bytes(data)
    key = seal_file(source, tmp_path / "sealed", new_id())
    sealed = (tmp_path / "sealed").read_bytes()
    assert hashlib.sha256(sealed).digest() == key.sha256
    assert BlobKey.from_fields(key.to_fields()) == key
    target = tmp_path / "opened.pdf"
    open_chunks(key, split_sealed(key, sealed), target)
    assert target.read_bytes() == data


@pytest.fixture
def three_chunks() -> tuple[BlobKey, list[bytes], bytes]:
    data = os.urandom(2 * CHUNK_SIZE + 1000)
    key, sealed = seal_bytes(data, new_id())
    return key, split_sealed(key, sealed), data


def test_one_flipped_bit_names_its_chunk(three_chunks) -> None:
    key, chunks, _ = three_chunks
    damaged = bytearray(chunks[1])
    damaged[100] ^= 1
    with pytest.raises(BlobTamperedError) as caught:
        open_bytes(key, chunks[0] + bytes(damaged) + chunks[2])
    assert caught.value.index == 1


def test_chunks_out_of_order_do_not_open(three_chunks) -> None:
    key, chunks, _ = three_chunks
    with pytest.raises(BlobTamperedError) as caught:
        open_bytes(key, chunks[1] + chunks[0] + chunks[2])
    assert caught.value.index == 0


def test_a_wrong_key_does_not_open(three_chunks) -> None:
    key, chunks, _ = three_chunks
    wrong = dataclasses.replace(key, key=os.urandom(32))
    with pytest.raises(BlobTamperedError):
        open_bytes(wrong, b"".join(chunks))


def test_another_files_chunk_does_not_open(three_chunks) -> None:
    key, chunks, _ = three_chunks
    other_key, other = seal_bytes(os.urandom(CHUNK_SIZE * 2 + 1000), new_id())
    # even under the right key material: the blob id is bound in
    other_under_same = dataclasses.replace(other_key, key=key.key)
    with pytest.raises(BlobTamperedError):
        open_bytes(other_under_same, b"".join(chunks))
    with pytest.raises(BlobTamperedError):
        open_bytes(key, other[:SEALED_CHUNK_SIZE] + b"".join(chunks[1:]))


def test_truncated_blobs_are_refused(three_chunks) -> None:
    key, chunks, _ = three_chunks
    with pytest.raises(BlobTruncatedError):
        open_bytes(key, chunks[0] + chunks[1])  # a whole chunk missing
    with pytest.raises(BlobTruncatedError):
        open_bytes(key, b"".join(chunks)[:-1])  # one byte missing
    # a record that claims the file ends after two chunks: the second is not marked last
    shorter = dataclasses.replace(key, size=2 * CHUNK_SIZE)
    with pytest.raises(BlobTamperedError) as caught:
        open_bytes(shorter, chunks[0] + chunks[1])
    assert caught.value.index == 1


def test_extra_ciphertext_and_a_wrong_hash_are_refused(three_chunks) -> None:
    key, chunks, _ = three_chunks
    with pytest.raises(BlobTooLongError):
        open_bytes(key, b"".join(chunks) + chunks[2])
    wrong_hash = dataclasses.replace(key, sha256=bytes(32))
    with pytest.raises(BlobHashMismatchError):
        open_bytes(wrong_hash, b"".join(chunks))


def test_nothing_partial_is_left_behind(tmp_path: Path, three_chunks) -> None:
    key, chunks, _ = three_chunks
    target = tmp_path / "photo.jpg"
    with pytest.raises(BlobTruncatedError):
        open_chunks(key, chunks[:2], target)
    assert list(tmp_path.iterdir()) == []
    damaged = bytearray(chunks[2])
    damaged[-1] ^= 0x80
    with pytest.raises(BlobTamperedError):
        open_chunks(key, [chunks[0], chunks[1], bytes(damaged)], target)
    assert list(tmp_path.iterdir()) == []


def test_malformed_keys_are_refused() -> None:
    with pytest.raises(MalformedError):
        BlobKey.from_fields({"blob_id": new_id(), "key": "!!", "size": 1, "sha256": "00" * 32})
    with pytest.raises(MalformedError):
        BlobKey(new_id(), os.urandom(16), 1, bytes(32))
    with pytest.raises(MalformedError):
        BlobKey("not-an-id", os.urandom(32), 1, bytes(32))
