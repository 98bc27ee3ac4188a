"""Desktop notifications for new messages, only inside the caregiver's availability hours.

After each sync the app calls `check()`. Messages that arrived outside the hours are not
announced later either (no burst of notifications at 09:00): they wait, counted as unread,
in the caseload. New means new on this device (a message written offline hours ago counts
when it arrives). Notification text never contains message content, only who wrote.
Once a youth's access ends, what was announced about them is taken back (the banner, and a
desktop notification where the platform can): the caregiver's screen names nobody they no
longer have access to.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime

from companion.caregiver.availability.service import AvailabilityService
from companion.caregiver.caseload.directory import CaseloadDirectory, LinkedYouth
from companion.caregiver.chat.service import ChatService
from companion.i18n import t
from companion.notify import Notifier, NotifyError, Withdrawing
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
        self._shown: dict[str, set[tuple[str, str]]] = {}  # space id -> (title, body) shown
        self._lock = threading.Lock()

    def check(self) -> list[str]:
        """Announce youths with messages that reached this device since the last check;
        returns the names announced (none outside availability hours, none the first time).
        First takes back what was announced about youths no longer active."""
        active = self._directory.active()
        self._withdraw_all_but({youth.space_id for youth in active})
        raw = self._store.meta.get(KNOWN_KEY)
        known: dict[str, list[str]] = json.loads(raw) if raw else {}
        latest: dict[str, list[str]] = {}
        fresh: list[LinkedYouth] = []
        for youth in active:
            lines = self._chat.messages(youth.space_id, limit=WINDOW)
            latest[youth.space_id] = [line.message.id for line in lines]
            before = set(known.get(youth.space_id, []))
            if raw and any(not line.mine and line.message.id not in before for line in lines):
                fresh.append(youth)
        self._store.meta.set(KNOWN_KEY, json.dumps(latest))
        if not fresh or not self._availability.is_available(self._now()):
            return []
        for youth in fresh:
            notice = (t("caregiver.alert_title"), t("caregiver.alert_body", name=youth.youth_name))
            try:
                self._notifier.notify(*notice)
            except NotifyError:
                break  # no notification service here: the unread counts still show it
            with self._lock:
                self._shown.setdefault(youth.space_id, set()).add(notice)
        return [youth.youth_name for youth in fresh]

    def _withdraw_all_but(self, active: set[str]) -> None:
        """Take back every notification about a youth whose access ended."""
        with self._lock:
            ended = [self._shown.pop(space) for space in list(self._shown) if space not in active]
        if not isinstance(self._notifier, Withdrawing):
            return
        for notices in ended:
            for title, body in notices:
                self._notifier.withdraw(title, body)
