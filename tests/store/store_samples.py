"""Building blocks for store tests: records of every kind, a connector seam, file snapshots."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

from companion.domain.models import RECORD_TYPES, DiaryEntry, Record
from companion.store import OpenMode, Repository, Store, default_connector
from companion.store.connection import Connection, prepare_file
from companion_wire import RecordKind
from tests.domain.domain_samples import STAMP, valid_fields

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
REPO = Path(__file__).resolve().parents[2]


def make(kind: RecordKind, **overrides: Any) -> Record:
    """A complete, valid record of `kind` (every optional field filled), with overrides."""
    return RECORD_TYPES[kind](**{**valid_fields(kind), **overrides})


def entry(text: str, space_id: str, **overrides: Any) -> DiaryEntry:
    fields = {
        "space_id": space_id,
        "author_id": space_id,
        "updated_hlc": STAMP,
        "text": text,
        "entry_date": date(2026, 5, 1),
        **overrides,
    }
    return DiaryEntry(**fields)


def repository(store: Store, kind: RecordKind) -> Repository:
    return store.repository_for(kind)


class ExtraSqlConnector:
    """The binding's real connector (`default_connector`), plus SQL run on every read-write
    connection.

    The seam tests use to inject failures the way the machine would cause them (a trigger
    that raises, a size limit standing in for a full disk).
    """

    def __init__(self, *statements: str) -> None:
        self._inner = default_connector()
        self._statements = statements

    @property
    def error(self) -> type[Exception]:
        return self._inner.error

    def connect(self, path: Path, key: bytes, mode: OpenMode) -> Connection:
        conn = self._inner.connect(path, key, mode)
        if mode is OpenMode.READ_WRITE:
            for statement in self._statements:
                conn.execute(statement).fetchall()
        return conn


def raw_connection(path: Path, key: bytes = KEY) -> Connection:
    """A bare keyed connection, for tests that must shape a file the store would refuse."""
    return default_connector().connect(prepare_file(path), key, OpenMode.READ_WRITE)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in `folder` with its bytes: equal snapshots mean nothing was touched."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in `folder`: equal digests mean nothing was touched."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def run_and_crash(path: Path, key: bytes, body: str) -> None:
    """Run `body` (with `store` open on `path`) in a child process that dies without closing,
    leaving the -wal and -shm files behind as a killed app would."""
    code = (
        textwrap.dedent(
            f"""
        import os
        from companion.store import Store
        store = Store.open({str(path)!r}, {key!r})
        """
        )
        + textwrap.dedent(body)
        + "\nos._exit(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=REPO)
