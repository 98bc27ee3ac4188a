"""Appointments with one youth: the list, and proposing a new one (in Brussels time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import flet as ft

from companion.caregiver.appointments.service import Meeting, Proposal
from companion.caregiver.availability.service import DEFAULT_ZONE
from companion.caregiver.frame_view import frame, youth_gone
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.dates import format_date, parse_date, parse_time
from companion.core.errors import InvalidInput, NotFound
from companion.core.views.actions import Form, use_model
from companion.core.views.appointment_fields import moment_fields
from companion.core.views.context import use_ui
from companion.core.views.shell import go
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    primary_button,
    tag,
    text_input,
)
from companion.domain.meetings import AppointmentStatus
from companion.i18n import t

ZONE = ZoneInfo(DEFAULT_ZONE)


def meeting_when(moment: datetime) -> str:
    local = moment.astimezone(ZONE)
    return t(
        "appointments.when",
        weekday=t(f"appointments.weekday_{local.weekday()}"),
        date=format_date(local.date()),
        time=local.strftime("%H:%M"),
    )


def meeting_status(meeting: Meeting, youth_name: str) -> str:
    status = meeting.state.status
    if status is AppointmentStatus.PROPOSED:
        return t("caregiver.meeting_waiting", name=youth_name)
    if status is AppointmentStatus.MOVED:
        return t("caregiver.meeting_moved", name=youth_name)
    if not meeting.mine and status is AppointmentStatus.ACCEPTED:
        return t("caregiver.meeting_by_youth", name=youth_name)
    return t(f"appointments.status_{status.value}")


def meeting_tile(space_id: str, meeting: Meeting, youth_name: str) -> ft.Control:
    appointment = meeting.appointment
    return tag(
        f"meeting-{appointment.id}",
        ft.ListTile(
            leading=ft.Icon(ft.Icons.EVENT),
            title=ft.Text(appointment.title, theme_style=ft.TextThemeStyle.BODY_LARGE),
            subtitle=ft.Text(
                f"{meeting_when(meeting.state.starts_at)} · {meeting_status(meeting, youth_name)}"
            ),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
            on_click=lambda: go(f"/youth/{space_id}/appointments/{appointment.id}"),
        ),
    )


@ft.observable
@dataclass
class ProposalForm(Form):
    title: str = ""
    day: str = ""
    at: str = "14:00"
    minutes: str = "60"
    place: str = ""
    video_url: str = ""
    note: str = ""

    def proposal(self) -> Proposal:
        try:
            minutes = int(self.minutes.strip())
        except ValueError:
            raise InvalidInput("invalid_number", field="minutes") from None
        return Proposal(
            self.title,
            parse_date(self.day, field="starts_at"),
            parse_time(self.at, field="starts_at"),
            minutes,
            self.place,
            self.video_url,
            self.note,
        )

    def propose(self, meetings, space_id: str) -> bool:
        if self.run(lambda: meetings.propose(space_id, self.proposal())):
            self.title, self.place, self.video_url, self.note = "", "", "", ""
            return True
        return False


def proposal_fields(form: ProposalForm, today: date) -> list[ft.Control]:
    return [
        text_input("appt-title", t("appointments.title_label"), form.title, form.setter("title")),
        moment_fields(form, ("appt-day", "appt-time"), today),
        text_input(
            "appt-minutes",
            t("appointments.minutes_label"),
            form.minutes,
            form.setter("minutes"),
            keyboard_type=ft.KeyboardType.NUMBER,
        ),
        text_input("appt-place", t("appointments.place_label"), form.place, form.setter("place")),
        text_input(
            "appt-video",
            t("appointments.video_label"),
            form.video_url,
            form.setter("video_url"),
            hint_text="https://",
            helper=t("common.optional"),
        ),
        text_input(
            "appt-note",
            t("appointments.note_label"),
            form.note,
            form.setter("note"),
            multiline=True,
        ),
    ]


@ft.component
def MeetingsScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    space_id = ft.use_route_params().get("space_id", "")
    today = use_caregiver().now().date()
    form = use_model(lambda: ProposalForm(day=format_date(today)))

    def load():
        try:
            return session.directory.get(space_id), session.meetings.meetings(space_id)
        except NotFound:
            return None

    found = ft.use_memo(load, [space_id, ui.revision])
    if found is None:
        return youth_gone()
    youth, meetings = found

    def propose() -> None:
        if form.propose(session.meetings, space_id):
            ui.data_changed()

    listing = [meeting_tile(space_id, m, youth.youth_name) for m in meetings] or [
        tag("meetings-none", body(t("caregiver.meetings_none")))
    ]
    return frame(
        t("caregiver.meetings_title", name=youth.youth_name),
        [
            tag("meetings", card(*listing)),
            card(
                heading(t("caregiver.propose_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                body(t("caregiver.propose_intro", name=youth.youth_name)),
                *proposal_fields(form, today),
                error_text(form.error, "appt-error"),
                primary_button(
                    "appt-propose",
                    t("caregiver.propose_button"),
                    form.when_idle(propose),
                    icon=ft.Icons.SEND,
                ),
            ),
        ],
        back=f"/youth/{space_id}",
    )
