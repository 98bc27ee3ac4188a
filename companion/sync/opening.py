"""Opening the pages of a pull: in a thread of this process, or in worker processes.

Opening a record is a chain of Python and crypto: open the wrap, check the digest, decrypt,
then validation into a record, its row and its field shadow (~140 µs a record on a 2-vCPU VM,
about half the CPU a restore costs). Threads cannot spread Python over cores (the GIL), so
a long pull, a restore above all, splits its pages between worker processes
(`companion.sync.open_worker`) while this process fetches and writes. The workers start
when a pull proves long (a big page with more to come; that page opens here meanwhile)
and stop when the pull ends. Short pulls and platforms without child processes (phones,
packaged builds) open in a thread; if a worker fails, the rest of the pull does too.

The workers get the reader's X25519 key once (not the signing key), through their stdin,
and never write anything: they return rows, stamps and shadows, and this process stores
them. They run the installed module (`-P`, checked), not the app's main script (what
multiprocessing's "spawn" would re-run).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from pathlib import PureWindowsPath  # splits at both separators, on every platform
from typing import Any

from companion.crypto.keys import AccountKeys
from companion.phone.platform import on_phone
from companion.store.remote import RemoteRecord
from companion.sync.open_worker import CODE_AT, READY, WorkerOutcome, read_frame, write_frame
from companion.sync.payload import Notice, Opened, SealedParts, open_each

# Below this many records a page opens here: handing it over costs more than it saves.
WORKER_MIN_RECORDS = 200
MAX_WORKERS = 2
# The worker loads in ~0.2 s and opens a page of 1,000 records in ~0.15 s (2-vCPU VM);
# this long means it is stuck.
WORKER_START_TIMEOUT_S = 20.0
WORKER_PAGE_TIMEOUT_S = 60.0

Outcome = Opened | Notice | str  # the opened version, a notice, or why it cannot be opened


def processes_available() -> bool:
    """Whether this platform can start a worker process running this Python: not on
    phones (Android reports "linux"; iOS allows no child processes), and only when the
    executable is a Python interpreter: in a packaged app it is the app itself, which
    would open a second window instead of a worker."""
    if getattr(sys, "frozen", False) or hasattr(sys, "getandroidapilevel") or on_phone():
        return False
    if not PureWindowsPath(sys.executable or "").name.lower().startswith("python"):
        return False
    return sys.platform in ("linux", "darwin", "win32")


def workers_worthwhile() -> bool:
    """Workers help only where they can start and have a core of their own."""
    return processes_available() and usable_cpus() > 1


def worker_count() -> int:
    """Two where there are two cores: on the 2-vCPU VM a restore went from 4,400-5,100
    to 5,100-5,500 records/s against one worker (docs/benchmarks.md). More would only
    compete with this process's fetching and writing, which then set the pace."""
    return max(1, min(MAX_WORKERS, usable_cpus()))


def usable_cpus() -> int:
    """The cores this process may run on (a container may see the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _from_worker(parts: SealedParts, outcome: WorkerOutcome) -> Outcome:
    if isinstance(outcome, str):
        return outcome
    if len(outcome) == 3:
        record_id, revision, digest = outcome
        if record_id != parts.id:
            raise EOFError("the worker answered for another record")
        return Notice(record_id, revision, digest)
    row, stamps, shadow, revision, digest = outcome
    if row[0] != parts.id:
        raise EOFError("the worker answered for another record")
    remote = RemoteRecord.validated_elsewhere(row)
    return Opened(remote, stamps, shadow, revision, digest)


class _Worker:
    """One worker process and its two pipes; blocking calls, made from threads.

    `-P`: the worker imports the app's own installed modules, never a `companion` that
    happens to lie in the working folder; it reports where its code lives, and a worker
    running other code than the app is not used. It gets only the key that unwraps
    content keys, not the signing key."""

    def __init__(self, me_id: str, keys: AccountKeys) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-m", "companion.sync.open_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._me_id = me_id
        self._unwrap_key = bytes(keys.encryption)

    def start(self) -> None:
        """Hand over the key and wait until the worker has loaded its modules."""
        assert self._process.stdin is not None and self._process.stdout is not None
        write_frame(self._process.stdin, (self._me_id, self._unwrap_key))
        if read_frame(self._process.stdout) != (READY, CODE_AT):
            raise EOFError("the worker did not start, or runs other code than the app")

    def open(self, items: list[SealedParts], signers: dict[str, bytes]) -> list[Outcome]:
        assert self._process.stdin is not None and self._process.stdout is not None
        write_frame(self._process.stdin, (items, signers))
        outcomes = read_frame(self._process.stdout)
        if not isinstance(outcomes, list) or len(outcomes) != len(items):
            raise EOFError("the worker answered something else than the page")
        return [
            _from_worker(parts, outcome) for parts, outcome in zip(items, outcomes, strict=True)
        ]

    def stop(self) -> None:
        """At once, also in the middle of a page: it holds nothing worth finishing."""
        self._process.kill()
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # unflushed bytes to a dead process
                    pipe.close()


def _seen(future: asyncio.Future[Any]) -> None:
    """A failed or cancelled start or page is handled where it is awaited (or the pull
    ended): it is no error for asyncio to log as never retrieved."""
    if not future.cancelled():
        future.exception()


class PageOpener:
    """Opens the pages of one pull. `close()` when the pull ends (stops the workers)."""

    def __init__(
        self, me_id: str, keys: AccountKeys, *, worker_allowed: bool, workers: int | None = None
    ) -> None:
        self._me_id = me_id
        self._keys = keys
        self._worker_allowed = worker_allowed
        self._count = workers or worker_count()
        self._workers: list[_Worker] = []
        self._started: asyncio.Future[list[None]] | None = None
        self._spare_page = False  # the page that started the workers opens here meanwhile
        self.opened_in_worker = 0  # records: what the pull's report says
        self.failed = False  # workers could not start or broke: not worth trying again

    @property
    def in_worker(self) -> bool:
        """Whether big pages now go to the workers (they started and are ready)."""
        started = self._started
        return (
            bool(self._workers)
            and started is not None
            and started.done()
            and not started.cancelled()
            and started.exception() is None
        )

    def expect_long_pull(self) -> None:
        """Start the workers without waiting for them: the page at hand opens here, later
        pages wait for them if they are not ready by then (they take ~0.2 s to load)."""
        if not self._worker_allowed or self._workers:
            return
        try:
            for _ in range(self._count):
                self._workers.append(_Worker(self._me_id, self._keys))
        except OSError:
            self._give_up_worker()
            return
        starts = [asyncio.to_thread(worker.start) for worker in self._workers]
        self._started = asyncio.gather(*starts)
        self._started.add_done_callback(_seen)
        self._spare_page = True

    async def open(self, items: Sequence[tuple[SealedParts, bytes]]) -> list[Outcome]:
        """Each record opened, or the reason it cannot be; in page order. A page is split
        between the workers, in order."""
        if len(items) >= WORKER_MIN_RECORDS and await self._worker_ready():
            signers = {parts.signer_id: public for parts, public in items}
            page = [parts for parts, _ in items]
            size = -(-len(page) // len(self._workers))
            shares = [
                asyncio.to_thread(worker.open, page[n * size : (n + 1) * size], signers)
                for n, worker in enumerate(self._workers)
            ]
            gathered = asyncio.gather(*shares)
            gathered.add_done_callback(_seen)
            try:
                parts = await asyncio.wait_for(gathered, WORKER_PAGE_TIMEOUT_S)
            except (OSError, EOFError, ValueError, pickle.PickleError, TimeoutError):
                self._give_up_worker()  # one died or hangs: this page and the rest open here
            else:
                outcomes = [outcome for part in parts for outcome in part]
                self.opened_in_worker += len(outcomes)
                return outcomes
        return await asyncio.to_thread(open_each, items, me_id=self._me_id, my_keys=self._keys)

    async def _worker_ready(self) -> bool:
        started = self._started
        if started is None:
            return False
        if not started.done():
            if self._spare_page:
                self._spare_page = False
                return False
            await asyncio.wait({started}, timeout=WORKER_START_TIMEOUT_S)
        if not self.in_worker:
            self._give_up_worker()  # they failed to start in time: the pull goes on here
            return False
        return True

    def close(self) -> None:
        if self._started is not None and not self._started.done():
            self._started.cancel()
        for worker in self._workers:
            worker.stop()
        self._workers = []

    def _give_up_worker(self) -> None:
        self.close()
        self._worker_allowed = False
        self.failed = True
