"""High-water marks: for every record, the newest version this device accepted.

A version is its revision (one more per change of the record) and its digest (what its
signer sealed for each reader, companion.crypto.envelope). A mark outlives the record
itself: after a deletion or an unshare the record leaves the device, its mark stays, so a
server that serves an older version again (a rollback) is caught however much later. The
audience is who held a wrap or notice of that version: whoever seals the next one tells
those who lose it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from companion.store.database import Database
from companion.store.errors import InvalidRecordError

_IDS_PER_QUERY = 500


@dataclass(frozen=True)
class Mark:
    revision: int
    digest: bytes
    audience: tuple[str, ...] = ()


class MarkStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, record_id: str) -> Mark | None:
        return self.get_many([record_id]).get(record_id)

    def get_many(self, record_ids: Iterable[str]) -> dict[str, Mark]:
        ids = list(dict.fromkeys(record_ids))
        found: dict[str, Mark] = {}
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start : start + _IDS_PER_QUERY]
            rows = self._db.query(
                "SELECT record_id, revision, digest, audience FROM record_marks "
                f"WHERE record_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for record_id, revision, digest, audience in rows:
                found[record_id] = Mark(int(revision), bytes(digest), tuple(json.loads(audience)))
        return found

    def set_many(self, marks: Iterable[tuple[str, Mark]]) -> None:
        """Raise the marks (a mark never goes down: a lower revision is ignored)."""
        rows = []
        for record_id, mark in marks:
            if not isinstance(mark.revision, int) or mark.revision < 1 or len(mark.digest) != 32:
                raise InvalidRecordError(f"not a version mark for {record_id}")
            rows.append((record_id, mark.revision, mark.digest, json.dumps(list(mark.audience))))
        if not rows:
            return
        with self._db.transaction():
            self._db.executemany(
                "INSERT INTO record_marks (record_id, revision, digest, audience) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (record_id) DO UPDATE SET "
                "revision = excluded.revision, digest = excluded.digest, "
                "audience = excluded.audience WHERE excluded.revision >= record_marks.revision",
                rows,
            )
