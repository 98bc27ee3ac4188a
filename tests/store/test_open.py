"""Opening the encrypted file: a wrong key, a foreign or damaged file, or a crash leftover
must raise a typed error and leave every byte as it was."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import apsw
import pytest

from companion.store import (
    CorruptDatabaseError,
    InvalidKeyError,
    Store,
    WrongKeyError,
)
from companion.store.connection import CIPHER_FORMAT, CIPHER_PAGE_SIZE
from companion_wire import RecordKind, new_id
from tests.store.store_samples import (
    KEY,
    OTHER_KEY,
    REPO,
    digests,
    entry,
    make,
    raw_connection,
    repository,
    run_and_crash,
    snapshot,
)


def test_every_kind_of_record_survives_close_and_reopen(db_path: Path) -> None:
    with Store.open(db_path, KEY) as store:
        stored = [repository(store, kind).create(make(kind)) for kind in RecordKind]
        store.meta.set("device_id", "phone-1")
        store.cursors.set(stored[0].space_id, 42)

    with Store.open(db_path, KEY) as store:
        assert [store.record(r.id) for r in stored] == stored
        assert [repository(store, r.kind).get(r.id) for r in stored] == stored
        assert store.meta.get("device_id") == "phone-1"
        assert store.cursors.get(stored[0].space_id) == 42
        assert store.outbox.count() == len(stored)


@pytest.mark.parametrize("bad", [b"", b"short", bytes(31), bytes(33), "x" * 32, None])
def test_a_key_that_is_not_32_bytes_is_refused_before_any_file_exists(
    db_path: Path, bad: object
) -> None:
    with pytest.raises(InvalidKeyError):
        Store.open(db_path, bad)  # type: ignore[arg-type]
    assert not db_path.exists()


def test_a_new_database_file_is_readable_by_its_owner_only(db_path: Path) -> None:
    Store.open(db_path, KEY).close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_wrong_key_raises_and_leaves_the_files_byte_identical(
    db_path: Path, tmp_path: Path
) -> None:
    with Store.open(db_path, KEY) as store:
        store.diary.create(entry("Mijn eerste dag alleen.", new_id()))
    before = snapshot(tmp_path)

    with pytest.raises(WrongKeyError):
        Store.open(db_path, OTHER_KEY)

    assert snapshot(tmp_path) == before


def test_wrong_key_after_a_crash_keeps_the_wal_and_the_right_key_recovers_it(
    db_path: Path, tmp_path: Path
) -> None:
    space = new_id()
    run_and_crash(
        db_path,
        KEY,
        f"""
        from tests.store.store_samples import entry
        store.diary.create(entry("Geschreven vlak voor de crash.", {space!r}))
        """,
    )
    before = snapshot(tmp_path)
    assert {"companion.db-wal", "companion.db-shm"} <= before.keys()
    assert len(before["companion.db-wal"]) > 0

    with pytest.raises(WrongKeyError):
        Store.open(db_path, OTHER_KEY)
    assert snapshot(tmp_path) == before

    with Store.open(db_path, KEY) as store:
        assert [e.text for e in store.diary.list(space_id=space)] == [
            "Geschreven vlak voor de crash."
        ]


def test_a_file_that_is_not_a_database_is_refused_and_untouched(
    db_path: Path, tmp_path: Path
) -> None:
    db_path.write_text("boodschappenlijst: melk, brood\n" * 200)
    before = snapshot(tmp_path)
    with pytest.raises(WrongKeyError):
        Store.open(db_path, KEY)
    assert snapshot(tmp_path) == before


def test_an_unencrypted_sqlite_file_is_refused_and_untouched(db_path: Path, tmp_path: Path) -> None:
    plain = sqlite3.connect(db_path)
    plain.execute("CREATE TABLE notes (text)")
    plain.execute("INSERT INTO notes VALUES ('niet versleuteld')")
    plain.commit()
    plain.close()
    before = snapshot(tmp_path)
    with pytest.raises(WrongKeyError):
        Store.open(db_path, KEY)
    assert snapshot(tmp_path) == before


def _sqlcipher_file(path: Path, *setup: str) -> None:
    """A real SQLCipher 4 database in a format that is not ours (sqlcipher3's defaults)."""
    sqlcipher3 = pytest.importorskip("sqlcipher3", reason="a desktop binding, to write it")
    conn = sqlcipher3.connect(str(path))
    for statement in setup:
        conn.execute(statement)
    conn.execute("CREATE TABLE notes (text)")
    conn.execute("INSERT INTO notes VALUES ('een ander formaat')")
    conn.commit()
    conn.close()


def _sqlite3mc_default_file(path: Path) -> None:
    """A SQLite3MC database in its own default cipher (ChaCha20), with our raw key."""
    conn = apsw.Connection(str(path))
    conn.execute(f"PRAGMA key = \"x'{KEY.hex()}'\"")
    conn.execute("CREATE TABLE notes (text)")
    conn.close()


FOREIGN_FORMATS = {
    "sqlcipher-4k-pages": lambda p: _sqlcipher_file(p, f"PRAGMA key = \"x'{KEY.hex()}'\""),
    "sqlcipher-passphrase": lambda p: _sqlcipher_file(
        p, "PRAGMA key = 'wachtwoord'", *CIPHER_FORMAT
    ),
    "sqlite3mc-chacha20": _sqlite3mc_default_file,
}


@pytest.mark.parametrize("make_file", FOREIGN_FORMATS.values(), ids=FOREIGN_FORMATS.keys())
def test_an_encrypted_file_of_another_format_is_refused_and_untouched(
    db_path: Path, tmp_path: Path, make_file: Callable[[Path], None]
) -> None:
    make_file(db_path)
    before = digests(tmp_path)
    with pytest.raises(WrongKeyError):
        Store.open(db_path, KEY)
    assert digests(tmp_path) == before


@pytest.fixture
def filled(db_path: Path) -> bytes:
    """The bytes of a closed store holding 300 diary entries (about 120 pages)."""
    space = new_id()
    with Store.open(db_path, KEY) as store:
        store.diary.create_many([entry(f"Dag {i}: " + "verhaal " * 40, space) for i in range(300)])
    return db_path.read_bytes()


@pytest.mark.parametrize(
    ("keep", "error"),
    [(0.5, CorruptDatabaseError), (CIPHER_PAGE_SIZE, CorruptDatabaseError), (1000, WrongKeyError)],
    ids=["half", "first-page-only", "part-of-page-one"],
)
def test_a_truncated_store_is_refused_and_untouched(
    db_path: Path, tmp_path: Path, filled: bytes, keep: float, error: type[Exception]
) -> None:
    db_path.write_bytes(filled[: int(len(filled) * keep) if keep < 1 else int(keep)])
    before = digests(tmp_path)
    with pytest.raises(error):
        Store.open(db_path, KEY)
    assert digests(tmp_path) == before


def test_a_store_missing_its_last_byte_opens_and_fails_its_integrity_check(
    db_path: Path, tmp_path: Path, filled: bytes
) -> None:
    db_path.write_bytes(filled[:-1])
    before = digests(tmp_path)
    with Store.open(db_path, KEY) as store, pytest.raises(CorruptDatabaseError):
        store.check_integrity()
    assert digests(tmp_path) == before


def test_a_damaged_page_is_reported_as_corruption_and_the_file_is_left_alone(
    db_path: Path, tmp_path: Path
) -> None:
    space = new_id()
    with Store.open(db_path, KEY) as store:
        store.diary.create_many(
            [entry(f"Dag {i}: " + "lang verhaal " * 40, space) for i in range(300)]
        )
    conn = raw_connection(db_path)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'records'").fetchone()
    conn.close()
    data = bytearray(db_path.read_bytes())
    data[(root - 1) * CIPHER_PAGE_SIZE + 200] ^= 0xFF  # a flipped byte in the table's root
    db_path.write_bytes(bytes(data))
    before = snapshot(tmp_path)

    with Store.open(db_path, KEY) as store:
        with pytest.raises(CorruptDatabaseError):
            store.check_integrity()
        with pytest.raises(CorruptDatabaseError):
            store.diary.list(space_id=space, limit=1000)

    assert snapshot(tmp_path) == before


def test_check_integrity_passes_on_a_healthy_file(store: Store) -> None:
    store.diary.create(entry("Alles in orde.", new_id()))
    store.check_integrity()


def test_plaintext_never_reaches_the_disk(db_path: Path, tmp_path: Path) -> None:
    secrets = ["Vandaag huilde ik bij de begeleider", "mijn geheime bankcode 4711", "Zanzibar"]
    space = new_id()
    store = Store.open(db_path, KEY)
    store.diary.create(entry(secrets[0], space))
    store.goals.create(make(RecordKind.GOAL, title=secrets[1]))
    store.meta.set("nickname", secrets[2])
    while_open = snapshot(tmp_path)
    store.close()
    after_close = snapshot(tmp_path)

    assert len(while_open.get("companion.db-wal", b"")) > 0  # the WAL was checked too
    for files in (while_open, after_close):
        for content in files.values():
            for secret in secrets:
                for encoded in (secret.encode(), secret.encode("utf-16-le")):
                    assert encoded not in content
                for word in secret.split():  # FTS tokens are lower-cased words
                    if len(word) >= 6:
                        assert word.encode() not in content
                        assert word.lower().encode() not in content


def test_sqlcipher_writes_no_log_lines_on_a_wrong_key(db_path: Path) -> None:
    pytest.importorskip("sqlcipher3", reason="about the desktop binding's own log")
    Store.open(db_path, KEY).close()
    # Point SQLCipher's logger at stderr first, so silence proves the store turned it off.
    script = textwrap.dedent(
        f"""
        import sys, sqlcipher3
        sqlcipher3.connect(":memory:").execute("PRAGMA cipher_log = stderr").fetchall()
        if sys.argv[1] == "store":
            from companion.store import Store, WrongKeyError
            try:
                Store.open({str(db_path)!r}, {OTHER_KEY!r})
            except WrongKeyError:
                pass
        else:
            conn = sqlcipher3.connect({str(db_path)!r})
            conn.execute("PRAGMA key = \\"x'{OTHER_KEY.hex()}'\\"")
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
            except sqlcipher3.DatabaseError:
                pass
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def stderr_of(mode: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", script, mode], capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, result.stderr
        return result.stderr

    assert "hmac check failed" in stderr_of("raw")  # without the store, SQLCipher does log
    assert stderr_of("store") == ""
