"""Everything that exists once a caregiver or network person is signed in on this device."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from companion.caregiver.alarms.service import AlarmInbox
from companion.caregiver.appointments.service import MeetingService
from companion.caregiver.availability.service import AvailabilityService
from companion.caregiver.caseload.directory import CaseloadDirectory
from companion.caregiver.caseload.service import CaseloadService
from companion.caregiver.chat.alerts import MessageAlerts
from companion.caregiver.chat.service import ChatService
from companion.caregiver.documents.service import DocumentService
from companion.caregiver.profile import Professional
from companion.caregiver.suggestions.service import SuggestionService
from companion.caregiver.youth.service import YouthService
from companion.core.verification import Verification
from companion.crypto.keys import PublicKeys
from companion.notify import Notifier
from companion.store import Store


class CaregiverSession:
    def __init__(
        self,
        store: Store,
        me: Professional,
        keys: PublicKeys,
        now: Callable[[], datetime],
        notifier: Notifier,
    ) -> None:
        """`keys`: the account's own public keys (for safety numbers)."""
        self.store = store
        self.me = me
        self.verification = Verification(store, me.account_id, keys, now)
        self.directory = CaseloadDirectory(store, now)
        self.youth = YouthService(store, me, self.directory)
        self.chat = ChatService(store, me, self.directory, now)
        self.meetings = MeetingService(store, me, self.directory, now)
        self.alarms = AlarmInbox(store, me, self.directory, notifier, now)
        self.caseload = CaseloadService(
            self.directory, self.youth, self.chat, self.meetings, self.alarms, now
        )
        self.suggestions = SuggestionService(store, me, self.directory, now)
        self.documents = DocumentService(store, me, self.directory, self.youth, now)
        self.availability = AvailabilityService(store, now)
        self.alerts = MessageAlerts(
            store, self.directory, self.chat, self.availability, notifier, now
        )

    def close(self) -> None:
        self.store.close()
