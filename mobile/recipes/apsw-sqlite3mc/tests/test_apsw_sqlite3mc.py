# On-device checks for the apsw-sqlite3mc wheel (mobile-forge style: plain test functions,
# each importing what it needs). Also run on the Linux wheel by
# mobile/build_sqlite3mc_wheel.sh, so they are known to pass somewhere.
import os
import tempfile

VERSION = "3.54.0"
# Companion's store format: SQLCipher 4, 2 KiB pages, HMAC-SHA256, raw 256-bit key.
FORMAT = (
    "PRAGMA cipher = 'sqlcipher'",
    "PRAGMA legacy = 4",
    "PRAGMA legacy_page_size = 2048",
    "PRAGMA hmac_algorithm = 1",
    "PRAGMA kdf_algorithm = 2",
)
KEY = "x'" + bytes(range(32)).hex() + "'"


def _keyed(path):
    import apsw

    conn = apsw.Connection(path)
    for pragma in FORMAT:
        conn.execute(pragma).fetchall()
    conn.execute(f'PRAGMA key = "{KEY}"').fetchall()
    return conn


def test_versions_and_the_bundled_cipher_engine():
    import apsw

    assert apsw.apsw_version().startswith(VERSION), apsw.apsw_version()
    assert apsw.sqlite_lib_version().startswith(VERSION), apsw.sqlite_lib_version()
    assert apsw.using_amalgamation
    (mc,) = apsw.Connection(":memory:").execute("SELECT sqlite3mc_version()").fetchone()
    assert mc.startswith("SQLite3 Multiple Ciphers"), mc


def test_the_extensions_the_store_needs_are_compiled_in():
    import apsw

    options = set(apsw.compile_options)
    assert {"ENABLE_FTS5", "TEMP_STORE=2", "SECURE_DELETE"} <= options, options
    conn = apsw.Connection(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("INSERT INTO t VALUES ('één café')")
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH 'een cafe'").fetchone() == (1,)


def test_an_encrypted_file_round_trips_and_refuses_a_wrong_key():
    import apsw

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "store.db")
        conn = _keyed(path)
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute("CREATE TABLE notes (text)")
        conn.execute("INSERT INTO notes VALUES ('geheim')")
        conn.close()
        with open(path, "rb") as f:
            raw = f.read()
        assert b"geheim" not in raw and not raw.startswith(b"SQLite format 3")
        assert len(raw) % 2048 == 0

        assert _keyed(path).execute("SELECT text FROM notes").fetchall() == [("geheim",)]
        wrong = apsw.Connection(path)
        for pragma in FORMAT:
            wrong.execute(pragma).fetchall()
        wrong.execute("PRAGMA key = \"x'" + bytes(32).hex() + "'\"").fetchall()
        try:
            wrong.execute("SELECT count(*) FROM sqlite_master").fetchall()
        except apsw.NotADBError:
            pass
        else:
            raise AssertionError("a wrong key opened the file")
