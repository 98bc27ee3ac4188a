"""Ordering primitives sync relies on: hybrid logical clock stamps and UUIDv7 ids.

The wall clock is the only thing faked (injected into HybridClock, patched `time.time_ns`
for ids): it is the machine edge, and tests must control it.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from companion.domain.hlc import MAX_DRIFT_MS, HybridClock, Stamp
from companion_wire import ids, is_uuid7, new_id


class Wall:
    """A settable wall clock in milliseconds."""

    def __init__(self, ms: int = 1_767_225_600_000) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_stamps_increase_while_the_wall_clock_stands_still() -> None:
    clock = HybridClock("phone", Wall())
    stamps = [clock.now() for _ in range(1000)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 1000


def test_stamps_increase_when_the_wall_clock_jumps_back() -> None:
    wall = Wall()
    clock = HybridClock("phone", wall)
    before = clock.now()
    wall.ms -= 3_600_000  # the phone's clock was corrected an hour back
    after = clock.now()
    assert after > before
    assert Stamp.parse(after).wall_ms == Stamp.parse(before).wall_ms


def test_new_wall_time_resets_the_counter() -> None:
    wall = Wall()
    clock = HybridClock("phone", wall)
    clock.now()
    clock.now()
    wall.ms += 1
    assert Stamp.parse(clock.now()) == Stamp(wall.ms, 0, "phone")


def test_string_order_is_stamp_order() -> None:
    stamps = [
        Stamp(1_767_225_600_000, 0, "b"),
        Stamp(1_767_225_600_000, 1, "a"),
        Stamp(1_767_225_600_000, 255, "a"),
        Stamp(1_767_225_600_001, 0, "a"),
    ]
    assert sorted(stamps, key=str) == sorted(stamps)
    assert all(Stamp.parse(str(stamp)) == stamp for stamp in stamps)


def test_counter_overflow_carries_into_the_next_millisecond() -> None:
    """65,536 edits in one millisecond (or while following a fast remote clock) must still
    give fixed-width, parseable, increasing stamps."""
    clock = HybridClock("phone", Wall())
    stamps = [clock.now() for _ in range(0x10000 + 2)]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert all(len(stamp) == len(stamps[0]) for stamp in stamps)
    assert Stamp.parse(stamps[-1]).wall_ms == Stamp.parse(stamps[0]).wall_ms + 1


def test_observing_a_full_remote_counter_still_moves_forward() -> None:
    wall = Wall()
    clock = HybridClock("phone", wall)
    remote = str(Stamp(wall.ms, 0xFFFF, "laptop"))
    clock.observe(remote)
    assert clock.now() > remote


def test_observed_remote_edit_sorts_before_our_next_edit() -> None:
    wall = Wall()
    phone = HybridClock("phone", wall)
    laptop = HybridClock("laptop", Wall(wall.ms + 60_000))  # laptop runs a minute ahead
    remote = laptop.now()
    assert phone.now() < remote
    phone.observe(remote)
    assert phone.now() > remote


def test_observing_an_older_stamp_keeps_our_order() -> None:
    wall = Wall()
    clock = HybridClock("phone", wall)
    mine = clock.now()
    clock.observe(str(Stamp(wall.ms - 5_000, 7, "laptop")))
    assert clock.now() > mine


def test_observing_an_equal_wall_time_takes_the_larger_counter() -> None:
    wall = Wall()
    clock = HybridClock("phone", wall)
    clock.now()
    clock.observe(str(Stamp(wall.ms, 41, "laptop")))
    assert Stamp.parse(clock.now()) == Stamp(wall.ms, 43, "phone")


def test_a_clock_more_than_a_day_ahead_is_refused_and_ignored() -> None:
    wall = Wall()
    clock = HybridClock("phone", wall)
    mine = clock.now()
    absurd = str(Stamp(wall.ms + MAX_DRIFT_MS + 1, 0, "broken"))
    with pytest.raises(ValueError, match="a day ahead"):
        clock.observe(absurd)
    following = clock.now()
    assert Stamp.parse(following).wall_ms == Stamp.parse(mine).wall_ms
    clock.observe(str(Stamp(wall.ms + MAX_DRIFT_MS, 0, "fast")))  # just inside is followed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "now",
        "1767225600000-0000-",
        "1767225600000-00000-a",
        "1767225600000-0000-a\n",  # one stamp, one spelling: no trailing newline
        "١٧٦٧٢٢٥٦٠٠٠٠٠-0000-a",  # digits, but not ASCII ones
    ],
)
def test_malformed_stamps_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Stamp.parse(text)
    with pytest.raises(ValueError):
        HybridClock("phone", Wall()).observe(text)


@pytest.mark.parametrize("node", ["", "Phone", "a-b", "x" * 33])
def test_node_names_are_restricted(node: str) -> None:
    with pytest.raises(ValueError):
        HybridClock(node)


def test_stamps_are_unique_across_threads() -> None:
    clock = HybridClock("phone", Wall())
    results: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [clock.now() for _ in range(500)]
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 2000


# --- UUIDv7 -----------------------------------------------------------------------------


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A settable `time.time_ns`, with the generator's memory of the last id set aside
    (and restored afterwards) so ids made at the real time earlier do not mask the test."""
    now = [1_767_225_600_123_000_999]
    monkeypatch.setattr(time, "time_ns", lambda: now[0])
    monkeypatch.setattr(ids, "_last_ms", 0)
    monkeypatch.setattr(ids, "_last_rand", 0)
    return now


def test_new_id_has_version_7_rfc_variant_and_the_creation_time(frozen_time: list[int]) -> None:
    value = uuid.UUID(new_id())
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert value.int >> 80 == frozen_time[0] // 1_000_000


def test_ids_increase_within_one_millisecond(frozen_time: list[int]) -> None:
    made = [new_id() for _ in range(2000)]
    assert made == sorted(made) and len(set(made)) == len(made)


def test_ids_increase_when_the_clock_jumps_back(frozen_time: list[int]) -> None:
    first = new_id()
    frozen_time[0] -= 3_600 * 10**9
    assert new_id() > first


def test_ids_sort_by_creation_time(frozen_time: list[int]) -> None:
    made = []
    for _ in range(50):
        frozen_time[0] += 1_000_000
        made.append(new_id())
    assert made == sorted(made)


def test_ids_are_unique_across_threads() -> None:
    results: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [new_id() for _ in range(500)]
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 2000 and all(is_uuid7(value) for value in results)


@pytest.mark.parametrize(
    "value",
    [
        str(uuid.uuid4()),
        str(uuid.uuid1()),
        "01a202e3-ed1b-758d-0c07-7cdaec6667fc",  # version 7 but not the RFC variant
        "01A202E3-ED1B-758D-8C07-7CDAEC6667FC",  # right bits, not the canonical spelling
        "01a202e3ed1b758d8c077cdaec6667fc",
        "{01a202e3-ed1b-758d-8c07-7cdaec6667fc}",
        "01a202e3-ed1b-758d-8c07-7cdaec6667fc\n",
        "",
        None,
        7,
    ],
)
def test_is_uuid7_accepts_only_canonical_version_7(value: object) -> None:
    assert not is_uuid7(value)  # type: ignore[arg-type]


def test_is_uuid7_accepts_what_new_id_makes() -> None:
    assert is_uuid7("01a202e3-ed1b-758d-8c07-7cdaec6667fc")
    assert is_uuid7(new_id())
