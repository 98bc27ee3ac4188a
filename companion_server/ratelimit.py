"""In-process token buckets for sign-up, sign-in and code lookups.

Each API process keeps its own buckets, so N processes allow N times the rate: good enough
for one process (SQLite installs, the demo); a multi-process PostgreSQL deployment should
move these buckets into a shared store (for example a PostgreSQL table or Redis).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from companion_server.settings import RateLimit

MAX_KEYS = 100_000  # bound memory under a flood of distinct keys


class RateLimiter:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, name: str, key: str, limit: RateLimit) -> bool:
        """Take one token from bucket (name, key); False when it is empty."""
        now = self._now()
        rate = limit.per_hour / 3600.0
        with self._lock:
            tokens, last = self._buckets.get((name, key), (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - last) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            if len(self._buckets) >= MAX_KEYS and (name, key) not in self._buckets:
                self._evict_oldest()
            self._buckets[(name, key)] = (tokens, now)
            return allowed

    def check(self, name: str, key: str, limit: RateLimit) -> bool:
        """True while bucket (name, key) still has a token, without taking one."""
        now = self._now()
        with self._lock:
            tokens, last = self._buckets.get((name, key), (float(limit.burst), now))
        return min(float(limit.burst), tokens + (now - last) * limit.per_hour / 3600.0) >= 1.0

    def _evict_oldest(self) -> None:
        """Drop the buckets that have had the longest time to refill (oldest first)."""
        oldest = sorted(self._buckets.items(), key=lambda item: item[1][1])
        for key, _ in oldest[: len(oldest) // 2]:
            del self._buckets[key]
