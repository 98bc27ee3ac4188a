"""Desktop notifications for new messages, only inside the caregiver's availability hours.

After each sync the app calls `check()`. Messages that arrived outside the hours are not
announced later either (no burst of notifications at 09:00): they wait, counted as unread,
in the caseload. New means new on this device (a message written offline hours ago counts
when it arrives). Notification text never contains message content, only who wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from companion.caregiver.availability.service import AvailabilityService
from companion.caregiver.caseload.directory import CaseloadDirectory
from companion.caregiver.chat.service import ChatService
from companion.i18n import t
from companion.notify import Notifier, NotifyError
from companion.store import Store

KNOWN_KEY = "alerts_known"  # space id -> ids of the latest messages already on this device
WINDOW = 50


class MessageAlerts:
    def __init__(
        self,
        store: Store,
        directory: CaseloadDirectory,
        chat: ChatService,
        availability: AvailabilityService,
        notifier: Notifier,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._directory = directory
        self._chat = chat
        self._availability = availability
        self._notifier = notifier
        self._now = now

    def check(self) -> list[str]:
        """Announce youths with messages that reached this device since the last check;
        returns the names announced (none outside availability hours, none the first time)."""
        raw = self._store.meta.get(KNOWN_KEY)
        known: dict[str, list[str]] = json.loads(raw) if raw else {}
        latest: dict[str, list[str]] = {}
        fresh_from: list[str] = []
        for youth in self._directory.active():
            lines = self._chat.messages(youth.space_id, limit=WINDOW)
            latest[youth.space_id] = [line.message.id for line in lines]
            before = set(known.get(youth.space_id, []))
            if raw and any(not line.mine and line.message.id not in before for line in lines):
                fresh_from.append(youth.youth_name)
        self._store.meta.set(KNOWN_KEY, json.dumps(latest))
        if not fresh_from or not self._availability.is_available(self._now()):
            return []
        for name in fresh_from:
            try:
                self._notifier.notify(
                    t("caregiver.alert_title"), t("caregiver.alert_body", name=name)
                )
            except NotifyError:
                break  # no notification service here: the unread counts still show it
        return fresh_from
