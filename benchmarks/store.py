"""Encrypted store vs plain SQLite, measured in the same run. Prints JSON.

Six columns per operation:
- `store`: the real thing on the desktop binding (Store on sqlcipher3): validation, HLC
  stamps, outbox row, FTS.
- `store_on_sqlite3mc`: the same Store on the phone binding (APSW + SQLite3 Multiple
  Ciphers, SQLCipher-4 mode, the same file format) through its connector adapter.
- `store_on_sqlite3`: the same Store code on Python's plain sqlite3 (through the connector
  adapter), to separate the cost of encryption from the cost of our Python layer.
- `raw_sqlite3`: the baseline. Hand-written SQL on plain sqlite3 with the same schema
  (same migrations, indexes, triggers, FTS tokenizer), WAL and synchronous=FULL; rows are
  built from plain dicts with json.dumps and read back with json.loads.
- `raw_sqlcipher`: exactly the baseline's code on SQLCipher with the store's raw key: what
  encryption alone costs hand-written SQL, the floor under any encrypted store's ratio.
- `raw_sqlite3mc`: the baseline's code on APSW + SQLite3MC in the store's file format: the
  phone binding's floor (APSW's own calls, no adapter).

`ratio` = store / raw_sqlite3 at p50 (target <= 1.5); `ratio_encryption_only` = store /
store_on_sqlite3; `ratio_encryption_floor` = raw_sqlcipher / raw_sqlite3; `ratio_phone` =
store_on_sqlite3mc / raw_sqlite3; `ratio_phone_vs_desktop` = store_on_sqlite3mc / store;
`ratio_phone_floor` = raw_sqlite3mc / raw_sqlite3. Samples are interleaved (one save of
each in turn, rotating who goes first), so drift in disk or CPU speed during the run hits
all columns alike. The phone figures are the binding's cost on this machine's CPU, not a
phone's.

Run from the repository root: .venv/bin/python -m benchmarks.store
"""

from __future__ import annotations

import json
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import apsw
import sqlcipher3

from companion.domain.hlc import HybridClock
from companion.domain.models import DiaryEntry
from companion.store import OpenMode, SqlCipherConnector, Store
from companion.store.connection import SQLITE3MC_FORMAT, Connection
from companion.store.schema import MIGRATIONS
from companion.store.sqlite3mc import Sqlite3mcConnector
from companion_wire import new_id

SAVES = 1000
BULK = 10_000
BULK_ROUNDS = 4  # one round per subject going first
READS = 500
WORDS = [
    "vandaag",
    "morgen",
    "werk",
    "school",
    "huis",
    "geld",
    "vrienden",
    "familie",
    "moe",
    "blij",
    "gelukkig",
    "bang",
    "boos",
    "rustig",
    "café",
    "één",
    "geïnteresseerd",
    "afspraak",
    "begeleider",
    "huur",
    "brief",
    "dokter",
    "sport",
    "muziek",
    "slapen",
    "eten",
    "koken",
    "fietsen",
    "trein",
    "stage",
    "sollicitatie",
    "loon",
    "spaarrekening",
    "verzekering",
    "mutualiteit",
    "identiteitskaart",
    "leefloon",
    "OCMW",
    "kot",
    "appartement",
    "buren",
    "zus",
    "broer",
    "mama",
    "papa",
]
SEARCHES = ("gelukkig", "cafe", "huur brief", "sollicit", "een afspraak")


class PlainSqliteConnector:
    """Python's sqlite3 behind the store's connector adapter: no encryption, same code."""

    error = sqlite3.Error

    def connect(self, path: Path, key: bytes, mode: OpenMode) -> sqlite3.Connection:
        return sqlite3.connect(
            f"{path.as_uri()}?{mode.value}",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))).capitalize() + "."


def entries(n: int, rng: random.Random, space: str, author: str) -> list[DiaryEntry]:
    clock = HybridClock("bench")
    start = date(2024, 1, 1)
    return [
        DiaryEntry(
            space_id=space,
            author_id=author,
            updated_hlc=clock.now(),
            text=sentence(rng),
            mood=rng.randint(1, 5),
            entry_date=start + timedelta(days=i % 900),
        )
        for i in range(n)
    ]


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 4),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 4),
    }


class RawSqlite:
    """The baseline: the same schema and writes, by hand, on plain sqlite3."""

    COLUMNS = (
        "id, kind, space_id, author_id, created_at, updated_hlc, deleted, shared_with, "
        "content, at, position, parent_id, status, domains, dirty"
    )
    READ = (
        "SELECT id, space_id, author_id, created_at, updated_hlc, deleted, shared_with, content "
        "FROM records WHERE "
    )

    def __init__(self, path: Path) -> None:
        self.conn = self.connect(path)
        for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
            self.conn.execute(f"PRAGMA {pragma}").fetchall()
        self.conn.execute("BEGIN")
        for migration in MIGRATIONS:
            for statement in migration:
                self.conn.execute(statement)
        self.conn.execute("COMMIT")

    def connect(self, path: Path) -> Connection:
        return sqlite3.connect(path, isolation_level=None)

    @staticmethod
    def row(entry: DiaryEntry) -> tuple:
        content = {
            "text": entry.text,
            "mood": entry.mood,
            "domains": [],
            "entry_date": entry.entry_date.isoformat(),
            "conflict_of": None,
        }
        return (
            entry.id,
            "diary_entry",
            entry.space_id,
            entry.author_id,
            entry.created_at.isoformat(),
            entry.updated_hlc,
            0,
            "[]",
            json.dumps(content, ensure_ascii=False),
            entry.entry_date.isoformat(),
            None,
            None,
            None,
            "[]",
            1,
        )

    def insert(self, batch: list[DiaryEntry]) -> None:
        now = datetime.now(UTC).isoformat()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany(
            f"INSERT INTO records ({self.COLUMNS}) VALUES ({', '.join('?' * 15)})",
            [self.row(e) for e in batch],
        )
        self.conn.executemany(
            "INSERT INTO outbox (record_id, kind, op, created_at) VALUES (?, ?, 'upsert', ?)",
            [(e.id, "diary_entry", now) for e in batch],
        )
        self.conn.execute("COMMIT")

    def _read(self, sql: str, params: tuple) -> list[dict]:
        out = []
        for rid, space, author, created, hlc, deleted, shared, content in self.conn.execute(
            self.READ + sql, params
        ):
            data = json.loads(content)
            data.update(
                id=rid,
                space_id=space,
                author_id=author,
                created_at=created,
                updated_hlc=hlc,
                deleted=bool(deleted),
                shared_with=json.loads(shared),
            )
            out.append(data)
        return out

    def latest(self) -> list[dict]:
        return self._read(
            "kind = 'diary_entry' AND deleted = 0 ORDER BY at DESC, id DESC LIMIT 50", ()
        )

    def search(self, words: str) -> list[dict]:
        expression = " ".join(f'"{w}"' for w in words.split()) + "*"
        return self._read(
            "row_id IN (SELECT rowid FROM diary_fts WHERE diary_fts MATCH ?) "
            "AND kind = 'diary_entry' AND deleted = 0 ORDER BY at DESC, id DESC LIMIT 50",
            (expression,),
        )

    def close(self) -> None:
        self.conn.close()


class RawSqlcipher(RawSqlite):
    """The baseline's code on SQLCipher, keyed like the store (raw 256-bit key, no KDF)."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.key = key
        super().__init__(path)

    def connect(self, path: Path) -> Connection:
        conn = sqlcipher3.connect(str(path), isolation_level=None)
        conn.execute(f"PRAGMA key = \"x'{self.key.hex()}'\"")
        return conn


class RawSqlite3mc(RawSqlcipher):
    """The baseline's code on APSW + SQLite3MC, in the store's file format."""

    def connect(self, path: Path) -> Connection:
        conn = apsw.Connection(str(path))
        for pragma in SQLITE3MC_FORMAT:
            conn.execute(pragma).fetchall()
        conn.execute(f"PRAGMA key = \"x'{self.key.hex()}'\"").fetchall()
        return conn  # APSW runs statements in autocommit until BEGIN, like isolation_level=None


class StoreSubject:
    """The same four operations through the Store's public API."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def insert(self, batch: list[DiaryEntry]) -> None:
        if len(batch) == 1:
            self.store.diary.create(batch[0])
        else:
            self.store.diary.create_many(batch)

    def latest(self) -> list[DiaryEntry]:
        return self.store.diary.list(limit=50)

    def search(self, words: str) -> list[DiaryEntry]:
        return self.store.diary.search(words, limit=50)

    def close(self) -> None:
        self.store.close()


def open_subjects(folder: Path, tag: str, key: bytes) -> dict[str, StoreSubject | RawSqlite]:
    return {
        "store": StoreSubject(
            Store.open(folder / f"cipher-{tag}.db", key, connector=SqlCipherConnector())
        ),
        "store_on_sqlite3mc": StoreSubject(
            Store.open(folder / f"mc-{tag}.db", key, connector=Sqlite3mcConnector())
        ),
        "store_on_sqlite3": StoreSubject(
            Store.open(folder / f"plain-{tag}.db", key, connector=PlainSqliteConnector())
        ),
        "raw_sqlcipher": RawSqlcipher(folder / f"rawcipher-{tag}.db", key),
        "raw_sqlite3mc": RawSqlite3mc(folder / f"rawmc-{tag}.db", key),
        "raw_sqlite3": RawSqlite(folder / f"raw-{tag}.db"),
    }


def interleaved(subjects: dict, repeat: int, op: Callable[[object, int], object]) -> dict:
    """Time `op(subject, i)` for every subject in turn, rotating who goes first."""
    names = list(subjects)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(repeat):
        for j in range(len(names)):
            name = names[(i + j) % len(names)]
            t0 = time.perf_counter()
            op(subjects[name], i)
            samples[name].append((time.perf_counter() - t0) * 1000)
    return {name: summary(s) for name, s in samples.items()}


def bulk_rounds(folder: Path, key: bytes, space: str, author: str) -> dict[str, float]:
    """Median of BULK_ROUNDS one-transaction inserts of BULK entries into fresh files.

    Who goes first rotates, so order effects (caches, disk state) hit every subject alike."""
    times: dict[str, list[float]] = {}
    for round_ in range(BULK_ROUNDS):
        subjects = open_subjects(folder, f"bulk{round_}", key)
        batch = entries(BULK, random.Random(round_), space, author)
        names = list(subjects)
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            subject = subjects[name]
            t0 = time.perf_counter()
            subject.insert(batch)
            times.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
            subject.close()
    return {name: round(statistics.median(t), 1) for name, t in times.items()}


def with_ratios(figures: dict, field: str | None) -> dict:
    def pick(name: str) -> float:
        return figures[name][field] if field else figures[name]

    return {
        **figures,
        "ratio": round(pick("store") / pick("raw_sqlite3"), 2),
        "ratio_encryption_only": round(pick("store") / pick("store_on_sqlite3"), 2),
        "ratio_encryption_floor": round(pick("raw_sqlcipher") / pick("raw_sqlite3"), 2),
        "ratio_phone": round(pick("store_on_sqlite3mc") / pick("raw_sqlite3"), 2),
        "ratio_phone_vs_desktop": round(pick("store_on_sqlite3mc") / pick("store"), 2),
        "ratio_phone_floor": round(pick("raw_sqlite3mc") / pick("raw_sqlite3"), 2),
    }


def sqlcipher_version() -> str:
    conn = sqlcipher3.connect(":memory:")
    try:
        (cipher,) = conn.execute("PRAGMA cipher_version").fetchone()
        (sqlite,) = conn.execute("SELECT sqlite_version()").fetchone()
    finally:
        conn.close()
    return f"{cipher} (SQLite {sqlite})"


def sqlite3mc_version() -> str:
    conn = apsw.Connection(":memory:")
    try:
        (mc,) = conn.execute("SELECT sqlite3mc_version()").fetchone()
    finally:
        conn.close()
    return f"{mc} (SQLite {apsw.sqlite_lib_version()}, APSW {apsw.apsw_version()})"


def main() -> None:
    space, author = new_id(), new_id()
    key = os.urandom(32)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subjects = open_subjects(folder, "main", key)
        singles = entries(SAVES, random.Random(1), space, author)
        save = interleaved(subjects, SAVES, lambda s, i: s.insert([singles[i]]))
        bulk = bulk_rounds(folder, key, space, author)
        filler = entries(BULK, random.Random(2), space, author)
        for subject in subjects.values():
            subject.insert(filler)
        latest = interleaved(subjects, READS, lambda s, i: s.latest())
        search = interleaved(subjects, READS, lambda s, i: s.search(SEARCHES[i % len(SEARCHES)]))
        for subject in subjects.values():
            subject.close()

    results = {
        "save_one": with_ratios(save, "p50_ms"),
        "bulk_insert_10k_ms": with_ratios(bulk, None),
        "list_50_latest": with_ratios(latest, "p50_ms"),
        "fts_search_10k": with_ratios(search, "p50_ms"),
    }
    print(
        json.dumps(
            {
                "benchmark": "store",
                "python": platform.python_version(),
                "sqlite3_version": sqlite3.sqlite_version,
                "sqlcipher_version": sqlcipher_version(),
                "sqlite3mc_version": sqlite3mc_version(),
                "samples": {"saves": SAVES, "reads": READS, "bulk_rounds": BULK_ROUNDS},
                "results": results,
                "targets": {"ratio_max": 1.5, "save_p99_ms_max": 10},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
