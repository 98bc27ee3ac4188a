"""The lean push and pull paths (push_rows.py, pull_rows.py, records.envelope_json) keep the
wire format byte for byte and the push guarantees: a revoked device, a lost race, and the
pooled connection handed back in transaction mode after any of them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from companion_server.app import create_app
from companion_server.auth import caller_of
from companion_server.db.engine import Database
from companion_server.db.models import AccessLog, Device, Record
from companion_server.errors import ApiError
from companion_server.nudges.notifier import InProcessNotifier
from companion_server.services import push as push_service
from companion_server.services import push_rows
from companion_wire import PushIn, PushOut
from tests.server.serverkit import Api, FakeClock, relaxed_settings, truncate_all

pytestmark = pytest.mark.usefixtures("server_db")

ENVELOPE_KEYS = [
    "id",
    "space_id",
    "kind",
    "author_id",
    "signer_id",
    "revision",
    "prev",
    "version",
    "deleted",
    "shared_with",
    "conversation_id",
    "ciphertext",
    "nonce",
    "content_hash",
    "wraps",
    "created_at",
    "updated_at",
]


def _post(api: Api, person, body: dict):
    return api.client.post("/v1/sync/push", json=body, headers=person.headers)


def test_push_answers_are_the_response_model_byte_for_byte(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    record = api.record(sam, sam)
    api.put(sam, record)
    body = {
        "mutations": [
            api.upsert(sam, api.record(sam, sam)),  # applied
            api.upsert(sam, {**record, "base_version": 7}),  # conflict, with the current record
            api.delete(sam, api.record(sam, sam)),  # applied: nothing to delete
            api.upsert(sam, api.record(els, sam)),  # rejected: not the caller's author_id
        ]
    }
    first, again = _post(api, sam, body), _post(api, sam, body)
    for response in (first, again):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        model = PushOut.model_validate_json(response.content)
        assert response.content == model.model_dump_json(exclude_none=True).encode()
    # the replay is the stored results, byte for byte; only how far the request moved the
    # spaces (nothing, the second time) differs
    assert first.json()["results"] == again.json()["results"]
    assert again.json()["spaces"] == []
    statuses = [r.status for r in PushOut.model_validate_json(first.content).results]
    assert statuses == ["applied", "conflict", "applied", "rejected"]


def test_pull_pages_are_compact_json_in_the_envelope_field_order(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    mia = api.network(sam)
    chat = api.record(sam, sam, "conversation", shared_with=[els, mia])
    away = api.record(sam, sam, shared_with=[els, mia])
    away["created_at"] = "2026-03-01T10:30:15+01:00"  # another offset, no microseconds
    away["updated_at"] = "2026-03-01T09:30:15.000120+00:00"
    api.put(sam, chat)
    api.put(sam, away)
    api.put(els, api.record(els, sam, "message", [sam], conversation_id=chat["id"]))
    gone = api.record(sam, sam, shared_with=[els])
    api.put(sam, gone)
    api.push(sam, api.delete(sam, gone))
    for person in (sam, els, mia):
        response = api.pull(person, sam.space_id)
        assert response.status_code == 200
        page = response.json()
        assert response.content == json.dumps(page, separators=(",", ":")).encode()
        assert list(page) == ["records", "cursor", "has_more"]
        assert page["records"]
        for envelope in page["records"]:
            assert list(envelope) == ENVELOPE_KEYS
    by_id = {r["id"]: r for r in api.pull(sam, sam.space_id).json()["records"]}
    assert by_id[away["id"]]["created_at"] == "2026-03-01T09:30:15+00:00"
    assert by_id[away["id"]]["updated_at"] == "2026-03-01T09:30:15.000120+00:00"
    assert by_id[gone["id"]]["ciphertext"] == "" and by_id[gone["id"]]["deleted"]
    as_mia = {r["id"]: r for r in api.pull(mia, sam.space_id).json()["records"]}
    assert as_mia[away["id"]]["shared_with"] == [mia.account_id]
    assert [w["recipient_id"] for w in as_mia[away["id"]]["wraps"]] == [mia.account_id]
    assert as_mia[away["id"]]["ciphertext"] == away["ciphertext"]


def test_a_device_revoked_after_its_token_was_checked_pushes_nothing(
    api: Api, app, database: Database, clock: FakeClock
) -> None:
    sam = api.youth()
    ctx = app.state.ctx
    caller = caller_of(ctx, sam.token)  # the request is past its token check ...
    with database.write() as session:  # ... when the device is signed out
        session.get(Device, sam.device_id).revoked_at = clock()
    body = PushIn.model_validate({"mutations": [api.upsert(sam, api.record(sam, sam))]})
    with pytest.raises(ApiError) as refused:
        push_service.push(ctx, caller, body)
    assert refused.value.status == 401
    with database.read() as session:
        assert session.query(Record).count() == 0


def _one_connection_app(url: str, clock: FakeClock) -> Iterator[tuple[Api, Database]]:
    """An app whose pool hands out one connection at a time, always the same one."""
    database = Database(url, pool_size=1)
    app = create_app(
        relaxed_settings(url), database=database, clock=clock, notifier=InProcessNotifier()
    )
    with TestClient(app) as client:
        yield Api(client, database, clock), database
    database.dispose()


@pytest.fixture
def one_connection(server_db: str, clock: FakeClock) -> Iterator[tuple[Api, Database]]:
    yield from _one_connection_app(server_db, clock)


@pytest.fixture
def postgres_one_connection(
    postgres_url: str, clock: FakeClock
) -> Iterator[tuple[str, Api, Database]]:
    """The same on PostgreSQL only: SQLite runs write transactions one at a time (BEGIN
    IMMEDIATE), so two pushes cannot race there."""
    truncate_all(postgres_url)
    for api, database in _one_connection_app(postgres_url, clock):
        yield postgres_url, api, database


def _assert_transactions_still_roll_back(database: Database) -> None:
    """The pooled connection is back in ordinary transaction mode after the push."""
    with pytest.raises(RuntimeError), database.write() as session:
        device = session.query(Device).first()
        device.name = "renamed"
        session.flush()
        raise RuntimeError
    with database.read() as session:
        assert session.query(Device).filter_by(name="renamed").count() == 0


def test_a_push_that_loses_a_race_on_a_record_id_answers_409(
    postgres_one_connection: tuple[str, Api, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    server_db, api, database = postgres_one_connection
    sam, kim = api.youth("Sam"), api.youth("Kim")
    record = api.record(sam, sam)
    raced = PushIn.model_validate({"mutations": [api.upsert(sam, record)]})
    loaded = push_rows.PipelinedRows.load

    def load_then_lose_the_race(self, *args):
        result = loaded(self, *args)
        # Another push commits the same new record id into Kim's space meanwhile.
        other = Database(server_db)
        with other.write() as session:
            now = datetime.now(UTC)
            session.add(
                Record(
                    id=record["id"],
                    space_id=kim.space_id,
                    kind="diary_entry",
                    author_id=kim.account_id,
                    signer_id=kim.account_id,
                    revision=1,
                    prev=b"",
                    version=1,
                    deleted=False,
                    shared_with=[],
                    ciphertext=b"x",
                    nonce=b"n" * 24,
                    content_hash=b"h" * 32,
                    wraps=[],
                    created_at=now,
                    updated_at=now,
                )
            )
        other.dispose()
        return result

    monkeypatch.setattr(push_rows.PipelinedRows, "load", load_then_lose_the_race)
    lost = api.client.post("/v1/sync/push", json=raced.model_dump(mode="json"), headers=sam.headers)
    assert lost.status_code == 409, lost.text
    assert lost.json()["code"] == "conflict"
    monkeypatch.undo()
    _assert_transactions_still_roll_back(database)
    [retried] = api.push(sam, *raced.model_dump(mode="json")["mutations"])
    assert (retried["status"], retried["reason"]) == ("rejected", "this record id is already used")


def test_the_pool_gets_its_connection_back_in_transaction_mode_after_a_refusal(
    one_connection: tuple[Api, Database], clock: FakeClock
) -> None:
    api, database = one_connection
    sam, kim = api.youth("Sam"), api.youth("Kim")
    mia = api.network(sam)
    api.put(sam, api.record(sam, sam, shared_with=[mia]))
    _assert_transactions_still_roll_back(database)
    assert len(api.pull(mia, sam.space_id).json()["records"]) == 1  # logged, committed
    assert len(api.pull(sam, sam.space_id).json()["records"]) == 1
    _assert_transactions_still_roll_back(database)
    assert api.pull(kim, sam.space_id).status_code == 403  # refused: rolled back
    _assert_transactions_still_roll_back(database)
    with database.read() as session:
        assert session.query(AccessLog).count() == 1
    ctx = api.client.app.state.ctx
    caller = caller_of(ctx, sam.token)
    with database.write() as session:
        session.get(Device, sam.device_id).revoked_at = clock() - timedelta(seconds=1)
    body = PushIn.model_validate({"mutations": [api.upsert(sam, api.record(sam, sam))]})
    with pytest.raises(ApiError):
        push_service.push(ctx, caller, body)
    _assert_transactions_still_roll_back(database)


def _spaces_by_the_orm(database: Database, caller_id: str, now: datetime) -> list[dict]:
    """What `/v1/spaces` answered before it became one statement: ORM reads, models built
    and validated one by one (the reference the fast answer must equal)."""
    from sqlalchemy import func, select

    from companion_server.access import is_active
    from companion_server.db.models import Account, Link, RecordRead, Space
    from companion_server.services.views import link_out, public_keys
    from companion_wire import Role, SpaceOut

    out: list[SpaceOut] = []
    with database.read() as session:
        me = session.get(Account, caller_id)
        own = session.scalar(select(Space).where(Space.owner_id == caller_id))

        def people(links: list[Link]) -> list:
            return [
                link_out(link, session.get(Account, link.person_id or ""), now) for link in links
            ]

        if own is not None:
            links = list(session.scalars(select(Link).where(Link.space_id == own.id)))
            out.append(
                SpaceOut(
                    space_id=own.id,
                    owner_id=caller_id,
                    owner_name=me.display_name,
                    my_role=Role.YOUTH,
                    version=own.version,
                    links=people(sorted(links, key=lambda link: link.id)),
                )
            )
        mine = sorted(
            session.scalars(select(Link).where(Link.person_id == caller_id)),
            key=lambda link: link.id,
        )
        by_space: dict[str, list[Link]] = {}
        for link in mine:
            by_space.setdefault(link.space_id, []).append(link)
        for space_id, links in by_space.items():
            space = session.get(Space, space_id)
            owner = session.get(Account, space.owner_id)
            active = next((link for link in links if is_active(link, now)), None)
            held = session.scalar(
                select(func.max(RecordRead.version)).where(
                    RecordRead.space_id == space_id, RecordRead.reader_id == caller_id
                )
            )
            out.append(
                SpaceOut(
                    space_id=space_id,
                    owner_id=owner.id,
                    owner_name=owner.display_name,
                    my_role=Role((active or links[-1]).role),
                    version=int(held or 0) if active else None,
                    links=people(links),
                    owner_keys=public_keys(owner),
                )
            )
    return [space.model_dump(mode="json") for space in out]


def test_spaces_in_one_statement_answer_what_the_orm_reads_gave(api: Api, database) -> None:
    sam, els, kim = api.youth("Sam"), api.caregiver("Els"), api.youth("Kim")
    first = api.link(sam, els)
    api.client.patch(
        f"/v1/links/{first['id']}",
        json={"ends_at": api.clock().isoformat()},
        headers=sam.headers,
    )
    api.link(sam, els)  # a second, active link into the same space
    api.link(kim, els)
    api.invite(sam, "network")  # a pending link, no person yet
    api.put(sam, api.record(sam, sam, shared_with=[els]))
    api.put(sam, api.record(sam, sam))  # private: not in Els's held version
    for person in (sam, els, kim):
        answer = api.client.get("/v1/spaces", headers=person.headers)
        assert answer.status_code == 200
        expected = _spaces_by_the_orm(database, person.account_id, api.clock())
        assert answer.json() == expected, person.name
