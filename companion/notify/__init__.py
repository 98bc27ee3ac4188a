"""Notifications for due reminders, behind a small adapter boundary (DESIGN §7).

Two seams:
- `Notifier.notify(title, body)` shows one notification now. `PlyerNotifier` uses the
  desktop's notification service (plyer); `InAppNotifier` hands it to the running UI (a
  banner; the only channel in web mode); `RecordingNotifier` keeps it for tests. Channels
  that can take a notification back (`Withdrawing`: the banner) do so when what it names
  must go, such as a youth whose access ended; plyer's cannot.
- `NotificationScheduler.schedule(reminder_id, at, title)` / `cancel(reminder_id)` asks the
  platform to notify at a time. `InAppScheduler` is the desktop/web implementation: it keeps
  the plan in memory and `fire_due(now)` (called by the reminder loop every ~30 s while the
  app runs) delivers what is due. On phones Python gets no background time, so reminders
  must be OS-scheduled notifications (Android AlarmManager / iOS UNUserNotificationCenter,
  through a Flutter extension). That implementation cannot be built here (no Flutter SDK);
  it would implement the same three methods, with `fire_due` returning nothing because the
  OS delivers.
"""

from companion.notify.base import (
    Delivered,
    FanOutNotifier,
    NotificationScheduler,
    Notifier,
    NotifyError,
    Withdrawing,
)
from companion.notify.in_app import InAppNotifier, InAppScheduler
from companion.notify.plyer_notifier import PlyerNotifier
from companion.notify.recording import RecordingNotifier

__all__ = [
    "Delivered",
    "FanOutNotifier",
    "InAppNotifier",
    "InAppScheduler",
    "NotificationScheduler",
    "Notifier",
    "NotifyError",
    "PlyerNotifier",
    "RecordingNotifier",
    "Withdrawing",
]
