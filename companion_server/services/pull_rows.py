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

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import BigInteger, Connection, Integer, bindparam, insert, select

from companion_server.access import SpaceLinkRow, spaces_with_links
from companion_server.db.engine import Database
from companion_server.db.models import AccessLog, RecordRead, table_of
from companion_server.db.types import read_time, stored_time
from companion_server.services.records import RECORD_COLUMNS, RECORDS, WIRE_COLUMNS

# A row of WIRE_COLUMNS: the record's columns with `shared_with` and `wraps` as their JSON
# text and the times as stored (naive UTC); fields are also readable by name.
PageRow = Any


class OwnPage(Protocol):
    def page(self, space_id: str, cursor: int, limit: int) -> list[PageRow]: ...


class LinkedPage(Protocol):
    def access_and_page(
        self, person_id: str, space_id: str, cursor: int, limit: int
    ) -> tuple[list[SpaceLinkRow], list[PageRow]]:
        """Their access, and the page of what they hold a wrap or a notice of: rows of
        WIRE_COLUMNS then the version at which they hold it (the page's order)."""
        ...

    def deliver(self, log: list[dict[str, Any]]) -> None:
        """Log this delivery (and commit)."""
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
_READS = table_of(RecordRead)
_LINKED_PAGE = (
    select(*WIRE_COLUMNS, _READS.c.version.label("held_at"))
    .select_from(_READS.join(RECORDS, RECORDS.c.id == _READS.c.record_id))
    .where(
        _READS.c.space_id == bindparam("space_id"),
        _READS.c.reader_id == bindparam("reader_id"),
        _READS.c.version > bindparam("cursor", type_=BigInteger),
    )
    .order_by(_READS.c.version)
    .limit(bindparam("limit", type_=Integer))
)
_LOG = insert(table_of(AccessLog))


class CoreRows:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def page(self, space_id: str, cursor: int, limit: int) -> list[PageRow]:
        params = {"space_id": space_id, "cursor": cursor, "limit": limit}
        return list(self.connection.execute(_PAGE, params).all())

    def access_and_page(
        self, person_id: str, space_id: str, cursor: int, limit: int
    ) -> tuple[list[SpaceLinkRow], list[PageRow]]:
        spaces: list[SpaceLinkRow] = list(
            self.connection.execute(spaces_with_links([space_id], person_id))
        )
        params = {"space_id": space_id, "reader_id": person_id, "cursor": cursor, "limit": limit}
        return spaces, list(self.connection.execute(_LINKED_PAGE, params).all())

    def deliver(self, log: list[dict[str, Any]]) -> None:
        if log:
            self.connection.execute(_LOG, log)


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
_PG_RECORDS_COLUMNS = ", ".join(
    f"records.{column}::text AS {column}"
    if column in ("shared_with", "wraps")
    else f"records.{column}"
    for column in RECORD_COLUMNS
)
_PG_LINKED_PAGE = (
    f"SELECT {_PG_RECORDS_COLUMNS}, record_reads.version AS held_at FROM record_reads "
    "JOIN records ON records.id = record_reads.record_id "
    "WHERE record_reads.space_id = %s AND record_reads.reader_id = %s "
    "AND record_reads.version > %s ORDER BY record_reads.version LIMIT %s"
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
            page.execute(_PG_LINKED_PAGE, (space_id, person_id, cursor, limit))
        return [(*row[:6], *map(read_time, row[6:])) for row in spaces.fetchall()], page.fetchall()

    def deliver(self, log: list[dict[str, Any]]) -> None:
        connection = self.connection
        with connection.cursor() as cursor, connection.pipeline():
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
