"""Every list a screen or the sync engine runs reads through an index, never the whole table:
timelines stay instant however many years of entries a phone holds. Checked on SQLite's
own query plans, so dropping or narrowing an index (v4 made the parent index partial) cannot
silently turn a list into a full scan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from companion.store import Store
from companion_wire import RecordKind, new_id
from tests.store.store_samples import make, repository

SPACE = new_id()
PARENT = new_id()


class _Recording:
    """The store's real connection, noting every statement run through it with its
    parameters (the same on both bindings; only sqlite3-style ones have a trace callback)."""

    def __init__(self, conn: Any, statements: list[tuple[str, Any]]) -> None:
        self._conn = conn
        self._statements = statements

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        self._statements.append((sql, parameters))
        return self._conn.execute(sql, parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def plans(store: Store, call: Callable[[], object]) -> list[str]:
    """The query plan of every records query `call` runs."""
    statements: list[tuple[str, Any]] = []
    db = store._db
    conn = db._conn
    db._conn = _Recording(conn, statements)  # type: ignore[assignment]
    try:
        call()
    finally:
        db._conn = conn
    return [
        " / ".join(row[-1] for row in store._db.query(f"EXPLAIN QUERY PLAN {sql}", parameters))
        for sql, parameters in statements
        if sql.startswith("SELECT") and "FROM records" in sql
    ]


def assert_indexed(found: list[str]) -> None:
    assert found, "no records query ran"
    for plan in found:
        assert "SCAN records" not in plan, plan
        assert "USING" in plan, plan


@pytest.mark.parametrize("kind", list(RecordKind))
def test_lists_within_a_space_use_the_space_index(store: Store, kind: RecordKind) -> None:
    repo = repository(store, kind)
    repo.create(make(kind, space_id=SPACE))
    assert_indexed(plans(store, lambda: repo.list(space_id=SPACE)))
    assert_indexed(plans(store, lambda: repo.list(space_id=SPACE, include_deleted=True)))


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        (RecordKind.GOAL_STEP, "goal_id"),
        (RecordKind.REMINDER, "goal_id"),
        (RecordKind.MESSAGE, "conversation_id"),
        (RecordKind.DOCUMENT_COMMENT, "document_id"),
        (RecordKind.APPOINTMENT, "person_id"),
        (RecordKind.APPOINTMENT_ANSWER, "appointment_id"),
        (RecordKind.DISCUSSION_POINT, "appointment_id"),
        (RecordKind.AGREEMENT, "appointment_id"),
        (RecordKind.AGREEMENT_ANSWER, "agreement_id"),
    ],
)
def test_lists_of_a_parent_use_the_partial_parent_index(
    store: Store, kind: RecordKind, parent: str
) -> None:
    repo = repository(store, kind)
    repo.create(make(kind, **{parent: PARENT}))
    found = plans(store, lambda: repo.list(**{parent: PARENT}))
    assert_indexed(found)
    assert all("records_by_parent" in plan for plan in found)


def test_filtered_and_kind_wide_lists_and_lookups_use_an_index(store: Store) -> None:
    entry = store.diary.create(make(RecordKind.DIARY_ENTRY, space_id=SPACE))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    calls = [
        lambda: store.diary.list(),
        lambda: store.diary.list(space_id=SPACE, since=date(2026, 1, 1)),
        lambda: store.diary.list(space_id=SPACE, domain="money"),
        lambda: store.goals.list(space_id=SPACE, status="active"),
        lambda: store.moods.list(space_id=SPACE, since=start),
        lambda: store.diary.get(entry.id),
        lambda: store.record(entry.id),
        lambda: store.diary.search("OCMW"),
        lambda: store.diary.search("OCMW", space_id=SPACE),
    ]
    for call in calls:
        assert_indexed(plans(store, call))
