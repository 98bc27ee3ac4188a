"""Stored push answers are forgotten after their time; a push retried later still changes
nothing; the server prunes by itself when it starts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from companion_server.app import create_app
from companion_server.db.engine import Database
from companion_server.db.models import MutationLog
from companion_server.nudges.notifier import InProcessNotifier
from companion_server.services import housekeeping
from companion_server.services.housekeeping import housekeeping_once
from companion_server.settings import Settings
from tests.server.serverkit import Api, FakeClock, b64


def stored_answers(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(MutationLog)) or 0


@pytest.mark.parametrize("batch", [1, housekeeping.PRUNE_BATCH])
def test_a_push_retried_after_its_answer_was_pruned_changes_nothing(
    api: Api,
    app: FastAPI,
    database: Database,
    clock: FakeClock,
    batch: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(housekeeping, "PRUNE_BATCH", batch)
    sam = api.youth()
    record = api.record(sam, sam)
    created = api.upsert(sam, record)
    edited = api.record_raw(  # made now, sent once `created` is in: the next revision
        sam, {**record, "base_version": 1, "revision": 2, "prev": b64(32), "ciphertext": b64(40)}
    )
    assert [r["status"] for r in api.push(sam, created)] == ["applied"]
    assert [r["version"] for r in api.push(sam, edited)] == [2]

    clock.advance(timedelta(days=29))
    recent = api.upsert(sam, api.record(sam, sam))
    [kept] = api.push(sam, recent)
    clock.advance(timedelta(days=2))  # the first two answers are now 31 days old
    assert housekeeping_once(app.state.ctx) == 2
    assert stored_answers(database) == 1

    [again] = api.push(sam, recent)
    assert again == kept  # within its time: replayed as it was
    late = api.push(sam, created, edited)  # answers gone: taken as new, and refused as stale
    assert [r["status"] for r in late] == ["conflict", "conflict"]
    assert {r["current"]["version"] for r in late} == {2}
    assert late[0]["current"]["ciphertext"] == edited["record"]["ciphertext"]  # the edit, once
    records, _, cursor = api.pull_all(sam, sam.space_id)
    assert cursor == 3 and records[record["id"]]["version"] == 2  # no new version


def test_the_server_prunes_when_it_starts(
    settings: Settings, database: Database, clock: FakeClock
) -> None:
    def serving() -> TestClient:
        app = create_app(settings, database=database, clock=clock, notifier=InProcessNotifier())
        return TestClient(app)

    with serving() as client:
        api = Api(client, database, clock)
        sam = api.youth()
        api.put(sam, api.record(sam, sam))
    assert stored_answers(database) == 1
    clock.advance(timedelta(days=settings.push_answers_kept_days + 1))
    with serving():
        pass  # start-up runs housekeeping
    assert stored_answers(database) == 0
