"""One appointment with a youth: where it stands, moving or cancelling my own proposal,
the points to discuss (mine, and the youth's as far as shared with me), and agreements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import flet as ft

from companion.caregiver.appointments.service import AgreedItem, Meeting, Point
from companion.caregiver.appointments.view import meeting_status, meeting_when
from companion.caregiver.frame_view import frame, youth_gone
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.dates import format_date, parse_date, parse_time
from companion.core.errors import NotFound
from companion.core.views.actions import Form, use_model
from companion.core.views.appointment_fields import AgreementDraft, agreement_inputs, moment_fields
from companion.core.views.context import use_ui
from companion.core.views.keyed import keyed
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
    text_button,
    text_input,
)
from companion.domain.meetings import AgreementReply, Who
from companion.domain.models import DiaryEntry
from companion.i18n import t


@ft.observable
@dataclass
class MeetingForm(Form):
    """What can be typed on this screen besides an agreement: a point, another moment."""

    point: str = ""
    day: str = ""
    at: str = ""


def point_line(item: Point, youth_name: str, remove) -> ft.Control:
    point = item.point
    lines = [point.text]
    if isinstance(item.about, DiaryEntry):
        lines.append(
            t(
                "caregiver.point_diary",
                date=format_date(item.about.entry_date),
                text=item.about.text,
            )
        )
    elif item.about is not None:
        lines.append(t("caregiver.point_item", title=getattr(item.about, "title", "")))
    author = t("caregiver.point_mine") if item.mine else t("caregiver.point_from", name=youth_name)
    controls: list[ft.Control] = [
        body("\n".join(lines)),
        ft.Text(author, theme_style=ft.TextThemeStyle.BODY_SMALL),
    ]
    if item.mine:
        controls.append(
            text_button(
                f"point-remove-{point.id}", t("appointments.point_remove"), lambda: remove(point.id)
            )
        )
    return tag(f"point-{point.id}", ft.Column(controls, spacing=2))


def agreement_line(item: AgreedItem, youth_name: str) -> ft.Control:
    agreement = item.agreement
    # "other" is the appointment's other person: on this device, me
    who = {
        Who.YOUTH: youth_name,
        Who.OTHER: t("caregiver.who_me"),
        Who.TOGETHER: t("caregiver.who_together"),
    }[agreement.who]
    lines = [f"{who}: {agreement.text}"]
    if agreement.due is not None:
        lines[0] += " " + t("appointments.due", date=format_date(agreement.due))
    if item.mine:
        reply = item.answer.reply if item.answer is not None else AgreementReply.OPEN
        lines.append(t(f"caregiver.reply_{reply.value}", name=youth_name))
        if item.answer is not None and item.answer.comment:
            lines.append(t("caregiver.youth_comment", name=youth_name, text=item.answer.comment))
    else:
        lines.append(t("caregiver.agreement_by_youth", name=youth_name))
    return tag(f"agreement-{agreement.id}", body("\n".join(lines)))


def own_controls(
    form: MeetingForm, run, session, space_id: str, meeting: Meeting, today: date
) -> list[ft.Control]:
    """Move or call off my own proposal (the youth is asked again after a move)."""
    if not meeting.mine or meeting.appointment.cancelled:
        return []

    def move() -> None:
        def write() -> None:
            session.meetings.move(
                space_id,
                meeting.appointment.id,
                parse_date(form.day, field="starts_at"),
                parse_time(form.at, field="starts_at"),
            )

        run(write)

    return [
        moment_fields(form, ("move-day", "move-time"), today),
        ft.Row(
            [
                secondary_button(
                    "meeting-move", t("caregiver.move_button"), move, icon=ft.Icons.EVENT_REPEAT
                ),
                secondary_button(
                    "meeting-cancel",
                    t("appointments.cancel"),
                    lambda: run(session.meetings.cancel, space_id, meeting.appointment.id),
                ),
            ],
            wrap=True,
        ),
    ]


@ft.component
def PointsCard(space_id: str, meeting: Meeting, points: list[Point], name: str) -> ft.Control:
    """My points and the youth's shared ones; I add mine here."""
    session = use_session()
    ui = use_ui()
    form = use_model(MeetingForm)
    appointment_id = meeting.appointment.id

    def add() -> None:
        if form.run(session.meetings.add_point, space_id, appointment_id, form.point):
            form.point = ""
            ui.data_changed()

    def remove(point_id: str) -> None:
        if form.run(session.meetings.remove_point, space_id, point_id):
            ui.data_changed()

    lines = [point_line(p, name, remove) for p in points] or [
        tag("points-none", body(t("appointments.points_none")))
    ]
    return tag(
        "points",
        card(
            heading(t("appointments.points_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            body(t("caregiver.points_intro", name=name)),
            *lines,
            text_input("point-text", t("caregiver.point_label"), form.point, form.setter("point")),
            error_text(form.error, "point-error"),
            primary_button(
                "point-add", t("appointments.point_add"), form.when_idle(add), icon=ft.Icons.ADD
            ),
        ),
    )


@ft.component
def AgreementsCard(
    space_id: str, meeting: Meeting, agreements: list[AgreedItem], name: str
) -> ft.Control:
    """What was agreed, with the youth's replies; I write mine once the meeting began."""
    session = use_session()
    ui = use_ui()
    form = use_model(AgreementDraft)
    today = use_caregiver().now().date()
    appointment_id = meeting.appointment.id

    def add() -> None:
        def write(text: str, who: str, due: date | None) -> None:
            session.meetings.write_agreement(space_id, appointment_id, text, who, due)

        if form.add(write):
            ui.data_changed()

    rows: list[ft.Control] = [
        heading(t("appointments.agreements_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        *(
            [agreement_line(a, name) for a in agreements]
            or [tag("agreements-none", body(t("appointments.agreements_none")))]
        ),
    ]
    if not session.meetings.can_write_agreements(meeting):
        rows.append(body(t("appointments.agreements_later")))
        return tag("agreements", card(*rows))
    who = [
        (Who.YOUTH.value, name),
        (Who.OTHER.value, t("caregiver.who_me")),
        (Who.TOGETHER.value, t("caregiver.who_together")),
    ]
    rows += agreement_inputs(form, who, add, today, ui.text_scale)
    return tag("agreements", card(*rows))


@ft.component
def MeetingScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    params = ft.use_route_params()
    space_id, appointment_id = params.get("space_id", ""), params.get("appointment_id", "")
    form = use_model(MeetingForm)
    today = use_caregiver().now().date()

    def load():
        try:
            youth = session.directory.get(space_id)
            meeting = session.meetings.meeting(space_id, appointment_id)
            return (
                youth,
                meeting,
                session.meetings.points(space_id, appointment_id),
                session.meetings.agreements(space_id, appointment_id),
            )
        except NotFound:
            return None

    found = ft.use_memo(load, [space_id, appointment_id, ui.revision])
    if found is None:
        return youth_gone()
    youth, meeting, points, agreements = found
    name = youth.youth_name

    def run(fn, *args) -> None:
        if form.run(fn, *args):
            ui.data_changed()

    appointment = meeting.appointment
    facts = [
        heading(appointment.title, style=ft.TextThemeStyle.TITLE_MEDIUM),
        tag("meeting-when", body(meeting_when(meeting.state.starts_at))),
        tag("meeting-status", body(meeting_status(meeting, name))),
        *([body(t("appointments.place", place=appointment.place))] if appointment.place else []),
        *own_controls(form, run, session, space_id, meeting, today),
        error_text(form.error, "meeting-error"),
    ]
    talk = keyed(PointsCard, f"points-{appointment_id}")(space_id, meeting, points, name)
    agreed = keyed(AgreementsCard, f"agreed-{appointment_id}")(space_id, meeting, agreements, name)
    # before the appointment what to talk about comes first; once it began, what was agreed
    cards = [agreed, talk] if session.meetings.can_write_agreements(meeting) else [talk, agreed]
    return frame(
        appointment.title,
        [tag("meeting-facts", card(*facts)), *cards],
        back=f"/youth/{space_id}/appointments",
    )
