"""Caseload: every linked youth with last activity, unread messages and open suggestions,
plus accepting a youth's invitation code."""

from __future__ import annotations

from datetime import datetime

import flet as ft

from companion.caregiver.caseload.service import CaseloadEntry
from companion.caregiver.frame_view import frame
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.dates import format_date
from companion.core.views.actions import use_action
from companion.core.views.context import use_ui
from companion.core.views.shell import go
from companion.core.views.widgets import body, card, error_text, heading, primary_button, tag
from companion.i18n import t
from companion_wire import Role


def when(moment: datetime | None) -> str:
    if moment is None:
        return t("caregiver.no_activity")
    local = moment.astimezone()
    return t(
        "caregiver.last_activity", date=format_date(local.date()), time=local.strftime("%H:%M")
    )


def count_chip(identifier: str, text: str, icon: ft.IconData, highlighted: bool) -> ft.Control:
    return tag(
        identifier,
        ft.Container(
            content=ft.Row(
                [ft.Icon(icon, size=18), ft.Text(text, theme_style=ft.TextThemeStyle.LABEL_LARGE)],
                spacing=6,
                tight=True,
            ),
            padding=ft.Padding.symmetric(horizontal=12, vertical=6),
            border_radius=16,
            bgcolor=ft.Colors.PRIMARY_CONTAINER
            if highlighted
            else ft.Colors.SURFACE_CONTAINER_HIGH,
        ),
    )


def youth_row(entry: CaseloadEntry) -> ft.Control:
    youth = entry.youth
    period = (
        t("caregiver.until", date=format_date(youth.ends_at.astimezone().date()))
        if youth.ends_at is not None
        else t("caregiver.no_end")
    )
    role = t("caregiver.role_network") if youth.role is Role.NETWORK else ""
    return ft.Card(
        content=tag(
            f"youth-{youth.space_id}",
            ft.Container(
                padding=ft.Padding.symmetric(horizontal=20, vertical=14),
                on_click=lambda: go(f"/youth/{youth.space_id}"),
                ink=True,
                content=ft.Row(
                    [
                        ft.CircleAvatar(
                            content=ft.Text(youth.youth_name[:1].upper()),
                            radius=24,
                        ),
                        ft.Column(
                            [
                                ft.Text(
                                    youth.youth_name,
                                    theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                                    weight=ft.FontWeight.BOLD,
                                ),
                                ft.Text(
                                    " · ".join(
                                        p for p in (when(entry.last_activity), period, role) if p
                                    ),
                                    theme_style=ft.TextThemeStyle.BODY_MEDIUM,
                                ),
                            ],
                            spacing=2,
                            expand=True,
                        ),
                        count_chip(
                            f"unread-{youth.space_id}",
                            t("caregiver.unread", count=entry.unread),
                            ft.Icons.CHAT_BUBBLE_OUTLINE,
                            entry.unread > 0,
                        ),
                        count_chip(
                            f"open-{youth.space_id}",
                            t("caregiver.open_suggestions", count=entry.open_suggestions),
                            ft.Icons.LIGHTBULB_OUTLINE,
                            False,
                        ),
                        ft.Icon(ft.Icons.CHEVRON_RIGHT),
                    ],
                    spacing=16,
                    vertical_alignment=ft.CrossAxisAlignment.CENTER,
                ),
            ),
        ),
    )


@ft.component
def InvitationCard() -> ft.Control:
    """Accept the code a youth gave you; the youth appears after the next sync."""
    services = use_caregiver()
    ui = use_ui()
    code, set_code = ft.use_state("")
    done, set_done = ft.use_state(None)
    action = use_action()

    async def accept() -> None:
        set_done(None)
        if link := await action.run_async(services.accept_invitation, code):
            set_code("")
            set_done(link.value.space_id)
            ui.data_changed()

    return card(
        heading(t("caregiver.invite_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("caregiver.invite_text")),
        ft.Row(
            [
                ft.Container(
                    tag(
                        "invitation-code",
                        ft.TextField(
                            label=t("caregiver.invite_label"),
                            value=code,
                            on_change=lambda e: set_code(e.control.value),
                            capitalization=ft.TextCapitalization.CHARACTERS,
                        ),
                    ),
                    width=280,
                ),
                primary_button(
                    "invitation-accept", t("caregiver.invite_button"), action.when_idle(accept)
                ),
            ],
            spacing=12,
            wrap=True,
        ),
        error_text(action.error, "invitation-error"),
        tag("invitation-done", body(t("caregiver.invite_done")))
        if done
        else ft.Container(height=0),
    )


@ft.component
def CaseloadScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    entries = ft.use_memo(lambda: session.caseload.entries(), [ui.revision])
    listing: list[ft.Control]
    if entries:
        listing = [youth_row(entry) for entry in entries]
    else:
        listing = [tag("caseload-empty", body(t("caregiver.caseload_empty")))]
    return frame(
        t("caregiver.caseload_title", name=session.me.display_name),
        [
            heading(t("caregiver.caseload_heading")),
            tag("caseload", ft.Column(listing, spacing=8)),
            InvitationCard(),
        ],
    )
