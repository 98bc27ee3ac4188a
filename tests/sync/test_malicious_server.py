"""A server that lies: whoever runs it (or broke into it) rewrites its database between
syncs, and the apps must notice (docs/security.md, issue 14's attacks 1-5).

Real server (SQLite file and PostgreSQL), real engines and encrypted stores; the attacker
edits rows the way someone with the database would, with the server's own tables. What
each test asserts is what a user relies on: nothing forged, rolled back or erased is shown
or kept as valid, and the device says it refused something.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from websockets.asyncio.client import connect

import companion_server.routes.live as server_live
from companion.core.verification import Verification
from companion.crypto.envelope import Header, open_version, seal
from companion.crypto.errors import CryptoError
from companion.crypto.keys import AccountKeys
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Goal
from companion.sync.keyring import KeyStatus
from companion.sync.live import UNAUTHORIZED_CLOSE, live_url
from companion.sync.payload import encode_payload
from companion_server.db.engine import Database
from companion_server.db.models import Account, Record, RecordRead, Space
from companion_wire import Refusal
from tests.machine import require
from tests.server.serverkit import FreshPostgres, pg_available, relaxed_settings, truncate_all
from tests.serving import RunningServer, running_server
from tests.sync.kit import Device, World, diary
from tests.sync.test_live import closed_with

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    require(pg_available(), "PostgreSQL")
    fresh = FreshPostgres()
    try:
        yield fresh.create()
    finally:
        fresh.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningServer]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        truncate_all(url)
    with running_server(url, settings=relaxed_settings(url)) as running:
        yield running


@pytest.fixture
async def world(server: RunningServer, tmp_path: Path) -> AsyncIterator[World]:
    made = World(server.url, server.database_url, tmp_path, transport=lambda: None)
    yield made
    await made.close()


class Attacker:
    """Someone with the server's database: reads and rewrites its rows."""

    def __init__(self, database_url: str) -> None:
        self.db = Database(database_url)

    def close(self) -> None:
        self.db.dispose()

    def row(self, record_id: str) -> dict[str, Any]:
        with self.db.read() as session:
            record = session.get(Record, record_id)
            assert record is not None
            return {c.name: getattr(record, c.name) for c in Record.__table__.columns}

    def republish(self, record_id: str, **columns: Any) -> int:
        """Overwrite a record's row and serve it as the space's newest version, to its
        owner and to every linked reader it had (their pull index too)."""
        with self.db.write() as session:
            record = session.get(Record, record_id)
            assert record is not None
            space = session.get(Space, record.space_id)
            assert space is not None
            space.version += 1
            for name, value in columns.items():
                setattr(record, name, value)
            record.version = space.version
            session.execute(
                update(RecordRead)
                .where(RecordRead.record_id == record_id)
                .values(version=space.version)
            )
            return space.version

    def swap_keys(self, account_id: str, keys: AccountKeys) -> None:
        with self.db.write() as session:
            account = session.get(Account, account_id)
            assert account is not None
            account.x25519, account.ed25519 = keys.public.x25519, keys.public.ed25519


@pytest.fixture
def attacker(server: RunningServer) -> Iterator[Attacker]:
    made = Attacker(server.database_url)
    yield made
    made.close()


def verification(device: Device) -> Verification:
    return Verification(
        device.store, device.account_id, device.identity.keys.public, lambda: datetime.now(UTC)
    )


# --- 1. key substitution ------------------------------------------------------------------


async def test_swapped_keys_at_linking_show_a_different_number_and_get_nothing(
    world: World, attacker: Attacker
) -> None:
    """The server hands the youth its own keys for Els before they ever met: the number on
    Sam's screen is not the one on Els's, so they do not confirm; until then nothing is
    sealed for the server's key and nothing it seals under Els's name is shown."""
    youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    mallory = AccountKeys.generate()
    attacker.swap_keys(els.account_id, mallory)
    await world.link(phone, els, verify=False)
    await phone.sync()

    on_sams_screen = verification(phone).of(els.account_id)
    await els.engine.directory.public_keys(phone.account_id)
    on_els_screen = verification(els).of(phone.account_id)
    assert on_sams_screen.status is KeyStatus.UNVERIFIED
    assert on_sams_screen.safety_number != on_els_screen.safety_number  # they see it

    secret = diary(phone, "Ik ben bang van mijn stiefvader", shared_with=[els.account_id])
    await phone.sync()
    assert [p.refusal for p in phone.engine.parked()] == [Refusal.UNVERIFIED]
    assert not mallory_can_open(attacker, secret.id, els.account_id, mallory, phone)

    forged = forge_goal(attacker, phone, youth.space_id, as_author=els.account_id, keys=mallory)
    await phone.sync()
    assert phone.store.goals.get(forged) is None  # held for a person nobody checked


async def test_keys_swapped_after_checking_mark_the_person_changed_and_stop_sharing(
    world: World, attacker: Attacker
) -> None:
    youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    await world.link(phone, els)  # they compared numbers and both confirmed
    mallory = AccountKeys.generate()
    attacker.swap_keys(els.account_id, mallory)
    await phone.sync()

    assert verification(phone).of(els.account_id).status is KeyStatus.CHANGED
    entry = diary(phone, "Na de wissel", shared_with=[els.account_id])
    await phone.sync()
    # still sealed for the keys Sam checked, never for the ones the server swapped in:
    # the real Els reads it, the server cannot
    assert not mallory_can_open(attacker, entry.id, els.account_id, mallory, phone)
    await els.sync()
    assert els.store.diary.get(entry.id).text == "Na de wissel"

    forged = forge_goal(attacker, phone, youth.space_id, as_author=els.account_id, keys=mallory)
    await phone.sync()
    assert phone.store.goals.get(forged) is None


def mallory_can_open(
    attacker: Attacker, record_id: str, reader_id: str, mallory: AccountKeys, youth: Device
) -> bool:
    """Whether the server, holding the private keys it swapped in for `reader_id`, can open
    what the youth sent (if it was sent at all)."""
    with attacker.db.read() as session:
        if session.get(Record, record_id) is None:
            return False  # not even sent
    row = attacker.row(record_id)
    wraps = {w["recipient_id"]: base64.b64decode(w["wrapped_key"]) for w in row["wraps"]}
    if reader_id not in wraps:
        return False
    header = Header(
        record_id,
        row["space_id"],
        row["kind"],
        row["author_id"],
        row["signer_id"],
        row["revision"],
        row["prev"],
        row["deleted"],
        row["conversation_id"] or "",
    )
    try:
        open_version(
            header,
            nonce=row["nonce"],
            ciphertext=row["ciphertext"],
            wrap=wraps[reader_id],
            me=mallory,
            signer_x25519=youth.identity.keys.public.x25519,
        )
    except CryptoError:
        return False
    return True


def forge_goal(
    attacker: Attacker, phone: Device, space_id: str, *, as_author: str, keys: AccountKeys
) -> str:
    """A goal the attacker seals with its own keys under the caregiver's name, pushed into
    the database as if the caregiver had sent it."""
    goal = Goal(
        space_id=space_id,
        author_id=as_author,
        updated_hlc=phone.store.clock.now(),
        title="Geef je pincode aan de nieuwe begeleider",
        domain=LifeDomain.MONEY,
    )
    header = Header(goal.id, space_id, "goal", as_author, as_author, 1, b"", False)
    sealed = seal(
        encode_payload(goal, {}),  # a well-formed payload: only the keys are wrong
        header,
        signer=keys,
        readers={phone.account_id: phone.identity.keys.public.x25519},
    )
    with attacker.db.write() as session:
        space = session.get(Space, space_id)
        assert space is not None
        space.version += 1
        session.add(
            Record(
                id=goal.id,
                space_id=space_id,
                kind="goal",
                author_id=as_author,
                signer_id=as_author,
                revision=1,
                prev=b"",
                version=space.version,
                deleted=False,
                shared_with=[],
                conversation_id=None,
                ciphertext=sealed.ciphertext,
                nonce=sealed.nonce,
                content_hash=sealed.content_hash,
                wraps=[
                    {"recipient_id": k, "wrapped_key": _b64(v)} for k, v in sealed.wraps.items()
                ],
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
        )
    return goal.id


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- 2. rollback ---------------------------------------------------------------------------


async def test_an_older_version_served_as_new_is_refused_on_every_device_that_had_the_newer(
    world: World, attacker: Attacker
) -> None:
    _youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    await world.link(phone, els)
    entry = diary(phone, "Eerste versie", shared_with=[els.account_id])
    await phone.sync()
    first = attacker.row(entry.id)
    phone.store.diary.update(phone.store.diary.get(entry.id).model_copy(update={"text": "Nieuw"}))
    await phone.sync()
    await els.sync()
    assert els.store.diary.get(entry.id).text == "Nieuw"

    old = {k: first[k] for k in ("revision", "prev", "ciphertext", "nonce", "content_hash")}
    attacker.republish(entry.id, **old, wraps=first["wraps"])
    await phone.sync()
    await els.sync()

    for device in (phone, els):
        assert device.store.diary.get(entry.id).text == "Nieuw", device.label
        assert device.engine.state.state.rejected >= 1, device.label  # and it says so


# --- 3. fake deletion and fake unsharing --------------------------------------------------


async def test_a_deletion_nobody_signed_erases_nothing(world: World, attacker: Attacker) -> None:
    _youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    await world.link(phone, els)
    private = diary(phone, "Alleen voor mij")
    shared = diary(phone, "Voor Els", shared_with=[els.account_id])
    await phone.sync()
    await els.sync()

    for record_id in (private.id, shared.id):
        row = attacker.row(record_id)
        attacker.republish(
            record_id,
            deleted=True,
            revision=row["revision"] + 1,
            prev=secrets.token_bytes(32),
            ciphertext=b"",
            nonce=b"",
            content_hash=b"",
        )
    await phone.sync()
    await els.sync()

    assert phone.store.diary.get(private.id).text == "Alleen voor mij"
    assert phone.store.diary.get(shared.id).text == "Voor Els"
    assert els.store.diary.get(shared.id).text == "Voor Els"
    assert not phone.store.diary.get(private.id).deleted


async def test_taking_a_reader_off_without_the_author_changes_nothing_for_them(
    world: World, attacker: Attacker
) -> None:
    """The server drops Els from an entry's readers and serves her the version without
    content: without a notice sealed by the youth, her copy stays."""
    _youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    await world.link(phone, els)
    shared = diary(phone, "Voor Els", shared_with=[els.account_id])
    await phone.sync()
    await els.sync()
    row = attacker.row(shared.id)
    attacker.republish(
        shared.id, shared_with=[], revision=row["revision"] + 1, prev=secrets.token_bytes(32)
    )
    await els.sync()
    assert els.store.diary.get(shared.id).text == "Voor Els"


# --- 4. activity -----------------------------------------------------------------------------


async def test_private_writing_moves_nothing_a_linked_person_can_see(world: World) -> None:
    youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    await world.link(phone, els)
    diary(phone, "Gedeeld", shared_with=[els.account_id])
    await phone.sync()
    await els.sync()
    before = await seen_by(els, youth.space_id)

    for n in range(3):
        diary(phone, f"Privé {n}")
    await phone.sync()
    assert await seen_by(els, youth.space_id) == before

    diary(phone, "Nog eens gedeeld", shared_with=[els.account_id])
    await phone.sync()
    after = await seen_by(els, youth.space_id)
    assert after[0] > before[0] and after[1] > before[1]


async def seen_by(device: Device, space_id: str) -> tuple[int, int]:
    """What a linked person can observe of a space: its version in their list of spaces
    and how far a pull from the start takes their cursor."""
    [space] = [s for s in await device.api.spaces() if s.space_id == space_id]
    page = await device.api.pull(space_id, 0, 1000)
    return space.version, page.cursor


# --- 5. a revoked device -----------------------------------------------------------------------


async def test_revoking_a_device_closes_its_live_connection_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_live, "REFRESH_SECONDS", 3600.0)  # not the periodic re-check
    youth, phone = await world.youth("Sam")
    tablet = await world.restore(youth, "tablet")
    headers = {"Authorization": f"Bearer {tablet.api.token}"}
    async with connect(live_url(world.base_url), additional_headers=headers) as ws:
        await asyncio.sleep(0.2)
        devices = await phone.api.devices()
        [theirs] = [d for d in devices if d.name == "tablet"]
        await phone.api.revoke_device(theirs.id)
        assert await closed_with(ws) == UNAUTHORIZED_CLOSE
