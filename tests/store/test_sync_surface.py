"""What the sync engine relies on: the outbox, remote writes, purges and per-record state."""

from __future__ import annotations

import pytest

from companion.domain.hlc import Stamp
from companion.store import InvalidQueryError, InvalidRecordError, OutboxOp, Store
from companion_wire import RecordKind, new_id
from tests.store.store_samples import entry, make

REMOTE_STAMP = "1767225600000-0003-server"


def test_the_outbox_keeps_every_change_in_the_order_it_was_made(store: Store) -> None:
    space = new_id()
    a = store.diary.create(entry("a", space))
    goal = store.goals.create(make(RecordKind.GOAL, space_id=space))
    store.diary.update(a.model_copy(update={"text": "a2"}))
    store.goals.delete(goal.id)

    pending = store.outbox.pending()
    assert [(i.record_id, i.kind, i.op) for i in pending] == [
        (a.id, RecordKind.DIARY_ENTRY, OutboxOp.UPSERT),
        (goal.id, RecordKind.GOAL, OutboxOp.UPSERT),
        (a.id, RecordKind.DIARY_ENTRY, OutboxOp.UPSERT),
        (goal.id, RecordKind.GOAL, OutboxOp.DELETE),
    ]
    seqs = [i.seq for i in pending]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert store.outbox.pending(limit=2) == pending[:2]


def test_removing_acknowledged_items_leaves_the_rest_and_never_reuses_a_seq(
    store: Store,
) -> None:
    made = [store.diary.create(entry(f"e{i}", new_id())) for i in range(3)]
    first, second, third = store.outbox.pending()

    store.outbox.remove([first.seq, second.seq, 999_999])  # unknown seqs: a replayed ack
    assert store.outbox.pending() == [third]
    store.outbox.remove([third.seq])
    assert store.outbox.count() == 0

    store.diary.delete(made[0].id)
    (again,) = store.outbox.pending()
    assert again.seq > third.seq


@pytest.mark.parametrize("bad", [["1"], [1.0], [True]])
def test_outbox_rejects_bad_seqs(store: Store, bad: list) -> None:
    store.diary.create(entry("blijft staan", new_id()))
    with pytest.raises(InvalidQueryError):
        store.outbox.remove(bad)
    assert store.outbox.count() == 1


@pytest.mark.parametrize("limit", [0, -1, 1001, True, "5"])
def test_outbox_pending_rejects_bad_limits(store: Store, limit: object) -> None:
    with pytest.raises(InvalidQueryError):
        store.outbox.pending(limit=limit)  # type: ignore[arg-type]


def test_apply_remote_writes_without_an_outbox_row_and_moves_the_clock(store: Store) -> None:
    remote = make(RecordKind.GOAL, updated_hlc=REMOTE_STAMP)
    store.apply_remote(remote, server_version=7)

    assert store.goals.get(remote.id) == remote  # stored as is, stamp untouched
    assert store.outbox.count() == 0
    info = store.sync_info(remote.id)
    assert (info.server_version, info.dirty, info.deleted) == (7, False, False)
    assert Stamp.parse(store.clock.now()) > Stamp.parse(REMOTE_STAMP)


def test_apply_remote_replaces_the_local_version(store: Store) -> None:
    mine = store.diary.create(entry("lokaal", new_id()))
    newer = mine.model_copy(update={"text": "van de server", "updated_hlc": REMOTE_STAMP})
    store.apply_remote(newer, server_version=2)
    assert store.diary.get(mine.id).text == "van de server"
    assert not store.sync_info(mine.id).dirty
    store.apply_remote(newer.model_copy(update={"deleted": True}), server_version=3)
    assert store.diary.list() == []


@pytest.mark.parametrize("version", [-1, True, 1.5, "3"])
def test_apply_remote_rejects_bad_versions(store: Store, version: object) -> None:
    remote = make(RecordKind.GOAL)
    with pytest.raises(InvalidRecordError):
        store.apply_remote(remote, server_version=version)  # type: ignore[arg-type]
    assert store.record(remote.id) is None


def test_apply_remote_refuses_an_id_that_belongs_to_another_kind(store: Store) -> None:
    goal = store.goals.create(make(RecordKind.GOAL))
    with pytest.raises(InvalidRecordError):
        store.apply_remote(entry("botsing", new_id(), id=goal.id), server_version=1)
    assert store.record(goal.id) == goal


def test_apply_remote_refuses_a_stamp_from_the_far_future(store: Store) -> None:
    remote = make(RecordKind.GOAL, updated_hlc="9999999999999-0000-server")
    with pytest.raises(InvalidRecordError):
        store.apply_remote(remote, server_version=1)
    assert store.record(remote.id) is None


def test_mark_synced_clears_dirty_only_for_the_version_that_was_pushed(store: Store) -> None:
    pushed = store.diary.create(entry("versie 1", new_id()))
    assert store.sync_info(pushed.id).dirty
    assert store.sync_info(pushed.id).server_version is None

    store.mark_synced(pushed.id, 1, pushed.updated_hlc)
    assert (store.sync_info(pushed.id).dirty, store.sync_info(pushed.id).server_version) == (
        False,
        1,
    )

    edited = store.diary.update(pushed.model_copy(update={"text": "versie 2"}))
    store.mark_synced(pushed.id, 2, pushed.updated_hlc)  # an ack for the older push
    info = store.sync_info(edited.id)
    assert (info.dirty, info.server_version) == (True, 2)


def test_purge_removes_the_record_and_its_queued_changes(store: Store) -> None:
    keep = store.diary.create(entry("blijft", new_id()))
    gone = store.diary.create(entry("gaat", new_id()))
    store.purge(gone.id)
    store.purge(new_id())  # unknown: nothing to do

    assert store.record(gone.id) is None
    assert store.sync_info(gone.id) is None
    assert [i.record_id for i in store.outbox.pending()] == [keep.id]


def test_record_finds_any_kind_by_id(store: Store) -> None:
    step = store.steps.create(make(RecordKind.GOAL_STEP))
    assert store.record(step.id) == step
    assert store.record(new_id()) is None


def test_meta_keeps_strings_per_key(store: Store) -> None:
    assert store.meta.get("account_id") is None
    store.meta.set("account_id", "a1")
    store.meta.set("account_id", "a2")
    assert store.meta.get("account_id") == "a2"
    for key, value in (("", "x"), ("k" * 101, "x"), ("ok", 5)):
        with pytest.raises(InvalidQueryError):
            store.meta.set(key, value)  # type: ignore[arg-type]


def test_cursors_start_at_zero_and_keep_what_was_set(store: Store) -> None:
    space = new_id()
    assert store.cursors.get(space) == 0
    store.cursors.set(space, 12)
    store.cursors.set(space, 40)
    assert store.cursors.get(space) == 40
    for bad in (-1, True, 1.5):
        with pytest.raises(InvalidQueryError):
            store.cursors.set(space, bad)  # type: ignore[arg-type]
    assert store.cursors.get(space) == 40


def test_the_sync_engine_can_requeue_a_change_behind_the_others(store: Store) -> None:
    first = store.diary.create(entry("eerst", new_id()))
    later = store.diary.create(entry("later", new_id()))
    store.outbox.remove([store.outbox.pending()[0].seq])

    store.outbox.add(first.id, RecordKind.DIARY_ENTRY, OutboxOp.UPSERT)

    assert [i.record_id for i in store.outbox.pending()] == [later.id, first.id]


def test_field_stamps_are_kept_per_record_and_purged_with_it(store: Store) -> None:
    record = store.diary.create(entry("met stempels", new_id()))
    assert store.field_stamps(record.id) is None
    store.set_field_stamps(record.id, '{"text": "a"}')
    store.set_field_stamps(record.id, '{"text": "b"}')
    assert store.field_stamps(record.id) == '{"text": "b"}'
    with pytest.raises(InvalidRecordError):
        store.set_field_stamps(record.id, {"text": "c"})  # type: ignore[arg-type]

    store.purge(record.id)
    assert store.field_stamps(record.id) is None


def test_meta_keys_can_be_forgotten(store: Store) -> None:
    store.meta.set("invite_secret", "eenmalig")
    store.meta.delete("invite_secret")
    store.meta.delete("never_set")
    assert store.meta.get("invite_secret") is None
