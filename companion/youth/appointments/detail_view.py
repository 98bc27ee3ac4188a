"""One appointment: what, when, where, the youth's answer, the .ics, and what is talked
about and agreed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import flet as ft

from companion.core.errors import NotFound, ServiceError
from companion.core.views.actions import use_action
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
)
from companion.domain.meetings import AppointmentStatus
from companion.i18n import t
from companion.youth.appointments.agreements_view import AgreementsCard
from companion.youth.appointments.points_view import PointsCard
from companion.youth.appointments.service import AppointmentView
from companion.youth.appointments.view import status_text, when_text


def facts(view: AppointmentView, zone) -> list[ft.Control]:
    appointment = view.appointment
    rows: list[ft.Control] = [
        body(t("appointments.with", name=view.person_name or t("goals.someone"))),
        tag("appointment-when", body(when_text(view.state.starts_at, zone))),
        body(t("appointments.minutes", minutes=appointment.minutes)),
    ]
    if appointment.place:
        rows.append(body(t("appointments.place", place=appointment.place)))
    if appointment.video_url:
        rows.append(
            tag(
                "appointment-video",
                ft.OutlinedButton(
                    t("appointments.video_open"),
                    icon=ft.Icons.VIDEOCAM_OUTLINED,
                    action=ft.OpenUrl(appointment.video_url),
                ),
            )
        )
    if appointment.note:
        rows.append(body(appointment.note))
    rows.append(
        tag(
            "appointment-status",
            ft.Text(status_text(view), theme_style=ft.TextThemeStyle.TITLE_SMALL),
        )
    )
    return rows


@ft.component
def AnswerRow(view: AppointmentView) -> ft.Control:
    """Yes / another moment / no for someone else's; change / call off for the youth's own."""
    session = use_session()
    ui = use_ui()
    action = use_action()

    def run(fn) -> None:
        if action.run(fn, view.id):
            ui.data_changed()

    edit = lambda: go(f"/more/appointments/{view.id}/edit")  # noqa: E731
    if view.appointment.cancelled:
        buttons: list[ft.Control] = []
    elif view.mine:
        buttons = [
            secondary_button(
                "appointment-edit", t("appointments.change"), edit, icon=ft.Icons.EDIT
            ),
            secondary_button(
                "appointment-cancel",
                t("appointments.cancel"),
                lambda: run(session.appointments.cancel),
            ),
        ]
    else:  # what the youth can still say: yes (unless it is on), another moment, no
        status = view.state.status
        buttons = []
        if not view.state.is_on:
            buttons.append(
                primary_button(
                    "appointment-accept",
                    t("appointments.accept"),
                    lambda: run(session.appointments.accept),
                    icon=ft.Icons.CHECK,
                )
            )
        buttons.append(
            secondary_button(
                "appointment-move", t("appointments.move"), edit, icon=ft.Icons.EVENT_REPEAT
            )
        )
        if status is not AppointmentStatus.DECLINED:
            buttons.append(
                secondary_button(
                    "appointment-decline",
                    t("appointments.decline"),
                    lambda: run(session.appointments.decline),
                )
            )
    return ft.Column([ft.Row(buttons, wrap=True), error_text(action.error, "appointment-error")])


@ft.component
def CalendarRow(view: AppointmentView) -> ft.Control:
    """The appointment as an .ics for the phone's own calendar (once it is on)."""
    services = use_services()
    session = use_session()
    action = use_action()
    written: Path | None
    set_written: Callable[[Path | None], None]
    written, set_written = ft.use_state(None)
    page = ft.context.page

    def write() -> Path:
        try:
            return session.appointments.write_calendar_file(view.id, services.data_dir)
        except OSError as failure:
            raise ServiceError("the calendar file could not be written") from failure

    def make() -> None:
        if path := action.run(write):
            set_written(path.value)

    async def download() -> None:
        if written is None:  # its button is shown only once a file is written
            return
        await ft.FilePicker().save_file(file_name=written.name, src_bytes=written.read_bytes())

    rows: list[ft.Control] = [
        secondary_button(
            "appointment-ics", t("appointments.ics"), make, icon=ft.Icons.CALENDAR_MONTH
        ),
        error_text(action.error, "ics-error"),
    ]
    if written is not None:
        rows.append(tag("ics-path", body(t("appointments.ics_done", path=str(written)))))
        if page.web:
            rows.append(
                secondary_button(
                    "ics-download", t("timeline.export_download"), download, icon=ft.Icons.DOWNLOAD
                )
            )
    return ft.Column(rows, spacing=8)


@ft.component
def AppointmentScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    appointment_id = ft.use_route_params().get("appointment_id", "")

    def load() -> AppointmentView | None:
        try:
            return session.appointments.get(appointment_id)
        except NotFound:
            return None

    view = ft.use_memo(load, [appointment_id, ui.revision])
    if view is None:
        return screen(
            t("appointments.title"), [tag("appointment-missing", body(t("appointments.missing")))]
        )
    zone = session.appointments.zone
    info = card(
        heading(view.appointment.title, style=ft.TextThemeStyle.TITLE_MEDIUM),
        *facts(view, zone),
        AnswerRow(view),
        *([CalendarRow(view)] if view.state.is_on else []),
    )
    return screen(
        t("appointments.one_title"),
        [tag("appointment-facts", info), PointsCard(view), AgreementsCard(view)],
    )
