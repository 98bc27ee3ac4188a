"""Schema versions: old files are upgraded with their data intact; newer files are refused
untouched, because an older app cannot know what a newer migration changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.store import SchemaTooNewError, Store, default_connector
from companion.store.database import Database
from companion.store.schema import LATEST, migrate, version_of
from companion_wire import new_id
from tests.domain.domain_samples import STAMP
from tests.store.store_samples import KEY, raw_connection, run_and_crash, snapshot

V1_COLUMNS = (
    "id, kind, space_id, author_id, created_at, updated_hlc, deleted, shared_with, "
    "content, at, position, parent_id, status, domains, dirty"
)


def write_v1_file(path: Path, space: str) -> dict[str, str]:
    """A file as the v1 app left it: rows written with v1's SQL, no search index yet."""
    ids = {name: new_id() for name in ("cafe", "mood", "gone", "goal")}
    db = Database(raw_connection(path), default_connector().error)
    assert migrate(db, target=1) == 1

    def diary(record_id: str, text: str, day: str, deleted: int) -> tuple:
        content = {
            "text": text,
            "mood": 4,
            "domains": ["money"],
            "entry_date": day,
            "conflict_of": None,
        }
        return (
            record_id, "diary_entry", space, space, "2026-05-01T09:00:00Z", STAMP, deleted,
            "[]", json.dumps(content), day, None, None, None, '["money"]', 1,
        )  # fmt: skip

    goal_content = {
        "title": "Huurcontract tekenen",
        "domain": "housing",
        "why": "",
        "target_date": None,
        "status": "active",
        "suggested_by": None,
        "starter_key": None,
    }
    rows = [
        diary(ids["cafe"], "Koffie in het café met Sam", "2026-05-02", 0),
        diary(ids["mood"], "Eindelijk één goede dag", "2026-05-03", 0),
        diary(ids["gone"], "Weggegooid café verhaal", "2026-05-04", 1),
        (
            ids["goal"], "goal", space, space, "2026-05-01T09:00:00Z", STAMP, 0, "[]",
            json.dumps(goal_content), "2026-05-01T09:00:00.000000Z", None, None, "active",
            '["housing"]', 1,
        ),
    ]  # fmt: skip
    with db.transaction():
        db.executemany(f"INSERT INTO records ({V1_COLUMNS}) VALUES ({', '.join('?' * 15)})", rows)
        db.execute(
            "INSERT INTO outbox (record_id, kind, op, created_at) "
            "VALUES (?, 'goal', 'upsert', '2026-05-01T09:00:00+00:00')",
            (ids["goal"],),
        )
        # the youth who owns the space wrote every row
        db.execute("INSERT INTO meta (key, value) VALUES ('account_id', ?)", (space,))
        db.execute("INSERT INTO sync_state (space_id, cursor) VALUES (?, 17)", (space,))
    db.close()
    return ids


def test_a_v1_file_opens_with_all_its_data_and_gains_search(db_path: Path) -> None:
    space = new_id()
    ids = write_v1_file(db_path, space)

    with Store.open(db_path, KEY) as store:
        assert version_of(store._db) == LATEST
        live = store.diary.list(space_id=space)
        assert [e.id for e in live] == [ids["mood"], ids["cafe"]]
        assert live[1].text == "Koffie in het café met Sam"
        assert store.goals.get(ids["goal"]).title == "Huurcontract tekenen"
        assert store.meta.get("account_id") == space
        # v5 (sync protocol v2): the server forgot v1's versions, so everything this
        # account wrote goes out again, tombstones are dropped and every space is pulled
        # from the start.
        assert store.diary.get(ids["gone"]) is None
        pending = {i.record_id for i in store.outbox.pending()}
        assert pending == {ids["cafe"], ids["mood"], ids["goal"]}
        assert store.cursors.get(space) == 0
        # The v2 search index was back-filled from the existing rows, tombstones left out.
        assert [e.id for e in store.diary.search("cafe")] == [ids["cafe"]]
        assert [e.id for e in store.diary.search("een")] == [ids["mood"]]


def test_v5_keeps_what_this_account_wrote_and_drops_what_others_wrote(db_path: Path) -> None:
    """Others' rows come back when their authors send them again under protocol v2; this
    account's own rows are the only copy the new server will have, so they stay and go out."""
    space = new_id()
    ids = write_v1_file(db_path, space)
    db = Database(raw_connection(db_path), default_connector().error)
    migrate(db, target=4)
    with db.transaction():
        db.execute("UPDATE records SET author_id = 'someone-else' WHERE id = ?", (ids["cafe"],))
    db.close()

    with Store.open(db_path, KEY) as store:
        assert store.diary.get(ids["cafe"]) is None
        assert store.diary.get(ids["mood"]) is not None
        assert {i.record_id for i in store.outbox.pending()} == {ids["mood"], ids["goal"]}
        assert store.marks.get(ids["mood"]) is None


def test_opening_twice_migrates_once(db_path: Path) -> None:
    Store.open(db_path, KEY).close()
    with Store.open(db_path, KEY) as store:
        assert migrate(store._db) == LATEST


def test_a_file_from_a_newer_app_is_refused_untouched(db_path: Path, tmp_path: Path) -> None:
    Store.open(db_path, KEY).close()
    conn = raw_connection(db_path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    before = snapshot(tmp_path)

    with pytest.raises(SchemaTooNewError):
        Store.open(db_path, KEY)

    assert snapshot(tmp_path) == before


def test_a_newer_version_still_only_in_the_wal_is_refused_too(
    db_path: Path, tmp_path: Path
) -> None:
    run_and_crash(
        db_path,
        KEY,
        f"""
        from pathlib import Path
        from tests.store.store_samples import raw_connection
        raw_connection(Path({str(db_path)!r})).execute("PRAGMA user_version = {LATEST + 1}")
        """,
    )
    before = snapshot(tmp_path)
    assert len(before["companion.db-wal"]) > 0

    with pytest.raises(SchemaTooNewError):
        Store.open(db_path, KEY)

    after = snapshot(tmp_path)
    assert after.keys() == before.keys()
    # The database and its WAL are byte-identical; only SQLite's shared-memory index
    # (-shm, rebuilt from the WAL by any reader) may be refreshed.
    assert after["companion.db"] == before["companion.db"]
    assert after["companion.db-wal"] == before["companion.db-wal"]


def test_migrate_rejects_an_unknown_target(store: Store) -> None:
    with pytest.raises(ValueError):
        migrate(store._db, target=LATEST + 1)


def test_a_v3_file_gets_a_rebuilt_search_index_that_finds_what_v3_lost(db_path: Path) -> None:
    """v3's update triggers dropped the words an edit kept; v4 rebuilds the index."""
    space, entry_id = new_id(), new_id()
    db = Database(raw_connection(db_path), default_connector().error)
    assert migrate(db, target=3) == 3
    content = {
        "text": "Brief van de huisbaas",
        "mood": None,
        "domains": [],
        "entry_date": "2026-05-01",
        "conflict_of": None,
    }
    row = (
        entry_id, "diary_entry", space, space, "2026-05-01T09:00:00+00:00", STAMP, 0, "[]",
        json.dumps(content), "2026-05-01", None, None, None, "[]", 1,
    )  # fmt: skip
    with db.transaction():
        db.execute(f"INSERT INTO records ({V1_COLUMNS}) VALUES ({', '.join('?' * 15)})", row)
    with db.transaction():
        content["text"] = "Mail van de huisbaas"
        db.execute("UPDATE records SET content = ? WHERE id = ?", (json.dumps(content), entry_id))
    lost = "SELECT count(*) FROM diary_fts WHERE diary_fts MATCH 'huisbaas'"
    assert db.query(lost) == [(0,)]  # the v3 bug this migration repairs
    db.close()

    with Store.open(db_path, KEY) as store:
        assert [e.id for e in store.diary.search("huisbaas")] == [entry_id]
        assert [e.id for e in store.diary.search("mail")] == [entry_id]
        assert store.diary.search("brief") == []
