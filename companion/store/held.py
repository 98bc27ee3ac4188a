"""Versions waiting for their signer to be verified.

A version is accepted only from someone this account verified (docs/security.md). One that
comes from someone not verified yet is not shown and not thrown away either: it waits here,
as the server sent it (sealed), and is opened once the person is verified. Only the newest
waiting version of a record is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from companion.store.database import Database


@dataclass(frozen=True)
class HeldVersion:
    record_id: str
    space_id: str
    signer_id: str
    version: int
    envelope: str  # the RecordEnvelope's JSON, as pulled


class HeldStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def put_many(self, held: Iterable[HeldVersion]) -> None:
        rows = [(h.record_id, h.space_id, h.signer_id, h.version, h.envelope) for h in held]
        if not rows:
            return
        with self._db.transaction():
            self._db.executemany(
                "INSERT INTO held_versions (record_id, space_id, signer_id, version, envelope) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (record_id) DO UPDATE SET "
                "space_id = excluded.space_id, signer_id = excluded.signer_id, "
                "version = excluded.version, envelope = excluded.envelope "
                "WHERE excluded.version > held_versions.version",
                rows,
            )

    def of(self, signer_id: str) -> list[HeldVersion]:
        """What waits for `signer_id`, oldest first."""
        rows = self._db.query(
            "SELECT record_id, space_id, signer_id, version, envelope FROM held_versions "
            "WHERE signer_id = ? ORDER BY version",
            (signer_id,),
        )
        return [HeldVersion(*row) for row in rows]

    def signers(self) -> dict[str, int]:
        """Who has versions waiting, and how many."""
        rows = self._db.query("SELECT signer_id, count(*) FROM held_versions GROUP BY signer_id")
        return {signer: int(count) for signer, count in rows}

    def drop(self, record_ids: Iterable[str]) -> None:
        rows = [(record_id,) for record_id in record_ids]
        if rows:
            with self._db.transaction():
                self._db.executemany("DELETE FROM held_versions WHERE record_id = ?", rows)

    def drop_space(self, space_id: str) -> None:
        with self._db.transaction():
            self._db.execute("DELETE FROM held_versions WHERE space_id = ?", (space_id,))
