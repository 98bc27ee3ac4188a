"""'Mijn papieren': the youth's own papers (identity card, rental contract, payslips...) kept
in drawers, private until shared person by person, like everything of theirs.

A paper is an attachment that stands on its own (`category`, no parent): sealed on this
phone under a key of its own, it goes to the server with the next sync and only the
people it is shared with can fetch it; taking someone off stops their fetches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from companion.core.chat_files import prepared
from companion.core.errors import InvalidInput, NotFound
from companion.core.files import FileService
from companion.domain.files import Attachment, PaperCategory
from companion.domain.models import MAX_TITLE
from companion.youth.account import Account
from companion.youth.network.links import LinksService


class PapersService:
    def __init__(self, files: FileService, account: Account, links: LinksService) -> None:
        self._files = files
        self._account = account
        self._links = links

    def drawers(self) -> list[tuple[PaperCategory, list[Attachment]]]:
        """Each drawer that holds papers, in the drawers' own order, newest paper first."""
        papers = self._files.papers(self._account.space_id)
        papers.sort(key=lambda paper: paper.created_at, reverse=True)
        return [
            (drawer, found)
            for drawer in PaperCategory
            if (found := [p for p in papers if p.category is drawer])
        ]

    def waiting(self) -> frozenset[str]:
        return self._files.waiting()

    async def add(self, drawer: str, title: str, data: bytes, name: str) -> Attachment:
        """File a paper (private): checked and, for a photo, cleaned before it is kept."""
        try:
            category = PaperCategory(drawer)
        except ValueError:
            raise InvalidInput("choose_drawer", field="category") from None
        title = " ".join(title.split())
        if len(title) > MAX_TITLE:
            raise InvalidInput("too_long", field="title", max_length=MAX_TITLE)
        ready = await asyncio.to_thread(prepared, data, name)
        return await asyncio.to_thread(
            self._files.attach_prepared,
            self._account.space_id,
            ready,
            category=category,
            title=title,
        )

    def share(self, paper_id: str, person_ids: Iterable[str]) -> Attachment:
        """Exactly these people (with an active link) may fetch it; empty = only you."""
        wanted = list(dict.fromkeys(person_ids))
        allowed = {link.person_id for link in self._links.active()}
        if any(person not in allowed for person in wanted):
            raise InvalidInput("not_linked", field="shared_with")
        paper = self._files.repo.get(paper_id)
        if paper is None or paper.space_id != self._account.space_id or not paper.is_paper:
            raise NotFound(paper_id)
        return self._files.share(paper, wanted)
