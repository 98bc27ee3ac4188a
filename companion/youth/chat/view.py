"""Chat: the people the youth can talk to, and one conversation with delivery state, the
person's hours and, outside them, the help lines (right to disconnect)."""

from __future__ import annotations

from datetime import tzinfo

import flet as ft

from companion.core.errors import NotFound
from companion.core.helplines import Helpline
from companion.core.views.actions import use_action
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.files_view import attach_button, use_chat_files
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    bubble_width,
    card,
    decorative,
    error_text,
    icon_button,
    primary_button,
    spoken,
    tag,
)
from companion.i18n import current_language, t
from companion.youth.chat.service import ChatContact, ChatLine, Delivery, Reachability
from companion_wire import Slot

PREVIEW_CHARS = 60


def contact_tile(contact: ChatContact) -> ft.Control:
    link = contact.link
    if contact.last is not None:
        text = " ".join(contact.last.text.split())
        subtitle = text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
    else:
        subtitle = t("chat.no_messages")
    if not contact.can_write:
        subtitle = t("chat.ended_short") + " · " + subtitle
    return tag(
        f"chat-with-{link.person_id}",
        ft.ListTile(
            leading=decorative(ft.CircleAvatar(content=ft.Text(link.display_name[:1].upper()))),
            title=ft.Text(
                t("share.person", name=link.display_name, role=t(f"role.{link.role.value}")),
                theme_style=ft.TextThemeStyle.BODY_LARGE,
            ),
            subtitle=ft.Text(subtitle, max_lines=2),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
            on_click=lambda: go(f"/chat/{link.person_id}"),
        ),
    )


@ft.component
def ChatScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    contacts = ft.use_memo(session.chat.contacts, [ui.revision])
    controls: list[ft.Control]
    if contacts:
        controls = [ft.Column([contact_tile(c) for c in contacts], spacing=0)]
    else:
        controls = [
            tag("chat-empty", body(t("chat.empty"))),
            primary_button(
                "chat-invite",
                t("chat.invite"),
                lambda: go("/more/network"),
                icon=ft.Icons.PERSON_ADD,
            ),
        ]
    controls.append(ft.Text(t("chat.private_note"), theme_style=ft.TextThemeStyle.BODY_SMALL))
    return screen(t("chat.title"), controls)


def hours_text(slots: list[Slot]) -> str:
    """'ma, di, wo 09:00–17:00; vr 09:00–12:00': weekdays grouped by their hours."""
    days: dict[tuple[str, str], list[int]] = {}
    for slot in sorted(slots, key=lambda s: (s.weekday, s.start)):
        days.setdefault((slot.start, slot.end), []).append(slot.weekday)
    parts = [
        ", ".join(t(f"chat.weekday_{d}") for d in weekdays) + f" {start}–{end}"
        for (start, end), weekdays in days.items()
    ]
    return "; ".join(parts)


def helpline_buttons(lines: list[Helpline]) -> list[ft.Control]:
    language = current_language()
    return [
        tag(
            f"chat-call-{line.id}",
            ft.OutlinedButton(
                t("chat.call_line", name=line.text("name", language), number=line.number),
                icon=ft.Icons.CALL,
                action=ft.OpenUrl(line.tel_url),
                style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=16, vertical=14)),
            ),
        )
        for line in lines
    ]


def availability_notice(name: str, reach: Reachability, lines: list[Helpline]) -> ft.Control:
    if not reach.known:
        return ft.Container(height=0)
    if reach.available:
        return tag(
            "chat-available",
            ft.Text(
                t("chat.available_now", name=name, hours=hours_text(reach.slots)),
                theme_style=ft.TextThemeStyle.BODY_MEDIUM,
            ),
        )
    rows: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(ft.Icons.NIGHTLIGHT_OUTLINED),
                ft.Text(
                    t("chat.unavailable", name=name),
                    theme_style=ft.TextThemeStyle.TITLE_SMALL,
                    expand=True,
                ),
            ]
        ),
        body(t("chat.hours", hours=hours_text(reach.slots))),
    ]
    if reach.next_start is not None:
        rows.append(body(t("chat.back_at", when=reach.next_start.strftime("%d/%m %H:%M"))))
    rows += [body(t("chat.need_help_now")), *helpline_buttons(lines)]
    return tag("chat-unavailable", card(*rows))


def bubble(line: ChatLine, zone: tzinfo | None, name: str, window: float | None) -> ft.Control:
    """One message, read as one sentence: who wrote it, when, what, and its delivery."""
    message = line.message
    meta = message.sent_at.astimezone(zone).strftime("%d/%m %H:%M")
    if line.delivery is Delivery.DELIVERED:
        meta += " · " + t("chat.delivered")
    elif line.delivery is Delivery.SENT:
        meta += " · " + t("chat.sent")
    ink = ft.Colors.ON_PRIMARY_CONTAINER if line.mine else None
    spoken_text = t(
        "chat.message_spoken",
        sender=t("chat.you") if line.mine else name,
        when=meta,
        text=message.text,
    )
    return ft.Row(
        [
            spoken(
                spoken_text,
                ft.Container(
                    content=ft.Column(
                        [
                            ft.Text(
                                message.text, theme_style=ft.TextThemeStyle.BODY_LARGE, color=ink
                            ),
                            ft.Text(meta, theme_style=ft.TextThemeStyle.LABEL_SMALL, color=ink),
                        ],
                        spacing=2,
                        tight=True,
                    ),
                    padding=ft.Padding.symmetric(horizontal=12, vertical=8),
                    border_radius=14,
                    bgcolor=ft.Colors.PRIMARY_CONTAINER
                    if line.mine
                    else ft.Colors.SURFACE_CONTAINER_HIGHEST,
                    width=bubble_width(window, 290),
                ),
                identifier=f"message-{message.id}",
            )
        ],
        alignment=ft.MainAxisAlignment.END if line.mine else ft.MainAxisAlignment.START,
    )


@ft.component
def ChatThreadScreen() -> ft.View:
    services = use_services()
    session = use_session()
    ui = use_ui()
    person_id = ft.use_route_params().get("person_id", "")
    contact = ft.use_memo(lambda: _contact(session, person_id), [person_id, ui.revision])
    lines = ft.use_memo(lambda: session.chat.messages(person_id), [person_id, ui.revision])
    reach = ft.use_memo(lambda: session.chat.reachability(person_id), [person_id, ui.revision])
    draft, set_draft = ft.use_state("")
    action = use_action()
    chat_files = use_chat_files(
        services.files,
        action,
        [line.message.id for line in lines],
        ui.revision,
        lambda text: session.chat.send(person_id, text),
        ui.data_changed,
    )

    def start_conversation() -> None:
        if contact is not None and contact.can_write:
            session.chat.open(person_id)

    ft.use_effect(start_conversation, dependencies=[person_id])

    if contact is None:
        return screen(t("chat.title"), [tag("chat-missing", body(t("chat.missing")))])
    name = contact.link.display_name

    def send() -> None:
        if action.run(session.chat.send, person_id, draft):
            set_draft("")
            ui.data_changed()

    controls: list[ft.Control] = [availability_notice(name, reach, services.helplines)]
    if lines:
        zone = services.now().tzinfo
        thread: list[ft.Control] = []
        for line in lines:
            thread.append(bubble(line, zone, name, ui.width))
            if (files := chat_files.under(line.message, line.mine)) is not None:
                thread.append(files)
        controls.append(ft.Column(thread, spacing=8))
    else:
        controls.append(tag("chat-no-messages", body(t("chat.start", name=name))))
    if contact.can_write:
        controls += [
            error_text(action.error),
            ft.Row(
                [
                    ft.Semantics(
                        identifier="chat-input",
                        expand=True,
                        content=ft.TextField(
                            label=t("chat.message_label"),
                            value=draft,
                            multiline=True,
                            min_lines=1,
                            max_lines=5,
                            on_change=lambda e: set_draft(e.control.value),
                        ),
                    ),
                    *([attach_button(chat_files.send)] if chat_files.send else []),
                    icon_button("chat-send", ft.Icons.SEND, t("chat.send"), send),
                ],
                vertical_alignment=ft.CrossAxisAlignment.END,
            ),
            ft.Text(t("chat.send_note"), theme_style=ft.TextThemeStyle.BODY_SMALL),
        ]
    else:
        controls.append(tag("chat-ended", body(t("chat.ended", name=name))))
    return screen(name, controls)


def _contact(session, person_id: str) -> ChatContact | None:
    try:
        return session.chat.contact(person_id)
    except NotFound:
        return None
