"""Local changes waiting to be pushed, written in the same transaction as the change itself.

A crash can therefore never leave a change the sync engine does not know about, nor an
outbox row for a change that did not happen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from companion.store.database import Database
from companion.store.errors import InvalidQueryError
from companion_wire import RecordKind

MAX_PENDING = 1000
_ADD = "INSERT INTO outbox (record_id, kind, op, created_at) VALUES (?, ?, ?, ?)"


class OutboxOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


@dataclass(frozen=True)
class OutboxItem:
    seq: int  # push order: strictly increasing, never reused
    record_id: str
    kind: RecordKind
    op: OutboxOp
    created_at: datetime


class Outbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, record_id: str, kind: RecordKind, op: OutboxOp) -> None:
        """Queue one change; call inside the transaction that makes it."""
        self._db.execute(_ADD, (record_id, kind.value, op.value, datetime.now(UTC).isoformat()))

    def add_many(self, kind: RecordKind, op: OutboxOp, record_ids: Iterable[str]) -> None:
        """Queue changes of one kind, in order (batch writes)."""
        now = datetime.now(UTC).isoformat()
        self._db.executemany(
            _ADD,
            [(record_id, kind.value, op.value, now) for record_id in record_ids],
        )

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """The oldest queued changes first, in the order they were made."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PENDING:
            raise InvalidQueryError(f"limit must be an integer from 1 to {MAX_PENDING}")
        rows = self._db.query(
            "SELECT seq, record_id, kind, op, created_at FROM outbox ORDER BY seq LIMIT ?",
            (limit,),
        )
        return [
            OutboxItem(seq, record_id, RecordKind(kind), OutboxOp(op), datetime.fromisoformat(at))
            for seq, record_id, kind, op, at in rows
        ]

    def remove(self, seqs: Iterable[int]) -> None:
        """Forget changes the server acknowledged; unknown seqs are ignored (replays are safe)."""
        rows = [(seq,) for seq in seqs]
        if any(isinstance(s, bool) or not isinstance(s, int) for (s,) in rows):
            raise InvalidQueryError("outbox seqs must be integers")
        with self._db.transaction():
            self._db.executemany("DELETE FROM outbox WHERE seq = ?", rows)

    def record_ids(self) -> frozenset[str]:
        """Every record with a change waiting to be sent (what the screens mark unsent)."""
        return frozenset(row[0] for row in self._db.query("SELECT DISTINCT record_id FROM outbox"))

    def count(self) -> int:
        return int(self._db.query("SELECT count(*) FROM outbox")[0][0])
