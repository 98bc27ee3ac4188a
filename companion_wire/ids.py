"""UUIDv7 ids: time-ordered, so primary-key inserts stay append-only and ids sort by creation."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid

# Canonical lowercase text of a version-7, RFC 9562 variant UUID: one id, one spelling, so
# equality checks hold. A pattern, not uuid.UUID(): ids are checked on every record pulled.
UUID7_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
_UUID7 = re.compile(UUID7_PATTERN[1:-1])
_lock = threading.Lock()
_last_ms = 0
_last_rand = 0


def new_id() -> str:
    """Return a new UUIDv7 as a string, monotonic within this process (RFC 9562 method 1)."""
    global _last_ms, _last_rand
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            rand = (_last_rand + 1) & ((1 << 74) - 1)
        else:
            rand = int.from_bytes(os.urandom(10), "big") >> 6
        _last_ms, _last_rand = ms, rand
    rand_a = rand >> 62
    rand_b = rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def is_uuid7(value: str) -> bool:
    return isinstance(value, str) and _UUID7.fullmatch(value) is not None
