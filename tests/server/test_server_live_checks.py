"""`/v1/live` connections are checked in batches by one task per process: many listeners
hold no thread each, a signed-out device among them is cut off at its next check, a link
change re-checks at once, and the checks of listeners that connected together are spread."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

import companion_server.routes.live as server_live
from companion_server.db.engine import Database
from companion_server.live_checks import resolve_many
from companion_server.security import token_hash
from tests.server.serverkit import Api, FakeClock, relaxed_settings
from tests.serving import RunningServer, running_server

LISTENERS = 40


@pytest.fixture
def server(server_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningServer]:
    monkeypatch.setattr(server_live, "REFRESH_SECONDS", 1.0)
    with running_server(server_db, settings=relaxed_settings(server_db)) as running:
        yield running


async def _listen(server: RunningServer, token: str) -> ClientConnection:
    url = server.url.replace("http://", "ws://") + "/v1/live"
    return await connect(url, additional_headers={"Authorization": f"Bearer {token}"})


async def _closed_with(ws: ClientConnection, timeout: float = 10.0) -> int | None:
    with pytest.raises(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    return ws.close_code


async def test_many_listeners_share_one_checker_and_a_signed_out_one_is_cut_off(
    server: RunningServer, server_db: str
) -> None:
    database = Database(server_db)
    with httpx.Client(base_url=server.url) as http:
        api = Api(http, database, FakeClock())  # type: ignore[arg-type]
        people = [api.youth(f"Youth {i}") for i in range(LISTENERS)]
        first = await _listen(server, people[-1].token)  # the notifier's own threads start
        threads_before = threading.active_count()
        listeners = list(await asyncio.gather(*(_listen(server, p.token) for p in people)))
        assert threading.active_count() - threads_before <= 2  # not a thread per listener
        revoked = people[0]
        assert (
            http.delete(f"/v1/devices/{revoked.device_id}", headers=revoked.headers).status_code
            == 204
        )
        assert await _closed_with(listeners[0]) == 4401  # within a re-check interval
        # The others are still there, and hear their own spaces.
        other = people[1]
        api.put(other, api.record(other, other))
        nudge = json.loads(await asyncio.wait_for(listeners[1].recv(), 10))
        assert nudge["space_id"] == other.space_id
        assert all(ws.close_code is None for ws in listeners[1:])
    for ws in [first, *listeners]:
        await ws.close()
    database.dispose()


def test_resolve_many_answers_for_every_known_token_in_one_go(api: Api, app) -> None:
    sam, els = api.youth("Sam"), api.caregiver("Els")
    api.link(sam, els)
    kim = api.youth("Kim")
    gone = api.youth("Gone")
    api.client.delete(f"/v1/devices/{gone.device_id}", headers=gone.headers)
    answers = resolve_many(app.state.ctx, [token_hash(p.token) for p in (sam, els, kim, gone)])
    assert answers[token_hash(els.token)][1] == {sam.space_id}
    assert answers[token_hash(sam.token)][1] == {sam.space_id}
    assert answers[token_hash(kim.token)][0].account_id == kim.account_id
    assert token_hash(gone.token) not in answers


async def test_listeners_that_connect_together_are_checked_spread_out(
    server: RunningServer, server_db: str
) -> None:
    database = Database(server_db)
    with httpx.Client(base_url=server.url) as http:
        api = Api(http, database, FakeClock())  # type: ignore[arg-type]
        people = [api.youth(f"Youth {i}") for i in range(10)]
    listeners = await asyncio.gather(*(_listen(server, p.token) for p in people))
    await asyncio.sleep(0.2)
    checks = server.app.state.live_checks  # type: ignore[union-attr]
    dues = sorted(w.due for w in checks._watched)
    assert dues[-1] - dues[0] > 0.05  # not all at the same moment
    for ws in listeners:
        await ws.close()
    database.dispose()
