"""PostgreSQL backup and restore as docs/operations.md describes it: `pg_dump` while clients
push, `pg_restore` into a fresh database, a server on it, and the clients carry on: every
write acknowledged before the dump is there exactly once, a retried push from before the
dump is answered from the stored answers (nothing twice), and new writes go on from there."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from companion_server.db.engine import Database
from tests.machine import require
from tests.server.serverkit import Api, FakeClock, FreshPostgres, truncate_all
from tests.serving import running_server_process

pytestmark = pytest.mark.postgres


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_dump_taken_under_load_restores_and_clients_carry_on(
    postgres_url: str, tmp_path: Path
) -> None:
    require(shutil.which("pg_dump") is not None, "pg_dump (postgresql-client)")
    truncate_all(postgres_url)
    dump = tmp_path / "companion.dump"
    database = Database(postgres_url)
    with running_server_process(postgres_url) as server, httpx.Client(base_url=server.url) as http:
        api = Api(http, database, FakeClock())  # type: ignore[arg-type]
        sam = api.youth("Sam")
        before = [api.record(sam, sam) for _ in range(30)]
        first_push = api.upsert(sam, before[0])
        [answer] = api.push(sam, first_push)
        for record in before[1:]:
            api.put(sam, record)
        busy = threading.Event()

        def keep_pushing() -> None:  # the dump runs while this device keeps writing
            while not busy.is_set():
                api.put(sam, api.record(sam, sam))

        writer = threading.Thread(target=keep_pushing)
        writer.start()
        try:
            subprocess.run(
                ["pg_dump", "--format=custom", f"--file={dump}", _libpq(postgres_url)],
                check=True,
            )
        finally:
            busy.set()
            writer.join()
    database.dispose()

    restored = FreshPostgres()
    restored._admin(f'CREATE DATABASE "{restored.name}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={_libpq(restored.url)}", str(dump)],
            check=True,
        )
        database = Database(restored.url)
        with (
            running_server_process(restored.url) as server,
            httpx.Client(base_url=server.url) as http,
        ):
            api = Api(http, database, FakeClock())  # type: ignore[arg-type]
            api._mutation_ids = {}  # the device goes on past what the dump holds
            stored, _removed, cursor = api.pull_all(sam, sam.space_id or "")
            assert {r["id"] for r in before} <= set(stored)
            assert sorted(r["version"] for r in stored.values()) == list(range(1, cursor + 1))
            assert api.push(sam, first_push) == [answer]  # a retry: its stored answer
            for _ in range(cursor + 1):
                api.mutation_id(sam)  # mutation ids the device already used
            after = api.put(sam, api.record(sam, sam))
            assert after == cursor + 1
            _stored, _removed, final = api.pull_all(sam, sam.space_id or "")
            assert final == cursor + 1
        database.dispose()
    finally:
        restored.drop()
