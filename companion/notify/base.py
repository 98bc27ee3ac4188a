"""The adapter protocols (show now / schedule for later / hand a plan to the OS) and a fan-out
for several channels."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)


class NotifyError(RuntimeError):
    """The platform could not show the notification (no notification service, denied...)."""


class Notifier(Protocol):
    def notify(self, title: str, body: str) -> None:
        """Show one notification now; raise NotifyError when the platform cannot."""


@runtime_checkable
class Withdrawing(Protocol):
    """A channel that can take back what it showed (the in-app banner can; plyer cannot)."""

    def withdraw(self, title: str, body: str) -> None:
        """Stop showing the notification with exactly this text, if it still shows."""


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


@dataclass(frozen=True)
class Planned:
    """One notification the OS is to show at `at` (phones: the OS delivers, not Python)."""

    reminder_id: str
    at: datetime
    title: str
    body: str


class NotificationPlanner(Protocol):
    """What a phone's notification service needs: the whole plan of upcoming notifications,
    nearest first. It never blocks (the OS is reached from the event loop later)."""

    def replace(self, plan: Sequence[Planned]) -> None:
        """Make the OS's pending notifications exactly `plan` (as far as its cap allows)."""


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

    def withdraw(self, title: str, body: str) -> None:
        """Take a notification back from every channel that can (a youth's access ended)."""
        for notifier in self._notifiers:
            if isinstance(notifier, Withdrawing):
                try:
                    notifier.withdraw(title, body)
                except NotifyError as error:
                    log.info("could not withdraw from %s: %s", type(notifier).__name__, error)
