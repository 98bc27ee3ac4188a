"""The live channel: a new chat message reaches the other side without polling.

Real servers on loopback: one process on SQLite, and two processes sharing one PostgreSQL
(nudges cross between them through LISTEN/NOTIFY). The WebSocket's own authorization is
checked too: who may connect, and which spaces each account hears about.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

import companion_server.routes.live as server_live
from companion.core.accounts import KEYS_SECRET
from companion.core.syncing import AccountSync
from companion.sync.live import UNAUTHORIZED_CLOSE, live_url
from companion.sync.session import TOKEN_SECRET
from companion.sync.state import SyncPhase
from companion_wire import LiveNudge
from tests.machine import require
from tests.phone_edge import device_vault
from tests.server.serverkit import FreshPostgres, pg_available
from tests.serving import RunningServer, running_server_process
from tests.sync.kit import Device, World, conversation, diary, message

WAIT = 10.0


async def eventually(check: Callable[[], bool], timeout: float = WAIT) -> None:
    """Wait for something another process causes (the assertion is the condition)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "it did not happen in time"
        await asyncio.sleep(0.02)


class CountingTransport(httpx.AsyncHTTPTransport):
    """The network as usual, counting the requests the app makes."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        return await super().handle_async_request(request)


def sync_service(
    device: Device, base_url: str, transport: httpx.AsyncBaseTransport | None = None
) -> AccountSync:
    """The youth's app as it runs: the service, with the live channel, over its store."""
    vault = device_vault()
    vault.set(KEYS_SECRET, device.identity.keys.to_bytes())
    vault.set(TOKEN_SECRET, (device.api.token or "").encode("ascii"))
    return AccountSync(device.store, vault, device.identity, base_url, transport=transport)


async def quiet(app: AccountSync, network: CountingTransport) -> None:
    """Connected, synced, and making no requests at all for a while: nothing polls."""
    await asyncio.wait_for(app.live.connected.wait(), WAIT)
    await eventually(lambda: app.state.state.phase is SyncPhase.UP_TO_DATE)
    await asyncio.sleep(0.3)  # the start-up cycles settle
    made = len(network.requests)
    await asyncio.sleep(1.0)
    assert len(network.requests) == made, "the app made requests while nothing happened"


@contextlib.asynccontextmanager
async def running_app(
    device: Device, base_url: str
) -> AsyncIterator[tuple[AccountSync, list[str]]]:
    """The device's app running with its live channel, settled (`quiet`): yields the app
    and the paths of the requests it makes."""
    network = CountingTransport()
    app = sync_service(device, base_url, network)
    app.start()
    try:
        await quiet(app, network)
        yield app, network.requests
    finally:
        await app.stop()


async def chat_between(youth_world: World, carer_world: World) -> tuple[Device, Device, object]:
    youth, phone = await youth_world.youth("Sam")
    els = await carer_world.caregiver("Els")
    await youth_world.link(phone, els)
    chat = conversation(phone, youth.space_id, [youth.account_id, els.account_id])
    await phone.sync()
    await els.sync()
    return phone, els, els.store.conversations.get(chat.id)


async def test_a_caregivers_message_reaches_the_youth_without_polling(
    world: World, server: RunningServer
) -> None:
    phone, els, chat = await chat_between(world, world)
    async with running_app(phone, server.url) as (_app, requests):
        idle = len(requests)

        sent = message(els, chat, "Hoi Sam, lukt het met de huur?")
        await els.engine.push()

        await eventually(lambda: phone.store.messages.get(sent.id) is not None)
        assert phone.store.messages.get(sent.id).text == "Hoi Sam, lukt het met de huur?"
        # The youth owns the space: the nudge carried the sealed message, no pull needed,
        # and the cursor moved past it as a pull would have.
        assert "/v1/sync/pull" not in requests[idle:]
        assert phone.store.cursors.get(phone.identity.space_id) == (
            phone.store.sync_info(sent.id).server_version
        )


async def test_the_engine_takes_a_carried_record_only_as_the_next_version(world: World) -> None:
    """take_live is a one-record pull: out of order it declines (the app then pulls), in
    order it stores the message and moves the cursor exactly as a pull would."""
    phone, els, chat = await chat_between(world, world)
    space = phone.identity.space_id or ""
    before = phone.store.cursors.get(space)
    first = message(els, chat, "Eén")
    await els.engine.push()
    second = message(els, chat, "Twee")
    await els.engine.push()
    page = await phone.api.pull(space, before, 10)
    one, two = page.records
    nudge = {
        envelope.id: LiveNudge(
            space_id=space, version=envelope.version, kinds=[envelope.kind], record=envelope
        )
        for envelope in (one, two)
    }

    assert not await phone.engine.take_live(nudge[second.id])  # version one is missing
    assert phone.store.messages.get(second.id) is None
    assert phone.store.cursors.get(space) == before
    assert await phone.engine.take_live(nudge[first.id])
    assert await phone.engine.take_live(nudge[second.id])
    assert [phone.store.messages.get(m.id).text for m in (first, second)] == ["Eén", "Twee"]
    assert phone.store.cursors.get(space) == two.version
    assert await phone.engine.take_live(nudge[first.id])  # already had it: nothing to do
    assert (await phone.engine.sync()).pulled == 0


async def test_a_nudge_that_skips_versions_makes_the_youth_pull(
    world: World, server: RunningServer
) -> None:
    """Two messages in one push: the nudge carries no record, the app pulls both."""
    phone, els, chat = await chat_between(world, world)
    async with running_app(phone, server.url) as (_app, requests):
        idle = len(requests)
        first = message(els, chat, "Eén")
        second = message(els, chat, "Twee")
        await els.engine.push()
        await eventually(
            lambda: all(phone.store.messages.get(m.id) is not None for m in (first, second))
        )
        assert "/v1/sync/pull" in requests[idle:]


async def test_the_caregiver_pulls_what_the_youth_sends_and_it_is_logged(
    world: World, server: RunningServer
) -> None:
    """Only the owner's nudges carry records: a caregiver's access is checked and the
    delivery logged for the youth at pull time."""
    phone, els, chat = await chat_between(world, world)
    async with running_app(els, server.url) as (_carer, requests):
        idle = len(requests)
        sent = message(phone, chat, "Ja, de huur is betaald")
        await phone.engine.push()
        await eventually(lambda: els.store.messages.get(sent.id) is not None)
        assert "/v1/sync/pull" in requests[idle:]
        log = await phone.api.access_log(phone.identity.space_id or "", None, 50)
        assert any(e.record_id == sent.id and e.route == "pull" for e in log.entries)


async def test_the_youth_hears_at_once_that_an_invitation_was_accepted(
    world: World, server: RunningServer
) -> None:
    """A link change nudges the space: the youth's app runs a full cycle (which refreshes
    who is linked) instead of waiting for its poll."""
    _youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    cycles: list[SyncPhase] = []
    async with running_app(phone, server.url) as (app, requests):
        app.state.subscribe(lambda s: cycles.append(s.phase))
        await world.link(phone, els)
        await eventually(lambda: SyncPhase.UP_TO_DATE in cycles)
        assert "/v1/spaces" in requests


async def test_a_revoked_caregiver_drops_the_youths_records_without_waiting(
    world: World, server: RunningServer
) -> None:
    """Revoking nudges the caregiver's app, whose pull is refused with link_ended: what it
    had of that youth leaves the device now, not at its next poll."""
    phone, els, chat = await chat_between(world, world)
    carer = sync_service(els, server.url, CountingTransport())
    carer.start()
    try:
        sent = message(phone, chat, "Tot morgen")
        await phone.engine.push()
        await eventually(lambda: els.store.messages.get(sent.id) is not None)
        [space] = await phone.api.spaces()
        [link] = space.links
        await phone.api.revoke_link(link.id)
        await eventually(lambda: els.store.messages.get(sent.id) is None)
        assert els.store.conversations.get(chat.id) is None
    finally:
        await carer.stop()


@pytest.fixture(scope="module")
def shared_postgres() -> Iterator[str]:
    require(pg_available(), "PostgreSQL")
    fresh = FreshPostgres()
    url = fresh.create()
    try:
        yield url
    finally:
        fresh.drop()


@pytest.fixture
def two_servers(shared_postgres: str) -> Iterator[tuple[RunningServer, RunningServer]]:
    with (
        running_server_process(shared_postgres) as first,
        running_server_process(shared_postgres) as second,
    ):
        yield first, second


@pytest.mark.postgres
async def test_a_message_crosses_between_two_server_processes_on_one_postgres(
    two_servers: tuple[RunningServer, RunningServer], tmp_path: Path
) -> None:
    to_youth, to_carer = two_servers
    youth_side = World(to_youth.url, to_youth.database_url, tmp_path, lambda: None)
    carer_side = World(to_carer.url, to_carer.database_url, tmp_path, lambda: None)
    try:
        phone, els, chat = await chat_between(youth_side, carer_side)
        async with running_app(phone, to_youth.url):
            sent = message(els, chat, "Ik ben er morgen om tien uur")
            await els.engine.push()  # to the other process
            await eventually(lambda: phone.store.messages.get(sent.id) is not None)
            # Too long to carry through NOTIFY (8000 bytes): the nudge comes bare, the
            # app pulls.
            long = message(els, chat, "🎉" * 2000)
            await els.engine.push()
            await eventually(lambda: phone.store.messages.get(long.id) is not None)
    finally:
        await youth_side.close()
        await carer_side.close()


# --- who may listen ---------------------------------------------------------------------


@pytest.fixture
async def listen(server: RunningServer) -> AsyncIterator[Callable]:
    opened: list[ClientConnection] = []

    async def open_as(token: str | None) -> ClientConnection:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        ws = await connect(live_url(server.url), additional_headers=headers)
        opened.append(ws)
        return ws

    yield open_as
    for ws in opened:
        await ws.close()


async def closed_with(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), WAIT)
    return closed.value.rcvd.code if closed.value.rcvd else None


@pytest.mark.parametrize("token", [None, "not-a-token", "A" * 43])
async def test_the_live_channel_refuses_missing_and_unknown_tokens(
    listen: Callable, token: str | None
) -> None:
    ws = await listen(token)
    assert await closed_with(ws) == UNAUTHORIZED_CLOSE


async def test_only_people_who_may_read_a_space_hear_about_it(
    world: World, listen: Callable
) -> None:
    youth, phone = await world.youth("Sam")
    _other, stranger = await world.youth("Noor")
    els = await world.caregiver("Els")
    await world.link(phone, els)
    ears = {name: await listen(d.api.token) for name, d in [("sam", phone), ("els", els)]}
    outsider = await listen(stranger.api.token)
    await asyncio.sleep(0.2)  # subscriptions are made right after the handshake

    conversation(phone, youth.space_id, [youth.account_id, els.account_id])
    await phone.engine.push()

    heard = {name: json.loads(await asyncio.wait_for(ws.recv(), WAIT)) for name, ws in ears.items()}
    for nudge in heard.values():
        assert nudge["space_id"] == youth.space_id and nudge["kinds"] == ["conversation"]
    assert heard["sam"]["record"]["kind"] == "conversation"  # the owner gets the record
    assert heard["els"].get("record") is None  # others pull (checked and logged)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(outsider.recv(), 0.5)


async def test_a_linked_person_hears_only_of_what_is_or_was_theirs_to_see(
    world: World, listen: Callable
) -> None:
    """A private diary entry wakes the youth's devices only: the caregiver does not even
    learn that the youth was active. Sharing an entry nudges them, and so does unsharing
    it (their app must pull to learn it is gone)."""
    _youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    await world.link(phone, els)
    sam_ear, els_ear = await listen(phone.api.token), await listen(els.api.token)
    await asyncio.sleep(0.2)

    private = diary(phone, "Alleen voor mezelf")
    await phone.engine.push()
    assert json.loads(await asyncio.wait_for(sam_ear.recv(), WAIT))["kinds"] == ["diary_entry"]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(els_ear.recv(), 0.5)

    phone.store.diary.update(private.model_copy(update={"shared_with": [els.account_id]}))
    await phone.engine.push()
    shared = json.loads(await asyncio.wait_for(els_ear.recv(), WAIT))
    assert shared["kinds"] == ["diary_entry"] and shared.get("record") is None
    await els.engine.sync()
    assert els.store.diary.get(private.id) is not None

    phone.store.diary.update(private.model_copy(update={"shared_with": []}))
    await phone.engine.push()
    json.loads(await asyncio.wait_for(els_ear.recv(), WAIT))  # unshared: go and see
    await els.engine.sync()
    assert els.store.diary.get(private.id) is None


async def test_after_the_link_is_revoked_the_caregiver_hears_nothing_more(
    world: World, listen: Callable
) -> None:
    """The revocation itself is the last thing they hear: it makes the server re-check
    what their connection may hear at once, not at the next periodic check (30 s)."""
    _youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    link_id = await world.link(phone, els)
    ws = await listen(els.api.token)
    await asyncio.sleep(0.1)
    await phone.api.revoke_link(link_id)
    told = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
    assert told["kinds"] == [] and told.get("record") is None  # links changed: go and see
    await asyncio.sleep(0.3)  # the re-check runs in the server's thread pool

    # Still in its share list (written before), but Els' link is gone: not a word.
    diary(phone, "Na het stopzetten", shared_with=[els.account_id])
    await phone.engine.push()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.recv(), 0.5)


async def test_a_signed_out_device_is_cut_off(
    world: World, listen: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_live, "REFRESH_SECONDS", 0.2)
    _youth, phone = await world.youth("Sam")
    ws = await listen(phone.api.token)
    [this_phone] = await phone.api.devices()
    await phone.api.revoke_device(this_phone.id)
    assert await closed_with(ws) == UNAUTHORIZED_CLOSE
