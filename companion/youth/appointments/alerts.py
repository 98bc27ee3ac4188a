"""Reminders before each appointment: a day before and an hour before, quiet hours kept.

Nobody has to make them: every appointment that is on gets them. An alert that would fall
inside quiet hours rings when they end if that is still before the appointment, and
otherwise at the last minute before they began (an 07:30 appointment rings the evening
before, not at 08:00). Alerts for a moment before the appointment was agreed never ring,
and each rings once: what rang is remembered in the encrypted store, per start time, so
moving an appointment plans its alerts afresh. The reminder scheduler
(companion.youth.reminders.scheduler) plans and delivers them beside the reminders.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from companion.domain.hlc import Stamp
from companion.domain.models import Record
from companion.i18n import t
from companion.store import Store
from companion.youth.appointments.service import AppointmentsService, AppointmentView
from companion.youth.reminders.service import QuietHours, RemindersService

LEADS = (timedelta(days=1), timedelta(hours=1))
DELIVERED_KEY = "appointment_alerts"
PREFIX = "appointment:"
LOOKAHEAD = 100  # appointments planned at most (a phone holds a handful)

Plan = dict[str, tuple[datetime, str]]  # alert key -> (when to notify, title)


def alert_time(quiet: QuietHours, due: datetime, start: datetime) -> datetime:
    """When an alert due at `due` for an appointment at `start` may ring."""
    released = quiet.release(due)
    return released if released < start else quiet.hold(due)


def changed_at(record: Record) -> datetime:
    return datetime.fromtimestamp(Stamp.parse(record.updated_hlc).wall_ms / 1000, UTC)


class AppointmentAlerts:
    def __init__(
        self,
        store: Store,
        appointments: AppointmentsService,
        reminders: RemindersService,
        now: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._appointments = appointments
        self._reminders = reminders
        self._now = now

    def plan(self) -> Plan:
        """The alerts still to ring, for every coming appointment that is on."""
        delivered = self._delivered()
        return {key: when for key, when in self._candidates().items() if key not in delivered}

    def record_deliveries(self, keys: Iterable[str]) -> None:
        """Remember these alerts rang (and forget those of appointments no longer coming)."""
        coming = set(self._candidates())
        kept = {key for key in self._delivered() if key in coming}
        kept |= {key for key in keys if key.startswith(PREFIX)}
        self._store.meta.set(DELIVERED_KEY, json.dumps(sorted(kept)))

    def _candidates(self) -> Plan:
        """Every alert of the coming appointments that are on, rung or not."""
        quiet = self._reminders.quiet_hours()
        now = self._now()
        found: Plan = {}
        for view in self._appointments.upcoming(limit=LOOKAHEAD):
            start = view.state.starts_at.astimezone(self._appointments.zone)
            if not view.state.is_on or start <= now:
                continue
            agreed = _agreed_at(view)
            for lead in LEADS:
                at = alert_time(quiet, start - lead, start)
                if at > agreed:
                    found[alert_key(view.id, lead, start)] = (at, self._title(view, start))
        return found

    def _delivered(self) -> set[str]:
        raw = self._store.meta.get(DELIVERED_KEY)
        try:
            found = json.loads(raw) if raw else []
        except ValueError:
            return set()
        return {key for key in found if isinstance(key, str)}

    def _title(self, view: AppointmentView, start: datetime) -> str:
        return t(
            "appointments.alert",
            title=view.appointment.title,
            day=start.strftime("%d/%m"),
            time=start.strftime("%H:%M"),
        )


def alert_key(appointment_id: str, lead: timedelta, start: datetime) -> str:
    minutes = int(lead.total_seconds() // 60)
    return f"{PREFIX}{appointment_id}:{minutes}:{start.astimezone(UTC).isoformat()}"


def _agreed_at(view: AppointmentView) -> datetime:
    """When the appointment became what it is now: its last change, or the youth's answer."""
    moments = [changed_at(view.appointment)]
    if view.answer is not None:
        moments.append(changed_at(view.answer))
    return max(moments)
