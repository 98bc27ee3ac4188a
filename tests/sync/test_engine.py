"""The engine against the real server on loopback: registration, refusals, sign-out, dropping
what left, progress and retries, the way the app runs it (AccountSync + runner).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from companion.crypto.recovery import KdfParams
from companion.domain.models import DiaryEntry
from companion.store import Store
from companion.sync.backoff import Backoff
from companion.sync.engine import SyncEngine
from companion.sync.errors import OfflineError
from companion.sync.registration import PENDING_ENROLMENT, PENDING_INVITATION
from companion.sync.runner import SyncRunner
from companion.sync.state import SyncPhase, SyncState, SyncStateBox
from companion.youth.accounts import AccountService
from companion.youth.sync import YouthSync
from companion_wire import Refusal
from tests.phone_edge import device_vault
from tests.serving import RunningServer
from tests.sync.faults import Fault, FaultyTransport
from tests.sync.kit import World, diary, goal, many_days, settle
from tests.sync.test_live import CountingTransport, eventually, sync_service


async def test_an_account_made_offline_registers_on_first_contact(
    server: RunningServer, tmp_path: Path
) -> None:
    vault = device_vault()
    accounts = AccountService(
        tmp_path, vault, lambda: datetime.now(UTC), open_store=Store.open, kdf=KdfParams.fast
    )
    space = accounts.create("Sam")  # no network at all
    entry = space.store.diary.create(
        DiaryEntry(
            space_id=space.account.space_id,
            author_id=space.account.account_id,
            updated_hlc=space.store.clock.now(),
            text="Geschreven voor ik ooit online was",
            entry_date=date(2026, 5, 4),
        )
    )
    app = YouthSync(
        space, vault, accounts.keys(), server.url, SyncStateBox(), device_name="Sams telefoon"
    )
    assert app.state.state.phase is SyncPhase.NOT_REGISTERED
    try:
        await app.sync_now()
        assert accounts.is_registered(space)
        assert space.store.meta.get(PENDING_ENROLMENT) is None  # the proof is not kept
        me = await app.api.me()
        assert (me.account_id, me.space_id) == (space.account.account_id, space.account.space_id)
        assert app.state.state.phase is SyncPhase.UP_TO_DATE
        assert space.store.sync_info(entry.id).dirty is False  # it reached the server
    finally:
        await app.stop()
        space.close()


async def test_a_registration_whose_answer_was_lost_signs_in_instead(
    faulty_world: tuple[World, FaultyTransport],
) -> None:
    world, faulty = faulty_world
    youth, phone = await world.youth("Sam", register_now=False)
    faulty.plan.append(Fault.DROP_RESPONSE)  # the server made the account; we never heard
    with pytest.raises(OfflineError, match="response lost"):
        await world.register(phone)
    await world.register(phone)  # again: the ids are ours, the recovery proof signs in
    me = await phone.api.me()
    assert me.account_id == youth.account_id
    assert len(await phone.api.devices()) == 2  # the lost answer's device, and this one


async def test_a_refused_invitation_does_not_block_the_account(world: World) -> None:
    _youth, phone = await world.youth("Sam", register_now=False)
    phone.store.meta.set(PENDING_INVITATION, "ABCD2345")  # typed at sign-up, expired since
    await world.register(phone)
    assert (await phone.api.me()).account_id == phone.account_id
    assert phone.store.meta.get(PENDING_INVITATION) is None


async def test_a_refused_change_is_parked_with_its_reason_and_the_rest_goes_through(
    world: World,
) -> None:
    youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    await world.link(phone, els)
    suggestion = goal(els, "Voorstel van Els", space_id=youth.space_id)
    await settle([els, phone])

    # Only the author may change a record: the youth's edit of Els's goal is refused.
    theirs = phone.store.goals.get(suggestion.id)
    phone.store.goals.update(theirs.model_copy(update={"title": "Mijn versie"}))
    mine = diary(phone, "Dit moet gewoon aankomen")
    await phone.sync()

    [parked] = phone.engine.parked()
    assert parked.record_id == suggestion.id
    assert "author" in parked.reason
    assert parked.refusal is Refusal.NOT_AUTHOR  # what the app says, translated
    assert phone.engine.state.state.parked == (parked,)  # visible in the UI state
    restarted = SyncEngine(phone.store, phone.api, phone.identity)
    assert restarted.parked() == [parked]  # kept as it was, code included
    assert phone.store.sync_info(mine.id).dirty is False
    assert phone.store.outbox.count() == 0  # the refused one does not block the queue


async def test_a_push_too_big_for_one_request_is_split_not_refused(world: World) -> None:
    _youth, phone = await world.youth("Sam")
    long_text = "é" * 19_990  # 40 kB of UTF-8 per entry; 60 of them exceed a 2 MiB body
    made = [diary(phone, f"{long_text}{n}") for n in range(60)]
    report = await phone.engine.sync()
    assert report.pushed == 60 and report.parked == 0
    assert all(not phone.store.sync_info(e.id).dirty for e in made)


async def test_a_revoked_device_stops_syncing_and_asks_to_sign_in(world: World) -> None:
    _youth, phone = await world.youth("Sam")
    network = CountingTransport()
    app = sync_service(phone, world.base_url, network)
    app.start()
    try:
        await eventually(lambda: app.state.state.phase is SyncPhase.UP_TO_DATE)
        [this_phone] = await phone.api.devices()
        await phone.api.revoke_device(this_phone.id)  # e.g. signed out from another device
        diary(phone, "Geschreven na het afmelden")  # the store's commit asks for a cycle
        await eventually(lambda: app.state.state.phase is SyncPhase.SIGN_IN_REQUIRED)
        made = len(network.requests)
        diary(phone, "Nog eentje")  # more changes: they wait on the device, nothing is sent
        await asyncio.sleep(0.3)
        assert len(network.requests) == made
        assert phone.store.outbox.count() > 0
    finally:
        await app.stop()


async def test_unshared_records_and_ended_links_leave_the_caregivers_device(
    world: World,
) -> None:
    youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    link_id = await world.link(phone, els)
    shared = diary(phone, "Voor Els", shared_with=[els.account_id])
    also = goal(phone, "Samen bekijken", shared_with=[els.account_id])
    await settle([phone, els])
    assert els.store.diary.get(shared.id) is not None

    phone.store.diary.update(
        phone.store.diary.get(shared.id).model_copy(update={"shared_with": []})
    )
    await settle([phone, els])
    assert els.store.diary.get(shared.id) is None  # unshared: gone from her device
    assert els.store.goals.get(also.id) is not None

    await phone.api.revoke_link(link_id)
    report = await els.engine.sync()
    assert report.dropped_spaces == [youth.space_id]
    assert els.store.goals.get(also.id) is None  # the link ended: nothing of Sam stays
    assert els.engine.directory.space(youth.space_id) is None


async def test_a_long_sync_reports_progress(world: World) -> None:
    youth, phone = await world.youth("Sam")
    many_days(phone, 1200, batch=400)
    await phone.sync()
    tablet = await world.restore(youth, "tablet")
    engine = SyncEngine(tablet.store, tablet.api, tablet.identity, pull_page=200)
    seen: list[SyncState] = []
    engine.state.subscribe(seen.append)
    await engine.sync()

    syncing = [s for s in seen if s.phase is SyncPhase.SYNCING]
    progress = [s.done for s in syncing]
    assert progress == sorted(progress) and len(set(progress)) >= 6  # one step per page
    assert max(s.total for s in syncing) == 1200 and progress[-1] == 1200
    assert seen[-1].phase is SyncPhase.UP_TO_DATE and seen[-1].last_synced is not None
    assert len(tablet.store.diary.list(limit=1000)) == 1000


class CutAfterPulls(httpx.AsyncBaseTransport):
    """The network goes away after `allowed` pull requests (armed on demand)."""

    def __init__(self) -> None:
        self.network = httpx.AsyncHTTPTransport()
        self.allowed: int | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/sync/pull" and self.allowed is not None:
            if self.allowed == 0:
                raise httpx.ConnectError("injected: offline", request=request)
            self.allowed -= 1
        return await self.network.handle_async_request(request)


async def test_a_restore_cut_off_midway_keeps_whole_pages_and_resumes(
    server: RunningServer, tmp_path: Path
) -> None:
    """Pages are fetched, opened and written in overlapping stages; when the network goes
    away, every page already fetched is written whole with its cursor, nothing after it,
    and the next sync carries on from there without duplicates."""
    cut = CutAfterPulls()
    world = World(server.url, server.database_url, tmp_path, lambda: cut)
    try:
        youth, phone = await world.youth("Sam")
        many_days(phone, 1000, batch=250)
        await phone.sync()
        tablet = await world.restore(youth, "tablet")
        engine = SyncEngine(tablet.store, tablet.api, tablet.identity, pull_page=200)
        cut.allowed = 3  # three pages arrive, the fourth request fails
        with pytest.raises(OfflineError, match="offline"):
            await engine.sync()

        kept = tablet.store.diary.list(limit=1000)
        cursor = tablet.store.cursors.get(youth.space_id)
        assert len(kept) == 600
        assert cursor == max(tablet.store.sync_info(e.id).server_version for e in kept)
        cut.allowed = None
        await engine.sync()
        texts = [e.text for e in tablet.store.diary.list(limit=1000)]
        assert len(texts) == len(set(texts)) == 1000
        assert tablet.store.cursors.get(youth.space_id) > cursor
    finally:
        await world.close()


async def test_offline_retries_with_backoff_until_the_server_answers(
    faulty_world: tuple[World, FaultyTransport],
) -> None:
    world, faulty = faulty_world
    _youth, phone = await world.youth("Sam")
    diary(phone, "Geschreven in de trein")
    faulty.plan.extend([Fault.DROP_REQUEST] * 3)  # no network for three attempts
    seen: list[SyncPhase] = []
    phone.engine.state.subscribe(lambda s: seen.append(s.phase))
    runner = SyncRunner(
        phone.engine.sync,
        phone.engine.pull,
        phone.engine.state,
        backoff=Backoff(base=0.01, cap=0.05),
    )
    runner.start()
    try:
        await eventually(lambda: phone.engine.state.state.phase is SyncPhase.UP_TO_DATE)
    finally:
        await runner.stop()
    assert seen.count(SyncPhase.OFFLINE) >= 1
    assert phone.store.outbox.count() == 0


async def test_a_push_moves_the_cursor_past_its_own_versions_but_not_past_others(
    world: World,
) -> None:
    """The push answer says how far each space moved: a device that was up to date skips
    pulling back what it just sent; one that missed someone else's change still pulls it."""
    youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    await world.link(phone, els)
    await phone.sync()
    for n in range(3):
        diary(phone, f"Dag {n}")
    await phone.engine.push()  # push only: no pull in between
    [space] = [s for s in await phone.api.spaces() if s.space_id == youth.space_id]
    assert phone.store.cursors.get(youth.space_id) == space.version

    goal(els, "Van Els", space_id=youth.space_id)
    await els.engine.push()
    diary(phone, "Na Els")
    await phone.engine.push()
    assert phone.store.cursors.get(youth.space_id) < space.version + 2  # Els's is unread
    await phone.sync()
    assert [g.title for g in phone.store.goals.list(space_id=youth.space_id)] == ["Van Els"]
