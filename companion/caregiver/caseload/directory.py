"""The youths this device's account is linked to, as the server last reported them.

The server's `GET /v1/spaces` answer is kept in the store's meta table, so the caseload
works offline. Access follows the link's period on this device's clock too: a care period
whose end date passed hides the youth at once, before any sync, and `forget` removes that
youth's records and chat read marker from this device (the youth keeps everything in their
own space). Only links still active are kept in the list: no ended link's name stays here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from companion.core.errors import NotFound
from companion.core.meta_list import MetaList
from companion.domain.models import RECORD_TYPES
from companion.store import Store
from companion_wire import LinkStatus, Role, SpaceOut

META_KEY = "caregiver_caseload"
READ_PREFIX = "chat_read:"  # + space id: the last message shown in that youth's open chat


class LinkedYouth(BaseModel):
    """One youth's space and this account's care link to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    space_id: str
    youth_id: str
    youth_name: str
    link_id: str
    role: Role
    status: LinkStatus
    starts_at: datetime
    ends_at: datetime | None = None

    def is_active(self, at: datetime) -> bool:
        """Granted and inside its period: an end date ends access by itself."""
        if self.status is not LinkStatus.ACTIVE or at < self.starts_at:
            return False
        return self.ends_at is None or at < self.ends_at


def from_spaces(spaces: Iterable[SpaceOut], account_id: str) -> list[LinkedYouth]:
    """The spaces someone else owns, each with this account's newest link to it."""
    found: list[LinkedYouth] = []
    for space in spaces:
        if space.owner_id == account_id:
            continue
        mine = [link for link in space.links if link.person_id == account_id]
        if not mine:
            continue
        active = [link for link in mine if link.status is LinkStatus.ACTIVE]
        link = max(active or mine, key=lambda item: (item.starts_at, item.id))
        found.append(
            LinkedYouth(
                space_id=space.space_id,
                youth_id=space.owner_id,
                youth_name=space.owner_name,
                link_id=link.id,
                role=Role(link.role),
                status=link.status,
                starts_at=link.starts_at,
                ends_at=link.ends_at,
            )
        )
    return found


class CaseloadDirectory(MetaList[LinkedYouth]):
    def __init__(self, store: Store, now: Callable[[], datetime]) -> None:
        super().__init__(store, META_KEY, LinkedYouth, now)

    def get(self, space_id: str) -> LinkedYouth:
        """An actively linked youth; NotFound once the link ended (or never existed)."""
        for youth in self.active():
            if youth.space_id == space_id:
                return youth
        raise NotFound(space_id)

    def replace_all(self, youths: Iterable[LinkedYouth]) -> list[str]:
        """Store the server's list; forget the records of every space no longer active.

        Returns the forgotten space ids (the sync layer stops pulling them).
        """
        at = self._now()
        active = [youth for youth in youths if youth.is_active(at)]
        keep = {youth.space_id for youth in active}
        known = {youth.space_id for youth in self.all()} | self._spaces_on_device()
        gone = sorted(known - keep)
        with self._store.transaction():
            self.save(active)
            for space_id in gone:
                self.forget(space_id)
        return gone

    def forget_ended(self) -> list[str]:
        """Drop the entries and records of links whose period ended on this device's clock."""
        at = self._now()
        youths = self.all()
        ended = [youth.space_id for youth in youths if not youth.is_active(at)]
        with self._store.transaction():
            if ended:
                self.save(y for y in youths if y.is_active(at))
            for space_id in ended:
                self.forget(space_id)
        return ended

    def forget(self, space_id: str) -> int:
        """Remove every record of one youth's space from this device, and what was read of
        it; returns how many records."""
        ids = [
            record.id
            for kind in RECORD_TYPES
            for record in self._store.repository_for(kind).every(
                space_id=space_id, include_deleted=True
            )
        ]
        with self._store.transaction():
            for record_id in ids:
                self._store.purge(record_id)
            self._store.meta.delete(READ_PREFIX + space_id)
        return len(ids)

    def _spaces_on_device(self) -> set[str]:
        spaces: set[str] = set()
        for kind in RECORD_TYPES:
            repository = self._store.repository_for(kind)
            spaces |= {record.space_id for record in repository.every(include_deleted=True)}
        return spaces
