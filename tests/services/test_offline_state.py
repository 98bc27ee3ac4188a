"""Offline made visible (issue 15), against the REAL server through a line a test can cut:
within seconds of losing the server the state says offline without anything being written
(the live connection dropping is enough), a retry that cannot reach the server never reads
"syncing", an entry written meanwhile is counted and known as unsent, and once the line is
back the app reconnects by itself, sends it, and the mark goes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from companion.sync.state import SyncPhase
from tests.e2e.netcut import NetworkCut
from tests.services.test_youth_sync import server, youth_app  # noqa: F401  (fixture)


async def within(seconds: float, check: Callable[[], bool], what: str) -> float:
    """Wait until `check()`; returns how long it took."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.fixture
def line(server):  # noqa: F811
    cut = NetworkCut(server.url)
    yield cut
    cut.close()


@pytest.fixture
async def sam(tmp_path, line):
    services = youth_app(tmp_path / "sam", line.url)
    services.live = True  # this test is about the live connection
    services.create_account("Sam")
    services.start_sync()
    sync = services.sync
    assert sync is not None and sync.live is not None
    await within(20, lambda: services.sync_state.state.phase is SyncPhase.UP_TO_DATE, "synced")
    await within(20, sync.live.connected.is_set, "the live connection open")
    yield services
    await services.aclose()


async def test_offline_shows_within_seconds_and_unsent_items_are_marked_until_sent(sam, line):
    space = sam.require_session()
    line.cut()  # nothing written: only the live connection notices
    await within(5, lambda: sam.sync_state.state.phase is SyncPhase.OFFLINE, "offline shown")
    phases: list[SyncPhase] = []
    sam.sync_state.subscribe(lambda state: phases.append(state.phase))

    entry = space.diary.write("Geschreven zonder internet.")
    assert entry.id in sam.unsent() and sam.unsent().waiting == {entry.id}
    space.diary.share(entry.id, [])  # a second change of the same entry: still one item
    assert sam.unsent().waiting == {entry.id}
    await asyncio.sleep(1.0)  # the write asked for a cycle; it could not reach the server
    assert sam.sync_state.state.phase is SyncPhase.OFFLINE
    assert SyncPhase.SYNCING not in phases  # a failing retry never reads "syncing"

    line.restore()  # the app finds the server again by itself
    await within(20, lambda: sam.sync_state.state.phase is SyncPhase.UP_TO_DATE, "back online")
    await within(10, lambda: entry.id not in sam.unsent(), "the mark gone")
    assert space.store.sync_info(entry.id).server_version is not None


async def test_a_blip_of_the_live_connection_alone_does_not_show_offline(sam, line):
    """The live connection drops but the server answers: the cycle that checks finds it
    there, and the state stays up to date."""
    phases: list[SyncPhase] = []
    sam.sync_state.subscribe(lambda state: phases.append(state.phase))
    line.cut()
    line.restore()  # at once: the check finds the server
    await within(20, lambda: SyncPhase.UP_TO_DATE in phases, "a cycle that checked")
    assert SyncPhase.OFFLINE not in phases
