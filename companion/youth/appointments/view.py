"""Afspraken: every appointment, coming ones first, and the tile Today shows too."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import flet as ft

from companion.core.dates import format_date
from companion.core.views.context import use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import body, primary_button, tag
from companion.domain.meetings import AppointmentStatus
from companion.i18n import t
from companion.youth.appointments.service import AppointmentView

ICONS = {
    AppointmentStatus.PROPOSED: ft.Icons.HELP_OUTLINE,
    AppointmentStatus.ACCEPTED: ft.Icons.EVENT_AVAILABLE,
    AppointmentStatus.MOVED: ft.Icons.EVENT_REPEAT,
    AppointmentStatus.DECLINED: ft.Icons.EVENT_BUSY,
    AppointmentStatus.CANCELLED: ft.Icons.EVENT_BUSY,
}


def when_text(moment: datetime, zone: ZoneInfo) -> str:
    """'di 02/07/2026 om 14:30' in the youth's own zone."""
    local = moment.astimezone(zone)
    return t(
        "appointments.when",
        weekday=t(f"appointments.weekday_{local.weekday()}"),
        date=format_date(local.date()),
        time=local.strftime("%H:%M"),
    )


def status_text(view: AppointmentView) -> str:
    status = view.state.status
    if view.mine and status is AppointmentStatus.ACCEPTED:
        return t("appointments.status_mine")
    if status is AppointmentStatus.PROPOSED:
        return t("appointments.status_waiting", name=view.person_name or t("goals.someone"))
    return t(f"appointments.status_{status.value}")


def appointment_tile(
    view: AppointmentView, zone: ZoneInfo, prefix: str = "appointment"
) -> ft.Control:
    """One appointment: what, with whom, when, where it stands; tap opens it."""
    who = view.person_name or t("goals.someone")
    lines = [
        t("appointments.with", name=who) + " · " + when_text(view.state.starts_at, zone),
        status_text(view),
    ]
    return tag(
        f"{prefix}-{view.id}",
        ft.ListTile(
            leading=ft.Icon(ICONS[view.state.status]),
            title=ft.Text(view.appointment.title, theme_style=ft.TextThemeStyle.BODY_LARGE),
            subtitle=ft.Text("\n".join(lines)),
            is_three_line=True,
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
            on_click=lambda: go(f"/more/appointments/{view.id}"),
        ),
    )


@ft.component
def AppointmentsScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    views = ft.use_memo(session.appointments.all, [ui.revision])
    zone = session.appointments.zone
    can_plan = bool(session.appointments.people())
    controls: list[ft.Control] = [
        body(t("appointments.intro")),
        primary_button(
            "appointment-new",
            t("appointments.new"),
            (lambda: go("/more/appointments/new")) if can_plan else None,
            icon=ft.Icons.ADD,
        ),
    ]
    if not can_plan:
        controls.append(tag("appointments-nobody", body(t("appointments.nobody"))))
    if not views:
        controls.append(tag("appointments-none", body(t("appointments.none"))))
    controls += [appointment_tile(view, zone) for view in views]
    return screen(t("appointments.title"), controls)
