"""Small key/value tables: device metadata, and the sync engine's per-space pull cursors."""

from __future__ import annotations

from companion.store.database import Database
from companion.store.errors import InvalidQueryError

MAX_META_KEY = 100


class MetaStore:
    """Device-level settings (device id, account id, clock node) kept inside the encrypted file."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> str | None:
        rows = self._db.query("SELECT value FROM meta WHERE key = ?", (_key(key),))
        return rows[0][0] if rows else None

    def set(self, key: str, value: str) -> None:
        if not isinstance(value, str):
            raise InvalidQueryError("meta values are strings")
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_key(key), value),
            )

    def delete(self, key: str) -> None:
        """Forget a key (absent keys are fine): e.g. one-time secrets once they were used."""
        with self._db.transaction():
            self._db.execute("DELETE FROM meta WHERE key = ?", (_key(key),))


def _key(key: object) -> str:
    if not isinstance(key, str) or not key or len(key) > MAX_META_KEY:
        raise InvalidQueryError(f"meta keys are non-empty strings of at most {MAX_META_KEY}")
    return key


class CursorStore:
    """Where each space's pull left off; 0 means "from the beginning"."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, space_id: str) -> int:
        rows = self._db.query("SELECT cursor FROM sync_state WHERE space_id = ?", (space_id,))
        return int(rows[0][0]) if rows else 0

    def all(self) -> dict[str, int]:
        """Every space's cursor: together they say how far this device has pulled."""
        rows = self._db.query("SELECT space_id, cursor FROM sync_state ORDER BY space_id")
        return {str(space_id): int(cursor) for space_id, cursor in rows}

    def set(self, space_id: str, cursor: int) -> None:
        if isinstance(cursor, bool) or not isinstance(cursor, int) or cursor < 0:
            raise InvalidQueryError("a sync cursor is a non-negative integer")
        if not isinstance(space_id, str) or not space_id:
            raise InvalidQueryError("space_id must be a non-empty string")
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO sync_state (space_id, cursor) VALUES (?, ?) "
                "ON CONFLICT (space_id) DO UPDATE SET cursor = excluded.cursor",
                (space_id, cursor),
            )
