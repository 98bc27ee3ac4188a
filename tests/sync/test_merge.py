"""The merge rule every device applies: per field, the newer stamp wins; diary text keeps both.

Stamps are HLC strings `wall-counter-node`; a smaller wall time is an older edit.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from companion.sync.fields import Shadow, current_stamps, digest
from companion.sync.merge import merge

ME, OTHER = "phone", "tablet"


def stamp(wall: int, node: str = OTHER) -> str:
    return f"{wall:013d}-0000-{node}"


BASE = {"title": stamp(10), "why": stamp(10), "status": stamp(10)}
COMMON = {"title": "Huur", "why": "eigen plek", "status": "active"}


def test_edits_of_different_fields_on_two_devices_both_survive() -> None:
    local = {**COMMON, "title": "Huur betalen"}
    remote = {**COMMON, "why": "rust"}
    merged = merge(
        local,
        {**BASE, "title": stamp(20, ME)},
        BASE,
        remote,
        {**BASE, "why": stamp(15)},
        my_node=ME,
    )
    assert merged.values == {"title": "Huur betalen", "why": "rust", "status": "active"}
    assert merged.stamps == {"title": stamp(20, ME), "why": stamp(15), "status": stamp(10)}
    assert not merged.same_as_remote  # the local title must still be sent
    assert merged.overridden == []


def test_the_same_field_edited_on_both_devices_keeps_the_newer_and_says_so() -> None:
    older_local = merge(
        {**COMMON, "title": "A"},
        {**BASE, "title": stamp(20, ME)},
        BASE,
        {**COMMON, "title": "B"},
        {**BASE, "title": stamp(30)},
        my_node=ME,
    )
    assert older_local.values["title"] == "B"
    assert older_local.same_as_remote
    assert older_local.overridden == ["title"]
    newer_local = merge(
        {**COMMON, "title": "A"},
        {**BASE, "title": stamp(40, ME)},
        BASE,
        {**COMMON, "title": "B"},
        {**BASE, "title": stamp(30)},
        my_node=ME,
    )
    assert newer_local.values["title"] == "A"
    assert newer_local.overridden == ["title"]  # B was replaced: reported too


def test_a_remote_value_this_device_wrote_earlier_is_not_a_conflict() -> None:
    """A push whose answer was lost comes back as the server's version: our own edit."""
    merged = merge(
        {**COMMON, "title": "tweede"},
        {**BASE, "title": stamp(30, ME)},
        BASE,
        {**COMMON, "title": "eerste"},
        {**BASE, "title": stamp(20, ME)},
        my_node=ME,
    )
    assert merged.values["title"] == "tweede"
    assert merged.overridden == []


def test_diary_text_changed_on_both_sides_hands_back_the_losing_text() -> None:
    base = {"text": stamp(10), "mood": stamp(10)}
    merged = merge(
        {"text": "lokaal", "mood": 3},
        {**base, "text": stamp(20, ME)},
        base,
        {"text": "elders", "mood": 3},
        {**base, "text": stamp(25)},
        my_node=ME,
        text_field="text",
    )
    assert merged.values["text"] == "elders"
    assert merged.losing_text == "lokaal"
    assert merged.same_as_remote  # the entry itself is the remote one; the copy is extra


def test_text_changed_on_one_side_only_is_not_a_conflict() -> None:
    base = {"text": stamp(10), "mood": stamp(10)}
    merged = merge(
        {"text": "oud", "mood": 5},
        {"text": stamp(10), "mood": stamp(20, ME)},
        base,
        {"text": "nieuw", "mood": 3},
        {"text": stamp(15), "mood": stamp(10)},
        my_node=ME,
        text_field="text",
    )
    assert merged.values == {"text": "nieuw", "mood": 5}
    assert merged.losing_text is None


def test_equal_values_with_an_older_local_stamp_need_nothing_sent() -> None:
    merged = merge(
        {"title": "zelfde"},
        {"title": stamp(30, ME)},
        {"title": stamp(10)},
        {"title": "zelfde"},
        {"title": stamp(40)},
        my_node=ME,
    )
    assert merged.same_as_remote and merged.stamps == {"title": stamp(40)}


def test_equal_values_with_a_newer_local_stamp_send_that_stamp() -> None:
    """Set back to the same value later than the other device's edit: the newer stamp must
    travel, or a third device's edit made in between would wrongly win."""
    merged = merge(
        {"title": "zelfde"},
        {"title": stamp(50, ME)},
        {"title": stamp(10)},
        {"title": "zelfde"},
        {"title": stamp(40)},
        my_node=ME,
    )
    assert not merged.same_as_remote and merged.stamps == {"title": stamp(50, ME)}


def test_a_field_only_one_side_knows_is_kept() -> None:
    merged = merge(
        {"title": "x"},
        {"title": stamp(5)},
        {},
        {"title": "x", "extra": 1},
        {"title": stamp(5), "extra": stamp(6)},
        my_node=ME,
    )
    assert merged.values == {"title": "x", "extra": 1}


values = st.dictionaries(st.sampled_from("abcd"), st.integers(0, 3), min_size=1)
walls = st.integers(1, 1000)


@given(values, values, st.data())
def test_both_devices_reach_the_same_result_whichever_merges(
    left: dict, right: dict, data: st.DataObject
) -> None:
    """Device A merging B's version and B merging A's give the same values: convergence."""
    l_stamps = {k: stamp(data.draw(walls), "a") for k in left}
    r_stamps = {k: stamp(data.draw(walls), "b") for k in right}
    one = merge(left, l_stamps, {}, right, r_stamps, my_node="a")
    two = merge(right, r_stamps, {}, left, l_stamps, my_node="b")
    assert one.values == two.values
    assert one.stamps == two.stamps


def test_stamps_follow_values_not_edits_of_other_fields() -> None:
    """The engine's bookkeeping: an unchanged field keeps its stamp, a changed one gets the
    record's new stamp."""
    shadow = Shadow.of({"title": "a", "why": "b"}, {"title": stamp(5), "why": stamp(6)}, None)
    stamps = current_stamps({"title": "a", "why": "c"}, stamp(9, ME), shadow)
    assert stamps == {"title": stamp(5), "why": stamp(9, ME)}
    assert Shadow.from_json(shadow.to_json()) == shadow
    assert digest({"x": [1, 2]}) == digest({"x": [1, 2]}) != digest({"x": [2, 1]})


def test_digests_never_change_and_tell_types_apart() -> None:
    """Shadows stored on a device hold these digests: if the function changed, every field
    of every record would look edited locally after an app update. Pinned values, each
    asked twice (the second answer may come from the cache of small values)."""
    pinned = [  # pairs, not a dict: True and 1 are one dict key
        ("x", "f0e9e5e5141a0575"),
        (None, "facfab7afcfd32e7"),
        (True, "4bb09b454c2081bc"),
        (1, "1c8a073540fe0bda"),
        (0, "38e09a33763f0fa3"),
        (False, "0ebfeacb907d9083"),
        ("1", "89a147da21bb2954"),
        ([], "23bd34c08db1c164"),
        (["1"], "e951bb9c71783a0c"),
        ([1], "c3e6db739c563edd"),
        (["housing", "work"], "3642474abb262f67"),
    ]
    for value, expected in pinned:
        assert digest(value) == digest(value) == expected
    assert len({digest(v) for v in (True, 1, "1", [1], ["1"], 1.0, False, 0)}) == 8
