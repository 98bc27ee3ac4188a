"""Server cost per request, and throughput with 50 concurrent clients, on PostgreSQL and
SQLite. JSON out.

A real `companion-server serve` (uvicorn, one process) runs as a subprocess on loopback; this
process is the client. Accounts, devices and links are created directly in the database.

`sequential` (one client, one request at a time, keep-alive; what one chat message or one
restore page costs the server): in rounds, so load on the machine hits every measure alike,
- `health`: GET /v1/health, no token, one `SELECT 1`: the baseline;
- `me`: GET /v1/me by the caregiver (token lookup + one row);
- `push_one_message`: the caregiver pushes one chat message into the youth's conversation;
- `pull_one_record_youth` / `_caregiver`: a pull of that one new message by the youth, and by
  the caregiver (who gets it logged in the youth's access log);
- `pull_page_1000`: the youth pulls 1,000 of the 10,000 records of their space (a restore).
Each gives the p50 latency and the server process's CPU time per request (from /proc, so
Linux only), and each request's p50 as a multiple of the same-run `health` p50; the page
also per record, minus the baseline request.

Load phases, each a youth per client (asyncio + httpx, one connection per client), all
clients at once:
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
import itertools
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

from benchmarks.server_live import measure_listeners
from companion_server import migrate
from companion_server.db.engine import Database
from companion_server.db.models import Link
from companion_server.services.accounts import create_account, issue_device, set_keys
from companion_wire import KeyBackup, LinkStatus, PublicKeys, RecoveryCredentials, Role, new_id
from tests.serving import (
    RunningServer,
    free_port,
    haproxy_binary,
    running_cluster,
    running_server_process,
)

BATCH = 100
PUSHES_PER_CLIENT = 6
PULL_LIMIT = 500
PULL_ROUNDS = 3
NOOP_PER_CLIENT = 40
CIPHERTEXT_BYTES = 512
SEQUENTIAL_ROUNDS = 10
SEQUENTIAL_REQUESTS = 300  # per single-record measure, over all rounds
PAGE_REQUESTS = 30  # pull_page_1000, over all rounds
RESTORE_RECORDS = 10_000
RESTORE_PAGE = 1000
MESSAGE_CIPHERTEXT_BYTES = 120
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


def make_chat(database_url: str) -> dict[str, dict[str, str]]:
    """A youth and a caregiver with an active link, straight into the database."""
    database = Database(database_url)
    now = datetime.now(UTC)
    people: dict[str, dict[str, str]] = {}
    with database.write() as session:
        for role, name in ((Role.YOUTH, "Chat youth"), (Role.CAREGIVER, "Chat caregiver")):
            account = create_account(
                session, account_id=new_id(), role=role, display_name=name, now=now
            )
            session.flush()
            out = issue_device(session, account, "bench", now)
            people[role.value] = {
                "account_id": out.account_id,
                "space_id": out.space_id or "",
                "token": out.token,
            }
        youth, caregiver = people["youth"], people["caregiver"]
        session.add(
            Link(
                id=new_id(),
                space_id=youth["space_id"],
                person_id=caregiver["account_id"],
                role=Role.CAREGIVER.value,
                status=LinkStatus.ACTIVE.value,
                starts_at=now,
                created_at=now,
            )
        )
    database.dispose()
    return people


def record_json(
    author: dict[str, str],
    youth: dict[str, str],
    kind: str,
    ciphertext_bytes: int,
    conversation_id: str | None = None,
) -> dict[str, object]:
    """A RecordIn with wraps for the youth and the author (opaque random bytes)."""
    now = datetime.now(UTC).isoformat()
    recipients = dict.fromkeys([youth["account_id"], author["account_id"]])
    record: dict[str, object] = {
        "id": new_id(),
        "space_id": youth["space_id"],
        "kind": kind,
        "author_id": author["account_id"],
        "signer_id": author["account_id"],
        "revision": 1,
        "shared_with": [],
        "ciphertext": b64(ciphertext_bytes),
        "nonce": b64(24),
        "content_hash": b64(32),
        "wraps": [{"recipient_id": r, "wrapped_key": b64(104)} for r in recipients],
        "created_at": now,
        "updated_at": now,
    }
    if conversation_id is not None:
        record["conversation_id"] = conversation_id
    return record


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
                "signer_id": person["account_id"],
                "revision": 1,
                "shared_with": [],
                "ciphertext": b64(CIPHERTEXT_BYTES),
                "nonce": b64(24),
                "content_hash": b64(32),
                "wraps": [{"recipient_id": person["account_id"], "wrapped_key": b64(104)}],
                "created_at": now,
                "updated_at": now,
            }
            mutations.append({"mutation_id": mutation_id, "op": "upsert", "record": record})
            mutation_id += 1
        bodies.append(json.dumps({"mutations": mutations}).encode())
    return bodies


# --- sequential: the cost of one request ------------------------------------------------------


def server_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of the server process so far (Linux /proc), else None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ignore(_response: httpx.Response) -> None:
    return None


def measure_sequential(
    url: str, pid: int | None, people: dict[str, dict[str, str]], bare: RunningServer
):
    youth, caregiver = people["youth"], people["caregiver"]
    as_nobody = httpx.Client(base_url=bare.url, timeout=120)
    as_youth = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {youth['token']}"}, timeout=120
    )
    as_caregiver = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {caregiver['token']}"}, timeout=120
    )
    json_body = {"content-type": "application/json"}
    mutation_ids = {"youth": 0, "caregiver": 0}

    def push(client: httpx.Client, who: str, records: list[dict[str, object]]) -> None:
        mutations = []
        for record in records:
            mutation_ids[who] += 1
            mutations.append({"mutation_id": mutation_ids[who], "op": "upsert", "record": record})
        response = client.post("/v1/sync/push", json={"mutations": mutations})
        response.raise_for_status()
        assert {r["status"] for r in response.json()["results"]} == {"applied"}

    conversation = record_json(caregiver, youth, "conversation", CIPHERTEXT_BYTES)
    push(as_caregiver, "caregiver", [conversation])
    for _ in range(RESTORE_RECORDS // 500):
        push(
            as_youth,
            "youth",
            [record_json(youth, youth, "diary_entry", CIPHERTEXT_BYTES) for _ in range(500)],
        )
    messages = []
    for _ in range(SEQUENTIAL_REQUESTS + 10):
        mutation_ids["caregiver"] += 1
        record = record_json(
            caregiver, youth, "message", MESSAGE_CIPHERTEXT_BYTES, conversation["id"]
        )
        mutation = {"mutation_id": mutation_ids["caregiver"], "op": "upsert", "record": record}
        messages.append(json.dumps({"mutations": [mutation]}).encode())
    bodies = iter(messages)
    state = {"version": 0, "page": 0}

    def push_one_message() -> httpx.Response:
        return as_caregiver.post("/v1/sync/push", content=next(bodies), headers=json_body)

    def pushed(response: httpx.Response) -> None:
        state["version"] = response.json()["results"][0]["version"]

    def pull_one(client: httpx.Client) -> httpx.Response:
        params = {"space_id": youth["space_id"], "cursor": state["version"] - 1}
        return client.get("/v1/sync/pull", params=params)

    def pull_page() -> httpx.Response:
        state["page"] = (state["page"] + 1) % (RESTORE_RECORDS // RESTORE_PAGE)
        params = {
            "space_id": youth["space_id"],
            "cursor": 1 + state["page"] * RESTORE_PAGE,  # after the conversation
            "limit": RESTORE_PAGE,
        }
        return as_youth.get("/v1/sync/pull", params=params)

    # name: (request, how many, what to do with the answer outside the clock)
    measures: dict[str, tuple[Callable[[], httpx.Response], int, Callable[..., None]]] = {
        "bare_sync_route": (lambda: as_nobody.get("/bare/sync"), SEQUENTIAL_REQUESTS, ignore),
        "bare_async_route": (lambda: as_nobody.get("/bare/async"), SEQUENTIAL_REQUESTS, ignore),
        "health": (lambda: as_youth.get("/v1/health"), SEQUENTIAL_REQUESTS, ignore),
        "me": (lambda: as_caregiver.get("/v1/me"), SEQUENTIAL_REQUESTS, ignore),
        "spaces_caregiver": (lambda: as_caregiver.get("/v1/spaces"), SEQUENTIAL_REQUESTS, ignore),
        "spaces_youth": (lambda: as_youth.get("/v1/spaces"), SEQUENTIAL_REQUESTS, ignore),
        "push_one_message": (push_one_message, SEQUENTIAL_REQUESTS, pushed),
        "pull_one_record_youth": (lambda: pull_one(as_youth), SEQUENTIAL_REQUESTS, ignore),
        "pull_one_record_caregiver": (
            lambda: pull_one(as_caregiver),
            SEQUENTIAL_REQUESTS,
            ignore,
        ),
        "pull_page_1000": (pull_page, PAGE_REQUESTS, ignore),
    }
    pushed(push_one_message())  # warm up: a version to pull, every route once
    for call, _, after in measures.values():
        response = call()
        response.raise_for_status()
        after(response)
    assert len(pull_page().json()["records"]) == RESTORE_PAGE
    times: dict[str, list[float]] = {name: [] for name in measures}
    cpu: dict[str, float] = dict.fromkeys(measures, 0.0)
    for _ in range(SEQUENTIAL_ROUNDS):
        for name, (call, requests, after) in measures.items():
            serving = bare.pid if name.startswith("bare") else pid
            before = server_cpu_seconds(serving)
            for _ in range(requests // SEQUENTIAL_ROUNDS):
                start = time.perf_counter()
                response = call()
                times[name].append(time.perf_counter() - start)
                response.raise_for_status()
                after(response)
            cpu[name] += (server_cpu_seconds(serving) or 0.0) - (before or 0.0)
    for client in (as_youth, as_caregiver, as_nobody):
        client.close()
    has_cpu = server_cpu_seconds(pid) is not None
    baseline = statistics.median(times["health"])
    bare_cpu = cpu["bare_sync_route"] / len(times["bare_sync_route"])
    requests_out = {
        name: {
            "p50_ms": round(statistics.median(values) * 1000, 2),
            "server_cpu_ms": round(cpu[name] / len(values) * 1000, 3) if has_cpu else None,
            "cpu_vs_bare_sync": round(cpu[name] / len(values) / bare_cpu, 2) if has_cpu else None,
            "p50_vs_health": round(statistics.median(values) / baseline, 2),
        }
        for name, values in times.items()
    }
    page, health = requests_out["pull_page_1000"], requests_out["health"]
    per_record = {
        "wall_us": round((page["p50_ms"] - health["p50_ms"]) * 1000 / RESTORE_PAGE, 1),
        "server_cpu_us": (
            round((page["server_cpu_ms"] - health["server_cpu_ms"]) * 1000 / RESTORE_PAGE, 1)
            if has_cpu
            else None
        ),
    }
    return {"requests": requests_out, "pull_page_per_record_minus_health": per_record}


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


async def measure(
    url: str, people: list[dict[str, str]], bare_url: str | None = None
) -> dict[str, dict[str, float]]:
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

    async def bare_noop(i: int, client: httpx.AsyncClient) -> tuple[list[float], int]:
        times = []
        for _ in range(NOOP_PER_CLIENT):
            start = time.perf_counter()
            response = await client.get(f"{bare_url}/bare/sync")
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
        "bare_sync_noop": len(people) * NOOP_PER_CLIENT,
        "noop": len(people) * NOOP_PER_CLIENT,
        "push": len(people) * PUSHES_PER_CLIENT * BATCH,
        "pull": len(people) * PULL_ROUNDS * stored,
    }
    results = {}
    phases = [("bare_sync_noop", bare_noop, "requests")] if bare_url else []
    for name, work, unit in (
        *phases,
        ("noop", noop, "requests"),
        ("push", push, "records"),
        ("pull", pull, "records"),
    ):
        await asyncio.gather(*(c.aclose() for c in clients))
        clients = connect()
        warm_up = f"{bare_url}/bare/sync" if name.startswith("bare") else "/v1/health"
        await asyncio.gather(*(c.get(warm_up) for c in clients))  # connections open
        latencies, items, wall = await run_clients(clients, work)
        if items != expected[name]:
            raise RuntimeError(f"{name}: {items} {unit}, expected {expected[name]}")
        results[name] = summary(latencies, wall, items, unit)
    await asyncio.gather(*(c.aclose() for c in clients))
    if "bare_sync_noop" in results:
        results["noop"]["vs_bare_sync"] = round(
            results["noop"]["requests_per_s"] / results["bare_sync_noop"]["requests_per_s"], 2
        )
    return results


def pg_available() -> bool:
    try:
        with psycopg.connect(_dsn(PG_ADMIN_URL), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def run_backend(
    backend: str, url: str, bare: RunningServer, phases: set[str], args: argparse.Namespace
) -> dict[str, object]:
    people = make_youths(url, args.clients)
    chat = make_chat(url)
    results: dict[str, object] = {}
    with running_server_process(url) as server:
        if "sequential" in phases:
            results["sequential"] = measure_sequential(server.url, server.pid, chat, bare)
        if "load" in phases:
            results["one_process"] = asyncio.run(measure(server.url, people, bare.url))
    if "listeners" in phases:  # a fresh process: its memory says what listeners cost
        idle = make_youths(url, args.listeners)
        with running_server_process(url) as server:
            bodies = message_bodies(server.url, chat)
            results["listeners"] = asyncio.run(
                measure_listeners(server.url, server.pid, chat, idle, bodies)
            )
    if "cluster" in phases and backend == "postgresql" and haproxy_binary() is not None:
        others = make_youths(url, args.clients)
        with running_cluster(url, processes=2) as cluster:
            results["haproxy_two_processes"] = asyncio.run(measure(cluster.url, others))
    return results


def message_bodies(url: str, people: dict[str, dict[str, str]]) -> Iterator[bytes]:
    """Push bodies of one chat message each from the caregiver, after a conversation."""
    youth, caregiver = people["youth"], people["caregiver"]
    conversation = record_json(caregiver, youth, "conversation", CIPHERTEXT_BYTES)
    headers = {"Authorization": f"Bearer {caregiver['token']}"}
    mutation = {"mutation_id": 10**12, "op": "upsert", "record": conversation}
    httpx.post(f"{url}/v1/sync/push", json={"mutations": [mutation]}, headers=headers)
    for mutation_id in itertools.count(10**12 + 1):
        record = record_json(
            caregiver, youth, "message", MESSAGE_CIPHERTEXT_BYTES, conversation["id"]
        )
        mutation = {"mutation_id": mutation_id, "op": "upsert", "record": record}
        yield json.dumps({"mutations": [mutation]}).encode()


@contextmanager
def running_bare_app() -> Iterator[RunningServer]:
    """benchmarks/bare_app.py under uvicorn with the server's settings (uvloop, httptools)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app", "--port", str(port)]
    process = subprocess.Popen([*command, "--log-level", "warning", "--no-access-log"])
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/bare/sync", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield RunningServer(url=url, database_url="", app=None, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--phases",
        default="sequential,load,cluster,listeners",
        help="sequential (one client), load (--clients), cluster (the load through HAProxy "
        "and 2 processes; PostgreSQL only), listeners (--listeners idle /v1/live)",
    )
    parser.add_argument("--listeners", type=int, default=500)
    args = parser.parse_args()
    phases = set(args.phases.split(","))
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
            "sequential": {
                "rounds": SEQUENTIAL_ROUNDS,
                "requests": SEQUENTIAL_REQUESTS,
                "page_requests": PAGE_REQUESTS,
                "space_records": RESTORE_RECORDS,
                "page": RESTORE_PAGE,
            },
        },
        "results": {},
    }
    for backend in args.backends.split(","):
        if backend == "postgresql" and not pg_available():
            report["results"][backend] = {"skipped": "PostgreSQL not reachable"}
            continue
        with scratch_database(backend) as url, running_bare_app() as bare:
            report["results"][backend] = run_backend(backend, url, bare, phases, args)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
