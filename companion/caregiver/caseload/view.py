"""Caseload: every linked youth with last activity, unread messages, open suggestions, the
next appointment and any network alarm, plus accepting a youth's invitation code. For a
real caseload (25+): search by name, a choice of order, and a "needs attention" view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

import flet as ft

from companion.caregiver.appointments.view import meeting_status, meeting_when
from companion.caregiver.caseload.service import CaseloadEntry, CaseloadSort
from companion.caregiver.frame_view import frame
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.dates import format_date
from companion.core.views.actions import use_action
from companion.core.views.context import use_ui
from companion.core.views.keyed import keyed
from companion.core.views.shell import go
from companion.core.views.widgets import (
    body,
    card,
    decorative,
    error_text,
    filter_chip,
    heading,
    primary_button,
    tag,
    whole_button,
)
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
    ink = ft.Colors.ON_PRIMARY_CONTAINER if highlighted else None  # readable on the tint
    return tag(
        identifier,
        ft.Container(
            content=ft.Row(
                [
                    ft.Icon(icon, size=18, color=ink),
                    ft.Text(text, theme_style=ft.TextThemeStyle.LABEL_LARGE, color=ink),
                ],
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


def next_meeting_line(entry: CaseloadEntry) -> ft.Control:
    meeting = entry.next_meeting
    if meeting is None:
        text = t("caregiver.no_meeting")
    else:
        text = t(
            "caregiver.next_meeting",
            when=meeting_when(meeting.state.starts_at),
            status=meeting_status(meeting, entry.youth.youth_name),
        )
    return tag(
        f"next-meeting-{entry.youth.space_id}",
        ft.Text(text, theme_style=ft.TextThemeStyle.BODY_MEDIUM),
    )


def alarm_chip(entry: CaseloadEntry) -> list[ft.Control]:
    if not entry.alarms:
        return []
    return [
        tag(
            f"alarm-chip-{entry.youth.space_id}",
            ft.Container(
                content=ft.Row(
                    [
                        ft.Icon(ft.Icons.NOTIFICATION_IMPORTANT, size=18, color=ft.Colors.ON_ERROR),
                        ft.Text(
                            t("alarms.chip"),
                            theme_style=ft.TextThemeStyle.LABEL_LARGE,
                            color=ft.Colors.ON_ERROR,
                        ),
                    ],
                    spacing=6,
                    tight=True,
                ),
                padding=ft.Padding.symmetric(horizontal=12, vertical=6),
                border_radius=16,
                bgcolor=ft.Colors.ERROR,
            ),
        )
    ]


def youth_row(entry: CaseloadEntry) -> ft.Control:
    """One youth, as one button: name, last activity, period, unread and open suggestions
    (the counts under the name, so a phone has room for them too)."""
    youth = entry.youth
    period = (
        t("caregiver.until", date=format_date(youth.ends_at.astimezone().date()))
        if youth.ends_at is not None
        else t("caregiver.no_end")
    )
    role = t("caregiver.role_network") if youth.role is Role.NETWORK else ""
    soon = t("caregiver.ending_soon") if entry.ending_soon else ""
    facts = " · ".join(p for p in (when(entry.last_activity), period, soon, role) if p)
    label = ". ".join(
        (
            youth.youth_name,
            facts,
            t("caregiver.unread", count=entry.unread),
            t("caregiver.open_suggestions", count=entry.open_suggestions),
        )
    )
    return ft.Card(
        content=whole_button(
            f"youth-{youth.space_id}",
            label,
            lambda: go(f"/youth/{youth.space_id}"),
            ft.Container(
                padding=ft.Padding.symmetric(horizontal=20, vertical=14),
                on_click=lambda: go(f"/youth/{youth.space_id}"),
                ink=True,
                content=ft.Row(
                    [
                        decorative(
                            ft.CircleAvatar(
                                content=ft.Text(youth.youth_name[:1].upper()),
                                radius=24,
                            )
                        ),
                        ft.Column(
                            [
                                ft.Text(
                                    youth.youth_name,
                                    theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                                    weight=ft.FontWeight.BOLD,
                                ),
                                ft.Text(facts, theme_style=ft.TextThemeStyle.BODY_MEDIUM),
                                ft.Row(
                                    [
                                        count_chip(
                                            f"unread-{youth.space_id}",
                                            t("caregiver.unread", count=entry.unread),
                                            ft.Icons.CHAT_BUBBLE_OUTLINE,
                                            entry.unread > 0,
                                        ),
                                        count_chip(
                                            f"open-{youth.space_id}",
                                            t(
                                                "caregiver.open_suggestions",
                                                count=entry.open_suggestions,
                                            ),
                                            ft.Icons.LIGHTBULB_OUTLINE,
                                            False,
                                        ),
                                    ],
                                    wrap=True,
                                    spacing=8,
                                    run_spacing=8,
                                ),
                                next_meeting_line(entry),
                            ],
                            spacing=4,
                            expand=True,
                        ),
                        *alarm_chip(entry),
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
    done: str | None  # the space id of the youth whose code was accepted
    set_done: Callable[[str | None], None]
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


def finding(
    query: str, set_query, order: CaseloadSort, set_order, attention: bool, set_attention, count
) -> list[ft.Control]:
    """Search by name, the order, and the "needs attention" view (with how many)."""
    return [
        tag(
            "caseload-search",
            ft.TextField(
                label=t("caregiver.caseload_search"),
                value=query,
                prefix_icon=ft.Icons.SEARCH,
                on_change=lambda e: set_query(e.control.value),
            ),
        ),
        ft.Row(
            [
                filter_chip(
                    "caseload-attention",
                    t("caregiver.attention_only", count=count),
                    attention,
                    lambda: set_attention(not attention),
                ),
                body(t("caregiver.sort_label")),
                *(
                    filter_chip(
                        f"caseload-sort-{choice.value}",
                        t(f"caregiver.sort_{choice.value}"),
                        choice is order,
                        partial(set_order, choice),
                    )
                    for choice in CaseloadSort
                ),
            ],
            wrap=True,
            spacing=8,
            run_spacing=8,
        ),
    ]


@ft.component
def CaseloadScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    query, set_query = ft.use_state("")
    order, set_order = ft.use_state(CaseloadSort.ATTENTION)
    attention, set_attention = ft.use_state(False)
    everyone = ft.use_memo(lambda: session.caseload.entries(), [ui.revision])
    found = ft.use_memo(lambda: session.caseload.entries(query, order), [query, order, ui.revision])
    entries = [entry for entry in found if entry.needs_attention] if attention else found
    listing: list[ft.Control]
    if entries:
        listing = [youth_row(entry) for entry in entries]
    elif not everyone:
        listing = [tag("caseload-empty", body(t("caregiver.caseload_empty")))]
    elif query.strip():
        text = t("caregiver.caseload_none_found", query=query.strip())
        listing = [tag("caseload-none", body(text))]
    else:
        listing = [tag("caseload-none", body(t("caregiver.caseload_no_attention")))]
    tools: list[ft.Control] = []
    if everyone:
        count = sum(entry.needs_attention for entry in everyone)
        tools = finding(query, set_query, order, set_order, attention, set_attention, count)
    return frame(
        t("caregiver.caseload_title", name=session.me.display_name),
        [
            heading(t("caregiver.caseload_heading")),
            *tools,
            tag("caseload", ft.Column(listing, spacing=8)),
            # keyed: the search tools appear above it with the first youth, and by
            # position it would be a new card then, losing "done" as it shows
            keyed(InvitationCard, "invitation")(),
        ],
    )
