"""Failures in the middle of a change: a change and its outbox row land together or not at
all; a full disk or a held lock raise typed errors and lose nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.store import (
    ConstraintError,
    DatabaseLockedError,
    DiskFullError,
    Store,
    StoreError,
)
from companion_wire import new_id
from tests.store.store_samples import KEY, ExtraSqlConnector, entry

FAIL_OUTBOX = (
    "CREATE TEMP TRIGGER fail_outbox BEFORE INSERT ON main.outbox "
    "BEGIN SELECT RAISE(ABORT, 'injected: crash before the outbox row'); END"
)


@pytest.fixture
def seeded(db_path: Path) -> tuple[str, str]:
    """A store holding one entry; returns (space, entry id)."""
    space = new_id()
    with Store.open(db_path, KEY) as store:
        return space, store.diary.create(entry("Bestaand verhaal", space)).id


def test_a_failed_outbox_write_undoes_the_record_write(
    db_path: Path, seeded: tuple[str, str]
) -> None:
    space, existing = seeded
    with Store.open(db_path, KEY, connector=ExtraSqlConnector(FAIL_OUTBOX)) as store:
        before = store.diary.get(existing)
        with pytest.raises(ConstraintError):
            store.diary.create(entry("Nieuw geheim verhaal", space))
        with pytest.raises(ConstraintError):
            store.diary.update(before.model_copy(update={"text": "Aangepast verhaal"}))
        with pytest.raises(ConstraintError):
            store.diary.delete(existing)

        assert [e.id for e in store.diary.list(space_id=space)] == [existing]
        assert store.diary.get(existing) == before
        assert store.diary.search("geheim") == []
        assert store.diary.search("aangepast") == []
        assert store.outbox.count() == 1

    with Store.open(db_path, KEY) as store:
        assert [e.text for e in store.diary.list(space_id=space)] == ["Bestaand verhaal"]
        assert store.outbox.count() == 1


def test_a_failing_group_of_writes_leaves_none_of_them(store: Store) -> None:
    space = new_id()
    with pytest.raises(RuntimeError), store.transaction():
        store.diary.create(entry("eerste", space))
        store.meta.set("step", "1")
        raise RuntimeError("the service gave up half-way")
    assert store.diary.list(space_id=space) == []
    assert store.meta.get("step") is None
    assert store.outbox.count() == 0


def test_an_inner_failure_rolls_back_only_the_inner_group(store: Store) -> None:
    space = new_id()
    with store.transaction():
        outer = store.diary.create(entry("buiten", space))
        with pytest.raises(RuntimeError), store.transaction():
            store.diary.create(entry("binnen", space))
            raise RuntimeError("inner step failed")
    assert [e.id for e in store.diary.list(space_id=space)] == [outer.id]
    assert store.outbox.count() == 1


def test_a_full_disk_raises_a_typed_error_and_keeps_every_saved_entry(
    db_path: Path, seeded: tuple[str, str]
) -> None:
    space, existing = seeded
    # SQLite's page limit stands in for the disk: it fails exactly where a full disk does.
    full = ExtraSqlConnector("PRAGMA max_page_count = 1")  # clamps to the current size
    with Store.open(db_path, KEY, connector=full) as store:
        with pytest.raises(DiskFullError):
            store.diary.create(entry("Een heel lang verhaal. " * 800, space))
        assert [e.id for e in store.diary.list(space_id=space)] == [existing]
        assert store.outbox.count() == 1

    with Store.open(db_path, KEY) as store:
        assert [e.id for e in store.diary.list(space_id=space)] == [existing]
        store.diary.create(entry("Weer ruimte", space))  # the file is still writable
        assert store.outbox.count() == 2


def test_a_write_while_another_connection_holds_the_lock_raises_locked(
    db_path: Path, seeded: tuple[str, str]
) -> None:
    space, _ = seeded
    with Store.open(db_path, KEY) as holder, Store.open(db_path, KEY, busy_timeout=0.05) as other:
        with holder.transaction():
            holder.diary.create(entry("van de eerste", space))
            with pytest.raises(DatabaseLockedError):
                other.diary.create(entry("van de tweede", space))
            assert len(other.diary.list(space_id=space)) == 1  # readers are not blocked
        other.diary.create(entry("van de tweede", space))
        assert len(other.diary.list(space_id=space)) == 3


def test_a_store_error_is_raised_for_a_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        Store.open(tmp_path, KEY)


@pytest.mark.parametrize("timeout", [-1, True, "5"])
def test_a_bad_busy_timeout_is_refused_before_any_file_exists(
    db_path: Path, timeout: object
) -> None:
    with pytest.raises(ValueError):
        Store.open(db_path, KEY, busy_timeout=timeout)  # type: ignore[arg-type]
    assert not db_path.exists()
