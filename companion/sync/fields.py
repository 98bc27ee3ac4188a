"""Per-field change stamps: what lets two devices' edits of one record merge field by field.

Every field of a record's content (and its share list) carries the hybrid-logical-clock
stamp of the edit that set it. The stamps travel inside the encrypted payload; on the device
the engine keeps, per record, a `Shadow`: for each field the stamp and a digest of the value
it belongs to, and the stamp the server last had (`base`). A local edit made through the
store changes a value without touching the shadow, so a digest mismatch reveals it and the
field takes the record's own stamp (the time of that edit, or of a later one to the same
record when several edits happened before the engine looked: see `stamp_pending`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from companion.domain.models import Record

SHARES = "shared_with"  # envelope metadata, but the youth's choice: merged like content
# Made once: json.dumps with non-default options builds a new encoder on every call, and
# digests and shadows are computed for every field of every pulled record.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def values_of(record: Record) -> dict[str, Any]:
    """The fields that merge one by one: the content plus the share list."""
    values = record.content()
    values[SHARES] = list(record.shared_with)
    return values


def digest(value: Any) -> str:
    """Short, stable fingerprint of a JSON value (equal values give equal digests). Text,
    numbers and None skip JSON encoding; a type tag keeps "1", 1 and true apart. Stored
    shadows hold these digests: the bytes hashed must never change."""
    if isinstance(value, str):
        return _hash(b"s" + value.encode("utf-8"))
    key = _cache_key(value)
    if key is not None:
        found = _SMALL_DIGESTS.get(key)
        if found is None:
            found = _SMALL_DIGESTS[key] = _digest_of(value)
            if len(_SMALL_DIGESTS) > _MAX_SMALL_DIGESTS:
                _SMALL_DIGESTS.clear()
        return found
    return _digest_of(value)


def _digest_of(value: Any) -> str:
    if value is None or isinstance(value, bool | int):
        return _hash(b"v" + repr(value).encode("ascii"))  # None, True, 3: distinct from text
    return _hash(b"j" + _CANONICAL.encode(value).encode("utf-8"))


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


# Values that recur across records (a mood, no date, an empty share list, a few life
# domains) are hashed once: a restore computes a digest for every field of every record.
_SMALL_DIGESTS: dict[tuple[Any, ...], str] = {}
_MAX_SMALL_DIGESTS = 4096


def _cache_key(value: Any) -> tuple[Any, ...] | None:
    """A hashable key that tells apart everything digest() tells apart (True vs 1 too)."""
    if value is None or isinstance(value, bool | int):
        return (type(value), value)
    if isinstance(value, list) and len(value) <= 8 and all(type(v) is str for v in value):
        return (list, *value)
    return None


@dataclass(frozen=True)
class FieldState:
    stamp: str  # stamp of the value the device holds
    digest: str  # digest of that value
    base: str | None  # stamp the server last acknowledged or sent (None: never synced)


class Shadow(dict[str, FieldState]):
    """Field -> FieldState for one record, serialised compactly for the store."""

    def to_json(self) -> str:
        return _COMPACT.encode({name: [s.stamp, s.digest, s.base] for name, s in self.items()})

    @classmethod
    def from_json(cls, text: str) -> Shadow:
        return cls({name: FieldState(*parts) for name, parts in json.loads(text).items()})

    @classmethod
    def of(
        cls,
        values: Mapping[str, Any],
        stamps: Mapping[str, str],
        base: Mapping[str, str | None] | None,
    ) -> Shadow:
        """The shadow of `values` stamped `stamps`; `base` is the server's stamps (if known)."""
        known = base or {}
        return cls(
            {
                name: FieldState(stamps[name], digest(value), known.get(name))
                for name, value in values.items()
            }
        )

    def bases(self) -> dict[str, str | None]:
        return {name: state.base for name, state in self.items()}


def taken_json(values: Mapping[str, Any], stamps: Mapping[str, str]) -> str:
    """`Shadow.of(values, stamps, stamps).to_json()` without the objects in between: the
    shadow of a version taken from the server as is (every field's base is its stamp),
    written for each record of a restore."""
    return _COMPACT.encode(
        {name: [stamps[name], digest(value), stamps[name]] for name, value in values.items()}
    )


def current_stamps(
    values: Mapping[str, Any], updated_hlc: str, shadow: Shadow | None
) -> dict[str, str]:
    """Each field's stamp: the shadow's if the value is unchanged, else the record's own."""
    stamps: dict[str, str] = {}
    for name, value in values.items():
        state = shadow.get(name) if shadow else None
        unchanged = state is not None and state.digest == digest(value)
        stamps[name] = state.stamp if unchanged and state else updated_hlc
    return stamps


def newest(stamps: Mapping[str, str]) -> str:
    """The record-level stamp: the newest of its fields."""
    return max(stamps.values())
