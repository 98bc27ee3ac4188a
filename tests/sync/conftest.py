"""Sync fixtures: a real server (uvicorn on loopback, SQLite file) and a `World` of devices."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.serverkit import relaxed_settings
from tests.serving import RunningServer, running_server
from tests.sync.faults import CommitLog, FaultyTransport
from tests.sync.kit import World


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with running_server(url, settings=relaxed_settings(url)) as running:
        yield running


@pytest.fixture
async def world(server: RunningServer, tmp_path: Path) -> AsyncIterator[World]:
    made = World(server.url, server.database_url, tmp_path, transport=lambda: None)
    yield made
    await made.close()


@pytest.fixture
async def faulty_world(
    server: RunningServer, tmp_path: Path
) -> AsyncIterator[tuple[World, FaultyTransport]]:
    """A `World` whose devices reach the real server through a fault-injecting transport
    (plan faults on the transport)."""
    network = httpx.AsyncHTTPTransport()
    faulty = FaultyTransport(lambda: network, CommitLog())
    made = World(server.url, server.database_url, tmp_path, lambda: faulty)
    yield made, faulty
    await made.close()
