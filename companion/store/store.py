"""The encrypted local store: the one object the app and the sync engine talk to."""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from companion.domain.hlc import HybridClock
from companion.domain.models import (
    RECORD_TYPES,
    Conversation,
    Document,
    DocumentComment,
    Goal,
    GoalStep,
    Message,
    MoodCheckin,
    Record,
    RecordKind,
    Reminder,
)
from companion.store import schema
from companion.store.codec import READ_COLUMNS, WRITE_COLUMNS, checked, decode, values
from companion.store.connection import (
    SqlCipherConnector,
    StoreConnector,
    check_key,
    connect,
    prepare_file,
    probe,
)
from companion.store.database import Database
from companion.store.errors import CorruptDatabaseError, InvalidRecordError
from companion.store.kinds import SPECS
from companion.store.kv import CursorStore, MetaStore
from companion.store.outbox import Outbox
from companion.store.repository import DiaryRepository, Repository

CLOCK_NODE_KEY = "clock_node"

_UPSERT_REMOTE = (
    f"INSERT INTO records ({', '.join(WRITE_COLUMNS)}, server_version, dirty) "
    f"VALUES ({', '.join('?' * len(WRITE_COLUMNS))}, ?, 0) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in WRITE_COLUMNS[2:])
    + ", server_version = excluded.server_version, dirty = 0 "
    "WHERE records.kind = excluded.kind"
)


@dataclass(frozen=True)
class SyncInfo:
    """What the sync engine needs about one record without decoding it."""

    kind: RecordKind
    server_version: int | None  # None: the server has never seen it
    dirty: bool  # local changes the server has not acknowledged
    deleted: bool
    updated_hlc: str


class Store:
    diary: DiaryRepository
    moods: Repository[MoodCheckin]
    goals: Repository[Goal]
    steps: Repository[GoalStep]
    reminders: Repository[Reminder]
    conversations: Repository[Conversation]
    messages: Repository[Message]
    documents: Repository[Document]
    comments: Repository[DocumentComment]

    def __init__(self, db: Database, clock: HybridClock | None) -> None:
        """Use `Store.open`; this wires repositories onto an opened, migrated database."""
        self._db = db
        self.meta = MetaStore(db)
        self.cursors = CursorStore(db)
        self.outbox = Outbox(db)
        self.clock = clock or HybridClock(self._clock_node())

        def repo(kind: RecordKind) -> Repository:
            return Repository(db, SPECS[kind], self.clock, self.outbox)

        self.diary = DiaryRepository(db, SPECS[RecordKind.DIARY_ENTRY], self.clock, self.outbox)
        self.moods = repo(RecordKind.MOOD_CHECKIN)
        self.goals = repo(RecordKind.GOAL)
        self.steps = repo(RecordKind.GOAL_STEP)
        self.reminders = repo(RecordKind.REMINDER)
        self.conversations = repo(RecordKind.CONVERSATION)
        self.messages = repo(RecordKind.MESSAGE)
        self.documents = repo(RecordKind.DOCUMENT)
        self.comments = repo(RecordKind.DOCUMENT_COMMENT)

    @classmethod
    def open(
        cls,
        path: str | Path,
        key: bytes,
        *,
        clock: HybridClock | None = None,
        busy_timeout: float = 5.0,
        connector: StoreConnector | None = None,
    ) -> Store:
        """Open (creating if absent) the database at `path` with a 32-byte raw key.

        Raises WrongKeyError, CorruptDatabaseError or SchemaTooNewError without changing
        the file. `connector` swaps the SQLCipher binding (phones, tests).
        """
        key = check_key(key)
        if (
            isinstance(busy_timeout, bool)
            or not isinstance(busy_timeout, int | float)
            or busy_timeout < 0
        ):
            raise ValueError("busy_timeout is a non-negative number of seconds")
        connector = connector or SqlCipherConnector()
        path = prepare_file(path)
        version = probe(path, key, connector)
        if version is not None:
            schema.ensure_supported(version)
        db = Database(connect(path, key, connector, busy_timeout=busy_timeout), connector.error)
        try:
            schema.migrate(db)
            return cls(db, clock)
        except BaseException:
            db.close()
            raise

    def _clock_node(self) -> str:
        """This device's clock id, created once and kept in the encrypted file."""
        node = self.meta.get(CLOCK_NODE_KEY)
        if node is None:
            node = secrets.token_hex(8)
            self.meta.set(CLOCK_NODE_KEY, node)
        return node

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes: all of them happen or none. Nestable (inner ones are savepoints)."""
        return self._db.transaction()

    def record(self, record_id: str) -> Record | None:
        """Any record by id, whatever its kind (tombstones included)."""
        rows = self._db.query(
            f"SELECT kind, {READ_COLUMNS} FROM records WHERE id = ?", (record_id,)
        )
        if not rows:
            return None
        kind, *row = rows[0]
        return decode(RECORD_TYPES[RecordKind(kind)], tuple(row))

    def apply_remote(self, record: Record, server_version: int) -> None:
        """Store a record pulled from the server as is: no outbox row, not dirty.

        The sync engine merges before calling this; the clock moves past the record's stamp
        so later local edits sort after it.
        """
        if type(record) not in RECORD_TYPES.values():
            raise InvalidRecordError(f"not a record: {type(record).__name__}")
        if isinstance(server_version, bool) or not isinstance(server_version, int):
            raise InvalidRecordError("server_version must be an integer")
        if server_version < 0:
            raise InvalidRecordError("server_version must not be negative")
        record = checked(record)
        try:
            self.clock.observe(record.updated_hlc)
        except ValueError as exc:
            raise InvalidRecordError(str(exc)) from exc
        with self._db.transaction():
            cursor = self._db.execute(
                _UPSERT_REMOTE, (*values(record, SPECS[record.kind]), server_version)
            )
            if cursor.rowcount == 0:
                raise InvalidRecordError(f"id {record.id} already belongs to another kind")

    def purge(self, record_id: str) -> None:
        """Hard delete, with any queued outbox rows for it: the record left this device
        (unshared, link ended, or a tombstone the server already has)."""
        with self._db.transaction():
            self._db.execute("DELETE FROM records WHERE id = ?", (record_id,))
            self._db.execute("DELETE FROM outbox WHERE record_id = ?", (record_id,))
            self._db.execute("DELETE FROM sync_fields WHERE record_id = ?", (record_id,))

    def sync_info(self, record_id: str) -> SyncInfo | None:
        rows = self._db.query(
            "SELECT kind, server_version, dirty, deleted, updated_hlc FROM records WHERE id = ?",
            (record_id,),
        )
        if not rows:
            return None
        kind, version, dirty, deleted, hlc = rows[0]
        return SyncInfo(RecordKind(kind), version, bool(dirty), bool(deleted), hlc)

    def mark_synced(self, record_id: str, server_version: int, pushed_hlc: str) -> None:
        """Record the server's version after a push; the record stays dirty if it was edited
        again after the pushed version (its stamp moved on)."""
        if isinstance(server_version, bool) or not isinstance(server_version, int):
            raise InvalidRecordError("server_version must be an integer")
        with self._db.transaction():
            self._db.execute(
                "UPDATE records SET server_version = ?, "
                "dirty = CASE WHEN updated_hlc = ? THEN 0 ELSE dirty END WHERE id = ?",
                (server_version, pushed_hlc, record_id),
            )

    def field_stamps(self, record_id: str) -> str | None:
        """The sync engine's per-field stamps of a record (opaque JSON text), if any."""
        rows = self._db.query("SELECT stamps FROM sync_fields WHERE record_id = ?", (record_id,))
        return rows[0][0] if rows else None

    def set_field_stamps(self, record_id: str, stamps: str) -> None:
        """Kept by the sync engine next to the record; `purge` removes them with it. One
        statement (atomic alone); the engine calls it inside its page transactions."""
        if not isinstance(stamps, str):
            raise InvalidRecordError("field stamps are JSON text")
        self._db.execute(
            "INSERT INTO sync_fields (record_id, stamps) VALUES (?, ?) "
            "ON CONFLICT (record_id) DO UPDATE SET stamps = excluded.stamps",
            (record_id, stamps),
        )

    def check_integrity(self) -> None:
        """Read every page and check its HMAC and the b-tree structure (slow on big files:
        run it in the background). Raises CorruptDatabaseError; changes nothing."""
        problems = [r[0] for r in self._db.query("PRAGMA cipher_integrity_check")]
        problems += [r[0] for r in self._db.query("PRAGMA quick_check") if r[0] != "ok"]
        if problems:
            raise CorruptDatabaseError("; ".join(problems[:5]))
