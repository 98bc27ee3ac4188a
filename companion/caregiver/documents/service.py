"""Reports and plans a caregiver shares with a youth ("what is known about me").

A document lives in the youth's space, so the youth can always read it; the youth answers
with their own comment (a separate record, because only authors edit). A report can start
from a draft made of what the youth shared: their goals and how far each one got.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from companion.caregiver.caseload.directory import CaseloadDirectory
from companion.caregiver.profile import Professional
from companion.caregiver.youth.service import YouthService
from companion.core.dates import format_date
from companion.core.errors import NotAllowed
from companion.core.validation import user_input
from companion.domain.models import Document, DocumentComment
from companion.i18n import t
from companion.store import Store


@dataclass(frozen=True)
class SharedDocument:
    document: Document
    comments: list[DocumentComment]  # the youth's answers this account may read


class DocumentService:
    def __init__(
        self,
        store: Store,
        me: Professional,
        directory: CaseloadDirectory,
        youth: YouthService,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._me = me
        self._directory = directory
        self._youth = youth
        self._now = now

    def list(self, space_id: str) -> list[SharedDocument]:
        """Documents in this youth's space I can read, newest first, with comments."""
        self._directory.get(space_id)
        return [
            SharedDocument(doc, list(self._store.comments.every(document_id=doc.id)))
            for doc in self._store.documents.every(space_id=space_id)
        ]

    def share(self, space_id: str, title: str, body: str) -> Document:
        """Write a document into the youth's space; it travels with the next sync."""
        if not self._me.can_share_documents:
            raise NotAllowed("only caregivers share documents")
        youth = self._directory.get(space_id)
        with user_input():
            return self._store.documents.add(
                space_id=space_id,
                created_at=self._now(),
                title=title,
                body=body,
                shared_with=[youth.youth_id],
            )

    def draft_report(self, space_id: str) -> tuple[str, str]:
        """Title and body of a report on what the youth shared, to edit before sharing."""
        detail = self._youth.detail(space_id)
        today = format_date(self._now().date())
        lines = [t("caregiver.report_intro", name=detail.youth.youth_name, date=today), ""]
        if detail.goals:
            lines.append(t("caregiver.report_goals"))
            for shared in detail.goals:
                lines.append(
                    t(
                        "caregiver.report_goal_line",
                        title=shared.goal.title,
                        domain=t(f"domain.{shared.goal.domain.value}"),
                        done=shared.done,
                        total=shared.total,
                    )
                )
        else:
            lines.append(t("caregiver.report_no_goals"))
        lines += ["", t("caregiver.report_closing")]
        return t("caregiver.report_title", date=today), "\n".join(lines)
