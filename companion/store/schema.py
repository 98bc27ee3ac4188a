"""Schema versions keyed by `PRAGMA user_version`; each migration runs in one transaction.

Migrations only ever move forward. A file written by a newer app version is refused before
anything touches it: an older app cannot know what a newer migration changed.

v1: records (one table for every kind: envelope columns, JSON content, typed columns
    extracted for filters and ordering, sync columns), outbox, sync_state, meta.
v2: full-text search over diary text (FTS5, accent-insensitive), kept in sync by triggers
    and back-filled from existing entries.
v3: sync_fields, the sync engine's per-record field stamps (companion/sync/fields.py), kept
    apart from records so the content column stays exactly the record's content.
v4: fewer pages written per save (each is encrypted and authenticated on commit), and a
    parent index that lists use. The parent index now skips records without a parent
    (diary, moods, goals: one page fewer per save) and is ordered by time, so a chat's
    latest messages come straight from it; before, SQLite preferred records_by_kind and
    walked every conversation's messages. The search index keeps no per-row sizes (only
    ranking needs them; results are ordered by date) and merges its segments two at a
    time instead of four (fewer pages per save, fewer segments per search). Fixes v2's
    update triggers, which lost the words an edit kept, and rebuilds the index.
v5: sync protocol v2: record_marks (the newest version accepted per record), held_versions
    (versions waiting for their signer to be verified); what this account wrote is queued
    again for a server that starts over, the rest is pulled again.
"""

from __future__ import annotations

from companion.store.database import Database
from companion.store.errors import SchemaTooNewError

V1 = (
    """
    CREATE TABLE records (
        row_id INTEGER PRIMARY KEY,           -- stable rowid: FTS rows point at it
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        space_id TEXT NOT NULL,
        author_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_hlc TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
        shared_with TEXT NOT NULL DEFAULT '[]',
        content TEXT NOT NULL,
        at TEXT NOT NULL,                     -- when the record is about (UTC or a date)
        position INTEGER,                     -- goal steps
        parent_id TEXT,                       -- goal, conversation or document it belongs to
        status TEXT,
        domains TEXT NOT NULL DEFAULT '[]',   -- JSON list of life domains
        server_version INTEGER,
        dirty INTEGER NOT NULL DEFAULT 1 CHECK (dirty IN (0, 1))
    )
    """,
    "CREATE INDEX records_by_kind ON records (kind, deleted, at, id)",
    "CREATE INDEX records_by_space ON records (space_id, kind, deleted, at, id)",
    "CREATE INDEX records_by_parent ON records (parent_id, kind, deleted, position, at)",
    """
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        record_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE sync_state (
        space_id TEXT PRIMARY KEY,
        cursor INTEGER NOT NULL CHECK (cursor >= 0)
    )
    """,
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

_DIARY_TEXT = "json_extract({row}.content, '$.text')"
_FTS_INSERT = (
    "INSERT INTO diary_fts (rowid, text) VALUES (new.row_id, "
    + _DIARY_TEXT.format(row="new")
    + ");"
)
_FTS_DELETE = (
    "INSERT INTO diary_fts (diary_fts, rowid, text) VALUES ('delete', old.row_id, "
    + _DIARY_TEXT.format(row="old")
    + ");"
)
_LIVE_DIARY = "{row}.kind = 'diary_entry' AND {row}.deleted = 0"

V2 = (
    # Contentless: the text lives once, in records.content; FTS keeps only the index.
    """
    CREATE VIRTUAL TABLE diary_fts USING fts5 (
        text, content = '', tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER diary_fts_insert AFTER INSERT ON records
    WHEN {_LIVE_DIARY.format(row="new")} BEGIN {_FTS_INSERT} END
    """,
    f"""
    CREATE TRIGGER diary_fts_delete AFTER DELETE ON records
    WHEN {_LIVE_DIARY.format(row="old")} BEGIN {_FTS_DELETE} END
    """,
    f"""
    CREATE TRIGGER diary_fts_update_old AFTER UPDATE OF kind, deleted, content ON records
    WHEN {_LIVE_DIARY.format(row="old")} BEGIN {_FTS_DELETE} END
    """,
    f"""
    CREATE TRIGGER diary_fts_update_new AFTER UPDATE OF kind, deleted, content ON records
    WHEN {_LIVE_DIARY.format(row="new")} BEGIN {_FTS_INSERT} END
    """,
    f"""
    INSERT INTO diary_fts (rowid, text)
    SELECT row_id, {_DIARY_TEXT.format(row="records")} FROM records
    WHERE {_LIVE_DIARY.format(row="records")}
    """,
)

V3 = ("CREATE TABLE sync_fields (record_id TEXT PRIMARY KEY, stamps TEXT NOT NULL)",)

_LIVE_TEXT_UNCHANGED = (
    f"{_LIVE_DIARY.format(row='old')} AND {_LIVE_DIARY.format(row='new')} "
    f"AND {_DIARY_TEXT.format(row='old')} IS {_DIARY_TEXT.format(row='new')}"
)

V4 = (
    # v2's two update triggers could fire insert-new before delete-old: the delete then
    # took the words old and new text share out of the index. One trigger, in order; and
    # edits that keep the text (mood, domains, sharing) leave the index alone.
    "DROP TRIGGER diary_fts_update_old",
    "DROP TRIGGER diary_fts_update_new",
    f"""
    CREATE TRIGGER diary_fts_update AFTER UPDATE OF kind, deleted, content ON records
    WHEN NOT ({_LIVE_TEXT_UNCHANGED}) BEGIN
        INSERT INTO diary_fts (diary_fts, rowid, text)
        SELECT 'delete', old.row_id, {_DIARY_TEXT.format(row="old")}
        WHERE {_LIVE_DIARY.format(row="old")};
        INSERT INTO diary_fts (rowid, text)
        SELECT new.row_id, {_DIARY_TEXT.format(row="new")}
        WHERE {_LIVE_DIARY.format(row="new")};
    END
    """,
    "DROP INDEX records_by_parent",
    "CREATE INDEX records_by_parent ON records (parent_id, kind, deleted, at, id) "
    "WHERE parent_id IS NOT NULL",
    # Rebuilt from the entries (which also repairs words v2's update order lost); the
    # triggers name the table, not its options, so they keep working on the new one.
    "DROP TABLE diary_fts",
    """
    CREATE VIRTUAL TABLE diary_fts USING fts5 (
        text, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    # Measured over 1,500 single saves: 1.8 search-index pages per save instead of 2.8.
    "INSERT INTO diary_fts (diary_fts, rank) VALUES ('automerge', 2)",
    V2[-1],  # back-fill from the live entries
)

_ACCOUNT = "(SELECT value FROM meta WHERE key = 'account_id')"

V5 = (
    # Sync protocol v2 (docs/security.md): every version carries a revision and its
    # signer's digest; the device keeps the newest it accepted per record, also after the
    # record left (companion/store/marks.py).
    """
    CREATE TABLE record_marks (
        record_id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL CHECK (revision >= 1),
        digest BLOB NOT NULL,
        audience TEXT NOT NULL DEFAULT '[]'
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE held_versions (
        record_id TEXT PRIMARY KEY,
        space_id TEXT NOT NULL,
        signer_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        envelope TEXT NOT NULL
    )
    """,
    "CREATE INDEX held_by_signer ON held_versions (signer_id, version)",
    # The server forgot v1's versions: what this account wrote goes to it again as new, what
    # others wrote comes back when they send it again, every space is pulled from the start.
    "DELETE FROM outbox",
    # A file that never learnt its account (none that an app wrote) keeps everything.
    f"""
    DELETE FROM records WHERE deleted = 1
        OR ({_ACCOUNT} IS NOT NULL AND author_id IS NOT {_ACCOUNT})
    """,
    "DELETE FROM sync_fields WHERE record_id NOT IN (SELECT id FROM records)",
    f"UPDATE records SET server_version = NULL, dirty = (author_id IS {_ACCOUNT})",
    f"""
    INSERT INTO outbox (record_id, kind, op, created_at)
    SELECT id, kind, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM records
    WHERE author_id IS {_ACCOUNT} ORDER BY row_id
    """,
    "DELETE FROM sync_state",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (V1, V2, V3, V4, V5)
LATEST = len(MIGRATIONS)


def ensure_supported(version: int) -> None:
    """Refuse files from a newer app version (checked before anything is written)."""
    if version > LATEST:
        raise SchemaTooNewError(
            f"the database has schema version {version}; this app knows up to {LATEST}. "
            "Update the app to open it."
        )


def version_of(db: Database) -> int:
    return int(db.query("PRAGMA user_version")[0][0])


def migrate(db: Database, target: int = LATEST) -> int:
    """Apply the missing migrations up to `target`, one transaction each; returns the version."""
    if not 0 <= target <= LATEST:
        raise ValueError(f"target must be between 0 and {LATEST}")
    version = version_of(db)
    ensure_supported(version)
    while version < target:
        with db.transaction():
            version = version_of(db)  # another process may have migrated meanwhile
            if version >= target:
                break
            for statement in MIGRATIONS[version]:
                db.execute(statement)
            version += 1
            db.execute(f"PRAGMA user_version = {version}")
    return version
