"""Pages opened in the worker process come out exactly as opened here, refusals included,
and a worker that cannot start or dies leaves the pull to this process."""

from __future__ import annotations

import asyncio
import base64
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from companion.crypto.envelope import seal
from companion.crypto.keys import AccountKeys
from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.models import DiaryEntry, Goal, MoodCheckin, Record
from companion.phone.platform import on_phone
from companion.sync.engine import SyncEngine
from companion.sync.fields import values_of
from companion.sync.opening import (
    WORKER_MIN_RECORDS,
    Outcome,
    PageOpener,
    processes_available,
)
from companion.sync.payload import (
    Opened,
    SealedParts,
    envelope_fields,
    header_of,
    open_each,
    seal_record,
)
from companion_wire import RecordEnvelope, new_id
from tests.sync.kit import World, goal, many_days

# worker processes are for desktops; a phone opens pages in a thread (tests/phone)
pytestmark = pytest.mark.skipif(on_phone(), reason="no worker processes on a phone")

YOUTH, CARER = AccountKeys.generate(), AccountKeys.generate()
YOUTH_ID, CARER_ID, SPACE = new_id(), new_id(), new_id()
CLOCK = HybridClock("phone")


def envelope_of(record: Record, *, shared: bool = True) -> RecordEnvelope:
    keys = {YOUTH_ID: YOUTH.public.x25519, CARER_ID: CARER.public.x25519}
    stamps = {name: record.updated_hlc for name in values_of(record)}
    fields = seal_record(
        record, stamps, owner_id=YOUTH_ID, signer_id=YOUTH_ID, signer=YOUTH, base=None, keys=keys
    ).fields
    if not shared:
        fields["wraps"] = [w for w in fields["wraps"] if w["recipient_id"] != CARER_ID]
    return RecordEnvelope.model_validate({**fields, "version": 1})


def tampered(envelope: RecordEnvelope) -> RecordEnvelope:
    raw = bytearray(base64.b64decode(envelope.ciphertext))
    raw[-1] ^= 1
    return envelope.model_copy(update={"ciphertext": base64.b64encode(bytes(raw)).decode()})


def not_a_record(record: Record) -> RecordEnvelope:
    """Properly sealed by the youth, but the payload is no valid record."""
    header = header_of(record, signer_id=YOUTH_ID, base=None)
    sealed = seal(
        b'{"v": 1, "hlc": "x", "values": {}, "fields": {}}',
        header,
        signer=YOUTH,
        readers={YOUTH_ID: YOUTH.public.x25519, CARER_ID: CARER.public.x25519},
    )
    fields = {
        **envelope_fields(record),
        "signer_id": YOUTH_ID,
        "revision": 1,
        "ciphertext": base64.b64encode(sealed.ciphertext).decode(),
        "nonce": base64.b64encode(sealed.nonce).decode(),
        "content_hash": base64.b64encode(sealed.content_hash).decode(),
        "wraps": [
            {"recipient_id": account, "wrapped_key": base64.b64encode(wrap).decode()}
            for account, wrap in sealed.wraps.items()
        ],
    }
    return RecordEnvelope.model_validate({**fields, "version": 1})


def page_for_carer() -> list[RecordEnvelope]:
    """Three kinds of record, and among them every way opening can fail."""
    shares = [CARER_ID]
    page: list[RecordEnvelope] = []
    for n in range(WORKER_MIN_RECORDS):
        common = {"space_id": SPACE, "author_id": YOUTH_ID, "shared_with": shares}
        made: Record
        if n % 3 == 0:
            made = DiaryEntry(
                **common, updated_hlc=CLOCK.now(), text=f"Dag {n}: werk ✓", mood=1 + n % 5,
                entry_date=date(2026, 5, 1),
            )  # fmt: skip
        elif n % 3 == 1:
            made = Goal(
                **common, updated_hlc=CLOCK.now(), title=f"Doel {n}", domain=LifeDomain.WORK_SCHOOL
            )
        else:
            made = MoodCheckin(
                **common, updated_hlc=CLOCK.now(), mood=3, checked_at=datetime.now(UTC)
            )
        page.append(envelope_of(made))
    page[5] = tampered(page[5])
    page[11] = not_a_record(
        DiaryEntry(
            space_id=SPACE, author_id=YOUTH_ID, updated_hlc=CLOCK.now(), text="x",
            entry_date=date(2026, 5, 1),
        )
    )  # fmt: skip
    unshared = Goal(
        space_id=SPACE, author_id=YOUTH_ID, updated_hlc=CLOCK.now(), title="Privé",
        domain=LifeDomain.HOUSING,
    )  # fmt: skip
    page[13] = envelope_of(unshared, shared=False)
    page[-2] = tampered(page[-2])  # in the last worker's share
    return page


def items_of(page: list[RecordEnvelope]) -> list[tuple[SealedParts, bytes]]:
    return [(SealedParts.of(envelope, CARER_ID), YOUTH.public.x25519) for envelope in page]


def same(here: Outcome, there: Outcome) -> None:
    if isinstance(here, str):
        assert there == here
        return
    assert not isinstance(there, str)
    assert (there.revision, there.digest) == (here.revision, here.digest)
    assert isinstance(here, Opened) and isinstance(there, Opened)
    assert there.remote.row == here.remote.row
    assert there.stamps == here.stamps
    assert there.taken_shadow == here.taken_shadow
    assert there.record == here.record  # rebuilt from the row, equal to the validated one
    assert there.remote.order == here.remote.order and there.remote.id == here.remote.id


async def ready(opener: PageOpener) -> None:
    opener.expect_long_pull()
    for _ in range(400):
        if opener.in_worker:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the worker did not start within 10 s")


@pytest.mark.parametrize("workers", [1, 2, 3])
async def test_the_workers_open_a_page_exactly_as_this_process_does(workers: int) -> None:
    items = items_of(page_for_carer())
    here = open_each(items, me_id=CARER_ID, my_keys=CARER)
    opener = PageOpener(CARER_ID, CARER, worker_allowed=True, workers=workers)
    try:
        await ready(opener)
        there = await opener.open(items)
        assert opener.in_worker  # it did the page: nothing fell back
    finally:
        opener.close()
    assert len(there) == len(here) == WORKER_MIN_RECORDS
    for a, b in zip(here, there, strict=True):
        same(a, b)
    refused = {n: outcome for n, outcome in enumerate(there) if isinstance(outcome, str)}
    assert sorted(refused) == [5, 11, 13, WORKER_MIN_RECORDS - 2]
    assert "not the version its signer made" in refused[5]
    assert "not a valid record" in refused[11]
    assert "no wrap for this account" in refused[13]


async def test_a_worker_that_dies_leaves_the_rest_of_the_pull_to_this_process() -> None:
    items = items_of(page_for_carer())
    opener = PageOpener(CARER_ID, CARER, worker_allowed=True, workers=2)
    try:
        await ready(opener)
        survivor = opener._workers[0]
        opener._workers[1]._process.kill()
        outcomes = await opener.open(items)
        assert not opener.in_worker and opener.failed  # the engine stops trying
        assert survivor._process.poll() is not None  # the other one is stopped too
        opener.expect_long_pull()  # workers are not started again in this pull
        assert opener._workers == []
    finally:
        opener.close()
    for a, b in zip(open_each(items, me_id=CARER_ID, my_keys=CARER), outcomes, strict=True):
        same(a, b)


async def test_without_child_processes_pages_open_here() -> None:
    items = items_of(page_for_carer())
    opener = PageOpener(CARER_ID, CARER, worker_allowed=False)
    opener.expect_long_pull()
    assert opener._workers == [] and not opener.failed
    outcomes = await opener.open(items)
    assert sum(not isinstance(o, str) for o in outcomes) == WORKER_MIN_RECORDS - 4


async def test_a_short_page_opens_here_even_with_the_worker_ready() -> None:
    items = items_of(page_for_carer())[:10]
    opener = PageOpener(CARER_ID, CARER, worker_allowed=True)
    try:
        await ready(opener)
        for worker in opener._workers:
            worker._process.kill()  # if the page went there, it would fall back and say so
        await opener.open(items)
        assert opener.in_worker
    finally:
        opener.close()


@pytest.mark.parametrize("started", [False, True])
async def test_closing_stops_the_workers(started: bool) -> None:
    opener = PageOpener(CARER_ID, CARER, worker_allowed=True, workers=2)
    if started:
        await ready(opener)
    else:
        opener.expect_long_pull()
    workers = list(opener._workers)
    assert len(workers) == 2
    opener.close()
    assert all(worker._process.poll() is not None for worker in workers)


async def test_a_restore_through_the_worker_stores_what_a_restore_here_stores(
    world: World,
) -> None:
    youth, phone = await world.youth("Sam")
    many_days(phone, 1000, batch=250)
    plan = goal(phone, "Eigen kamer")
    await phone.sync()
    there = await world.restore(youth, "laptop")
    here = await world.restore(youth, "tablet")
    engine = SyncEngine(there.store, there.api, there.identity, pull_page=200, open_in_worker=True)
    report = await engine.sync()
    assert report.opened_in_worker == 800  # the first page opens while the worker loads
    control = SyncEngine(here.store, here.api, here.identity, pull_page=200, open_in_worker=False)
    assert (await control.sync()).opened_in_worker == 0

    ids = [e.id for e in here.store.diary.list(limit=1000)] + [plan.id]
    assert len(ids) == 1001
    for record_id in ids:
        assert there.store.record(record_id) == here.store.record(record_id)
        assert there.store.field_stamps(record_id) == here.store.field_stamps(record_id)
        assert there.store.sync_info(record_id) == here.store.sync_info(record_id)
    assert there.store.cursors.get(youth.space_id) == here.store.cursors.get(youth.space_id)


async def test_a_local_edit_merges_with_a_version_opened_in_the_worker(world: World) -> None:
    youth, phone = await world.youth("Sam")
    plan = goal(phone, "Eigen kamer", why="rust")
    await phone.sync()
    tablet = await world.restore(youth, "tablet")
    await tablet.sync()
    mine = tablet.store.goals.get(plan.id).model_copy(update={"why": "rust en ruimte"})
    tablet.store.goals.update(mine)
    many_days(phone, 400, batch=400)  # versions 2-401: pages one and two
    theirs = phone.store.goals.get(plan.id).model_copy(update={"title": "Eigen studio"})
    phone.store.goals.update(theirs)  # version 402: page three, with 199 more days
    many_days(phone, 200, batch=200)
    await phone.sync()
    engine = SyncEngine(
        tablet.store, tablet.api, tablet.identity, pull_page=200, open_in_worker=True
    )
    report = await engine.sync()
    assert report.opened_in_worker == 400  # pages two and three
    merged = tablet.store.goals.get(plan.id)
    assert (merged.title, merged.why) == ("Eigen studio", "rust en ruimte")
    await phone.sync()
    assert phone.store.goals.get(plan.id) == merged


@pytest.mark.parametrize(
    ("executable", "frozen", "expected"),
    [
        ("/usr/bin/python3.11", False, True),
        ("C:\\Python311\\python.exe", False, True),
        ("/Applications/Companion.app/Contents/MacOS/Companion", False, False),  # flet build
        ("/usr/bin/python3", True, False),  # PyInstaller
        ("", False, False),
    ],
)
def test_a_worker_is_only_started_where_the_executable_is_python(
    monkeypatch: pytest.MonkeyPatch, executable: str, frozen: bool, expected: bool
) -> None:
    """In a packaged app sys.executable is the app: starting it would open a second app."""
    monkeypatch.setattr(sys, "executable", executable)
    if frozen:
        monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert processes_available() is (expected and sys.platform in ("linux", "darwin", "win32"))


async def test_a_companion_package_in_the_working_folder_never_gets_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m` would import the working folder's `companion` first; the worker runs
    the app's own code, or is not used."""
    fake = tmp_path / "companion" / "sync"
    fake.mkdir(parents=True)
    (tmp_path / "companion" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    stolen = tmp_path / "stolen"
    (fake / "open_worker.py").write_text(
        f"import sys\nopen({str(stolen)!r}, 'wb').write(sys.stdin.buffer.read(200))\n"
    )
    monkeypatch.chdir(tmp_path)
    items = items_of(page_for_carer())
    opener = PageOpener(CARER_ID, CARER, worker_allowed=True)
    try:
        await ready(opener)
        assert opener.in_worker
        outcomes = await opener.open(items)
    finally:
        opener.close()
    assert not stolen.exists()
    assert len(outcomes) == WORKER_MIN_RECORDS and opener.opened_in_worker == len(outcomes)
