"""A list the server sends that the device keeps, as JSON in the store's meta table, to
show offline: the people linked to a youth's space, the youths in a caregiver's caseload.

Each item has a period (`is_active(at)`), so access follows the device's clock too: an
end date that passed hides the item at once, before any sync. A stored list this version
does not understand reads as empty: never a half-understood list of who can see what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from pydantic import TypeAdapter, ValidationError

from companion.store import Store


class WithPeriod(Protocol):
    def is_active(self, at: datetime) -> bool: ...


T = TypeVar("T", bound=WithPeriod)


class MetaList(Generic[T]):
    def __init__(self, store: Store, key: str, item: type[T], now: Callable[[], datetime]) -> None:
        self._store = store
        self._key = key
        self._now = now
        # list[item] is a type made at run time, which mypy cannot follow
        self._list: TypeAdapter[list[T]] = TypeAdapter(list[item])  # type: ignore[valid-type]

    def all(self) -> list[T]:
        raw = self._store.meta.get(self._key)
        if not raw:
            return []
        try:
            return self._list.validate_json(raw)
        except ValidationError:
            return []

    def active(self) -> list[T]:
        """The items that grant access right now."""
        at = self._now()
        return [item for item in self.all() if item.is_active(at)]

    def save(self, items: Iterable[T]) -> None:
        self._store.meta.set(self._key, self._list.dump_json(list(items)).decode())
