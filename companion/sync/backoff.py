"""Exponential backoff with full jitter, so a fleet of phones does not retry in lockstep."""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """Delay before the next attempt: uniform in [0, min(cap, base * 2**failures)].

    Full jitter (rather than a fixed doubling) spreads retries after a server outage, when
    every client failed at the same moment. `rand` is injectable for tests.
    """

    def __init__(
        self,
        base: float = 1.0,
        cap: float = 300.0,
        *,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if base <= 0 or cap < base:
            raise ValueError("backoff needs 0 < base <= cap")
        self.base = base
        self.cap = cap
        self._rand = rand
        self.failures = 0

    def ceiling(self) -> float:
        """The upper bound of the next delay (grows until it reaches `cap`)."""
        return min(self.cap, self.base * 2 ** min(self.failures, 62))

    def next_delay(self, at_least: float = 0.0) -> float:
        """Count one more failure and return how long to wait; `at_least` honours Retry-After."""
        delay = self.ceiling() * self._rand()
        self.failures += 1
        return max(delay, at_least)

    def reset(self) -> None:
        """A success: the next failure starts from `base` again."""
        self.failures = 0
