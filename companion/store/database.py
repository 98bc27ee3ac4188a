"""One connection, one lock, nestable transactions, typed errors.

Flet runs event handlers on worker threads, so every use of the single connection is
serialised by a re-entrant lock held for the whole of a transaction. Outer transactions
start with BEGIN IMMEDIATE (take the write lock up front: no deadlock when a read later
turns into a write); nested ones are savepoints, so services can group repository calls.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from companion.store.connection import Connection, Cursor
from companion.store.errors import StoreError, translate


class Database:
    def __init__(self, conn: Connection, error: type[Exception]) -> None:
        self._conn = conn
        self._error = error
        self._lock = threading.RLock()
        self._depth = 0
        self._aborted = False  # SQLite rolled the whole transaction back under a savepoint

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        with self._lock:
            try:
                return self._conn.execute(sql, params)
            except self._error as exc:
                raise translate(exc) from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Cursor:
        with self._lock:
            try:
                return self._conn.executemany(sql, rows)
            except self._error as exc:
                raise translate(exc) from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except self._error as exc:
                raise translate(exc) from exc

    def transaction(self) -> Transaction:
        """All or nothing: commit on normal exit, roll back (to the savepoint) on any error."""
        return Transaction(self)

    def _begin(self) -> int:
        """Open a transaction (or a savepoint inside one) and return its depth; lock held."""
        depth = self._depth
        if depth == 0:
            self._aborted = False
            self.execute("BEGIN IMMEDIATE")
        else:
            self.execute(f"SAVEPOINT sp{depth}")
        self._depth = depth + 1
        return depth

    def _finish(self, depth: int) -> None:
        if self._aborted or not self._conn.in_transaction:
            self._aborted = True
            raise StoreError("the database rolled this transaction back after an earlier error")
        try:
            self.execute("COMMIT" if depth == 0 else f"RELEASE sp{depth}")
        except StoreError:
            self._undo(depth)
            raise

    def _undo(self, depth: int) -> None:
        # SQLite may already have rolled everything back (disk full, I/O error).
        if not self._conn.in_transaction:
            self._aborted = depth > 0
            return
        if depth == 0:
            self.execute("ROLLBACK")
        else:
            self.execute(f"ROLLBACK TO sp{depth}")
            self.execute(f"RELEASE sp{depth}")

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.close()
            except self._error as exc:
                raise translate(exc) from exc


class Transaction:
    """`Database.transaction()`. A plain class rather than `@contextmanager`: every save
    passes through here, and the generator version costs twice the Python overhead."""

    __slots__ = ("_db", "_depth")

    def __init__(self, db: Database) -> None:
        self._db = db
        self._depth = 0

    def __enter__(self) -> None:
        db = self._db
        db._lock.acquire()  # held until __exit__: the whole transaction is one critical section
        try:
            self._depth = db._begin()
        except BaseException:
            db._lock.release()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        db = self._db
        try:
            db._depth -= 1
            if exc_type is None:
                db._finish(self._depth)
            else:
                db._undo(self._depth)
        finally:
            db._lock.release()
