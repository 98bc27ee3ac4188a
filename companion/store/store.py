"""The encrypted local store: the one object the app and the sync engine talk to."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

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
    Reminder,
)
from companion.store import schema
from companion.store.binding import default_connector
from companion.store.codec import READ_COLUMNS, WRITE_COLUMNS, checked, decode, values
from companion.store.connection import (
    StoreConnector,
    check_key,
    connect,
    prepare_file,
    probe,
)
from companion.store.database import Database, Transaction
from companion.store.errors import CorruptDatabaseError, InvalidQueryError, InvalidRecordError
from companion.store.held import HeldStore
from companion.store.kinds import SPECS
from companion.store.kv import CursorStore, MetaStore
from companion.store.marks import MarkStore
from companion.store.outbox import Outbox, OutboxOp
from companion.store.remote import RemoteRecord
from companion.store.repository import DiaryRepository, Repository
from companion_wire import RecordKind

CLOCK_NODE_KEY = "clock_node"
ACCOUNT_KEY = "account_id"  # the account that writes on this device (set at sign-up)
log = logging.getLogger(__name__)
# called with the ids of the records a committed transaction queued in the outbox
ChangeListener = Callable[[tuple[str, ...]], None]

_UPSERT_REMOTE = (
    f"INSERT INTO records ({', '.join(WRITE_COLUMNS)}, server_version, dirty) "
    f"VALUES ({', '.join('?' * len(WRITE_COLUMNS))}, ?, 0) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in WRITE_COLUMNS[2:])
    + ", server_version = excluded.server_version, dirty = 0 "
    "WHERE records.kind = excluded.kind"
)
_SET_STAMPS = (
    "INSERT INTO sync_fields (record_id, stamps) VALUES (?, ?) "
    "ON CONFLICT (record_id) DO UPDATE SET stamps = excluded.stamps"
)
_IDS_PER_QUERY = 500  # well under SQLite's limit on bound parameters


class _TrackingTransaction(Transaction):
    """A transaction that forgets the outbox ids noted inside it when it rolls back, and
    hands the whole transaction's ids to the store once the outermost one committed."""

    __slots__ = ("_mark",)
    _db: _TrackingDatabase  # only _TrackingDatabase.transaction() makes these

    def __enter__(self) -> None:
        super().__enter__()  # the database lock is held from here until __exit__ returns
        self._mark = len(self._db.queued)

    def __exit__(self, exc_type, exc, tb) -> None:
        db = self._db
        committed: tuple[str, ...] = ()
        db._lock.acquire()  # keep the lock past the parent's release to settle `queued`
        try:
            try:
                super().__exit__(exc_type, exc, tb)
            except BaseException:
                del db.queued[self._mark :]
                raise
            if exc_type is not None:
                del db.queued[self._mark :]
            elif self._depth == 0 and db.queued:
                committed, db.queued = tuple(dict.fromkeys(db.queued)), []
        finally:
            db._lock.release()
        if committed:
            db.committed(committed)  # outside the lock and the transaction


class _TrackingDatabase(Database):
    """The store's database: it remembers which records each transaction queued for sync."""

    def __init__(self, conn, error: type[Exception]) -> None:
        super().__init__(conn, error)
        self.queued: list[str] = []
        self.committed: ChangeListener = lambda _ids: None

    def transaction(self) -> Transaction:
        return _TrackingTransaction(self)

    def note(self, record_ids: Iterable[str]) -> None:
        """Outbox rows were written: report them after the commit (at once outside one)."""
        with self._lock:
            if self._depth > 0:
                self.queued.extend(record_ids)
                return
        self.committed(tuple(record_ids))


class _TrackingOutbox(Outbox):
    def __init__(self, db: _TrackingDatabase) -> None:
        super().__init__(db)
        self._tracking = db

    def add(self, record_id: str, kind: RecordKind, op: OutboxOp) -> None:
        super().add(record_id, kind, op)
        self._tracking.note((record_id,))

    def add_many(self, kind: RecordKind, op: OutboxOp, record_ids: Iterable[str]) -> None:
        ids = list(record_ids)
        super().add_many(kind, op, ids)
        self._tracking.note(ids)


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
        if not isinstance(db, _TrackingDatabase):
            raise TypeError("open a store with Store.open")
        self._db = db
        self._listeners: list[ChangeListener] = []
        db.committed = self._local_change
        self.meta = MetaStore(db)
        self.cursors = CursorStore(db)
        self.marks = MarkStore(db)
        self.held = HeldStore(db)
        self.outbox = _TrackingOutbox(db)
        self.clock = clock or HybridClock(self._clock_node())

        # One repository per kind, from the kinds' specs: the one kind -> repository table.
        author = self.account_id
        self.diary = DiaryRepository(
            db, SPECS[RecordKind.DIARY_ENTRY], self.clock, self.outbox, author
        )
        self._by_kind: dict[RecordKind, Repository[Any]] = {
            kind: self.diary
            if kind is RecordKind.DIARY_ENTRY
            else Repository(db, spec, self.clock, self.outbox, author)
            for kind, spec in SPECS.items()
        }
        self.moods = self._by_kind[RecordKind.MOOD_CHECKIN]
        self.goals = self._by_kind[RecordKind.GOAL]
        self.steps = self._by_kind[RecordKind.GOAL_STEP]
        self.reminders = self._by_kind[RecordKind.REMINDER]
        self.conversations = self._by_kind[RecordKind.CONVERSATION]
        self.messages = self._by_kind[RecordKind.MESSAGE]
        self.documents = self._by_kind[RecordKind.DOCUMENT]
        self.comments = self._by_kind[RecordKind.DOCUMENT_COMMENT]

    def account_id(self) -> str:
        """The account that writes on this device: the author every new record gets."""
        account = self.meta.get(ACCOUNT_KEY)
        if account is None:
            raise InvalidRecordError("this store has no account yet: nobody can write in it")
        return account

    def repository_for(self, kind: RecordKind) -> Repository[Any]:
        """The repository that keeps records of `kind` (what sync and export go through
        when the kind is only known at run time)."""
        try:
            return self._by_kind[RecordKind(kind)]
        except ValueError:
            raise InvalidQueryError(f"not a record kind: {kind!r}") from None

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
        the file. `connector` swaps the SQLCipher binding; by default it is the platform's
        (binding.default_connector: sqlcipher3 on desktops, SQLite3MC on phones).
        """
        key = check_key(key)
        if (
            isinstance(busy_timeout, bool)
            or not isinstance(busy_timeout, int | float)
            or busy_timeout < 0
        ):
            raise ValueError("busy_timeout is a non-negative number of seconds")
        connector = connector or default_connector()
        path = prepare_file(path)
        version = probe(path, key, connector)
        if version is not None:
            schema.ensure_supported(version)
        db = _TrackingDatabase(
            connect(path, key, connector, busy_timeout=busy_timeout), connector.error
        )
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

    def on_local_change(self, listener: ChangeListener) -> Callable[[], None]:
        """Call `listener` with the record ids after every commit that queued outbox rows
        (the sync layer's cue to send them); returns the function that unsubscribes.

        It runs on the writing thread, after the transaction, never inside it; a listener
        that fails is logged and cannot undo or break the write that already happened.
        """
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _local_change(self, record_ids: tuple[str, ...]) -> None:
        for listener in list(self._listeners):
            try:
                listener(record_ids)
            except Exception:
                log.exception("a local-change listener failed")

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

    def apply_remote_many(self, items: Sequence[tuple[RemoteRecord, int, str]]) -> None:
        """Store a page of pulled records at once: (record, server version, field stamps).

        What `apply_remote` plus `set_field_stamps` do per record, written with two
        `executemany` in one transaction. The records were validated when they were made
        (`RemoteRecord`), so they are not validated again. All or nothing: one refusal (a
        bad version, a stamp a day ahead, an id of another kind) raises InvalidRecordError
        and writes nothing.
        """
        if not items:
            return
        for remote, server_version, stamps in items:
            if not isinstance(remote, RemoteRecord):
                raise InvalidRecordError(f"not a pulled record: {type(remote).__name__}")
            if isinstance(server_version, bool) or not isinstance(server_version, int):
                raise InvalidRecordError("server_version must be an integer")
            if server_version < 0:
                raise InvalidRecordError("server_version must not be negative")
            if not isinstance(stamps, str):
                raise InvalidRecordError("field stamps are JSON text")
        newest = max((remote for remote, _, _ in items), key=lambda remote: remote.order)
        try:
            self.clock.observe(newest.order)  # refuses before anything changes
        except ValueError as exc:
            raise InvalidRecordError(str(exc)) from exc
        with self._db.transaction():
            cursor = self._db.executemany(
                _UPSERT_REMOTE, [(*remote.row, version) for remote, version, _ in items]
            )
            if cursor.rowcount != len(items):
                raise InvalidRecordError("a pulled id already belongs to another kind here")
            self._db.executemany(_SET_STAMPS, [(remote.id, stamps) for remote, _, stamps in items])

    def sync_infos(self, record_ids: Iterable[str]) -> dict[str, SyncInfo]:
        """`sync_info` for many records in few queries (the ones not stored are absent)."""
        ids = list(dict.fromkeys(record_ids))
        found: dict[str, SyncInfo] = {}
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start : start + _IDS_PER_QUERY]
            rows = self._db.query(
                "SELECT id, kind, server_version, dirty, deleted, updated_hlc FROM records "
                f"WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for record_id, kind, version, dirty, deleted, hlc in rows:
                found[record_id] = SyncInfo(
                    RecordKind(kind), version, bool(dirty), bool(deleted), hlc
                )
        return found

    def purge(self, record_id: str) -> None:
        """Hard delete, with any queued outbox rows for it: the record left this device
        (unshared, link ended, or a tombstone the server already has). Its version mark
        stays: an older version served again later is still recognised."""
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
        self._db.execute(_SET_STAMPS, (record_id, stamps))

    def check_integrity(self) -> None:
        """Read every page and check its HMAC and the b-tree structure (slow on big files:
        run it in the background). Raises CorruptDatabaseError; changes nothing.

        SQLite3MC (phones) has no cipher_integrity_check (an unknown pragma returns no
        rows): there quick_check reads, and so authenticates, every page in use; free pages,
        which hold no records, go unread."""
        problems = [r[0] for r in self._db.query("PRAGMA cipher_integrity_check")]
        problems += [r[0] for r in self._db.query("PRAGMA quick_check") if r[0] != "ok"]
        if problems:
            raise CorruptDatabaseError("; ".join(problems[:5]))
