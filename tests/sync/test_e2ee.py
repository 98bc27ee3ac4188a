"""End-to-end encryption, end to end: the server database never holds content in plaintext,
and a lost phone loses nothing.

A youth writes diary entries, goals, a reminder, a mood note and chat messages, shares some
with her caregiver, who writes back and shares a report. After everyone synced, every byte
the server database holds (SQLite file and WAL, or every row of every PostgreSQL table) is
searched for every plaintext string and every word of five letters or more: zero hits.
Display names are plaintext on the server by design; finding one proves the scan sees data.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from companion.crypto.errors import WrongRecoveryCodeError
from companion.crypto.recovery import RecoveryCode
from companion.domain.models import Document, DocumentComment, MoodCheckin, Reminder
from companion.store import Store
from companion.sync.api import ApiClient
from companion.sync.errors import RateLimitedError
from companion.sync.fields import values_of
from companion.sync.restore import recover_account
from companion.youth.services import YouthServices
from companion_server.settings import Settings
from tests.machine import require
from tests.phone_edge import device_vault
from tests.server.serverkit import FreshPostgres, _psycopg_dsn, pg_available, relaxed_settings
from tests.serving import RunningServer, running_server
from tests.sync.kit import Device, World, conversation, diary, goal, message, settle

SECRETS = {
    "diary_private": "Mijn broer belde vannacht over de schulden van mama",
    "diary_shared": "Het sollicitatiegesprek bij de bakkerij ging verrassend goed",
    "goal_title": "Budgetplanner invullen met Kwinten",
    "goal_why": "Zodat de huurachterstand verdwijnt tegen oktober",
    "reminder": "Afspraak mutualiteit voor terugbetaling tandarts",
    "mood_note": "Slapeloosheid door stress op de werkvloer",
    "chat_youth": "Mag ik donderdag later komen wegens examen boekhouding",
    "chat_carer": "Natuurlijk, succes met je examen boekhouding vrijdag",
    "document_title": "Trajectverslag zelfstandig wonen",
    "document_body": "Jasmijn toont veerkracht en groeit in haar budgetbeheer",
    "comment": "Ik wil nog toevoegen dat mijn tante helpt met koken",
}
WORD = re.compile(r"[^\W\d_]{5,}")
NAMES = ("Jolien", "Begeleidster")  # display names: plaintext by design (positive control)


def needles() -> set[str]:
    """Exact strings: stored plaintext would be byte-identical to what the youth typed (a
    case-insensitive search would also match random base64 in wrapped keys now and then)."""
    texts = set(SECRETS.values())
    return texts | {word for text in texts for word in WORD.findall(text)}


def _forms(needle: str) -> set[bytes]:
    """How a string could sit in storage: UTF-8, or JSON-escaped as pure ASCII."""
    escaped = needle.encode("ascii", "backslashreplace").decode().replace("\\x", "\\u00")
    return {needle.encode(), escaped.encode()}


def hits(blobs: list[bytes], wanted: set[str]) -> set[str]:
    return {n for n in wanted if any(form in blob for form in _forms(n) for blob in blobs)}


def sqlite_blobs(path: Path) -> list[bytes]:
    """The raw files (database, WAL, shared memory) plus every value read through SQL."""
    blobs = [p.read_bytes() for p in path.parent.glob(path.name + "*")]
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                blobs += [_bytes(value) for value in row]
    return blobs


def postgres_blobs(url: str) -> list[bytes]:
    """Every value of every table, as stored (bytea as bytes, JSON as its text)."""
    blobs: list[bytes] = []
    with psycopg.connect(_psycopg_dsn(url)) as db:
        tables = db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        for (table,) in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                blobs += [_bytes(value) for value in row]
            for (text,) in db.execute(f'SELECT t::text FROM "{table}" t'):
                blobs.append(text.encode())
    return blobs


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    require(pg_available(), "PostgreSQL")
    fresh = FreshPostgres()
    url = fresh.create()
    try:
        yield url
    finally:
        fresh.drop()


@pytest.fixture
def e2e_server(backend: str) -> Iterator[RunningServer]:
    with running_server(backend, settings=relaxed_settings(backend)) as running:
        yield running


async def a_youth_and_her_caregiver(world: World) -> tuple[Any, Device, Device]:
    """Everything the module docstring lists, written, shared and synced."""
    youth, phone = await world.youth(NAMES[0])
    els = await world.caregiver(NAMES[1])
    await world.link(phone, els)
    diary(phone, SECRETS["diary_private"])
    diary(phone, SECRETS["diary_shared"], shared_with=[els.account_id])
    goal(phone, SECRETS["goal_title"], why=SECRETS["goal_why"], shared_with=[els.account_id])
    now = datetime.now(UTC)
    clock = phone.store.clock
    phone.store.reminders.create(
        Reminder(
            space_id=youth.space_id,
            author_id=youth.account_id,
            updated_hlc=clock.now(),
            title=SECRETS["reminder"],
            first_due=now + timedelta(days=2),
        )
    )
    phone.store.moods.create(
        MoodCheckin(
            space_id=youth.space_id,
            author_id=youth.account_id,
            updated_hlc=clock.now(),
            mood=2,
            note=SECRETS["mood_note"],
            checked_at=now,
        )
    )
    chat = conversation(phone, youth.space_id, [youth.account_id, els.account_id])
    message(phone, chat, SECRETS["chat_youth"])
    await settle([phone, els])
    message(els, els.store.conversations.get(chat.id), SECRETS["chat_carer"])
    report = els.store.documents.create(
        Document(
            space_id=youth.space_id,
            author_id=els.account_id,
            updated_hlc=els.store.clock.now(),
            title=SECRETS["document_title"],
            body=SECRETS["document_body"],
        )
    )
    await settle([els, phone])
    phone.store.comments.create(
        DocumentComment(
            space_id=youth.space_id,
            author_id=youth.account_id,
            updated_hlc=clock.now(),
            document_id=report.id,
            text=SECRETS["comment"],
        )
    )
    await settle([phone, els])
    return youth, phone, els


async def test_the_server_database_holds_no_plaintext(
    e2e_server: RunningServer, tmp_path: Path
) -> None:
    world = World(e2e_server.url, e2e_server.database_url, tmp_path, lambda: None)
    try:
        _youth, _phone, els = await a_youth_and_her_caregiver(world)
        assert els.store.messages.list(limit=10)[0].text == SECRETS["chat_youth"]  # it flowed
    finally:
        await world.close()
    url = e2e_server.database_url
    blobs = (
        postgres_blobs(url)
        if url.startswith("postgresql")
        else sqlite_blobs(Path(url.removeprefix("sqlite:///")))
    )
    assert hits(blobs, set(NAMES)) == set(NAMES)
    assert hits(blobs, needles()) == set()


def everything(store: Store) -> dict[str, dict[str, Any]]:
    """Every live record on a device, as the values the youth sees (shares included)."""
    repos = (
        store.diary, store.moods, store.goals, store.steps, store.reminders,
        store.conversations, store.messages, store.documents, store.comments,
    )  # fmt: skip
    return {r.id: values_of(r) for repo in repos for r in repo.list(limit=1000)}


async def test_a_lost_phone_loses_nothing(e2e_server: RunningServer, tmp_path: Path) -> None:
    world = World(e2e_server.url, e2e_server.database_url, tmp_path, lambda: None)
    try:
        youth, phone, els = await a_youth_and_her_caregiver(world)
        before = everything(phone.store)
        assert len(before) == 10
        phone.store.close()  # the phone is gone: its store and its keys with it
        for leftover in phone.path.parent.glob(phone.path.name + "*"):
            leftover.unlink()
        world.devices.remove(phone)
        await phone.api.aclose()

        new_phone = tmp_path / "new-phone"
        new_phone.mkdir()
        app = YouthServices(new_phone, device_vault(), server=e2e_server.url, live=False)
        try:
            restored = await app.restore(str(youth.code).lower())  # the first sync included
            after = everything(restored.store)
        finally:
            await app.aclose()
        assert restored.account.account_id == youth.account_id
        assert after == before  # every record, every share, every chat message, readable
        assert any(els.account_id in values["shared_with"] for values in after.values())
    finally:
        await world.close()


async def test_repeated_wrong_recovery_codes_are_rate_limited(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    strict = replace(Settings(), database_url=url)  # the production limits
    with running_server(url, settings=strict) as server:
        world = World(server.url, url, tmp_path, lambda: None)
        try:
            youth, _phone = await world.youth("Sam")
            seen: list[type[Exception]] = []
            async with ApiClient(server.url) as api:
                for _ in range(strict.recovery_per_address.burst + 2):
                    try:
                        await recover_account(api, str(RecoveryCode.generate()), device_name="x")
                    except (WrongRecoveryCodeError, RateLimitedError) as exc:
                        seen.append(type(exc))
                assert seen[0] is WrongRecoveryCodeError
                assert seen[-1] is RateLimitedError  # the server answered 429
                with pytest.raises(RateLimitedError):  # even the right code, for now
                    await recover_account(api, str(youth.code), device_name="x")
        finally:
            await world.close()
