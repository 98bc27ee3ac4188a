"""The network alarm on the plan: one tap sends "ik heb je nu nodig" to the chosen people,
and the youth sees, person by person, whether it left the phone and whether it arrived."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import flet as ft

from companion.core.errors import ServiceError
from companion.core.views.actions import use_action
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.widgets import body, error_text, heading, tag, text_button, text_input
from companion.i18n import t
from companion.youth.safety.service import Delivery, Recipient, SentAlarm

CHECK_EVERY_S = 3.0
CHECKS = 100  # about five minutes of looking, while the screen is open


def recipient_line(alarm_id: str, recipient: Recipient) -> ft.Control:
    if recipient.delivery is Delivery.RECEIVED and recipient.at is not None:
        text = t(
            "safety.received", name=recipient.name, time=recipient.at.astimezone().strftime("%H:%M")
        )
    else:
        text = t(f"safety.delivery_{recipient.delivery.value}", name=recipient.name)
    return tag(f"alarm-{alarm_id}-to-{recipient.person_id}", body(text))


def sent_rows(sent: list[SentAlarm], withdraw: Callable[[str], None]) -> list[ft.Control]:
    rows: list[ft.Control] = []
    for item in sent[:1]:  # the latest: the one that matters now
        alarm = item.alarm
        rows.append(
            tag(
                "alarm-sent",
                ft.Text(
                    t("safety.sent_at", time=alarm.sent_at.astimezone().strftime("%H:%M")),
                    theme_style=ft.TextThemeStyle.TITLE_SMALL,
                ),
            )
        )
        rows += [recipient_line(alarm.id, r) for r in item.recipients]
        rows.append(
            text_button(
                "alarm-withdraw", t("safety.withdraw"), lambda _e, aid=alarm.id: withdraw(aid)
            )
        )
    return rows


def use_receipts(services, session, sent: list[SentAlarm], refresh: Callable[[], None]) -> None:
    """While the latest alarm has not reached everyone, keep sending and asking (quietly:
    offline just means try again)."""
    page = ft.context.page
    pending = bool(sent) and any(r.delivery is not Delivery.RECEIVED for r in sent[0].recipients)
    alarm_id = sent[0].alarm.id if sent else None

    def start():
        if not pending:
            return None

        async def poll() -> None:
            for _ in range(CHECKS):
                services.request_sync()
                try:
                    latest = await session.alarms.check_receipts()
                except ServiceError:
                    latest = None
                if latest is not None:
                    refresh()
                    if latest and all(
                        r.delivery is Delivery.RECEIVED for r in latest[0].recipients
                    ):
                        return
                await asyncio.sleep(CHECK_EVERY_S)

        future = page.run_task(poll)
        return future.cancel

    ft.use_effect(start, dependencies=[alarm_id, pending])


@ft.component
def AlarmCard() -> ft.Control:
    services = use_services()
    session = use_session()
    ui = use_ui()
    action = use_action()
    text, set_text = ft.use_state("")
    recipients = ft.use_memo(session.alarms.recipients, [ui.revision])
    sent = ft.use_memo(session.alarms.sent, [ui.revision])
    use_receipts(services, session, sent, ui.data_changed)

    def send() -> None:
        if action.run(session.alarms.send, text):
            set_text("")
            ui.data_changed()

    def withdraw(alarm_id: str) -> None:
        if action.run(session.alarms.withdraw, alarm_id):
            ui.data_changed()

    names = ", ".join(name for _, name in recipients)
    rows: list[ft.Control] = [
        heading(t("safety.alarm_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        tag(
            "alarm-to",
            body(t("safety.alarm_to", names=names) if recipients else t("safety.alarm_nobody")),
        ),
        text_input("alarm-text", t("safety.alarm_text_label"), text, set_text, max_length=280),
        tag(
            "alarm-send",
            ft.FilledButton(
                t("safety.alarm_send"),
                icon=ft.Icons.NOTIFICATION_IMPORTANT,
                on_click=send if recipients else None,
                disabled=not recipients,
                bgcolor=ft.Colors.ERROR,
                color=ft.Colors.ON_ERROR,
                style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=24, vertical=20)),
            ),
        ),
        error_text(action.error, "alarm-error"),
        *sent_rows(sent, withdraw),
    ]
    return tag(
        "alarm-card",
        ft.Card(
            content=ft.Container(padding=16, content=ft.Column(rows, spacing=12)),
            bgcolor=ft.Colors.ERROR_CONTAINER,
        ),
    )
