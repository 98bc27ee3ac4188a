"""`Store.apply_remote_many`: a pulled page in one write, the same result as record by record."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from companion.domain.hlc import Stamp
from companion.domain.models import Record
from companion.store import InvalidRecordError, Store
from companion.store.remote import RemoteRecord
from companion_wire import RecordKind, new_id
from tests.store.store_samples import KEY, entry, make

STAMPS = '{"text":["1767225600000-0003-server","d","1767225600000-0003-server"]}'


def remote(record: Record) -> RemoteRecord:
    """As the sync engine makes it: validated from the parts of the decrypted payload."""
    return RemoteRecord(record.kind, record.model_dump(mode="json"), {})


def page() -> list[Record]:
    space = new_id()
    records = [make(kind, space_id=space) for kind in RecordKind]
    records.append(entry("Naar de bakker en de huur betaald", space, updated_hlc=_stamp(9)))
    records.append(make(RecordKind.GOAL, space_id=space, deleted=True))  # a tombstone row
    return records


def _stamp(counter: int) -> str:
    return str(Stamp(1767225600000, counter, "server"))


def test_bulk_apply_stores_exactly_what_record_by_record_apply_stores(tmp_path: Path) -> None:
    records = page()
    with Store.open(tmp_path / "one.db", KEY) as one, Store.open(tmp_path / "many.db", KEY) as many:
        for version, record in enumerate(records, start=1):
            one.apply_remote(record, version)
            one.set_field_stamps(record.id, STAMPS)
        many.apply_remote_many(
            [(remote(r), version, STAMPS) for version, r in enumerate(records, start=1)]
        )

        for record in records:
            assert many.record(record.id) == one.record(record.id) == record
            assert many.sync_info(record.id) == one.sync_info(record.id)
            assert many.field_stamps(record.id) == one.field_stamps(record.id) == STAMPS
        assert many.outbox.count() == one.outbox.count() == 0
        assert [e.id for e in many.diary.search("bakker")] == [records[-2].id]
        assert [e.id for e in one.diary.search("bakker")] == [records[-2].id]
        assert Stamp.parse(many.clock.now()) > Stamp.parse(_stamp(9))


def test_bulk_apply_replaces_local_versions_and_reports_them_in_sync_infos(store: Store) -> None:
    mine = store.diary.create(entry("lokaal", new_id()))
    newer = mine.model_copy(update={"text": "van de server", "updated_hlc": _stamp(1)})
    store.apply_remote_many([(remote(newer), 4, STAMPS)])

    assert store.diary.get(mine.id).text == "van de server"
    unknown = new_id()
    infos = store.sync_infos([mine.id, unknown, mine.id])
    assert list(infos) == [mine.id]
    assert infos[mine.id] == store.sync_info(mine.id)
    assert (infos[mine.id].server_version, infos[mine.id].dirty) == (4, False)


def test_the_row_written_is_the_validated_one_even_if_the_record_changed_since(
    store: Store,
) -> None:
    pulled = remote(entry("gevalideerd", new_id()))
    pulled.record.domains.append("not a life domain")  # in-place edits skip validation
    store.apply_remote_many([(pulled, 1, STAMPS)])
    assert store.diary.get(pulled.id).domains == []


def test_a_remote_record_is_only_made_by_validation() -> None:
    good = entry("ok", new_id())
    with pytest.raises(ValidationError):
        RemoteRecord(good.kind, {**good.model_dump(mode="json"), "mood": 99}, {})
    with pytest.raises(ValueError):
        RemoteRecord("not-a-kind", good.model_dump(mode="json"), {})


def _nothing_written(store: Store, records: list[Record]) -> None:
    for record in records:
        assert store.record(record.id) is None
        assert store.field_stamps(record.id) is None


def test_an_id_of_another_kind_refuses_the_whole_page(store: Store) -> None:
    goal = store.goals.create(make(RecordKind.GOAL))
    fine = entry("eerst", new_id())
    clash = entry("botsing", new_id(), id=goal.id)
    with pytest.raises(InvalidRecordError):
        store.apply_remote_many([(remote(fine), 1, STAMPS), (remote(clash), 2, STAMPS)])
    _nothing_written(store, [fine])
    assert store.record(goal.id) == goal
    assert store.field_stamps(goal.id) is None


def test_a_stamp_from_the_far_future_refuses_the_page_and_leaves_the_clock(store: Store) -> None:
    before = store.clock.now()
    fine = make(RecordKind.GOAL)
    ahead = make(RecordKind.GOAL, updated_hlc="9999999999999-0000-server")
    with pytest.raises(InvalidRecordError):
        store.apply_remote_many([(remote(fine), 1, STAMPS), (remote(ahead), 2, STAMPS)])
    _nothing_written(store, [fine, ahead])
    assert Stamp.parse(store.clock.now()).wall_ms < Stamp.parse(before).wall_ms + 60_000


@pytest.mark.parametrize(
    "item",
    [
        lambda r: (r, -1, STAMPS),
        lambda r: (r, True, STAMPS),
        lambda r: (r, "3", STAMPS),
        lambda r: (r, 1, {"text": "a"}),
        lambda r: (r.record, 1, STAMPS),  # a record that did not come through validation
    ],
)
def test_bad_items_refuse_the_page(store: Store, item) -> None:
    fine, bad = make(RecordKind.GOAL), make(RecordKind.GOAL)
    with pytest.raises(InvalidRecordError):
        store.apply_remote_many([(remote(fine), 1, STAMPS), item(remote(bad))])
    _nothing_written(store, [fine, bad])


def test_an_empty_page_changes_nothing(store: Store) -> None:
    store.apply_remote_many([])
    assert store.sync_infos([]) == {}
