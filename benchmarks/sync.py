"""Sync against the real server on loopback, with a plain baseline from the same run. JSON.

- restore: a fresh device pulls 10,000 records of a youth's space: pages over HTTP, JSON
  parsing, signature checks and decryption, merge bookkeeping and the encrypted local store.
  Measured as desktops do it (sqlcipher3, pages opened in worker processes), the same with
  pages opened in a thread, and as phones do it (the phone binding, SQLite3MC, pages opened
  in a thread), in a rotating order; the target applies to the first.
  Baseline: the same 10,000 envelopes fetched as one plain JSON array with httpx (from a
  static file server) and inserted into plain sqlite3 (WAL, synchronous=FULL), no crypto.
- incremental: one device changes 100 records and syncs (push), the other syncs (pull).
- chat: a caregiver sends 200 messages one by one; each is timed from the sender's local
  write until it is stored on the youth's device, driven only by the live channel (the
  app's AccountSync, not a polling loop): the youth's nudge carries the sealed message.
  The same the other way round, youth -> caregiver, where the nudge makes the app pull
  (access checked, delivery logged).

The server runs as `companion-server serve` in a subprocess (its own GIL, as in production),
on PostgreSQL when available (COMPANION_TEST_PG_URL; a fresh database, dropped after),
else on SQLite. Run from the repository root: .venv/bin/python -m benchmarks.sync
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

from companion.core.accounts import KEYS_SECRET
from companion.core.syncing import AccountSync
from companion.crypto.vault import MemoryVault
from companion.domain.models import DiaryEntry
from companion.store import SqlCipherConnector, Store
from companion.store.sqlite3mc import Sqlite3mcConnector
from companion.sync.engine import SyncEngine
from companion.sync.session import TOKEN_SECRET
from companion.sync.state import SyncPhase, SyncState
from tests.server.serverkit import FreshPostgres, pg_available
from tests.serving import running_server_process
from tests.sync.kit import Device, World, conversation, message

RECORDS = 10_000
CHANGES = 100
MESSAGES = 200
TEXT = "Vandaag naar de bakker geweest en daarna de huur betaald. Morgen werk. " * 4


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@contextmanager
def database(tmp: Path) -> Iterator[tuple[str, str]]:
    if pg_available():
        fresh = FreshPostgres()
        url = fresh.create()
        try:
            yield "postgresql", url
        finally:
            fresh.drop()
    else:
        yield "sqlite", f"sqlite:///{tmp / 'server.db'}"


@contextmanager
def static_file_server(folder: Path) -> Iterator[str]:
    """`python -m http.server` in a subprocess: serves the baseline's JSON array."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    process = subprocess.Popen(
        command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(url, timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait()


def entries(device: Device, count: int) -> list[DiaryEntry]:
    clock = device.store.clock
    return [
        DiaryEntry(
            space_id=device.identity.space_id or "",
            author_id=device.account_id,
            updated_hlc=clock.now(),
            text=f"{TEXT} ({n})",
            mood=1 + n % 5,
            entry_date=date(2026, 1, 1),
        )
        for n in range(count)
    ]


async def seed(phone: Device) -> None:
    for start in range(0, RECORDS, 1000):
        phone.store.diary.create_many(entries(phone, min(1000, RECORDS - start)))
    await phone.engine.push()


MODES = ("worker", "thread", "phone")


async def restore(world: World, youth, rounds: int) -> dict[str, list[float]]:
    """Each round restores three times onto fresh stores, in a rotating order: as desktops
    and the web build do (sqlcipher3, long pulls open their pages in worker processes), the
    same opening in a thread, and as phones do (the phone binding, SQLite3MC, pages opened
    in a thread: no worker processes on a phone)."""
    rates: dict[str, list[float]] = {mode: [] for mode in MODES}
    for n in range(rounds):
        signed_in = await world.restore(youth, f"restore-{n}")
        shift = n % len(MODES)
        for mode in MODES[shift:] + MODES[:shift]:
            path = world.root / f"restore-{n}-{mode}.db"
            connector = Sqlite3mcConnector() if mode == "phone" else SqlCipherConnector()
            store = Store.open(path, secrets.token_bytes(32), connector=connector)
            engine = SyncEngine(
                store, signed_in.api, signed_in.identity, open_in_worker=mode == "worker"
            )
            started = time.perf_counter()
            report = await engine.sync()
            elapsed = time.perf_counter() - started
            assert len(store.diary.list(limit=1000)) == 1000
            assert (report.opened_in_worker > 0) == (mode == "worker")
            rates[mode].append(RECORDS / elapsed)
            store.close()
    return rates


def plain_sqlite(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        "CREATE TABLE records (id TEXT PRIMARY KEY, space_id TEXT, kind TEXT, author_id TEXT, "
        "version INTEGER, deleted INTEGER, shared_with TEXT, content TEXT, created_at TEXT)"
    )
    return db


def _row(r: dict) -> tuple:
    shares = json.dumps(r["shared_with"])
    return (r["id"], r["space_id"], r["kind"], r["author_id"], r["version"], int(r["deleted"]),
            shares, json.dumps(r), r["created_at"])  # fmt: skip


def baseline(url: str, folder: Path, rounds: int) -> list[float]:
    rates = []
    for n in range(rounds):
        db = plain_sqlite(folder / f"baseline-{n}.db")
        started = time.perf_counter()
        rows = httpx.get(f"{url}/rows.json", timeout=60).json()
        db.execute("BEGIN")
        db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", map(_row, rows))
        db.execute("COMMIT")
        rates.append(len(rows) / (time.perf_counter() - started))
        db.close()
    return rates


async def envelopes(phone: Device) -> list[dict]:
    found, cursor, more = [], 0, True
    while more:
        page = await phone.api.pull(phone.identity.space_id or "", cursor, 1000)
        found += [r.model_dump(mode="json") for r in page.records]
        cursor, more = page.cursor, page.has_more
    return found


async def incremental(phone: Device, tablet: Device) -> dict[str, float]:
    await phone.engine.sync()  # both start up to date: this measures the steady state
    await tablet.engine.sync()
    chosen = phone.store.diary.list(limit=CHANGES)
    for entry in chosen:
        phone.store.diary.update(entry.model_copy(update={"mood": 1 + entry.mood % 5}))
    started = time.perf_counter()
    await phone.engine.sync()
    pushed = time.perf_counter()
    report = await tablet.engine.sync()
    pulled = time.perf_counter()
    assert report.pulled == CHANGES
    return {
        "changes": CHANGES,
        "push_sync_ms": round((pushed - started) * 1000, 1),
        "pull_sync_ms": round((pulled - pushed) * 1000, 1),
        "total_ms": round((pulled - started) * 1000, 1),
    }


async def chat(world: World, base_url: str, *, to_youth: bool) -> dict[str, float]:
    """Messages one way, each timed from the sender's local write until it is stored on
    the receiver's device, whose app (AccountSync with its live channel) does the rest.
    To the youth, the nudge carries the message; to the caregiver it makes the app pull."""
    youth, phone = await world.youth("Amal")
    els = await world.caregiver("Els")
    await world.link(phone, els)
    chat_on_phone = conversation(phone, youth.space_id, [youth.account_id, els.account_id])
    await phone.sync()
    await els.sync()
    sender, receiver = (els, phone) if to_youth else (phone, els)
    vault = MemoryVault()
    vault.set(KEYS_SECRET, receiver.identity.keys.to_bytes())
    vault.set(TOKEN_SECRET, (receiver.api.token or "").encode())
    app = AccountSync(receiver.store, vault, receiver.identity, base_url)
    waiting: dict[str, asyncio.Future[float]] = {}

    def arrived(_state: SyncState) -> None:
        for message_id, future in list(waiting.items()):
            if not future.done() and receiver.store.messages.get(message_id) is not None:
                future.set_result(time.perf_counter())

    app.state.subscribe(arrived)
    app.start()
    await asyncio.wait_for(app.live.connected.wait(), 10)
    while app.state.state.phase is not SyncPhase.UP_TO_DATE:  # the start-up sync
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    thread = sender.store.conversations.get(chat_on_phone.id)
    latencies = []
    try:
        for n in range(MESSAGES):
            started = time.perf_counter()
            sent = message(sender, thread, f"Bericht {n}: tot straks!")
            waiting[sent.id] = asyncio.get_running_loop().create_future()
            await sender.engine.push()
            landed = await asyncio.wait_for(waiting[sent.id], 10)
            del waiting[sent.id]
            latencies.append((landed - started) * 1000)
    finally:
        await app.stop()
    return {
        "direction": "caregiver -> youth" if to_youth else "youth -> caregiver",
        "messages": MESSAGES,
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2),
        "target_p50_ms": 15,
        "target_p99_ms": 50,
    }


async def main(rounds: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    with database(tmp) as (backend, url), running_server_process(url) as server:
        world = World(server.url, url, tmp, lambda: None)
        try:
            youth, phone = await world.youth("Sam")
            await seed(phone)
            restore_rates = await restore(world, youth, rounds)
            rows = await envelopes(phone)
            (tmp / "files").mkdir()
            (tmp / "files" / "rows.json").write_text(json.dumps(rows))
            with static_file_server(tmp / "files") as static:
                baseline_rates = baseline(static, tmp, rounds)
            tablet = world.devices[-1]
            steps = await incremental(phone, tablet)
            to_youth = await chat(world, server.url, to_youth=True)
            to_caregiver = await chat(world, server.url, to_youth=False)
        finally:
            await world.close()
    best, plain = max(restore_rates["worker"]), max(baseline_rates)
    return {
        "benchmark": "sync",
        "server": f"companion-server serve (subprocess) on {backend}, loopback",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "restore": {
            "records": RECORDS,
            "rounds": rounds,
            "records_per_s_best": round(best),
            "records_per_s_all": [round(r) for r in restore_rates["worker"]],
            "target_records_per_s": 5000,
            "opening_in_a_thread_records_per_s": [round(r) for r in restore_rates["thread"]],
            "phone_store_sqlite3mc_opening_in_a_thread_records_per_s": [
                round(r) for r in restore_rates["phone"]
            ],
            "ratio_desktop_best_over_phone_best": round(best / max(restore_rates["phone"]), 2),
            "baseline_plain_json_sqlite3_records_per_s": round(plain),
            "ratio_baseline_over_restore": round(plain / best, 2),
        },
        "incremental": steps,
        "chat_latency": to_youth,
        "chat_latency_to_caregiver": to_caregiver,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="restores measured (best wins)")
    print(json.dumps(asyncio.run(main(parser.parse_args().rounds)), indent=2))
