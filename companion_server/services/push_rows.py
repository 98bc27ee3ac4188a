"""The database side of a push: what it reads before deciding, and what it writes after.

Everything runs in one write transaction and in this order (see push.py for why):
lock the device row; read the stored answers of the batch's mutation ids; lock the
spaces' rows in id order, with the caller's links in them; read the records the batch
names (and the conversations of its messages); then write the new and changed records,
the answers and the spaces' new versions. Every read is its own statement, so it sees
everything committed before the lock that precedes it was granted. (The caller's links are
read by the statement that locks the spaces, as of its start: a link that ends while a
push waits for a space lock applies from the next request on, like any link change that
commits after the read.)

On PostgreSQL (`PipelinedRows`) the statements go through psycopg's pipeline mode: the
reads are sent together and answered in one round trip, the writes and the COMMIT in a
second one. The server still runs them one after another, each with its own snapshot, so
the locking is exactly that of sending them one by one. A push of one chat message then
costs two round trips instead of nine (and no SQLAlchemy statement machinery, which cost
more than the round trips). Elsewhere (`CoreRows`: SQLite, under BEGIN IMMEDIATE) the same
statements run one by one through SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import psycopg
from psycopg.types.json import Json
from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from companion_server.access import SpaceLinkRow, spaces_with_links
from companion_server.auth import Caller
from companion_server.db.engine import Database
from companion_server.db.models import Device, MutationLog, RecordRead, Space, table_of
from companion_server.db.types import read_time, stored_time
from companion_server.services.records import RECORD_COLUMNS, RECORDS, StoredRecord


@dataclass
class Loaded:
    """What a push reads before it decides anything."""

    device_ok: bool  # the device still exists and is not revoked
    stored: dict[int, dict[str, Any]]  # stored answers by mutation id
    spaces: list[SpaceLinkRow]
    records: dict[str, StoredRecord]
    # space id -> the newest version in it the caller may know of (linked people only; the
    # youth knows every version)
    seen: dict[str, int] = field(default_factory=dict)


@dataclass
class Changes:
    """What a push writes: new rows, changed rows, its answers and the new versions."""

    created: list[StoredRecord] = field(default_factory=list)
    updated: list[StoredRecord] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)  # rows of `mutations`
    versions: dict[str, int] = field(default_factory=dict)  # space id -> new version
    # (reader, record, space, version): who holds a wrap or notice of a version written
    reads: list[tuple[str, str, str, int]] = field(default_factory=list)


class PushRows(Protocol):
    def load(
        self, caller: Caller, mutation_ids: list[int], space_ids: list[str], record_ids: list[str]
    ) -> Loaded: ...

    def save(self, changes: Changes) -> None: ...


@contextmanager
def push_transaction(db: Database) -> Iterator[PushRows]:
    """One write transaction: committed when the block ends, rolled back on any exception."""
    if db.is_sqlite:
        with db.write_connection() as connection:
            yield CoreRows(connection)
        return
    with _pipelined(db) as rows:
        yield rows


# --- SQLAlchemy Core, one statement at a time --------------------------------------------------

_LOCK_DEVICE = (
    select(Device.id)
    .where(Device.id == bindparam("device_id"), Device.revoked_at.is_(None))
    .with_for_update()
)
_STORED_ANSWERS = select(MutationLog.mutation_id, MutationLog.result).where(
    MutationLog.device_id == bindparam("device_id"),
    MutationLog.mutation_id.in_(bindparam("mutation_ids", expanding=True)),
)
_RECORDS = select(RECORDS).where(RECORDS.c.id.in_(bindparam("record_ids", expanding=True)))
_INSERT_RECORDS = insert(RECORDS)
_UPDATE_RECORD = update(RECORDS).where(RECORDS.c.id == bindparam("record_id"))
_INSERT_ANSWERS = insert(table_of(MutationLog))
_READS = table_of(RecordRead)
_SEEN = (
    select(_READS.c.space_id, func.max(_READS.c.version))
    .where(
        _READS.c.reader_id == bindparam("reader_id"),
        _READS.c.space_id.in_(bindparam("space_ids", expanding=True)),
    )
    .group_by(_READS.c.space_id)
)
_DROP_READS = delete(_READS).where(
    _READS.c.reader_id == bindparam("reader"), _READS.c.record_id == bindparam("record")
)
_INSERT_READS = insert(_READS)
_SPACES = table_of(Space)
_SET_VERSION = (
    update(_SPACES)
    .where(_SPACES.c.id == bindparam("space_id"))
    .values(version=bindparam("version"))
)


class CoreRows:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load(
        self, caller: Caller, mutation_ids: list[int], space_ids: list[str], record_ids: list[str]
    ) -> Loaded:
        execute = self.connection.execute
        device_ok = execute(_LOCK_DEVICE, {"device_id": caller.device_id}).first() is not None
        stored = execute(
            _STORED_ANSWERS, {"device_id": caller.device_id, "mutation_ids": mutation_ids}
        ).all()
        spaces = execute(spaces_with_links(space_ids, caller.account_id).with_for_update(of=Space))
        records = execute(_RECORDS, {"record_ids": record_ids})
        seen = execute(_SEEN, {"reader_id": caller.account_id, "space_ids": space_ids})
        return Loaded(
            device_ok=device_ok,
            stored={mutation_id: result for mutation_id, result in stored},
            spaces=list(spaces),
            records={row.id: StoredRecord(*row) for row in records},
            seen={space_id: int(version) for space_id, version in seen},
        )

    def save(self, changes: Changes) -> None:
        execute = self.connection.execute
        if changes.created:
            execute(_INSERT_RECORDS, [r.row() for r in changes.created])
        if changes.updated:
            execute(_UPDATE_RECORD, [_without_id(r.row()) for r in changes.updated])
        if changes.answers:
            execute(_INSERT_ANSWERS, changes.answers)
        if changes.versions:
            execute(
                _SET_VERSION,
                [{"space_id": s, "version": v} for s, v in changes.versions.items()],
            )
        if changes.reads:  # one row per reader and record: the newest version they hold
            execute(_DROP_READS, [{"reader": r, "record": rec} for r, rec, _, _ in changes.reads])
            execute(
                _INSERT_READS,
                [
                    {"reader_id": r, "record_id": rec, "space_id": s, "version": v}
                    for r, rec, s, v in changes.reads
                ],
            )


def _without_id(row: dict[str, Any]) -> dict[str, Any]:
    row["record_id"] = row.pop("id")
    return row


# --- PostgreSQL through psycopg's pipeline mode ------------------------------------------------

_COLUMNS = ", ".join(RECORD_COLUMNS)
_PG_LOCK_DEVICE = "SELECT id FROM devices WHERE id = %s AND revoked_at IS NULL FOR UPDATE"
_PG_STORED_ANSWERS = (
    "SELECT mutation_id, result FROM mutations "
    "WHERE device_id = %s AND mutation_id = ANY(%s::bigint[])"
)
_PG_SPACES = (
    "SELECT spaces.id, spaces.owner_id, spaces.version, links.person_id, links.role,"
    " links.status, links.starts_at, links.ends_at, links.invitation_expires_at "
    "FROM spaces LEFT OUTER JOIN links"
    " ON links.space_id = spaces.id AND links.person_id = %s "
    "WHERE spaces.id = ANY(%s::varchar[]) ORDER BY spaces.id FOR UPDATE OF spaces"
)
_PG_RECORDS = f"SELECT {_COLUMNS} FROM records WHERE id = ANY(%s::varchar[])"
_PG_INSERT_RECORD = (
    f"INSERT INTO records ({_COLUMNS}) VALUES ({', '.join(['%s'] * len(RECORD_COLUMNS))})"
)
_PG_UPDATE_RECORD = (
    "UPDATE records SET "
    + ", ".join(f"{column} = %s" for column in RECORD_COLUMNS if column != "id")
    + " WHERE id = %s"
)
_PG_INSERT_ANSWER = (
    "INSERT INTO mutations (device_id, mutation_id, space_id, result, created_at) "
    "VALUES (%s, %s, %s, %s, %s)"
)
_PG_SET_VERSION = "UPDATE spaces SET version = %s WHERE id = %s"
_PG_SEEN = (
    "SELECT space_id, max(version) FROM record_reads "
    "WHERE reader_id = %s AND space_id = ANY(%s::varchar[]) GROUP BY space_id"
)
_PG_READS = (
    "INSERT INTO record_reads (reader_id, record_id, space_id, version) "
    "SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::bigint[]) "
    "ON CONFLICT (reader_id, record_id) DO UPDATE SET version = excluded.version"
)


def _record_params(record: StoredRecord) -> list[Any]:
    """A record's values in RECORD_COLUMNS order, as SQLAlchemy would bind them."""
    return [
        record.id,
        record.space_id,
        record.kind,
        record.author_id,
        record.signer_id,
        record.revision,
        record.prev,
        record.version,
        record.deleted,
        Json(record.shared_with),
        record.conversation_id,
        record.ciphertext,
        record.nonce,
        record.content_hash,
        Json(record.wraps),
        stored_time(record.created_at),
        stored_time(record.updated_at),
    ]


@contextmanager
def _pipelined(db: Database) -> Iterator[PipelinedRows]:
    with db.psycopg_connection() as connection:
        rows = PipelinedRows(connection)
        yield rows
        if not rows.committed:  # nothing to write (every mutation was a repeat)
            connection.execute("COMMIT")


class PipelinedRows:
    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection
        self.committed = False

    def load(
        self, caller: Caller, mutation_ids: list[int], space_ids: list[str], record_ids: list[str]
    ) -> Loaded:
        connection = self.connection
        with connection.pipeline():
            connection.execute("BEGIN")
            device = connection.execute(_PG_LOCK_DEVICE, (caller.device_id,))
            stored = connection.execute(_PG_STORED_ANSWERS, (caller.device_id, mutation_ids))
            spaces = connection.execute(_PG_SPACES, (caller.account_id, space_ids))
            records = connection.execute(_PG_RECORDS, (record_ids,))
            seen = connection.execute(_PG_SEEN, (caller.account_id, space_ids))
        return Loaded(
            device_ok=device.fetchone() is not None,
            stored={mutation_id: result for mutation_id, result in stored.fetchall()},
            spaces=[(*row[:6], *map(read_time, row[6:])) for row in spaces.fetchall()],
            records={
                row[0]: StoredRecord(*row[:15], *map(read_time, row[15:]))
                for row in records.fetchall()
            },
            seen={space_id: int(version) for space_id, version in seen.fetchall()},
        )

    def save(self, changes: Changes) -> None:
        connection = self.connection
        with connection.cursor() as cursor, connection.pipeline():
            if changes.created:
                cursor.executemany(_PG_INSERT_RECORD, [_record_params(r) for r in changes.created])
            if changes.updated:
                cursor.executemany(
                    _PG_UPDATE_RECORD,
                    [[*_record_params(r)[1:], r.id] for r in changes.updated],
                )
            if changes.answers:
                cursor.executemany(
                    _PG_INSERT_ANSWER,
                    [
                        (
                            a["device_id"],
                            a["mutation_id"],
                            a["space_id"],
                            Json(a["result"]),
                            stored_time(a["created_at"]),
                        )
                        for a in changes.answers
                    ],
                )
            if changes.versions:
                cursor.executemany(_PG_SET_VERSION, [(v, s) for s, v in changes.versions.items()])
            if changes.reads:
                readers, records, spaces, versions = map(list, zip(*changes.reads, strict=True))
                connection.execute(_PG_READS, (readers, records, spaces, versions))
            connection.execute("COMMIT")
        self.committed = True
