"""The caseload overview: every actively linked youth with what needs attention first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from companion.caregiver.caseload.directory import CaseloadDirectory, LinkedYouth
from companion.caregiver.chat.service import ChatService
from companion.caregiver.youth.service import YouthService


@dataclass(frozen=True)
class CaseloadEntry:
    youth: LinkedYouth
    last_activity: datetime | None
    unread: int
    open_suggestions: int


class CaseloadService:
    def __init__(
        self, directory: CaseloadDirectory, youth: YouthService, chat: ChatService
    ) -> None:
        self._directory = directory
        self._youth = youth
        self._chat = chat

    def entries(self) -> list[CaseloadEntry]:
        """Unread chats first, then the most recently active youth, then by name."""
        entries = [
            CaseloadEntry(
                youth=youth,
                last_activity=self._youth.last_activity(youth),
                unread=self._chat.unread(youth.space_id),
                open_suggestions=self._youth.open_suggestions(youth).count,
            )
            for youth in self._directory.active()
        ]
        entries.sort(
            key=lambda e: (
                e.unread == 0,
                -(e.last_activity.timestamp() if e.last_activity else 0.0),
                e.youth.youth_name.casefold(),
            )
        )
        return entries
