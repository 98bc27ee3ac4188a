"""Diary search: Dutch words are found with or without accents, and nothing a user types
can make the query fail."""

from __future__ import annotations

from datetime import date

import pytest

from companion.store import InvalidQueryError, Store
from companion.store.repository import match_expression
from companion_wire import new_id
from tests.store.store_samples import entry

TEXTS = {
    "interest": "Ik ben echt geïnteresseerd in die opleiding.",
    "one_day": "Eén dag zonder ruzie, en nog één erbij.",
    "cafe": "Koffie gedronken in het café met mijn zus.",
    "happy": "Vandaag was ik gelukkig!",
}


@pytest.fixture
def diary(store: Store) -> dict[str, str]:
    space = new_id()
    ids = {}
    for day, (name, text) in enumerate(TEXTS.items(), start=1):
        ids[name] = store.diary.create(entry(text, space, entry_date=date(2026, 5, day))).id
    return ids


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("geïnteresseerd", "interest"),
        ("geinteresseerd", "interest"),
        ("GEÏNTERESSEERD", "interest"),
        ("één", "one_day"),
        ("een", "one_day"),
        ("Eén", "one_day"),
        ("café", "cafe"),
        ("cafe", "cafe"),
        ("gelukkig", "happy"),
        ("geluk", "happy"),  # the last word matches as a prefix, so results follow typing
        ("koffie zus", "cafe"),  # every word must occur, in any order
        ("cafe\u0301", "cafe"),  # 'é' typed as e + combining accent
    ],
)
def test_words_are_found_with_and_without_accents(
    store: Store, diary: dict[str, str], query: str, found: str
) -> None:
    assert [e.id for e in store.diary.search(query)] == [diary[found]]


def test_all_words_must_match(store: Store, diary: dict[str, str]) -> None:
    assert store.diary.search("koffie gelukkig") == []


@pytest.mark.parametrize(
    "query",
    ['"', '""', "*", "AND", "OR NOT", "NEAR(", "text:", "\\", "{}", "😀", "", "   ",
     "cafe AND", 'cafe" OR "zus', "a" * 5000],
)  # fmt: skip
def test_nothing_typed_makes_search_fail(store: Store, diary: dict[str, str], query: str) -> None:
    store.diary.search(query)  # operators are plain words here: "cafe AND" needs both


@pytest.mark.parametrize(
    "query", ["-cafe", "cafe -", "^cafe", "(cafe)", '"cafe"', "cafe*", "caf'", "café!"]
)
def test_punctuation_around_a_word_is_ignored(
    store: Store, diary: dict[str, str], query: str
) -> None:
    assert [e.id for e in store.diary.search(query)] == [diary["cafe"]]


def test_match_expression_quotes_every_word() -> None:
    assert match_expression('cafe" OR -zus*') == '"cafe" "OR" "zus"*'
    assert match_expression("  ") is None


def test_results_are_newest_first_and_limited(store: Store) -> None:
    space = new_id()
    made = [
        store.diary.create(entry(f"Weer gelukkig, dag {d}", space, entry_date=date(2026, 6, d)))
        for d in (3, 1, 2)
    ]
    assert [e.id for e in store.diary.search("gelukkig")] == [made[0].id, made[2].id, made[1].id]
    assert [e.id for e in store.diary.search("gelukkig", limit=1)] == [made[0].id]
    with pytest.raises(InvalidQueryError):
        store.diary.search("gelukkig", limit=0)
    with pytest.raises(InvalidQueryError):
        store.diary.search(None)  # type: ignore[arg-type]


def test_search_can_be_limited_to_one_space(store: Store) -> None:
    mine, theirs = new_id(), new_id()
    own = store.diary.create(entry("Gelukkig thuis", mine))
    store.diary.create(entry("Gelukkig elders", theirs))
    assert [e.id for e in store.diary.search("gelukkig", space_id=mine)] == [own.id]


def test_edits_deletes_and_purges_keep_the_index_in_step(store: Store) -> None:
    space = new_id()
    first = store.diary.create(entry("Een brief van de huisbaas", space))
    edited = store.diary.update(first.model_copy(update={"text": "Een mail van de mutualiteit"}))
    assert store.diary.search("huisbaas") == []
    assert [e.text for e in store.diary.search("mutualiteit")] == [edited.text]

    store.diary.delete(first.id)
    assert store.diary.search("mutualiteit") == []

    other = store.diary.create(entry("Nog een mutualiteit vraag", space))
    store.purge(other.id)
    assert store.diary.search("mutualiteit") == []


def test_words_an_edit_keeps_stay_findable(store: Store) -> None:
    first = store.diary.create(entry("Brief van de huisbaas over de huur", new_id()))
    store.diary.update(first.model_copy(update={"text": "Mail van de huisbaas"}))
    assert [e.id for e in store.diary.search("huisbaas")] == [first.id]
    assert store.diary.search("huur") == []
    store.diary.update(store.diary.get(first.id).model_copy(update={"mood": 2}))
    assert [e.id for e in store.diary.search("mail huisbaas")] == [first.id]


def test_entries_pulled_from_the_server_are_searchable(store: Store) -> None:
    remote = entry(
        "Gedeeld door mijn begeleider", new_id(), updated_hlc="1767225600000-0000-server"
    )
    store.apply_remote(remote, server_version=3)
    assert [e.id for e in store.diary.search("begeleider")] == [remote.id]


def test_results_stay_exact_while_the_index_merges_its_segments(store: Store) -> None:
    """Every save adds an index segment and segments merge two at a time (schema v4), so
    sixty saves, edits and deletes run many merges; search must see exactly the live text."""
    space = new_id()
    words = ("huur", "stage", "dokter", "loon", "brief")
    made = [
        store.diary.create(entry(f"Dag {i}: {words[i % 5]} en {words[(i + 2) % 5]}", space))
        for i in range(60)
    ]
    texts = {e.id: e.text for e in made}
    for e in made[::7]:
        texts[e.id] = store.diary.update(e.model_copy(update={"text": f"Dag: {e.id}"})).text
    for e in made[1::7]:
        store.diary.update(e.model_copy(update={"mood": 5}))  # text unchanged
    for e in made[3::9]:
        store.diary.delete(e.id)
        del texts[e.id]

    for word in (*words, "dag"):
        expected = {i for i, text in texts.items() if word in text.lower()}
        assert {e.id for e in store.diary.search(word, limit=1000)} == expected, word
