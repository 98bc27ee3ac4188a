"""Phone binding: APSW built with SQLite3 Multiple Ciphers (`apsw-sqlite3mc`).

`sqlcipher3` has no Android or iOS build; SQLite3MC reads and writes SQLCipher-4 files when
told the exact format (`SQLITE3MC_FORMAT`), so the same file opens on both bindings.

APSW is not DB-API: cursors have no `rowcount`, statements run as you iterate them, and
errors carry `result`/`extendedresult`. `_Connection` turns it into the small protocol the
store speaks (connection.py); errors.translate reads APSW's codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from companion.store.connection import SQLITE3MC_FORMAT, Connection, OpenMode
from companion.store.errors import translate


class _Cursor:
    """The rows of one finished statement, and how many rows it changed.

    Rows are read at once (as sqlite3 does for every statement but a SELECT): a statement
    left half-read would keep a read open on the connection between store calls.
    """

    __slots__ = ("_next", "_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount

    def fetchall(self) -> list[Any]:
        rows = self._rows[self._next :]
        self._next = len(self._rows)
        return rows

    def fetchone(self) -> Any:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def __iter__(self) -> Iterator[Any]:
        while (row := self.fetchone()) is not None:
            yield row


class _Connection:
    """An APSW connection behind the store's DB-API subset (autocommit, as APSW always is)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    @property
    def in_transaction(self) -> bool:
        return bool(self._conn.in_transaction)

    def _run(self, sql: str, parameters: Sequence[Any]) -> tuple[list[Any], int]:
        # changes() keeps the count of the last INSERT/UPDATE/DELETE, so it only belongs to
        # this statement if total_changes() moved (it did not for a SELECT or a no-op write).
        before = self._conn.total_changes()
        rows = self._conn.execute(sql, parameters).fetchall()
        changed = self._conn.changes() if self._conn.total_changes() != before else 0
        return rows, changed

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> _Cursor:
        rows, changed = self._run(sql, parameters)
        return _Cursor(rows, changed)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> _Cursor:
        """One statement per row (APSW caches the prepared statement), so `rowcount` is the
        sum of each row's direct changes, as in sqlite3; trigger changes do not count."""
        total = 0
        for row in parameters:
            total += self._run(sql, row)[1]
        return _Cursor([], total)

    def close(self) -> None:
        self._conn.close()


class Sqlite3mcConnector:
    """Phone binding with a raw 256-bit key in SQLCipher-4 mode: files open on both bindings."""

    def __init__(self) -> None:
        import apsw  # imported here so platforms without it can still import the store

        self._apsw = apsw

    @property
    def error(self) -> type[Exception]:
        return self._apsw.Error

    def connect(self, path: Path, key: bytes, mode: OpenMode) -> Connection:
        apsw = self._apsw
        access = apsw.SQLITE_OPEN_READWRITE
        if mode is not OpenMode.READ_WRITE:
            access = apsw.SQLITE_OPEN_READONLY
        try:
            conn = apsw.Connection(
                f"{path.as_uri()}?{mode.value}", flags=access | apsw.SQLITE_OPEN_URI
            )
        except apsw.Error as exc:
            raise translate(exc) from exc
        try:
            for pragma in SQLITE3MC_FORMAT:  # the cipher is chosen before the key is given
                conn.execute(pragma).fetchall()
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"").fetchall()
        except apsw.Error as exc:
            conn.close()
            raise translate(exc) from exc
        return _Connection(conn)
