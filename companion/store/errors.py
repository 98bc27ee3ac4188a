"""Typed store errors, so callers can tell a wrong key from a full disk without parsing messages.

SQLCipher cannot tell a wrong key from a file that is not a database at all (both fail the
page-1 HMAC check), so `WrongKeyError` names both possibilities honestly.
"""

from __future__ import annotations

SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CONSTRAINT = 19
SQLITE_NOTADB = 26


class StoreError(Exception):
    """Base class of everything the local store raises on purpose."""


class InvalidKeyError(StoreError, ValueError):
    """The database key is not 32 raw bytes."""


class WrongKeyError(StoreError):
    """The key does not open this file, or the file is not a Companion database."""


class CorruptDatabaseError(StoreError):
    """The file opens with this key but pages fail their integrity check."""


class SchemaTooNewError(StoreError):
    """The file was written by a newer app version; opening it could lose its data."""


class DatabaseLockedError(StoreError):
    """Another connection held the write lock longer than the busy timeout."""


class DiskFullError(StoreError):
    """The disk (or the database's size limit) is full; the change was rolled back."""


class ConstraintError(StoreError):
    """The database refused a change (a constraint or a trigger said no)."""


class NotFoundError(StoreError, LookupError):
    """No live record of that kind has that id."""


class DuplicateRecordError(StoreError):
    """A record with that id already exists."""


class InvalidRecordError(StoreError, ValueError):
    """A record or argument fails validation; nothing was written."""


class InvalidQueryError(StoreError, ValueError):
    """A list or search argument is not valid for this kind of record."""


_BY_CODE: dict[int, type[StoreError]] = {
    SQLITE_BUSY: DatabaseLockedError,
    SQLITE_LOCKED: DatabaseLockedError,
    SQLITE_CORRUPT: CorruptDatabaseError,
    SQLITE_FULL: DiskFullError,
    SQLITE_CONSTRAINT: ConstraintError,
    SQLITE_NOTADB: CorruptDatabaseError,  # after a successful open, a bad page means damage
}

_BY_MESSAGE: tuple[tuple[str, type[StoreError]], ...] = (
    ("database is locked", DatabaseLockedError),
    ("database table is locked", DatabaseLockedError),
    ("disk is full", DiskFullError),
    ("malformed", CorruptDatabaseError),
    ("file is not a database", CorruptDatabaseError),
    ("constraint failed", ConstraintError),
)


def translate(exc: BaseException) -> StoreError:
    """Map a driver exception to a typed store error (by SQLite result code, else by message).

    Works with any binding whose exceptions carry `sqlite_errorcode` (Python's sqlite3,
    sqlcipher3) and falls back on SQLite's fixed English messages for bindings that do not.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    kind: type[StoreError] | None = None
    if isinstance(code, int):
        kind = _BY_CODE.get(code & 0xFF)
    if kind is None:
        text = str(exc).lower()
        kind = next((k for needle, k in _BY_MESSAGE if needle in text), StoreError)
    error = kind(str(exc))
    error.__cause__ = exc
    return error


def is_not_a_database(exc: BaseException) -> bool:
    """True when SQLite rejected page 1: with SQLCipher that means wrong key or foreign file."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF == SQLITE_NOTADB
    return "file is not a database" in str(exc).lower()
