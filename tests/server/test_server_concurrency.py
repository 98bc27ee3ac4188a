"""Concurrent pushes into one space, against a real uvicorn server: every record gets its
own version, versions have no gaps, and a reader pulling meanwhile misses nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from companion_server.db.engine import Database
from companion_wire import new_id
from tests.server.serverkit import Api, FakeClock, Person, relaxed_settings
from tests.serving import running_server

WRITERS = 6
PUSHES = 8
BATCH = 15


def test_concurrent_pushes_get_unique_gapless_versions_and_cursors_skip_nothing(
    server_db: str,
) -> None:
    clock = FakeClock()
    with running_server(server_db, settings=relaxed_settings(server_db), clock=clock) as server:
        database = Database(server_db)
        client = httpx.Client(base_url=server.url, timeout=60)
        api = Api(client, database, clock)
        sam = api.youth()
        els = api.caregiver()
        api.link(sam, els)
        writers: list[Person] = [els]
        for i in range(WRITERS - 1):
            answer = client.post(
                "/v1/auth/recover", json={**sam.recovery, "device_name": f"device {i}"}
            ).json()
            writers.append(
                Person(
                    answer["account_id"],
                    answer["device_id"],
                    answer["token"],
                    "youth",
                    "Sam",
                    sam.space_id,
                )
            )
        done = threading.Event()
        seen: set[str] = set()

        def write(person: Person) -> list[str]:
            ids: list[str] = []
            with httpx.Client(base_url=server.url, timeout=60) as own:
                mine = Api(own, database, clock)
                for _ in range(PUSHES):
                    kind = "goal" if person is els else "diary_entry"
                    records = [mine.record(person, sam, kind) for _ in range(BATCH)]
                    results = mine.push(person, *(mine.upsert(person, r) for r in records))
                    assert {r["status"] for r in results} == {"applied"}
                    ids += [r["id"] for r in records]
            return ids

        def read() -> None:
            cursor = 0
            with httpx.Client(base_url=server.url, timeout=60) as own:
                reader = Api(own, database, clock)
                while True:
                    finished = done.is_set()
                    records, _, cursor = reader.pull_all(sam, sam.space_id, cursor, limit=37)
                    seen.update(records)
                    if finished:
                        return

        reader = threading.Thread(target=read)
        reader.start()
        with ThreadPoolExecutor(WRITERS) as pool:
            written = [i for ids in pool.map(write, writers) for i in ids]
        done.set()
        reader.join(timeout=120)
        records, _, cursor = api.pull_all(sam, sam.space_id)
        client.close()
        database.dispose()
    total = WRITERS * PUSHES * BATCH
    versions = sorted(r["version"] for r in records.values())
    assert versions == list(range(1, total + 1))
    assert cursor == total
    assert set(records) == set(written)
    assert seen == set(written)


def test_simultaneous_sign_ups_with_one_offline_id_give_one_account_and_409s(
    server_db: str,
) -> None:
    """The loser of a race on a unique key gets 409, never a server error."""
    clock = FakeClock()
    account_id = new_id()
    with running_server(server_db, settings=relaxed_settings(server_db), clock=clock) as server:
        database = Database(server_db)

        def sign_up(i: int) -> int:
            with httpx.Client(base_url=server.url, timeout=60) as own:
                body = Api(own, database, clock).sign_up_body(f"Sam {i}", account_id=account_id)
                return own.post("/v1/accounts", json=body).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = sorted(pool.map(sign_up, range(8)))
        database.dispose()
    assert statuses == [201] + [409] * 7
