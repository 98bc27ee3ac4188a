"""A youth's network alarm, "ik heb je nu nodig", as this person's device receives it.

The youth chose this person beforehand; that is why an alarm ignores availability hours:
it is announced the moment it arrives (a notification naming the youth, without their
words, which only the app shows) and stays at the top of every screen until this person
says they saw it. Only alarms shared with this account ever reach this device, so a
person the youth did not choose has nothing to show. An alarm the youth withdrew, or of
a youth whose access ended, is gone with its record.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from companion.caregiver.caseload.directory import CaseloadDirectory
from companion.caregiver.profile import Professional
from companion.domain.safety import NetworkAlarm
from companion.i18n import t
from companion.notify import Notifier, NotifyError
from companion.store import Repository, Store
from companion_wire import RecordKind

SEEN_KEY = "alarms_seen"  # alarm ids this person marked as seen
ANNOUNCED_KEY = "alarms_announced"  # alarm ids already announced on this device
FRESH_FOR = timedelta(days=2)  # an older alarm arriving now (a restore) is not announced


@dataclass(frozen=True)
class OpenAlarm:
    alarm: NetworkAlarm
    space_id: str
    youth_name: str


class AlarmInbox:
    def __init__(
        self,
        store: Store,
        me: Professional,
        directory: CaseloadDirectory,
        notifier: Notifier,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._me = me
        self._directory = directory
        self._notifier = notifier
        self._now = now
        self._alarms: Repository[NetworkAlarm] = store.repository_for(RecordKind.NETWORK_ALARM)
        self._lock = threading.Lock()

    def open(self) -> list[OpenAlarm]:
        """Alarms addressed to me that I have not marked as seen, newest first."""
        seen = self._ids(SEEN_KEY)
        found = []
        for youth in self._directory.active():
            for alarm in self._alarms.every(space_id=youth.space_id):
                if (
                    alarm.author_id == youth.youth_id
                    and self._me.account_id in alarm.shared_with
                    and alarm.id not in seen
                ):
                    found.append(OpenAlarm(alarm, youth.space_id, youth.youth_name))
        found.sort(key=lambda item: item.alarm.sent_at, reverse=True)
        return found

    def count(self, space_id: str) -> int:
        return sum(1 for item in self.open() if item.space_id == space_id)

    def mark_seen(self, alarm_id: str) -> None:
        """I saw it (and act on it outside the app): it leaves the top of my screens."""
        with self._lock:
            seen = self._ids(SEEN_KEY)
            seen.add(alarm_id)
            live = {item.alarm.id for item in self._all_open()}
            self._store.meta.set(SEEN_KEY, json.dumps(sorted(seen & (live | {alarm_id}))))

    def check(self) -> list[str]:
        """Announce the alarms that reached this device since the last check, whatever the
        availability hours; returns the names of the youths announced."""
        with self._lock:
            announced = self._ids(ANNOUNCED_KEY)
            fresh = [
                item
                for item in self.open()
                if item.alarm.id not in announced and item.alarm.sent_at > self._now() - FRESH_FOR
            ]
            current = {item.alarm.id for item in self._all_open()}
            keep = (announced & current) | {item.alarm.id for item in fresh}
            self._store.meta.set(ANNOUNCED_KEY, json.dumps(sorted(keep)))
        for item in fresh:
            try:
                self._notifier.notify(
                    t("alarms.notify_title", name=item.youth_name), t("alarms.notify_body")
                )
            except NotifyError:
                break  # no notification channel here: the app's own alarm strip still shows
        return [item.youth_name for item in fresh]

    def _all_open(self) -> list[OpenAlarm]:
        """Every alarm to me on this device, seen or not (to forget ids of gone ones)."""
        found = []
        for youth in self._directory.active():
            for alarm in self._alarms.every(space_id=youth.space_id):
                if self._me.account_id in alarm.shared_with:
                    found.append(OpenAlarm(alarm, youth.space_id, youth.youth_name))
        return found

    def _ids(self, key: str) -> set[str]:
        raw = self._store.meta.get(key)
        try:
            found = json.loads(raw) if raw else []
        except ValueError:
            return set()
        return {item for item in found if isinstance(item, str)}
