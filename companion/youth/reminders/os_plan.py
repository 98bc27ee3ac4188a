"""Reminders on phones: the OS shows them, so the plan is handed over ahead of time.

Python gets no background time on a phone, and an app that is not running cannot fire a
timer. `OsReminderScheduler.refresh()` (at every start, on resume, after every change and
every ~30 s while the app is open) computes the next occurrences of every reminder (quiet
hours applied, up to AHEAD each), nearest first, and hands that plan to the OS's
notification service (`NotificationPlanner`), which keeps the nearest ones within the OS's
cap. It also remembers, in the encrypted store, what the OS was given: an occurrence whose
time has passed since then was shown by the OS, so it counts as delivered and is not shown
again; an occurrence that was never handed over (the app was closed when it fell due) is
shown once at the next start, as on the desktop. The alerts before each appointment
(companion.youth.appointments.alerts) go into the same plan, keyed apart from reminder ids,
so a phone rings a day and an hour before an appointment with the app closed too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from companion.core.errors import ServiceError
from companion.notify.base import Delivered, NotificationPlanner, Planned
from companion.store import Store
from companion.store.errors import StoreError
from companion.youth.appointments.alerts import AppointmentAlerts
from companion.youth.reminders.scheduler import Plan, Ticking
from companion.youth.reminders.service import RemindersService

AHEAD = 14  # occurrences per reminder: two weeks of a daily one, if the app is not opened

log = logging.getLogger(__name__)


class OsReminderScheduler(Ticking):
    def __init__(
        self,
        planner: NotificationPlanner,
        now: Callable[[], datetime],
        reminders: Callable[[], RemindersService | None],
        body: Callable[[datetime], str],
        alerts: Callable[[], AppointmentAlerts | None] = lambda: None,
    ) -> None:
        self._planner = planner
        self._now = now
        self._reminders = reminders
        self._body = body
        self._alerts = alerts

    def upcoming(self, service: RemindersService) -> list[Planned]:
        """The next AHEAD notifications of every reminder and the coming appointments'
        alerts, nearest first."""
        deliveries = service.deliveries()
        quiet = service.quiet_hours()
        entries: list[Planned] = []
        for reminder in service.own():
            after = deliveries.bound(reminder)
            for _ in range(AHEAD):
                at = service.next_fire(reminder, after, quiet)
                if at is None:
                    break
                entries.append(Planned(reminder.id, at, reminder.title, self._body(at)))
                after = at
        alerts = self._alerts()
        if alerts is not None:
            for key, (at, title) in alerts.plan().items():
                entries.append(Planned(key, at, title, self._body(at)))
        entries.sort(key=lambda entry: (entry.at, entry.reminder_id))
        return entries

    def refresh(self) -> Plan:
        """Count what the OS showed since the last plan, then hand it the new plan."""
        service = self._reminders()
        if service is None:
            self._planner.replace([])
            return {}
        now = self._now()
        handed = service.handed_to_os()
        shown = {rid for rid, at in handed if at <= now}
        if shown:
            service.record_deliveries(shown, now)
            alerts = self._alerts()
            if alerts is not None:
                alerts.record_deliveries(shown)
        entries = self.upcoming(service)
        self._planner.replace(entries)
        plan = [(entry.reminder_id, entry.at) for entry in entries]
        if plan != handed:  # a tick that changed nothing writes nothing
            service.remember_handed(plan)
        first: Plan = {}
        for entry in entries:
            first.setdefault(entry.reminder_id, (entry.at, entry.title))
        return first

    def tick(self) -> list[Delivered]:
        """The OS delivers: a tick only keeps its plan current."""
        self.refresh()
        return []

    def follow(self, store: Store) -> Callable[[], None]:
        """Re-plan after every local change to the store (a reminder made, edited,
        snoozed, paused, deleted); returns the unsubscribe."""

        def changed(_: tuple[str, ...]) -> None:
            try:
                self.refresh()
            except (StoreError, ServiceError) as error:
                log.warning("could not re-plan reminders after a change: %s", error)

        return store.on_local_change(changed)
