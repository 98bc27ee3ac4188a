"""Moving sealed files to and from the server: resumable upload, verified download.

Upload: declare the blob (its size and ciphertext SHA-256), which answers the chunks the
server already holds; send the missing ones in runs of `MAX_BLOB_RUN` chunks, a few runs in
flight at once; then `complete`. A connection lost midway costs at most the runs in flight:
the next attempt declares again and sends only what is missing. `upload` itself tries again
(after a short pause) while the network fails, up to `attempts` times; a refusal (a 4xx) is
not retried.

Download: fetch runs in order, a few ahead, and open each chunk as it comes
(`crypto/blobs.py`): the plaintext goes to a temporary file that becomes the target only
when every chunk opened and the hash matched. Sealing and opening run in worker threads, so
the app's event loop stays free.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from companion.crypto.blobs import SEALED_CHUNK_SIZE, BlobKey, BlobOpener, sealed_chunk_size
from companion.sync.api import ApiClient
from companion.sync.errors import OfflineError, RefusedError
from companion_wire import MAX_BLOB_RUN, BlobIn, ErrorCode, b64encode

IN_FLIGHT = 3  # runs sent or fetched at once


@dataclass
class TransferPolicy:
    attempts: int = 5  # tries while the network fails
    pause: float = 0.5  # seconds before trying again (doubles each time)
    in_flight: int = IN_FLIGHT
    run: int = MAX_BLOB_RUN


def _runs(indices: list[int], length: int) -> list[tuple[int, int]]:
    """(first, count) runs of consecutive indices, each at most `length` long."""
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][0] + runs[-1][1] == index and runs[-1][1] < length:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((index, 1))
    return runs


def _read_run(sealed: Path, key: BlobKey, first: int, count: int) -> bytes:
    length = sum(sealed_chunk_size(key.size, i) for i in range(first, first + count))
    with sealed.open("rb") as handle:
        handle.seek(first * SEALED_CHUNK_SIZE)
        data = handle.read(length)
    if len(data) != length:
        raise OSError(f"the sealed file {sealed} is shorter than its key says")
    return data


async def _bounded(jobs: list[Callable[[], Awaitable[object]]], limit: int) -> None:
    """Run the jobs with at most `limit` at once; the first failure cancels the rest."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[object]]) -> None:
        async with gate:
            await job()

    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(one(job))
    except ExceptionGroup as failed:  # the first failure, as itself (a RefusedError...)
        raise failed.exceptions[0] from None


async def _retrying(policy: TransferPolicy, attempt: Callable[[], Awaitable[object]]) -> None:
    pause = policy.pause
    for number in range(policy.attempts):
        try:
            await attempt()
            return
        except OfflineError:
            if number == policy.attempts - 1:
                raise
        await asyncio.sleep(pause)
        pause *= 2


async def upload(
    api: ApiClient,
    space_id: str,
    key: BlobKey,
    sealed: Path,
    policy: TransferPolicy | None = None,
) -> None:
    """Upload the sealed file `sealed` of `key` into `space_id` (resuming what the server
    holds) and complete it. Raises OfflineError after `attempts`, RefusedError on a 4xx."""
    policy = policy or TransferPolicy()
    declaration = BlobIn(
        id=key.blob_id, space_id=space_id, size=key.sealed_size, sha256=b64encode(key.sha256)
    )

    async def attempt() -> None:
        status = await api.declare_blob(declaration)
        if status.complete:
            return
        held = set(status.received)
        missing = [index for index in range(status.chunks) if index not in held]

        def sender(first: int, count: int) -> Callable[[], Awaitable[object]]:
            async def send() -> None:
                data = await asyncio.to_thread(_read_run, sealed, key, first, count)
                await api.put_blob_chunks(key.blob_id, first, data)

            return send

        await _bounded([sender(f, c) for f, c in _runs(missing, policy.run)], policy.in_flight)
        try:
            await api.complete_blob(key.blob_id)
        except RefusedError as refused:
            if refused.code is ErrorCode.BLOB_MISMATCH:  # dropped by the server: send anew
                raise OfflineError(f"the server dropped the upload: {refused.detail}") from None
            raise

    await _retrying(policy, attempt)


class _Sink:
    """Opens runs in order into a partial file; `finish` checks and moves it into place."""

    def __init__(self, key: BlobKey, target: Path) -> None:
        self.opener = BlobOpener(key)
        self.key = key
        self.target = target
        self.partial = target.with_name(target.name + ".part")
        self.handle = self.partial.open("wb")

    def write(self, first: int, data: bytes) -> None:
        offset = 0
        for index in range(first, first + -(-len(data) // SEALED_CHUNK_SIZE)):
            length = sealed_chunk_size(self.key.size, index)
            self.handle.write(self.opener.open(data[offset : offset + length]))
            offset += length

    def finish(self) -> None:
        """Checked, then moved into place (not flushed: an opened copy is fetched again if
        a crash loses it)."""
        self.opener.finish()
        self.handle.close()
        os.replace(self.partial, self.target)

    def abandon(self) -> None:
        self.handle.close()
        self.partial.unlink(missing_ok=True)


async def download(
    api: ApiClient, key: BlobKey, target: Path, policy: TransferPolicy | None = None
) -> None:
    """Fetch and open the file of `key` into `target`. On any error (TamperedError and its
    kinds from crypto.blobs, OfflineError, RefusedError) nothing is left at `target`."""
    policy = policy or TransferPolicy()
    runs = _runs(list(range(key.chunks)), policy.run)
    sink = await asyncio.to_thread(_Sink, key, target)
    done = 0  # runs opened so far: a retry fetches from there on

    async def fetch(first: int, count: int) -> bytes:
        data = await api.blob_chunks(key.blob_id, first, count)
        expected = sum(sealed_chunk_size(key.size, i) for i in range(first, first + count))
        if len(data) > expected:
            data = data[: expected + 1]  # the sink reports the extra byte as too long
        return data

    async def attempt() -> None:
        nonlocal done
        ahead: list[asyncio.Task[bytes]] = []
        try:
            for first, count in runs[done : done + policy.in_flight]:
                ahead.append(asyncio.create_task(fetch(first, count)))
            for position in range(done, len(runs)):
                data = await ahead.pop(0)
                following = position + policy.in_flight
                if following < len(runs):
                    ahead.append(asyncio.create_task(fetch(*runs[following])))
                await asyncio.to_thread(sink.write, runs[position][0], data)
                done = position + 1
        finally:
            for task in ahead:
                task.cancel()
            await asyncio.gather(*ahead, return_exceptions=True)

    try:
        await _retrying(policy, attempt)
        await asyncio.to_thread(sink.finish)
    except BaseException:
        await asyncio.to_thread(sink.abandon)
        raise
