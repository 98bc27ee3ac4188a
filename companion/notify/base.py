"""The two adapter protocols (show now / schedule for later) and a fan-out for several channels."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

log = logging.getLogger(__name__)


class NotifyError(RuntimeError):
    """The platform could not show the notification (no notification service, denied...)."""


class Notifier(Protocol):
    def notify(self, title: str, body: str) -> None:
        """Show one notification now; raise NotifyError when the platform cannot."""


@dataclass(frozen=True)
class Delivered:
    reminder_id: str
    at: datetime  # when it was planned for
    title: str


class NotificationScheduler(Protocol):
    def schedule(self, reminder_id: str, at: datetime, title: str) -> None:
        """Notify about `reminder_id` at `at` (replacing any earlier plan for it)."""

    def cancel(self, reminder_id: str) -> None:
        """Drop the plan for `reminder_id`; unknown ids are fine."""

    def fire_due(self, now: datetime) -> list[Delivered]:
        """Deliver what is due by `now` (an OS-backed scheduler returns [])."""


class FanOutNotifier:
    """Send to every channel; one failing channel (no desktop service) never silences the
    others, and the failure is logged instead of stopping the reminder loop."""

    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        self._notifiers = list(notifiers)

    def notify(self, title: str, body: str) -> None:
        delivered = False
        for notifier in self._notifiers:
            try:
                notifier.notify(title, body)
                delivered = True
            except NotifyError as error:
                log.info("notification channel %s unavailable: %s", type(notifier).__name__, error)
        if not delivered:
            raise NotifyError("no notification channel could show the reminder")
