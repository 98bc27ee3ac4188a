"""Server throughput and latency with 50 concurrent clients, on PostgreSQL and SQLite. JSON out.

A real `companion-server serve` (uvicorn, one process) runs as a subprocess on loopback; this
process is the load generator (asyncio + httpx, one connection per client). Each client is a
youth with their own device token and space, created directly in the database beforehand.

Phases, all with every client running at once:
- `noop`: GET /v1/me, the bare authenticated request (token lookup + one row): the baseline.
- `push`: batches of 100 new records (512-byte ciphertext, one wrap) into the client's space.
- `pull`: the client's whole space from cursor 0, pages of 500, several rounds.

Bodies are serialised before the clock starts, so the figures are the server's, not the load
generator's JSON encoding (both share the machine's two cores, which the numbers include).

Run from the repository root: .venv/bin/python -m benchmarks.server
(`--backends postgresql,sqlite --clients 50`; PostgreSQL comes from COMPANION_TEST_PG_URL,
default postgresql+psycopg://postgres@127.0.0.1:5432/test, as the admin connection that
creates and drops a scratch database.)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from companion.domain.ids import new_id
from companion.domain.models import Role
from companion.sync.protocol import KeyBackup, PublicKeys, RecoveryCredentials
from companion_server import migrate
from companion_server.db.engine import Database
from companion_server.services.accounts import create_account, issue_device, set_keys
from companion_server.testing import running_server_process

BATCH = 100
PUSHES_PER_CLIENT = 6
PULL_LIMIT = 500
PULL_ROUNDS = 3
NOOP_PER_CLIENT = 40
CIPHERTEXT_BYTES = 512
PG_ADMIN_URL = os.environ.get(
    "COMPANION_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def b64(n_bytes: int) -> str:
    return base64.b64encode(os.urandom(n_bytes)).decode()


# --- databases --------------------------------------------------------------------------------


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"companion_bench_{secrets.token_hex(4)}"
    with psycopg.connect(_dsn(PG_ADMIN_URL), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_dsn(PG_ADMIN_URL), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_youths(database_url: str, count: int) -> list[dict[str, str]]:
    """Accounts straight into the database (sign-up is rate limited per address, as it must)."""
    database = Database(database_url)
    migrate.upgrade(database.engine)
    now = datetime.now(UTC)
    people = []
    with database.write() as session:
        for i in range(count):
            account = create_account(
                session, account_id=new_id(), role=Role.YOUTH, display_name=f"Youth {i}", now=now
            )
            set_keys(
                session,
                account,
                PublicKeys(x25519=b64(32), ed25519=b64(32)),
                RecoveryCredentials(lookup=b64(32), auth_secret=b64(32)),
                KeyBackup.model_validate(
                    {
                        "kdf": {"salt": b64(16), "opslimit": 3, "memlimit": 2**26},
                        "nonce": b64(24),
                        "ciphertext": b64(100),
                    }
                ),
            )
            session.flush()
            out = issue_device(session, account, "bench", now)
            people.append(
                {"account_id": out.account_id, "space_id": out.space_id, "token": out.token}
            )
    database.dispose()
    return people


def push_bodies(person: dict[str, str], pushes: int, first_mutation: int) -> list[bytes]:
    now = datetime.now(UTC).isoformat()
    bodies, mutation_id = [], first_mutation
    for _ in range(pushes):
        mutations = []
        for _ in range(BATCH):
            record = {
                "id": new_id(),
                "space_id": person["space_id"],
                "kind": "diary_entry",
                "author_id": person["account_id"],
                "shared_with": [],
                "ciphertext": b64(CIPHERTEXT_BYTES),
                "nonce": b64(24),
                "wraps": [{"recipient_id": person["account_id"], "wrapped_key": b64(72)}],
                "signature": b64(64),
                "created_at": now,
                "updated_at": now,
            }
            mutations.append({"mutation_id": mutation_id, "op": "upsert", "record": record})
            mutation_id += 1
        bodies.append(json.dumps({"mutations": mutations}).encode())
    return bodies


# --- load ---------------------------------------------------------------------------------------


def summary(latencies: list[float], wall: float, items: int, unit: str) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        unit: items,
        f"{unit}_per_s": round(items / wall),
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
        "wall_s": round(wall, 2),
    }


async def run_clients(
    clients: list[httpx.AsyncClient],
    work: Callable[[int, httpx.AsyncClient], Awaitable[tuple[list[float], int]]],
) -> tuple[list[float], int, float]:
    start = time.perf_counter()
    results = await asyncio.gather(*(work(i, c) for i, c in enumerate(clients)))
    wall = time.perf_counter() - start
    return [t for times, _ in results for t in times], sum(n for _, n in results), wall


async def measure(url: str, people: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    def connect() -> list[httpx.AsyncClient]:
        """One connection per client, opened per phase (idle ones may be closed in between)."""
        return [
            httpx.AsyncClient(
                base_url=url,
                headers={"Authorization": f"Bearer {p['token']}"},
                limits=limits,
                timeout=120,
            )
            for p in people
        ]

    bodies = [push_bodies(p, PUSHES_PER_CLIENT + 1, 1) for p in people]

    async def warm(i: int, client: httpx.AsyncClient) -> tuple[list[float], int]:
        await client.get("/v1/me")
        await client.post(
            "/v1/sync/push", content=bodies[i][0], headers={"content-type": "application/json"}
        )
        await client.get("/v1/sync/pull", params={"space_id": people[i]["space_id"]})
        return [], 0

    async def noop(i: int, client: httpx.AsyncClient) -> tuple[list[float], int]:
        times = []
        for _ in range(NOOP_PER_CLIENT):
            start = time.perf_counter()
            response = await client.get("/v1/me")
            times.append(time.perf_counter() - start)
            response.raise_for_status()
        return times, NOOP_PER_CLIENT

    async def push(i: int, client: httpx.AsyncClient) -> tuple[list[float], int]:
        times, applied = [], 0
        for body in bodies[i][1:]:
            start = time.perf_counter()
            response = await client.post(
                "/v1/sync/push", content=body, headers={"content-type": "application/json"}
            )
            times.append(time.perf_counter() - start)
            response.raise_for_status()
            applied += sum(r["status"] == "applied" for r in response.json()["results"])
        return times, applied

    async def pull(i: int, client: httpx.AsyncClient) -> tuple[list[float], int]:
        times, received = [], 0
        for _ in range(PULL_ROUNDS):
            cursor, more = 0, True
            while more:
                start = time.perf_counter()
                response = await client.get(
                    "/v1/sync/pull",
                    params={
                        "space_id": people[i]["space_id"],
                        "cursor": cursor,
                        "limit": PULL_LIMIT,
                    },
                )
                times.append(time.perf_counter() - start)
                response.raise_for_status()
                page = response.json()
                received += len(page["records"])
                cursor, more = page["cursor"], page["has_more"]
        return times, received

    clients = connect()
    await run_clients(clients, warm)
    stored = (PUSHES_PER_CLIENT + 1) * BATCH  # per space, warm-up batch included
    expected = {
        "noop": len(people) * NOOP_PER_CLIENT,
        "push": len(people) * PUSHES_PER_CLIENT * BATCH,
        "pull": len(people) * PULL_ROUNDS * stored,
    }
    results = {}
    for name, work, unit in (
        ("noop", noop, "requests"),
        ("push", push, "records"),
        ("pull", pull, "records"),
    ):
        await asyncio.gather(*(c.aclose() for c in clients))
        clients = connect()
        await asyncio.gather(*(c.get("/v1/health") for c in clients))  # connections open
        latencies, items, wall = await run_clients(clients, work)
        if items != expected[name]:
            raise RuntimeError(f"{name}: {items} {unit}, expected {expected[name]}")
        results[name] = summary(latencies, wall, items, unit)
    await asyncio.gather(*(c.aclose() for c in clients))
    return results


def pg_available() -> bool:
    try:
        with psycopg.connect(_dsn(PG_ADMIN_URL), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    report: dict[str, object] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "config": {
            "clients": args.clients,
            "batch": BATCH,
            "pushes_per_client": PUSHES_PER_CLIENT,
            "pull_limit": PULL_LIMIT,
            "pull_rounds": PULL_ROUNDS,
            "ciphertext_bytes": CIPHERTEXT_BYTES,
            "server": "companion-server serve (uvicorn, 1 process) on 127.0.0.1",
        },
        "results": {},
    }
    for backend in args.backends.split(","):
        if backend == "postgresql" and not pg_available():
            report["results"][backend] = {"skipped": "PostgreSQL not reachable"}
            continue
        with scratch_database(backend) as url:
            people = make_youths(url, args.clients)
            with running_server_process(url) as server:
                report["results"][backend] = asyncio.run(measure(server.url, people))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
