"""The people linked to this youth's space (caregivers, network), as far as this device knows.

The sync engine writes the list it receives from the server into the store's meta table
(`care_links`, a JSON list of CareLink); views read it here to show who can see what.
Until the device is connected the list is simply empty, and views say so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from companion.core.meta_list import MetaList
from companion.domain.models import CareLink
from companion.store import Store

META_KEY = "care_links"


class LinksService(MetaList[CareLink]):
    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        super().__init__(store, META_KEY, CareLink, now)

    def replace_all(self, links: Iterable[CareLink]) -> None:
        """Store the server's current list (called by the sync engine, and by tests)."""
        self.save(links)

    def names(self, person_ids: Iterable[str]) -> list[str]:
        """Display names for person ids, in the order given; unknown ids are skipped."""
        by_id = {link.person_id: link.display_name for link in self.all()}
        return [by_id[pid] for pid in person_ids if pid in by_id]
