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


def result_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of a driver exception, when it carries one.

    sqlite3 and sqlcipher3 name it `sqlite_errorcode`, APSW `extendedresult` / `result`.
    """
    for name in ("sqlite_errorcode", "extendedresult", "result"):
        code = getattr(exc, name, None)
        if isinstance(code, int) and code >= 0:
            return code & 0xFF
    return None


def translate(exc: BaseException) -> StoreError:
    """Map a driver exception to a typed store error (by SQLite result code, else by message).

    Works with any binding whose exceptions carry the result code (sqlite3, sqlcipher3,
    APSW) and falls back on SQLite's fixed English messages for those that do not.
    """
    code = result_code(exc)
    kind: type[StoreError] | None = None
    if code is not None:
        kind = _BY_CODE.get(code)
    if kind is None:
        text = str(exc).lower()
        kind = next((k for needle, k in _BY_MESSAGE if needle in text), StoreError)
    error = kind(str(exc))
    error.__cause__ = exc
    return error


def is_not_a_database(exc: BaseException) -> bool:
    """True when SQLite rejected page 1: with SQLCipher that means wrong key or foreign file."""
    code = result_code(exc)
    if code is not None:
        return code == SQLITE_NOTADB
    return "file is not a database" in str(exc).lower()
