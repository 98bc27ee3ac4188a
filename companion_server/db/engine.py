"""Engine and transactions: SQLite (WAL, foreign keys, BEGIN IMMEDIATE for writes) or PostgreSQL.

Writes on SQLite start with BEGIN IMMEDIATE, so two writers never both read a version
counter and then collide on upgrade to a write lock; on PostgreSQL the counter row is
locked with SELECT ... FOR UPDATE inside the transaction instead.
"""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

_WRITE = "companion_write"


def normalise_url(url: str) -> str:
    """Plain postgresql:// URLs mean psycopg 3 here (the only PostgreSQL driver we ship)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if is_sqlite(url):
        return _sqlite_engine(url)
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_timeout=30)
    event.listen(engine, "checkout", _alive_or_replaced)
    return engine


def _alive_or_replaced(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Connections are checked before use, without a round trip: an idle connection has
    nothing to read unless the server ended it (a restart, a failover, a terminated backend
    sends its FATAL notice and closes). Such a one is replaced at checkout (SQLAlchemy
    retries with a fresh connection) instead of failing the request that drew it. A
    `pool_pre_ping` would cost every request a second round trip for the same answer."""
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("connection closed while idle in the pool")
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        raise DisconnectionError("the server ended this connection while it was idle")


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """Owns the engine; hands out read and write transactions as sessions."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, pool_size)
        self.is_sqlite = is_sqlite(self.url)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._write_engine = self.engine.execution_options(**{_WRITE: True})
        self._writer = sessionmaker(self._write_engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any exception."""
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A read transaction on a plain Core connection (no ORM session: the hot routes)."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A write transaction on a plain Core connection (BEGIN IMMEDIATE on SQLite):
        committed on success, rolled back on any exception."""
        with self._write_engine.begin() as connection:
            yield connection

    @contextmanager
    def psycopg_connection(self) -> Iterator[psycopg.Connection[Any]]:
        """PostgreSQL only, for the hot routes that pipeline their statements: a pooled
        connection as psycopg's own, in autocommit mode (send BEGIN and COMMIT yourself:
        psycopg would wait for the answer to its implicit BEGIN). A transaction still open
        at the end is rolled back; psycopg errors come out as SQLAlchemy's DBAPIError
        subclasses, as from every other route (a lost race is an IntegrityError: 409)."""
        try:
            pooled = self.engine.raw_connection()
        except psycopg.Error as exc:  # no connection could be made (not wrapped on this path)
            raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc
        connection = pooled.driver_connection
        try:
            if not isinstance(connection, psycopg.Connection):
                raise TypeError("psycopg_connection needs PostgreSQL through psycopg")
            connection.autocommit = True
            try:
                yield connection
            except psycopg.Error as exc:
                raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc
            finally:
                if not connection.closed and not connection.broken:
                    connection.rollback()  # a no-op unless a transaction is still open
                    connection.autocommit = False
        finally:
            pooled.close()  # back to the pool (which resets, or drops, the connection)

    def ping(self) -> None:
        """One `SELECT 1` round trip (no transaction on PostgreSQL); raises when unreachable."""
        if self.is_sqlite:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return
        with self.psycopg_connection() as connection:
            connection.execute("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()
