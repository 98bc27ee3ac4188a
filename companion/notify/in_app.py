"""The in-app channel and scheduler used on desktop and in web mode, while the app runs.

`InAppNotifier` passes notifications to whoever listens (the app shows a banner: in web
mode the browser tab is the only place a reminder can appear), and withdrawals too, so a
banner naming someone this device must forget goes at once, not when it times out.
`InAppScheduler` keeps the planned notification per reminder and delivers those that are
due when asked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from companion.notify.base import Delivered, Notifier, NotifyError

Listener = Callable[[str, str], None]


class InAppNotifier:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._withdrawn: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(
        self, listener: Listener, withdrawn: Listener | None = None
    ) -> Callable[[], None]:
        """Call `listener(title, body)` for each notification and `withdrawn(title, body)`
        for each one taken back; returns the unsubscribe."""
        with self._lock:
            self._listeners.append(listener)
            if withdrawn is not None:
                self._withdrawn.append(withdrawn)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
                if withdrawn in self._withdrawn:
                    self._withdrawn.remove(withdrawn)

        return unsubscribe

    def withdraw(self, title: str, body: str) -> None:
        """Tell every screen to stop showing this notification (no screen: nothing shows)."""
        with self._lock:
            listeners = list(self._withdrawn)
        for listener in listeners:
            listener(title, body)

    def notify(self, title: str, body: str) -> None:
        with self._lock:
            listeners = list(self._listeners)
        if not listeners:
            raise NotifyError("no screen is showing the app")
        for listener in listeners:
            listener(title, body)


class InAppScheduler:
    """A `NotificationScheduler` that delivers through `notifier` when `fire_due` runs."""

    def __init__(self, notifier: Notifier, body: Callable[[datetime], str]) -> None:
        self._notifier = notifier
        self._body = body
        self._planned: dict[str, tuple[datetime, str]] = {}
        self._lock = threading.Lock()

    def schedule(self, reminder_id: str, at: datetime, title: str) -> None:
        if at.tzinfo is None:
            raise ValueError("schedule needs an aware datetime")
        with self._lock:
            self._planned[reminder_id] = (at, title)

    def cancel(self, reminder_id: str) -> None:
        with self._lock:
            self._planned.pop(reminder_id, None)

    def planned(self) -> dict[str, tuple[datetime, str]]:
        with self._lock:
            return dict(self._planned)

    def fire_due(self, now: datetime) -> list[Delivered]:
        """Notify for every plan due by `now`, soonest first; each plan fires once.

        A plan whose notification fails stays planned, so the next check tries again.
        """
        with self._lock:
            due = sorted(
                (at, rid, title) for rid, (at, title) in self._planned.items() if at <= now
            )
        delivered: list[Delivered] = []
        for at, reminder_id, title in due:
            try:
                self._notifier.notify(title, self._body(at))
            except NotifyError:
                continue
            with self._lock:
                if self._planned.get(reminder_id) == (at, title):
                    del self._planned[reminder_id]
            delivered.append(Delivered(reminder_id, at, title))
        return delivered
