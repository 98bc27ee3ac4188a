"""The people linked to this youth's space (caregivers, network), as far as this device knows.

The sync engine writes the list it receives from the server into the store's meta table
(`care_links`, a JSON list of CareLink); views read it here to show who can see what.
Until the device is connected the list is simply empty, and views say so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime

from pydantic import TypeAdapter, ValidationError

from companion.domain.models import CareLink
from companion.store import Store

META_KEY = "care_links"
_LIST = TypeAdapter(list[CareLink])


class LinksService:
    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        self._store = store
        self._now = now

    def all(self) -> list[CareLink]:
        raw = self._store.meta.get(META_KEY)
        if not raw:
            return []
        try:
            return _LIST.validate_json(raw)
        except ValidationError:
            # Never show a half-understood list of who can see things.
            return []

    def active(self) -> list[CareLink]:
        """Links that grant access right now (an end date ends access by itself)."""
        at = self._now()
        return [link for link in self.all() if link.is_active(at)]

    def replace_all(self, links: Iterable[CareLink]) -> None:
        """Store the server's current list (called by the sync engine, and by tests)."""
        payload = [link.model_dump(mode="json") for link in links]
        self._store.meta.set(META_KEY, json.dumps(payload))

    def names(self, person_ids: Iterable[str]) -> list[str]:
        """Display names for person ids, in the order given; unknown ids are skipped."""
        by_id = {link.person_id: link.display_name for link in self.all()}
        return [by_id[pid] for pid in person_ids if pid in by_id]
