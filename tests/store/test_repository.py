"""Repositories: what the screens rely on when they write, edit, delete and list records."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from companion.domain.hlc import Stamp
from companion.domain.life_domains import LifeDomain
from companion.store import (
    DuplicateRecordError,
    InvalidQueryError,
    InvalidRecordError,
    NotFoundError,
    Store,
)
from companion_wire import RecordKind, new_id
from tests.domain.domain_samples import STAMP
from tests.store.store_samples import entry, make, repository


@pytest.mark.parametrize("kind", list(RecordKind))
def test_create_stamps_with_the_store_clock_and_get_returns_what_was_stored(
    store: Store, kind: RecordKind
) -> None:
    original = make(kind)
    stored = repository(store, kind).create(original)

    assert Stamp.parse(stored.updated_hlc).node == store.clock.node
    assert stored.updated_hlc != original.updated_hlc
    assert stored.model_copy(update={"updated_hlc": STAMP}) == original
    assert repository(store, kind).get(stored.id) == stored
    assert repository(store, kind).get(new_id()) is None


def test_a_record_of_another_kind_is_refused_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(InvalidRecordError):
        store.diary.create(make(RecordKind.GOAL))  # type: ignore[arg-type]
    assert store.outbox.count() == 0


def test_an_in_place_edit_that_broke_validation_is_caught_before_writing(store: Store) -> None:
    item = entry("Twee keer geld", new_id(), domains=[LifeDomain.MONEY])
    item.domains.append(LifeDomain.MONEY)  # list edits bypass pydantic's assignment checks
    with pytest.raises(InvalidRecordError):
        store.diary.create(item)
    assert store.diary.get(item.id) is None
    assert store.outbox.count() == 0


def test_creating_a_tombstone_is_refused(store: Store) -> None:
    with pytest.raises(InvalidRecordError):
        store.diary.create(entry("weg", new_id(), deleted=True))


def test_a_second_create_with_the_same_id_is_refused_and_changes_nothing(store: Store) -> None:
    first = store.diary.create(entry("Eerste versie", new_id()))
    with pytest.raises(DuplicateRecordError):
        store.diary.create(first.model_copy(update={"text": "Tweede versie"}))
    assert store.diary.get(first.id) == first
    assert store.outbox.count() == 1


def test_create_many_is_all_or_nothing(store: Store) -> None:
    space = new_id()
    existing = store.diary.create(entry("Bestaat al", space))
    batch = [entry(f"Nieuw {i}", space) for i in range(3)] + [existing]
    with pytest.raises(DuplicateRecordError):
        store.diary.create_many(batch)
    assert [e.id for e in store.diary.list(space_id=space)] == [existing.id]
    assert store.outbox.count() == 1

    with pytest.raises(DuplicateRecordError):
        store.diary.create_many([batch[0], batch[0]])
    assert store.outbox.count() == 1


def test_update_stores_a_newer_version(store: Store) -> None:
    stored = store.diary.create(entry("Eerst", new_id(), mood=2))
    updated = store.diary.update(stored.model_copy(update={"text": "Daarna", "mood": 5}))

    assert Stamp.parse(updated.updated_hlc) > Stamp.parse(stored.updated_hlc)
    assert store.diary.get(stored.id) == updated
    assert [i.op for i in store.outbox.pending()] == ["upsert", "upsert"]


def test_update_of_an_unknown_deleted_or_other_kind_record_raises_not_found(
    store: Store,
) -> None:
    with pytest.raises(NotFoundError):
        store.diary.update(entry("nooit opgeslagen", new_id()))

    gone = store.diary.create(entry("wordt gewist", new_id()))
    store.diary.delete(gone.id)
    with pytest.raises(NotFoundError):
        store.diary.update(gone.model_copy(update={"text": "terug?"}))

    goal = store.goals.create(make(RecordKind.GOAL))
    with pytest.raises(NotFoundError):
        store.diary.update(entry("zelfde id als het doel", new_id(), id=goal.id))
    assert store.goals.get(goal.id) == goal
    assert store.outbox.count() == 3  # two creates and one delete; no failed update left one


def test_delete_leaves_a_tombstone_that_lists_skip(store: Store) -> None:
    space = new_id()
    kept = store.diary.create(entry("blijft", space))
    gone = store.diary.create(entry("gaat weg", space))

    store.diary.delete(gone.id)

    tombstone = store.diary.get(gone.id)
    assert tombstone is not None and tombstone.deleted
    assert tombstone.text == "gaat weg"  # kept until the sync engine purges it
    assert Stamp.parse(tombstone.updated_hlc) > Stamp.parse(gone.updated_hlc)
    assert [e.id for e in store.diary.list(space_id=space)] == [kept.id]
    assert {e.id for e in store.diary.list(space_id=space, include_deleted=True)} == {
        kept.id,
        gone.id,
    }
    assert [(i.record_id, i.op) for i in store.outbox.pending()][-1] == (gone.id, "delete")


def test_deleting_twice_is_harmless_and_queues_one_delete(store: Store) -> None:
    gone = store.diary.create(entry("dubbel getikt", new_id()))
    store.diary.delete(gone.id)
    store.diary.delete(gone.id)
    assert [i.op for i in store.outbox.pending()] == ["upsert", "delete"]


def test_deleting_an_unknown_or_other_kind_id_raises_not_found(store: Store) -> None:
    goal = store.goals.create(make(RecordKind.GOAL))
    for record_id in (new_id(), goal.id):
        with pytest.raises(NotFoundError):
            store.diary.delete(record_id)
    assert not store.goals.get(goal.id).deleted


def test_diary_lists_newest_entry_date_first_then_newest_id(store: Store) -> None:
    space = new_id()
    older = store.diary.create(entry("oud", space, entry_date=date(2026, 1, 1)))
    same_day_first = store.diary.create(entry("ochtend", space, entry_date=date(2026, 2, 1)))
    same_day_second = store.diary.create(entry("avond", space, entry_date=date(2026, 2, 1)))
    newest = store.diary.create(entry("nieuw", space, entry_date=date(2026, 3, 1)))

    assert [e.id for e in store.diary.list(space_id=space)] == [
        newest.id,
        same_day_second.id,
        same_day_first.id,
        older.id,
    ]


def test_list_filters_by_space_domain_and_date_range(store: Store) -> None:
    mine, theirs = new_id(), new_id()
    domains = [LifeDomain.MONEY, LifeDomain.HOUSING]
    money = store.diary.create(entry("huur", mine, domains=domains, entry_date=date(2026, 4, 10)))
    work = store.diary.create(
        entry("stage", mine, domains=[LifeDomain.WORK_SCHOOL], entry_date=date(2026, 4, 20))
    )
    store.diary.create(entry("ander", theirs, domains=[LifeDomain.MONEY]))

    assert [e.id for e in store.diary.list(space_id=mine)] == [work.id, money.id]
    assert [e.id for e in store.diary.list(space_id=mine, domain="housing")] == [money.id]
    assert [e.id for e in store.diary.list(space_id=mine, domain=LifeDomain.MONEY)] == [money.id]
    assert len(store.diary.list(domain=LifeDomain.MONEY)) == 2
    assert [e.id for e in store.diary.list(space_id=mine, since=date(2026, 4, 20))] == [
        work.id
    ]  # inclusive
    assert [e.id for e in store.diary.list(space_id=mine, until=date(2026, 4, 20))] == [
        money.id
    ]  # exclusive
    assert store.diary.list(space_id=mine, since=date(2026, 4, 11), until=date(2026, 4, 20)) == []


def test_goals_filter_on_their_one_domain_and_status(store: Store) -> None:
    space = new_id()
    housing = store.goals.create(make(RecordKind.GOAL, space_id=space, domain="housing"))
    done = store.goals.create(make(RecordKind.GOAL, space_id=space, domain="money", status="done"))
    assert [g.id for g in store.goals.list(space_id=space, domain="housing")] == [housing.id]
    assert [g.id for g in store.goals.list(space_id=space, status="done")] == [done.id]
    assert [g.id for g in store.goals.list(space_id=space)] == [done.id, housing.id]


def test_moods_order_by_the_real_moment_across_time_zones(store: Store) -> None:
    space = new_id()
    brussels = timezone(timedelta(hours=2))
    at_10_brussels = datetime(2026, 5, 1, 10, 0, tzinfo=brussels)  # 08:00 UTC
    at_9_utc = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    early = store.moods.create(
        make(RecordKind.MOOD_CHECKIN, space_id=space, checked_at=at_10_brussels)
    )
    late = store.moods.create(make(RecordKind.MOOD_CHECKIN, space_id=space, checked_at=at_9_utc))
    assert [m.id for m in store.moods.list(space_id=space)] == [late.id, early.id]
    cut = datetime(2026, 5, 1, 10, 30, tzinfo=brussels)  # 08:30 UTC
    assert [m.id for m in store.moods.list(space_id=space, since=cut)] == [late.id]


def test_steps_list_per_goal_by_position(store: Store) -> None:
    goal, other = new_id(), new_id()
    third = store.steps.create(make(RecordKind.GOAL_STEP, goal_id=goal, position=3))
    first = store.steps.create(make(RecordKind.GOAL_STEP, goal_id=goal, position=1))
    second = store.steps.create(make(RecordKind.GOAL_STEP, goal_id=goal, position=2))
    store.steps.create(make(RecordKind.GOAL_STEP, goal_id=other, position=0))

    assert [s.id for s in store.steps.list(goal_id=goal)] == [first.id, second.id, third.id]
    assert [s.id for s in store.steps.list(goal_id=goal, status="done")] == [
        first.id,
        second.id,
        third.id,
    ]  # the samples are all done
    assert store.steps.list(goal_id=goal, status="open") == []


def test_reminders_list_soonest_due_first_and_per_goal(store: Store) -> None:
    goal = new_id()
    base = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    in_two_days = base + timedelta(days=2)
    later = store.reminders.create(make(RecordKind.REMINDER, goal_id=goal, first_due=in_two_days))
    sooner = store.reminders.create(make(RecordKind.REMINDER, goal_id=goal, first_due=base))
    store.reminders.create(make(RecordKind.REMINDER, first_due=base - timedelta(days=1)))

    assert [r.id for r in store.reminders.list(goal_id=goal)] == [sooner.id, later.id]


def test_messages_page_back_from_the_latest_in_reading_order(store: Store) -> None:
    chat = new_id()
    start = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    sent = [
        store.messages.create(
            make(
                RecordKind.MESSAGE,
                conversation_id=chat,
                text=f"bericht {i}",
                sent_at=start + timedelta(minutes=i),
            )
        )
        for i in range(5)
    ]
    store.messages.create(make(RecordKind.MESSAGE, sent_at=start))  # another conversation

    assert [m.id for m in store.messages.list(conversation_id=chat, limit=3)] == [
        m.id for m in sent[2:]
    ]
    assert [m.id for m in store.messages.list(conversation_id=chat, limit=3, offset=3)] == [
        m.id for m in sent[:2]
    ]


def test_comments_list_per_document(store: Store) -> None:
    document = new_id()
    mine = store.comments.create(make(RecordKind.DOCUMENT_COMMENT, document_id=document))
    store.comments.create(make(RecordKind.DOCUMENT_COMMENT))
    assert [c.id for c in store.comments.list(document_id=document)] == [mine.id]


def test_paging_walks_every_entry_once(store: Store) -> None:
    space = new_id()
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(23)]
    created = store.diary.create_many([entry(f"dag {d}", space, entry_date=d) for d in days])
    pages = [store.diary.list(space_id=space, limit=10, offset=o) for o in (0, 10, 20, 30)]
    assert [len(p) for p in pages] == [10, 10, 3, 0]
    assert [e.id for p in pages for e in p] == [e.id for e in reversed(created)]


@pytest.mark.parametrize(
    "arguments",
    [
        {"limit": 0},
        {"limit": 1001},
        {"limit": True},
        {"limit": "10"},
        {"offset": -1},
        {"offset": 1.5},
        {"domain": "sport"},
        {"since": datetime(2026, 1, 1, tzinfo=UTC)},  # diary dates are days
        {"until": "2026-01-01"},
        {"goal_id": new_id()},  # diary entries have no goal
        {"colour": "red"},
    ],
)
def test_bad_list_arguments_raise_a_typed_error(store: Store, arguments: dict) -> None:
    with pytest.raises(InvalidQueryError):
        store.diary.list(**arguments)


@pytest.mark.parametrize(
    "arguments",
    [
        {"since": date(2026, 1, 1)},  # moods are moments, not days
        {"until": datetime(2026, 1, 1)},  # no time zone
        {"domain": "money"},  # moods have no life domain
    ],
)
def test_bad_mood_list_arguments_raise_a_typed_error(store: Store, arguments: dict) -> None:
    with pytest.raises(InvalidQueryError):
        store.moods.list(**arguments)


def test_writes_from_several_threads_all_land(store: Store) -> None:
    space = new_id()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                store.diary.create(entry(f"draad {n} regel {i}", space))
        except BaseException as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(store.diary.list(space_id=space, limit=1000)) == 100
    assert store.outbox.count() == 100
