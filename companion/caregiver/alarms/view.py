"""A youth's network alarm at the top of every screen of this person's app, until they say
they saw it: red, with the youth's name and own words, announced to screen readers."""

from __future__ import annotations

import flet as ft

from companion.caregiver.alarms.service import OpenAlarm
from companion.caregiver.hooks import use_caregiver
from companion.core.views.context import use_ui
from companion.core.views.shell import go
from companion.core.views.widgets import tag
from companion.i18n import t


def alarm_banner(item: OpenAlarm, seen) -> ft.Control:
    alarm = item.alarm
    words = [
        ft.Text(
            t("alarms.title", name=item.youth_name),
            theme_style=ft.TextThemeStyle.TITLE_LARGE,
            weight=ft.FontWeight.BOLD,
            color=ft.Colors.ON_ERROR,
        ),
        ft.Text(
            t("alarms.sent_at", time=alarm.sent_at.astimezone().strftime("%H:%M")),
            color=ft.Colors.ON_ERROR,
        ),
    ]
    if alarm.text:
        words.append(
            ft.Text(
                t("alarms.quote", text=alarm.text),
                theme_style=ft.TextThemeStyle.BODY_LARGE,
                color=ft.Colors.ON_ERROR,
            )
        )
    buttons = ft.Row(
        [
            tag(
                f"alarm-chat-{alarm.id}",
                ft.FilledButton(
                    t("alarms.open_chat"),
                    icon=ft.Icons.CHAT,
                    on_click=lambda: go(f"/youth/{item.space_id}/chat"),
                    bgcolor=ft.Colors.ON_ERROR,
                    color=ft.Colors.ERROR,
                ),
            ),
            tag(
                f"alarm-seen-{alarm.id}",
                ft.OutlinedButton(
                    t("alarms.seen"),
                    on_click=lambda: seen(alarm.id),
                    style=ft.ButtonStyle(color=ft.Colors.ON_ERROR),
                ),
            ),
        ],
        wrap=True,
    )
    return ft.Semantics(
        identifier=f"alarm-{alarm.id}",
        live_region=True,
        container=True,
        content=ft.Container(
            bgcolor=ft.Colors.ERROR,
            border_radius=12,
            padding=16,
            content=ft.Row(
                [
                    ft.Icon(ft.Icons.NOTIFICATION_IMPORTANT, color=ft.Colors.ON_ERROR, size=40),
                    ft.Column([*words, buttons], spacing=6, expand=True),
                ],
                spacing=16,
            ),
        ),
    )


@ft.component
def AlarmStrip() -> ft.Control:
    """Every open alarm, newest first; nothing at all when there is none."""
    services = use_caregiver()
    ui = use_ui()
    session = services.session
    alarms = ft.use_memo(lambda: session.alarms.open() if session else [], [ui.revision, session])

    def seen(alarm_id: str) -> None:
        if session is not None:
            session.alarms.mark_seen(alarm_id)
            ui.data_changed()

    if not alarms:
        return ft.Container(height=0)
    return tag("alarms", ft.Column([alarm_banner(item, seen) for item in alarms], spacing=8))
