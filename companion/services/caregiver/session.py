"""Everything that exists once a caregiver or network person is signed in on this device."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from companion.notify import Notifier
from companion.services.caregiver.alerts import MessageAlerts
from companion.services.caregiver.availability import AvailabilityService
from companion.services.caregiver.caseload import CaseloadService
from companion.services.caregiver.chat import ChatService
from companion.services.caregiver.directory import CaseloadDirectory
from companion.services.caregiver.documents import DocumentService
from companion.services.caregiver.profile import Professional
from companion.services.caregiver.suggestions import SuggestionService
from companion.services.caregiver.youth import YouthService
from companion.store import Store


class CaregiverSession:
    def __init__(
        self,
        store: Store,
        me: Professional,
        now: Callable[[], datetime],
        notifier: Notifier,
    ) -> None:
        self.store = store
        self.me = me
        clock = store.clock
        self.directory = CaseloadDirectory(store, now)
        self.youth = YouthService(store, me, self.directory)
        self.chat = ChatService(store, me, clock, self.directory, now)
        self.caseload = CaseloadService(self.directory, self.youth, self.chat)
        self.suggestions = SuggestionService(store, me, clock, self.directory, now)
        self.documents = DocumentService(store, me, clock, self.directory, self.youth, now)
        self.availability = AvailabilityService(store, now)
        self.alerts = MessageAlerts(
            store, self.directory, self.chat, self.availability, notifier, now
        )

    def close(self) -> None:
        self.store.close()
