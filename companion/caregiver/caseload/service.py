"""The caseload overview: every actively linked youth, found by name, sorted as the caregiver
chooses (what needs attention first, name, last activity, unread), or only those who need
attention: a network alarm, unread messages, open suggestions, or a care period that ends
within 30 days. Each shows the next appointment with this person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from companion.caregiver.alarms.service import AlarmInbox
from companion.caregiver.appointments.service import Meeting, MeetingService
from companion.caregiver.caseload.directory import CaseloadDirectory, LinkedYouth
from companion.caregiver.chat.service import ChatService
from companion.caregiver.youth.service import YouthService

ENDING_SOON = timedelta(days=30)


class CaseloadSort(StrEnum):
    ATTENTION = "attention"  # alarms, then unread, then the most recently active
    NAME = "name"
    ACTIVITY = "activity"  # the most recently active first
    UNREAD = "unread"  # the most unread messages first


@dataclass(frozen=True)
class CaseloadEntry:
    youth: LinkedYouth
    last_activity: datetime | None
    unread: int
    open_suggestions: int
    next_meeting: Meeting | None = None
    alarms: int = 0
    ending_soon: bool = False  # the care period ends within ENDING_SOON

    @property
    def needs_attention(self) -> bool:
        return bool(self.alarms or self.unread or self.open_suggestions or self.ending_soon)


def _name(entry: CaseloadEntry) -> str:
    return entry.youth.youth_name.casefold()


def _recent(entry: CaseloadEntry) -> float:
    return -(entry.last_activity.timestamp() if entry.last_activity else 0.0)


SORT_KEYS: dict[CaseloadSort, Callable[[CaseloadEntry], tuple[object, ...]]] = {
    CaseloadSort.ATTENTION: lambda e: (e.alarms == 0, e.unread == 0, _recent(e), _name(e)),
    CaseloadSort.NAME: lambda e: (_name(e), _recent(e)),
    CaseloadSort.ACTIVITY: lambda e: (_recent(e), _name(e)),
    CaseloadSort.UNREAD: lambda e: (-e.unread, _recent(e), _name(e)),
}


class CaseloadService:
    def __init__(
        self,
        directory: CaseloadDirectory,
        youth: YouthService,
        chat: ChatService,
        meetings: MeetingService,
        alarms: AlarmInbox,
        now: Callable[[], datetime],
    ) -> None:
        self._directory = directory
        self._youth = youth
        self._chat = chat
        self._meetings = meetings
        self._alarms = alarms
        self._now = now

    def entries(
        self,
        query: str = "",
        sort: CaseloadSort | str = CaseloadSort.ATTENTION,
        *,
        attention_only: bool = False,
    ) -> list[CaseloadEntry]:
        """The youths whose name holds `query` (any case), sorted by `sort`; with
        `attention_only`, only those who need attention."""
        wanted = query.strip().casefold()
        order = SORT_KEYS[CaseloadSort(sort)]
        alarms = [item.space_id for item in self._alarms.open()]
        soon = self._now() + ENDING_SOON
        entries = [
            CaseloadEntry(
                youth=youth,
                last_activity=self._youth.last_activity(youth),
                unread=self._chat.unread(youth.space_id),
                open_suggestions=self._youth.open_suggestions(youth).count,
                next_meeting=self._meetings.next_meeting(youth),
                alarms=alarms.count(youth.space_id),
                ending_soon=youth.ends_at is not None and youth.ends_at <= soon,
            )
            for youth in self._directory.active()
            if wanted in youth.youth_name.casefold()
        ]
        if attention_only:
            entries = [entry for entry in entries if entry.needs_attention]
        return sorted(entries, key=order)
