"""On a phone, the reminders screen asks for what reminders need, saying why first: the
OS's notification permission (Android 13+, iOS) and, on Android 14+, exact alarms. The OS's
own question comes only when the youth taps the button under the explanation."""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_services
from companion.core.views.widgets import body, card, heading, primary_button, tag
from companion.i18n import t


@ft.observable
@dataclass
class ReminderPermission(Form):
    allowed: bool = True  # until the OS said otherwise: nothing to ask
    exact: bool = True

    async def check(self, services) -> None:
        state = await services.reminder_permission()
        if state is not None:
            self.allowed, self.exact = state

    async def allow(self, services) -> None:
        await services.allow_notifications()
        await self.check(services)

    async def allow_exact(self, services) -> None:
        await services.allow_exact_times()
        await self.check(services)


@ft.component
def ReminderPermissionCard() -> ft.Control:
    services = use_services()
    form = use_model(ReminderPermission)

    async def check() -> None:
        await form.check(services)

    async def allow() -> None:
        await form.allow(services)

    async def allow_exact() -> None:
        await form.allow_exact(services)

    ft.use_effect(check, dependencies=[])
    if not form.allowed:
        return tag(
            "notifications-ask",
            card(
                heading(t("reminders.allow_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                body(t("reminders.allow_text")),
                primary_button("notifications-allow", t("reminders.allow_button"), allow),
            ),
        )
    if not form.exact:
        return tag(
            "exact-ask",
            card(
                heading(t("reminders.exact_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                body(t("reminders.exact_text")),
                primary_button("exact-allow", t("reminders.exact_button"), allow_exact),
            ),
        )
    return ft.Container(visible=False)
