"""Turns the youth's reminders into planned notifications and, in-app, fires the due ones.

`refresh()` plans each reminder's next notification (quiet hours applied) and hands the
changes to a `NotificationScheduler` (schedule / cancel): the boundary an OS-scheduled
phone implementation plugs into. `tick()` also asks it to deliver what is due; `run()` is
the asyncio loop that ticks every ~30 s while the app runs. The clock and the sleep are
injected, so tests move time by hand and never wait.

A reminder missed while the app was closed fires once when it opens (not once per missed
day); deliveries are remembered in the encrypted store, so a restart does not repeat them.
The alerts before each appointment (companion.youth.appointments.alerts) travel the same
way, keyed apart from reminder ids.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import datetime

from companion.core.errors import ServiceError
from companion.notify.base import Delivered, NotificationScheduler
from companion.store.errors import StoreError
from companion.youth.appointments.alerts import AppointmentAlerts
from companion.youth.reminders.service import RemindersService

CHECK_INTERVAL_S = 30.0

log = logging.getLogger(__name__)

Plan = dict[str, tuple[datetime, str]]  # reminder id -> (when to notify, title)


class Ticking(ABC):
    """The loop both schedulers run while the app is open: `tick()` every ~30 s."""

    _running = False

    @abstractmethod
    def tick(self) -> list[Delivered]:
        """Bring the plan up to date; return what was delivered in-app now."""

    async def run(
        self,
        *,
        interval: float = CHECK_INTERVAL_S,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        """Tick until cancelled; a second call while one loop runs returns at once."""
        if self._running:
            return
        self._running = True
        try:
            while True:
                try:
                    self.tick()
                except (StoreError, ServiceError) as error:
                    # a busy or closing store must not end reminders for the whole session
                    log.warning("reminder check failed, retrying next round: %s", error)
                await sleep(interval)
        finally:
            self._running = False


class ReminderScheduler(Ticking):
    def __init__(
        self,
        adapter: NotificationScheduler,
        now: Callable[[], datetime],
        reminders: Callable[[], RemindersService | None],
        alerts: Callable[[], AppointmentAlerts | None] = lambda: None,
    ) -> None:
        """`reminders` (and `alerts`) return the open account's service, or None when no
        account is open."""
        self._adapter = adapter
        self._now = now
        self._reminders = reminders
        self._alerts = alerts
        self._pushed: Plan = {}
        self._source: RemindersService | None = None

    def plan(self) -> Plan:
        """The next notification of every reminder that will still notify."""
        service = self._reminders()
        if service is None:
            return {}
        deliveries = service.deliveries()
        quiet = service.quiet_hours()
        planned: Plan = {}
        for reminder in service.own():
            at = service.next_fire(reminder, deliveries.bound(reminder), quiet)
            if at is not None:
                planned[reminder.id] = (at, reminder.title)
        alerts = self._alerts()
        if alerts is not None:
            planned.update(alerts.plan())
        return planned

    def refresh(self) -> Plan:
        """Bring the platform's plan in line with the reminders (call after data changes)."""
        service = self._reminders()
        if service is not self._source:  # another account, or none: start from a clean plan
            for reminder_id in self._pushed:
                self._adapter.cancel(reminder_id)
            self._pushed, self._source = {}, service
        wanted = self.plan()
        for reminder_id in set(self._pushed) - set(wanted):
            self._adapter.cancel(reminder_id)
        for reminder_id, (at, title) in wanted.items():
            if self._pushed.get(reminder_id) != (at, title):
                self._adapter.schedule(reminder_id, at, title)
        self._pushed = wanted
        return wanted

    def tick(self) -> list[Delivered]:
        """Plan, deliver what is due, remember it, and plan the next occurrences."""
        self.refresh()
        now = self._now()
        delivered = self._adapter.fire_due(now)
        if delivered and self._source is not None:
            ids = [item.reminder_id for item in delivered]
            self._source.record_deliveries(ids, now)
            alerts = self._alerts()
            if alerts is not None:
                alerts.record_deliveries(ids)
            self.refresh()
        return delivered
