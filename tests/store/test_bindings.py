"""The two SQLCipher bindings share one file format: what the desktop binding (sqlcipher3)
writes, the phone binding (SQLite3MC through APSW) reads and extends, and the reverse.
Also: which binding a platform gets, and that importing the store imports neither."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from companion.phone.platform import PLATFORM_ENV

# both bindings side by side: the desktop venv (the phone venv has no sqlcipher3)
pytest.importorskip("sqlcipher3", reason="interop needs the desktop binding too")

from companion.store import (
    OpenMode,
    SqlCipherConnector,
    Store,
    StoreConnector,
    StoreError,
    default_connector,
)
from companion.store.binding import BINDING_ENV, SQLCIPHER3, SQLITE3MC, binding_name
from companion.store.connection import prepare_file
from companion.store.sqlite3mc import Sqlite3mcConnector
from companion_wire import RecordKind, new_id
from tests.store.store_samples import KEY, REPO, entry, make, repository, run_and_crash

OPENS_EACH_BINDING_ITSELF = True  # conftest: run each test once, it picks the bindings
CONNECTORS = {SQLCIPHER3: SqlCipherConnector, SQLITE3MC: Sqlite3mcConnector}
# the store's tables, and the contentless FTS5 index's own (its segments and terms)
TABLES = ("records", "outbox", "sync_state", "sync_fields", "meta")
FTS_TABLES = ("diary_fts_data", "diary_fts_idx")


def dump(path: Path, connector: StoreConnector) -> dict[str, list[Any]]:
    """Every row of every table, the search index's included, read through `connector`."""
    conn = connector.connect(path, KEY, OpenMode.READ_ONLY)
    try:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES + FTS_TABLES
        }
    finally:
        conn.close()


def fill(store: Store, space: str, label: str) -> None:
    """One record of every kind, two searchable diary entries, meta and a sync cursor."""
    for kind in RecordKind:
        repository(store, kind).create(make(kind))
    store.diary.create(entry(f"{label}: afspraak bij het OCMW over de huur", space))
    store.diary.create(entry(f"{label}: café met één vriendin, geïnteresseerd", space))
    store.meta.set(f"device_{label}", label)
    store.cursors.set(space, len(label))


@pytest.mark.parametrize(("writer", "reader"), [(SQLCIPHER3, SQLITE3MC), (SQLITE3MC, SQLCIPHER3)])
def test_a_store_written_by_one_binding_opens_with_the_other(
    db_path: Path, writer: str, reader: str
) -> None:
    space = new_id()
    with Store.open(db_path, KEY, connector=CONNECTORS[writer]()) as store:
        fill(store, space, writer)
        stored = {kind: repository(store, kind).list(limit=1000) for kind in RecordKind}
    written = dump(db_path, CONNECTORS[writer]())

    assert dump(db_path, CONNECTORS[reader]()) == written
    with Store.open(db_path, KEY, connector=CONNECTORS[reader]()) as store:
        assert {k: repository(store, k).list(limit=1000) for k in RecordKind} == stored
        assert [e.text for e in store.diary.search("ocmw huur", space_id=space)] == [
            f"{writer}: afspraak bij het OCMW over de huur"
        ]
        assert len(store.diary.search("cafe een geinteresseerd")) == 1  # accents folded
        assert store.meta.get(f"device_{writer}") == writer
        store.check_integrity()


def test_a_round_trip_desktop_phone_desktop_keeps_every_row(db_path: Path) -> None:
    space = new_id()
    with Store.open(db_path, KEY, connector=SqlCipherConnector()) as store:
        fill(store, space, "bureau")
    with Store.open(db_path, KEY, connector=Sqlite3mcConnector()) as store:
        fill(store, space, "telefoon")
        first = store.diary.search("bureau afspraak")[0]
        store.diary.update(first.model_copy(update={"text": "bureau: afspraak verzet"}))
        store.goals.delete(store.goals.list(limit=1)[0].id)
    on_phone = dump(db_path, Sqlite3mcConnector())

    assert dump(db_path, SqlCipherConnector()) == on_phone
    with Store.open(db_path, KEY, connector=SqlCipherConnector()) as store:
        assert store.diary.search("afspraak verzet")[0].id == first.id
        assert store.diary.search("bureau huur") == []  # the old text left the index
        assert len(store.diary.search("ocmw huur", space_id=space)) == 1
        assert len(store.diary.list(space_id=space, limit=1000)) == 4
        assert store.meta.get("device_telefoon") == "telefoon"
        store.check_integrity()
    assert dump(db_path, SqlCipherConnector()) == on_phone


@pytest.mark.parametrize(("writer", "reader"), [(SQLCIPHER3, SQLITE3MC), (SQLITE3MC, SQLCIPHER3)])
def test_a_crash_leftover_of_one_binding_is_recovered_by_the_other(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str, reader: str
) -> None:
    space = new_id()
    monkeypatch.setenv(BINDING_ENV, writer)  # the crashing child process's binding
    run_and_crash(
        db_path,
        KEY,
        f"""
        from tests.store.store_samples import entry
        store.diary.create(entry("Geschreven vlak voor de crash.", {space!r}))
        """,
    )
    assert db_path.with_name(db_path.name + "-wal").stat().st_size > 0
    with Store.open(db_path, KEY, connector=CONNECTORS[reader]()) as store:
        assert [e.text for e in store.diary.search("crash")] == ["Geschreven vlak voor de crash."]


def test_the_raw_key_cipher_settings_are_sqlcipher_4_with_our_page_size(db_path: Path) -> None:
    Store.open(db_path, KEY, connector=Sqlite3mcConnector()).close()
    conn = SqlCipherConnector().connect(prepare_file(db_path), KEY, OpenMode.READ_ONLY)
    try:
        assert conn.execute("PRAGMA cipher_page_size").fetchone()[0] == "2048"
        assert conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0] == "HMAC_SHA256"
        assert int(conn.execute("PRAGMA page_size").fetchone()[0]) == 2048
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ("Android", Sqlite3mcConnector),
        ("iOS", Sqlite3mcConnector),
        ("Linux", SqlCipherConnector),
        ("Darwin", SqlCipherConnector),
        ("Windows", SqlCipherConnector),
    ],
)
def test_the_platform_picks_the_binding(
    monkeypatch: pytest.MonkeyPatch, system: str, expected: type
) -> None:
    monkeypatch.delenv(BINDING_ENV, raising=False)
    monkeypatch.delenv(PLATFORM_ENV, raising=False)
    monkeypatch.setattr("platform.system", lambda: system)  # what `flet build` fakes too
    assert isinstance(default_connector(), expected)


@pytest.mark.parametrize("forced", [SQLCIPHER3, SQLITE3MC, " SQLite3MC "])
def test_the_environment_can_force_a_binding(monkeypatch: pytest.MonkeyPatch, forced: str) -> None:
    monkeypatch.setattr("platform.system", lambda: "Android")
    monkeypatch.setenv(BINDING_ENV, forced)
    assert isinstance(default_connector(), CONNECTORS[forced.strip().lower()])


def test_an_unknown_forced_binding_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BINDING_ENV, "pysqlcipher")
    with pytest.raises(StoreError, match="sqlcipher3, sqlite3mc"):
        binding_name()


def test_importing_the_store_imports_no_binding() -> None:
    """Phones have no sqlcipher3 and desktops need no APSW: each loads on first open."""
    script = (
        "import sys\n"
        "from companion.store import Store, default_connector\n"
        "loaded = {'apsw', 'sqlcipher3'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
