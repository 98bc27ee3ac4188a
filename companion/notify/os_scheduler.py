"""Notifications the phone's OS shows, through `flet-notifications` (flutter_local_notifications:
Android AlarmManager, iOS UNUserNotificationCenter). Python gets no background time on a
phone, so reminders are handed to the OS ahead of time and the OS delivers them, app open
or not (DESIGN §7).

`OsNotifications` takes a whole plan (`replace`, from any thread, never blocking) and a task
on the event loop brings the OS's pending list in line with it: what is no longer planned
is cancelled, what is new is scheduled, nearest first and at most `cap` of them, since iOS
keeps only about 64 pending notifications per app and drops the rest without a word.
Exact alarms where Android allows them (14+ asks the user), inexact otherwise; an entry
already due is shown at once (a reminder that was missed while nothing was planned).
`notify` / `withdraw` show and take back one notification now (chat alerts). The OS side is
only reachable from the loop, so every call is async or handed to a task.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Self, TypeVar

from companion.notify.base import NotifyError, Planned

if TYPE_CHECKING:
    from flet_notifications import LocalNotifications, NotificationOptions

log = logging.getLogger(__name__)
T = TypeVar("T")

CAP = 48  # below iOS's ~64 pending per app, leaving room for chat alerts
CHANNEL_ID = "reminders"
TIMEOUT_S = 15.0
SHOW_NOW = timedelta(seconds=5)  # an entry due this soon (or overdue) is shown at once


def notification_id(*parts: str) -> int:
    """A stable positive 31-bit id (Android's notification ids are Java ints)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def hidden_when_locked() -> NotificationOptions:
    """A reminder's or a message's words are the youth's own: on a locked Android phone
    the notification says only that Companion has something (visibility "private"). iOS
    hides previews on a locked phone by the person's own setting; it has no per-app one."""
    from flet_notifications import AndroidOptions, NotificationOptions, Visibility

    return NotificationOptions(android=AndroidOptions(visibility=Visibility.PRIVATE))


def planned_id(entry: Planned) -> int:
    return notification_id(entry.reminder_id, entry.at.isoformat())


class OsNotifications:
    """A `NotificationPlanner` and a `Notifier` over the OS's notification service."""

    def __init__(
        self,
        service: LocalNotifications,
        loop: asyncio.AbstractEventLoop,
        *,
        now: Callable[[], datetime],
        cap: int = CAP,
        timeout: float = TIMEOUT_S,
    ) -> None:
        self._service = service
        self._loop = loop
        self._now = now
        self._cap = cap
        self._timeout = timeout
        self._wanted: dict[int, Planned] = {}
        # what the OS holds once checked (None: an entry found there, not planned by us)
        self._applied: dict[int, Planned | None] | None = None
        self._mode: object = None  # the Android schedule mode the OS's plan was made in
        self._task: asyncio.Task[None] | None = None
        self._dirty = False
        self.last_error: str | None = None

    @classmethod
    def mount(cls, now: Callable[[], datetime], **options: Any) -> Self:
        """Make the LocalNotifications service on the current page (on the loop). iOS is
        not asked for permission at start-up: the reminders screen asks, saying why."""
        from flet_notifications import LocalNotifications

        service = LocalNotifications(
            request_alert_permission=False,
            request_sound_permission=False,
            request_badge_permission=False,
        )
        return cls(service, asyncio.get_running_loop(), now=now, **options)

    # --- NotificationPlanner ----------------------------------------------------------------

    def replace(self, plan: Sequence[Planned]) -> None:
        """Keep the nearest `cap` entries as the plan; the OS follows on the loop."""
        nearest = sorted(plan, key=lambda entry: (entry.at, entry.reminder_id))[: self._cap]
        wanted = {planned_id(entry): entry for entry in nearest}
        if wanted == self._wanted and self._applied is not None and self.last_error is None:
            return
        self._wanted = wanted
        self._soon(self._start_apply)

    @property
    def planned(self) -> list[Planned]:
        """What this plan asks the OS for, nearest first."""
        return sorted(self._wanted.values(), key=lambda entry: entry.at)

    async def settle(self) -> None:
        """Wait until the OS holds the current plan (tests, and before going to the
        background)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    # --- Notifier ---------------------------------------------------------------------------

    def notify(self, title: str, body: str) -> None:
        """Show one notification now (from any thread); failures are logged by the task."""
        ident = notification_id("now", title, body)
        self._soon(lambda: self._spawn(self._show(ident, title, body)))

    def withdraw(self, title: str, body: str) -> None:
        """Take back a notification `notify` showed with exactly this text."""
        ident = notification_id("now", title, body)
        self._soon(lambda: self._spawn(self._call(self._service.cancel(ident))))

    # --- permissions (asked from a screen that says why) ------------------------------------

    async def enabled(self) -> bool:
        """Whether the OS lets this app show notifications now."""
        return bool(await self._call(self._service.are_notifications_enabled()))

    async def request_permission(self) -> bool:
        """The OS's own question (Android 13+, iOS); True when allowed."""
        allowed = bool(await self._call(self._service.request_permissions(), patient=True))
        self._soon(self._start_apply)  # scheduling may have failed before: hand it over again
        return allowed

    async def exact_allowed(self) -> bool:
        """Android 14+ asks the user for exact alarms; elsewhere this is True."""
        try:
            return bool(await self._call(self._service.can_schedule_exact_notifications()))
        except NotifyError:
            return True  # not an Android question (iOS): times are exact there

    async def request_exact(self) -> bool:
        """Open Android's "alarms & reminders" setting for this app."""
        allowed = bool(
            await self._call(self._service.request_exact_alarm_permission(), patient=True)
        )
        self._soon(self._start_apply)  # re-planned in the mode now allowed
        return allowed

    # --- on the loop ------------------------------------------------------------------------

    def _soon(self, start: Callable[[], object]) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            start()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(start)

    def _spawn(self, call: Awaitable[object]) -> asyncio.Task[None]:
        async def run() -> None:
            try:
                await call
            except NotifyError as error:
                self.last_error = str(error)
                log.warning("the OS refused a notification: %s", error)

        return self._loop.create_task(run())

    def _start_apply(self) -> None:
        if self._task is not None and not self._task.done():
            self._dirty = True  # the running pass starts over once it is done
            return
        self._task = self._spawn(self._apply_until_clean())

    async def _apply_until_clean(self) -> None:
        self._dirty = True
        while self._dirty:
            self._dirty = False
            await self._apply()

    async def _apply(self) -> None:
        """One pass: cancel what the OS holds but the plan dropped, schedule what is new."""
        from flet_notifications import AndroidScheduleMode

        wanted = dict(self._wanted)
        if self._applied is None:
            pending = await self._call(self._service.get_pending_notifications())
            self._applied = {item.id: None for item in pending}
        exact = await self.exact_allowed()
        mode = (
            AndroidScheduleMode.EXACT_ALLOW_WHILE_IDLE
            if exact
            else AndroidScheduleMode.INEXACT_ALLOW_WHILE_IDLE
        )
        for ident in [i for i in self._applied if i not in wanted]:
            await self._call(self._service.cancel(ident))
            del self._applied[ident]
        again = mode != self._mode  # exact alarms allowed or taken away: schedule anew
        self._mode = mode
        show_by = self._now() + SHOW_NOW
        for ident, entry in sorted(wanted.items(), key=lambda item: item[1].at):
            if ident in self._applied and not (again and entry.at > show_by):
                continue
            if entry.at <= show_by:
                await self._show(ident, entry.title, entry.body, entry.reminder_id)
            else:
                await self._call(
                    self._service.schedule(
                        ident,
                        entry.at,
                        title=entry.title,
                        body=entry.body,
                        payload=entry.reminder_id,
                        schedule_mode=mode,
                        channel_id=CHANNEL_ID,
                        options=hidden_when_locked(),
                    )
                )
            self._applied[ident] = entry
        self.last_error = None

    async def _show(self, ident: int, title: str, body: str, payload: str = "") -> None:
        await self._call(
            self._service.show(
                ident,
                title=title,
                body=body,
                payload=payload,
                channel_id=CHANNEL_ID,
                options=hidden_when_locked(),
            )
        )

    async def _call(self, call: Awaitable[T], *, patient: bool = False) -> T:
        """Await an OS call; its refusals, a closed session and silence become NotifyError.
        A question to the person (`patient`) waits as long as they take."""
        from flet_notifications import NotificationError

        try:
            return await asyncio.wait_for(call, None if patient else self._timeout)
        except TimeoutError:
            raise NotifyError("the notification service did not answer") from None
        except (NotificationError, RuntimeError) as error:
            raise NotifyError(str(error)) from error
