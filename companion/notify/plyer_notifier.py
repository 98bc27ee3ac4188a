"""Desktop notifications through plyer (Windows toast, macOS, Linux D-Bus / notify-send).

plyer has no phone builds usable from Flet, so phones need an OS-scheduled implementation
of `NotificationScheduler` instead (see companion.notify). plyer cannot take a notification
back (it is not `Withdrawing`): it asks for each to close after TIMEOUT_S, though a
notification centre may keep it in its history; the caregiver's alerts put only the
youth's name in it, never message text.
"""

from __future__ import annotations

import warnings

APP_NAME = "Companion"
TIMEOUT_S = 10


class PlyerNotifier:
    def __init__(self, app_name: str = APP_NAME) -> None:
        self._app_name = app_name

    def notify(self, title: str, body: str) -> None:
        from companion.notify.base import NotifyError

        try:
            from plyer import notification

            with warnings.catch_warnings():
                # plyer warns about each backend it probes; the outcome is what matters
                warnings.simplefilter("ignore")
                notification.notify(
                    title=title, message=body, app_name=self._app_name, timeout=TIMEOUT_S
                )
        except (ImportError, NotImplementedError, OSError, ValueError) as error:
            raise NotifyError(f"desktop notifications unavailable: {error}") from error
