"""`Store.on_local_change`: the sync layer hears about every committed local change, once,
after the commit, and never about a change that was rolled back or came from the server."""

from __future__ import annotations

import threading

import pytest

from companion.store import Store
from companion_wire import new_id
from tests.store.store_samples import entry


class Heard:
    def __init__(self, store: Store) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.in_transaction: list[bool] = []
        self._store = store

    def __call__(self, ids: tuple[str, ...]) -> None:
        self.calls.append(ids)
        # a listener may read and write the store: it runs after the commit, not inside it
        self.in_transaction.append(self._store._db._depth > 0)


def test_a_write_is_reported_after_its_commit(store: Store) -> None:
    heard = Heard(store)
    store.on_local_change(heard)
    space = new_id()
    first = store.diary.create(entry("Eerste", space))
    second, third = store.diary.create_many([entry("Twee", space), entry("Drie", space)])
    store.diary.delete(first.id)
    assert heard.calls == [(first.id,), (second.id, third.id), (first.id,)]
    assert heard.in_transaction == [False, False, False]


def test_one_report_for_a_whole_transaction(store: Store) -> None:
    heard = Heard(store)
    store.on_local_change(heard)
    space = new_id()
    with store.transaction():
        a = store.diary.create(entry("A", space))
        store.diary.update(a.model_copy(update={"text": "A, herschreven"}))
        b = store.diary.create(entry("B", space))
        assert heard.calls == []  # nothing before the commit
    assert heard.calls == [(a.id, b.id)]


def test_rolled_back_changes_are_never_reported(store: Store) -> None:
    heard = Heard(store)
    store.on_local_change(heard)
    space = new_id()
    with pytest.raises(RuntimeError), store.transaction():
        store.diary.create(entry("Weg", space))
        raise RuntimeError("the service changed its mind")
    kept = None
    with store.transaction():
        try:
            with store.transaction():  # a savepoint that rolls back alone
                store.diary.create(entry("Ook weg", space))
                raise RuntimeError
        except RuntimeError:
            pass
        kept = store.diary.create(entry("Blijft", space))
    assert heard.calls == [(kept.id,)]
    assert store.outbox.count() == 1


def test_records_from_the_server_are_not_local_changes(store: Store) -> None:
    heard = Heard(store)
    store.on_local_change(heard)
    store.apply_remote(entry("Van de server", new_id()), server_version=3)
    store.meta.set("something", "1")
    assert heard.calls == []


def test_a_failing_listener_neither_undoes_the_write_nor_stops_others(store: Store) -> None:
    def broken(_ids: tuple[str, ...]) -> None:
        raise ValueError("listener bug")

    heard = Heard(store)
    store.on_local_change(broken)
    store.on_local_change(heard)
    saved = store.diary.create(entry("Toch bewaard", new_id()))
    assert store.diary.get(saved.id) is not None
    assert heard.calls == [(saved.id,)]


def test_unsubscribe_stops_reports(store: Store) -> None:
    heard = Heard(store)
    stop = store.on_local_change(heard)
    stop()
    store.diary.create(entry("Stil", new_id()))
    assert heard.calls == []


def test_each_thread_reports_its_own_transaction(store: Store) -> None:
    heard: list[tuple[str, ...]] = []
    store.on_local_change(heard.append)
    space = new_id()
    made: list[str] = []

    def write(n: int) -> None:
        for i in range(20):
            made.append(store.diary.create(entry(f"{n}-{i}", space)).id)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(ids) == 1 for ids in heard)
    assert sorted(i for ids in heard for i in ids) == sorted(made)
