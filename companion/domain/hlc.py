"""Hybrid logical clock: change stamps that order edits across devices with skewed clocks.

A stamp is a fixed-width string `WWWWWWWWWWWWW-CCCC-node`, so comparing strings compares stamps
(wall milliseconds, then counter, then node id as the tie-breaker).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_STAMP = re.compile(r"([0-9]{13})-([0-9a-f]{4})-([0-9a-z]{1,32})")
MAX_DRIFT_MS = 24 * 3600 * 1000  # refuse remote stamps absurdly far in the future
MAX_COUNTER = 0xFFFF  # four hex digits; beyond that a stamp would lose its fixed width


def _next(wall_ms: int, counter: int, node: str) -> Stamp:
    """Carry a full counter into the next millisecond, so stamps keep width and order."""
    if counter > MAX_COUNTER:
        return Stamp(wall_ms + 1, 0, node)
    return Stamp(wall_ms, counter, node)


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:04x}-{self.node}"

    @staticmethod
    def is_valid(text: object) -> bool:
        """Whether `text` is a stamp (what `parse` accepts), without building one."""
        return isinstance(text, str) and _STAMP.fullmatch(text) is not None

    @classmethod
    def parse(cls, text: str) -> Stamp:
        match = _STAMP.fullmatch(text) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"not a hybrid logical clock stamp: {text!r}")
        return cls(int(match[1]), int(match[2], 16), match[3])


class HybridClock:
    """One per device. `wall` is injectable so tests control time."""

    def __init__(self, node: str, wall: Callable[[], int] | None = None) -> None:
        if not re.fullmatch(r"[0-9a-z]{1,32}", node):
            raise ValueError("node must be 1-32 lowercase letters or digits")
        self.node = node
        self._wall = wall or (lambda: time.time_ns() // 1_000_000)
        self._last = Stamp(0, 0, node)
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            wall = self._wall()
            if wall > self._last.wall_ms:
                self._last = Stamp(wall, 0, self.node)
            else:
                self._last = _next(self._last.wall_ms, self._last.counter + 1, self.node)
            return str(self._last)

    def observe(self, remote: str) -> None:
        """Move past a stamp seen from another device, so our next edit sorts after it."""
        seen = Stamp.parse(remote)
        with self._lock:
            wall = self._wall()
            if seen.wall_ms > wall + MAX_DRIFT_MS:
                raise ValueError("remote clock is more than a day ahead; refusing to follow it")
            top = max(wall, self._last.wall_ms, seen.wall_ms)
            if top == self._last.wall_ms == seen.wall_ms:
                counter = max(self._last.counter, seen.counter) + 1
            elif top == self._last.wall_ms:
                counter = self._last.counter + 1
            elif top == seen.wall_ms:
                counter = seen.counter + 1
            else:
                counter = 0
            self._last = _next(top, counter, self.node)
