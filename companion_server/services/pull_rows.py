"""The database side of a pull: the page of records, and for a linked person their access,
what they were given before and the access-log rows of this delivery.

The youth reads their own space with one statement (no transaction around it on
PostgreSQL: one statement is atomic on its own). A linked person's pull is one
transaction: read their access and the page, then (from the page) which hidden records
they had received before, and log what they receive now.

On PostgreSQL (`PipelinedRows`) these go through psycopg's pipeline mode: BEGIN, the
access and the page in one round trip; the access-log lookup, the new log rows and the
COMMIT in a second. The server runs them one after another as if sent one by one (the
page is read even when access turns out to be refused; it is then dropped, and the
transaction rolled back). Elsewhere (`CoreRows`: SQLite) the same statements run one by
one through SQLAlchemy Core, in a BEGIN IMMEDIATE transaction for a linked person.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import BigInteger, Connection, Integer, bindparam, insert, select

from companion_server.access import spaces_with_links
from companion_server.db.engine import Database
from companion_server.db.models import AccessLog
from companion_server.db.types import read_time, stored_time
from companion_server.services.records import RECORD_COLUMNS, RECORDS, WIRE_COLUMNS

# A row of WIRE_COLUMNS: the record's columns with `shared_with` and `wraps` as their JSON
# text and the times as stored (naive UTC); fields are also readable by name.
PageRow = Any
SpaceLinkRow = Sequence[Any]  # a row of access.spaces_with_links


class OwnPage(Protocol):
    def page(self, space_id: str, cursor: int, limit: int) -> list[PageRow]: ...


class LinkedPage(Protocol):
    def access_and_page(
        self, person_id: str, space_id: str, cursor: int, limit: int
    ) -> tuple[list[SpaceLinkRow], list[PageRow]]: ...

    def deliver(self, person_id: str, hidden: list[str], log: list[dict[str, Any]]) -> set[str]:
        """Log this delivery; return which of the hidden record ids the access log shows
        as delivered to this person before."""
        ...


@contextmanager
def own_space(db: Database) -> Iterator[OwnPage]:
    """For the youth: one read statement."""
    if db.is_sqlite:
        with db.read_connection() as connection:
            yield CoreRows(connection)
        return
    with db.psycopg_connection() as connection:
        yield PipelinedRows(connection)


@contextmanager
def linked_space(db: Database) -> Iterator[LinkedPage]:
    """For a linked person: one write transaction (it logs the delivery), committed when
    `deliver` has run, rolled back otherwise."""
    if db.is_sqlite:
        with db.write_connection() as connection:
            yield CoreRows(connection)
        return
    with db.psycopg_connection() as connection:
        yield PipelinedRows(connection)


# --- SQLAlchemy Core, one statement at a time --------------------------------------------------

_PAGE = (
    select(*WIRE_COLUMNS)
    .where(
        RECORDS.c.space_id == bindparam("space_id"),
        RECORDS.c.version > bindparam("cursor", type_=BigInteger),
    )
    .order_by(RECORDS.c.version)
    .limit(bindparam("limit", type_=Integer))
)
_DELIVERED = (
    select(AccessLog.record_id)
    .where(
        AccessLog.account_id == bindparam("account_id"),
        AccessLog.record_id.in_(bindparam("record_ids", expanding=True)),
    )
    .distinct()
)
_LOG = insert(AccessLog.__table__)


class CoreRows:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def page(self, space_id: str, cursor: int, limit: int) -> list[PageRow]:
        params = {"space_id": space_id, "cursor": cursor, "limit": limit}
        return list(self.connection.execute(_PAGE, params).all())

    def access_and_page(
        self, person_id: str, space_id: str, cursor: int, limit: int
    ) -> tuple[list[SpaceLinkRow], list[PageRow]]:
        spaces = list(self.connection.execute(spaces_with_links([space_id], person_id)))
        return spaces, self.page(space_id, cursor, limit)

    def deliver(self, person_id: str, hidden: list[str], log: list[dict[str, Any]]) -> set[str]:
        delivered: set[str] = set()
        if hidden:
            params = {"account_id": person_id, "record_ids": hidden}
            delivered = set(self.connection.scalars(_DELIVERED, params))
        if log:
            self.connection.execute(_LOG, log)
        return delivered


# --- PostgreSQL through psycopg's pipeline mode ------------------------------------------------

_PG_COLUMNS = ", ".join(
    f"{column}::text AS {column}" if column in ("shared_with", "wraps") else column
    for column in RECORD_COLUMNS
)
_PG_PAGE = (
    f"SELECT {_PG_COLUMNS} FROM records WHERE space_id = %s AND version > %s "
    "ORDER BY version LIMIT %s"
)
_PG_ACCESS = (
    "SELECT spaces.id, spaces.owner_id, spaces.version, links.person_id, links.role,"
    " links.status, links.starts_at, links.ends_at, links.invitation_expires_at "
    "FROM spaces LEFT OUTER JOIN links"
    " ON links.space_id = spaces.id AND links.person_id = %s "
    "WHERE spaces.id = %s"
)
_PG_DELIVERED = (
    "SELECT DISTINCT record_id FROM access_log "
    "WHERE account_id = %s AND record_id = ANY(%s::varchar[])"
)
_PG_LOG = (
    "INSERT INTO access_log (space_id, account_id, record_id, kind, route, at) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


class PipelinedRows:
    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def page(self, space_id: str, cursor: int, limit: int) -> list[PageRow]:
        with self.connection.cursor(row_factory=namedtuple_row) as rows:
            return rows.execute(_PG_PAGE, (space_id, cursor, limit)).fetchall()

    def access_and_page(
        self, person_id: str, space_id: str, cursor: int, limit: int
    ) -> tuple[list[SpaceLinkRow], list[PageRow]]:
        connection = self.connection
        with connection.pipeline():
            connection.execute("BEGIN")
            spaces = connection.execute(_PG_ACCESS, (person_id, space_id))
            page = connection.cursor(row_factory=namedtuple_row)
            page.execute(_PG_PAGE, (space_id, cursor, limit))
        return [(*row[:6], *map(read_time, row[6:])) for row in spaces.fetchall()], page.fetchall()

    def deliver(self, person_id: str, hidden: list[str], log: list[dict[str, Any]]) -> set[str]:
        connection = self.connection
        with connection.cursor() as cursor, connection.pipeline():
            delivered = connection.execute(_PG_DELIVERED, (person_id, hidden)) if hidden else None
            if log:
                cursor.executemany(
                    _PG_LOG,
                    [
                        (
                            row["space_id"],
                            row["account_id"],
                            row["record_id"],
                            row["kind"],
                            row["route"],
                            stored_time(row["at"]),
                        )
                        for row in log
                    ],
                )
            connection.execute("COMMIT")
        return {record_id for (record_id,) in delivered.fetchall()} if delivered else set()
