"""Opening the encrypted database file safely, behind a small connector adapter.

Phones need a different SQLCipher binding than desktops (DESIGN §7), so everything
binding-specific sits in a `StoreConnector` (sqlcipher3 here, SQLite3MC in sqlite3mc.py,
chosen in binding.py); the rest of the store speaks a small DB-API subset.

Safety rule: a file we cannot open is never modified. SQLite checkpoints (rewrites) the
database and deletes a left-over `-wal` when a connection closes, even one keyed wrongly,
so the key is first checked through an `immutable=1` snapshot connection, which takes no
locks and writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from companion.store.errors import (
    CorruptDatabaseError,
    InvalidKeyError,
    StoreError,
    WrongKeyError,
    is_not_a_database,
    translate,
)

KEY_BYTES = 32


class OpenMode(Enum):
    """How a connector opens the file (SQLite URI `mode` / `immutable` parameters)."""

    READ_WRITE = "mode=rw"
    READ_ONLY = "mode=ro"
    SNAPSHOT = "mode=ro&immutable=1"  # no locks, no -wal/-shm: reads the main file only


class Cursor(Protocol):
    rowcount: int

    def fetchall(self) -> list[Any]: ...

    def fetchone(self) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The DB-API subset the store uses; both sqlite3 and sqlcipher3 provide it."""

    @property
    def in_transaction(self) -> bool: ...

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Any, /) -> Cursor: ...

    def close(self) -> None: ...


class StoreConnector(Protocol):
    """Opens a keyed connection: autocommit (the store issues BEGIN itself), any-thread use."""

    @property
    def error(self) -> type[Exception]:
        """The binding's DB-API `Error` base class."""
        ...

    def connect(self, path: Path, key: bytes, mode: OpenMode) -> Connection: ...


class SqlCipherConnector:
    """Desktop binding: `sqlcipher3` with a raw 256-bit key, so no passphrase KDF runs."""

    def __init__(self) -> None:
        import sqlcipher3  # imported here so platforms without it can still import the store

        self._module = sqlcipher3

    @property
    def error(self) -> type[Exception]:
        return self._module.Error

    def connect(self, path: Path, key: bytes, mode: OpenMode) -> Connection:
        try:
            conn = self._module.connect(
                f"{path.as_uri()}?{mode.value}",
                uri=True,
                isolation_level=None,
                check_same_thread=False,  # the store serialises access with its own lock
            )
        except self._module.Error as exc:
            raise translate(exc) from exc
        try:
            # Process-wide setting: keeps "hmac check failed" lines out of stderr / logcat.
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            for pragma in CIPHER_FORMAT:
                conn.execute(pragma)
        except self._module.Error as exc:
            conn.close()
            raise translate(exc) from exc
        return conn


# The file format, fixed before the first file shipped: every binding (desktop sqlcipher3,
# SQLCipher for Android/iOS) must set exactly these after the key, or it cannot open the file.
# HMAC-SHA256 and 2 KiB pages cut the per-save cost of encrypting and authenticating pages
# (docs/benchmarks.md, "Store"); both keep SQLCipher 4's AES-256 and per-page authentication.
CIPHER_PAGE_SIZE = 2048
CIPHER_FORMAT = (
    f"PRAGMA cipher_page_size = {CIPHER_PAGE_SIZE}",
    "PRAGMA cipher_hmac_algorithm = HMAC_SHA256",
)
# The same format for SQLite3 Multiple Ciphers (phones), set *before* the key: SQLCipher 4
# (AES-256, per-page HMAC), then our page size and HMAC-SHA256 (1). The KDF is never run
# with a raw key; it is named so every parameter of the format is written down.
SQLITE3MC_FORMAT = (
    "PRAGMA cipher = 'sqlcipher'",
    "PRAGMA legacy = 4",
    f"PRAGMA legacy_page_size = {CIPHER_PAGE_SIZE}",
    "PRAGMA hmac_algorithm = 1",
    "PRAGMA kdf_algorithm = 2",
)


def check_key(key: object) -> bytes:
    """The key must be 32 raw bytes (random, from the key vault), never a passphrase."""
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
        raise InvalidKeyError(f"the database key must be {KEY_BYTES} raw bytes")
    return bytes(key)


def prepare_file(path: str | Path) -> Path:
    """Make sure the file exists, creating it empty and owner-only when absent."""
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if not path.is_file():
            raise StoreError(f"{path} exists and is not a file") from None
    else:
        os.close(fd)
    return path


def _read(conn: Connection, error: type[Exception], sql: str) -> Any:
    """Run a read that needs the key; a page-1 failure means wrong key or not our file."""
    try:
        return conn.execute(sql).fetchall()
    except error as exc:
        if is_not_a_database(exc):
            raise WrongKeyError(
                "this key does not open the database, or the file is not a Companion database"
            ) from exc
        raise translate(exc) from exc


def _user_version(conn: Connection, error: type[Exception]) -> int:
    """Read the schema through the key, then the schema version."""
    _read(conn, error, "SELECT count(*) FROM sqlite_master")
    return int(_read(conn, error, "PRAGMA user_version")[0][0])


def _check_key(conn: Connection, error: type[Exception]) -> None:
    """Decrypt and authenticate page 1 only (the header holding user_version), nothing else."""
    _read(conn, error, "PRAGMA user_version")


def _wal_pending(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def probe(path: Path, key: bytes, connector: StoreConnector) -> int | None:
    """Schema version of an existing database, found without changing any file.

    None for an empty (new) file. Raises WrongKeyError / CorruptDatabaseError.

    Committed but not yet checkpointed changes (after a crash, or a close on a full disk)
    live only in the -wal, and the main file alone may be inconsistent: a checkpoint that
    stopped half-way (no room to grow the file) leaves a new page 1 counting pages that
    only the -wal holds. So with a -wal the snapshot only checks the key on page 1 (a wrong
    key fails there, as WrongKeyError); damage it then reports is the main file lagging
    behind the -wal. The schema is read through a read-only connection that replays the
    -wal: it never checkpoints and leaves the database and the -wal as they are.
    """
    if path.stat().st_size == 0:
        return None  # SQLite takes a zero-length file for an empty database, any -wal as stale
    pending = _wal_pending(path)
    conn = connector.connect(path, key, OpenMode.SNAPSHOT)
    try:
        if not pending:
            return _user_version(conn, connector.error)
        _check_key(conn, connector.error)
    except CorruptDatabaseError:
        if not pending:
            raise
    finally:
        conn.close()
    conn = connector.connect(path, key, OpenMode.READ_ONLY)
    try:
        return _user_version(conn, connector.error)
    finally:
        conn.close()


def connect(
    path: Path, key: bytes, connector: StoreConnector, *, busy_timeout: float
) -> Connection:
    """Open read-write with the store's durability settings (WAL, synchronous=FULL)."""
    conn = connector.connect(path, key, OpenMode.READ_WRITE)
    try:
        conn.execute(f"PRAGMA busy_timeout = {round(busy_timeout * 1000)}")
        _user_version(conn, connector.error)
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON",
        ):
            conn.execute(pragma).fetchall()
    except connector.error as exc:
        conn.close()
        raise translate(exc) from exc
    except StoreError:
        conn.close()
        raise
    return conn
