"""The private diary: write, edit, search and share entries, one person at a time.

Entries are private by default (`shared_with` empty). Sharing names people by their care
link; only people with an active link can be added. Unsharing removes them from new versions;
what a device already received cannot be recalled (the views say so).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from datetime import date

from companion.core.errors import InvalidInput, NotFound
from companion.core.validation import user_input
from companion.domain.life_domains import LifeDomain
from companion.domain.models import DiaryEntry
from companion.store import Store
from companion.youth.account import Account
from companion.youth.network.links import LinksService

PAGE_SIZE = 50


class DiaryService:
    def __init__(
        self,
        store: Store,
        account: Account,
        links: LinksService,
        today: Callable[[], date],
    ) -> None:
        self._store = store
        self._account = account
        self._links = links
        self._today = today

    def default_date(self) -> date:
        """A new entry is about today unless the youth picks another day."""
        return self._today()

    def list(self, *, limit: int = PAGE_SIZE, offset: int = 0) -> list[DiaryEntry]:
        """Newest entry date first."""
        return self._store.diary.list(space_id=self._account.space_id, limit=limit, offset=offset)

    def search(self, query: str, *, limit: int = PAGE_SIZE) -> builtins.list[DiaryEntry]:
        query = query.strip()
        if not query:
            return self.list(limit=limit)
        return self._store.diary.search(query, limit=limit, space_id=self._account.space_id)

    def get(self, entry_id: str) -> DiaryEntry:
        entry = self._store.diary.get(entry_id)
        if entry is None or entry.deleted:
            raise NotFound(entry_id)
        return entry

    def write(
        self,
        text: str,
        *,
        mood: int | None = None,
        domains: Iterable[LifeDomain | str] = (),
        entry_date: date | None = None,
        shared_with: Iterable[str] = (),
    ) -> DiaryEntry:
        """A new entry, private unless the youth chose readers while writing it (one write:
        it never exists, not even on this phone, with other readers than chosen)."""
        readers = self._readers(shared_with)
        with user_input():
            return self._store.diary.add(
                space_id=self._account.space_id,
                text=text,
                mood=mood,
                domains=list(domains),
                entry_date=entry_date or self._today(),
                shared_with=readers,
            )

    def edit(
        self,
        entry_id: str,
        *,
        text: str,
        mood: int | None,
        domains: Iterable[LifeDomain | str],
        entry_date: date,
    ) -> DiaryEntry:
        entry = self.get(entry_id)
        with user_input():
            return self._store.diary.change(
                entry, text=text, mood=mood, domains=list(domains), entry_date=entry_date
            )

    def delete(self, entry_id: str) -> None:
        self.get(entry_id)
        self._store.diary.delete(entry_id)

    def share(self, entry_id: str, person_ids: Iterable[str]) -> DiaryEntry:
        """Set exactly who (besides the youth) may read this entry; empty = only you."""
        wanted = self._readers(person_ids)
        entry = self.get(entry_id)
        with user_input():
            return self._store.diary.change(entry, shared_with=wanted)

    def _readers(self, person_ids: Iterable[str]) -> builtins.list[str]:
        """The chosen readers, each once; only people with an active link can be chosen."""
        wanted = list(dict.fromkeys(person_ids))
        allowed = {link.person_id for link in self._links.active()}
        if any(pid not in allowed for pid in wanted):
            raise InvalidInput("not_linked", field="shared_with")
        return wanted
