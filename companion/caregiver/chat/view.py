"""Chat with one youth: the thread, a composer, and my own availability in view."""

from __future__ import annotations

import flet as ft

from companion.caregiver.chat.service import ChatLine
from companion.caregiver.frame_view import frame, youth_gone
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.errors import NotFound
from companion.core.views.actions import use_action
from companion.core.views.context import use_ui
from companion.core.views.files_view import attach_button, use_chat_files
from companion.core.views.widgets import (
    body,
    bubble_width,
    error_text,
    primary_button,
    spoken,
    tag,
)
from companion.i18n import t


def bubble(line: ChatLine, youth_name: str, window: float | None) -> ft.Control:
    """One message, read as one sentence: who wrote it, when, what, and its delivery."""
    message = line.message
    sent = message.sent_at.astimezone().strftime("%d/%m %H:%M")
    state = ""
    if line.mine:
        state = t("caregiver.delivered") if line.delivered else t("caregiver.waiting")
    meta = " · ".join(p for p in (sent, state) if p)
    ink = ft.Colors.ON_PRIMARY_CONTAINER if line.mine else None
    return ft.Row(
        [
            spoken(
                t(
                    "chat.message_spoken",
                    sender=t("chat.you") if line.mine else youth_name,
                    when=meta,
                    text=message.text,
                ),
                ft.Container(
                    content=ft.Column(
                        [
                            ft.Text(message.text, color=ink),
                            ft.Text(meta, theme_style=ft.TextThemeStyle.LABEL_SMALL, color=ink),
                        ],
                        spacing=4,
                        tight=True,
                    ),
                    padding=ft.Padding.symmetric(horizontal=14, vertical=10),
                    border_radius=14,
                    bgcolor=(
                        ft.Colors.PRIMARY_CONTAINER
                        if line.mine
                        else ft.Colors.SURFACE_CONTAINER_HIGHEST
                    ),
                    width=bubble_width(window, 520),
                ),
                identifier=f"message-{message.id}",
            )
        ],
        alignment=ft.MainAxisAlignment.END if line.mine else ft.MainAxisAlignment.START,
    )


@ft.component
def ChatScreen() -> ft.View:
    services = use_caregiver()
    session = use_session()
    ui = use_ui()
    space_id = ft.use_route_params().get("space_id", "")
    text, set_text = ft.use_state("")
    action = use_action()

    def load():
        try:
            youth = session.directory.get(space_id)
        except NotFound:
            return None
        lines = session.chat.messages(space_id)
        session.chat.mark_read(space_id)
        return youth, lines

    found = ft.use_memo(load, [space_id, ui.revision])
    chat_files = use_chat_files(
        services.files,
        action,
        [line.message.id for line in found[1]] if found is not None else [],
        ui.revision,
        lambda typed: session.chat.send(space_id, typed),
        ui.data_changed,
    )
    if found is None:
        return youth_gone()
    youth, lines = found

    def send(typed: str | None = None) -> None:
        """Send what is typed (Enter gives it along: the latest keystroke may not have
        reached `text` yet)."""
        if action.run(session.chat.send, space_id, text if typed is None else typed):
            set_text("")
            ui.data_changed()

    notices: list[ft.Control] = []
    if not session.availability.is_available():
        notices.append(tag("outside-hours", body(t("caregiver.outside_hours"))))
    thread: list[ft.Control] = []
    for line in lines:
        thread.append(bubble(line, youth.youth_name, ui.width))
        if (files := chat_files.under(line.message, line.mine)) is not None:
            thread.append(files)
    if not thread:
        thread.append(tag("chat-empty", body(t("caregiver.chat_empty", name=youth.youth_name))))
    return frame(
        t("caregiver.chat_title", name=youth.youth_name),
        [
            *notices,
            tag("thread", ft.Column(thread, spacing=8)),
            ft.Row(
                [
                    ft.Container(
                        tag(
                            "chat-input",
                            ft.TextField(
                                label=t("caregiver.chat_label"),
                                value=text,
                                multiline=True,
                                min_lines=1,
                                max_lines=5,
                                # a desktop chat: Enter sends, Shift+Enter starts a new line
                                shift_enter=True,
                                helper=t("caregiver.chat_enter_hint"),
                                helper_max_lines=2,
                                on_submit=lambda e: send(e.control.value),
                                on_change=lambda e: set_text(e.control.value),
                            ),
                        ),
                        expand=True,
                    ),
                    *([attach_button(chat_files.send)] if chat_files.send else []),
                    primary_button(
                        "chat-send", t("caregiver.send"), lambda: send(), icon=ft.Icons.SEND
                    ),
                ],
                spacing=12,
                vertical_alignment=ft.CrossAxisAlignment.END,
            ),
            error_text(action.error, "chat-error"),
            ft.Text(t("caregiver.chat_privacy"), theme_style=ft.TextThemeStyle.BODY_SMALL),
        ],
        back=f"/youth/{space_id}",
    )
