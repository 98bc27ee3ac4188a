"""Plan an appointment, change one of your own, or pick another moment for someone else's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import InvalidInput, NotFound
from companion.core.views.actions import Form, use_model
from companion.core.views.appointment_fields import moment_fields
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    choice_group,
    error_text,
    heading,
    primary_button,
    tag,
    text_input,
)
from companion.i18n import t
from companion.youth.appointments.service import AppointmentDraft, AppointmentView
from companion.youth.reminders.service import format_time, parse_time

WHEN = ("appointment-day", "appointment-time")


def _minutes(text: str) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise InvalidInput("invalid_number", field="minutes") from None


@ft.observable
@dataclass
class AppointmentForm(Form):
    """The appointment as typed."""

    person: str = ""
    title: str = ""
    day: str = ""
    at: str = "14:00"
    minutes: str = "60"
    place: str = ""
    video_url: str = ""
    note: str = ""

    @classmethod
    def of(
        cls, original: AppointmentView | None, zone, today: date, person: str
    ) -> AppointmentForm:
        if original is None:
            return cls(person=person, day=format_date(today))
        appointment = original.appointment
        start = original.state.starts_at.astimezone(zone)
        return cls(
            person=appointment.person_id,
            title=appointment.title,
            day=format_date(start.date()),
            at=format_time(start),
            minutes=str(appointment.minutes),
            place=appointment.place,
            video_url=appointment.video_url,
            note=appointment.note,
        )

    def save(self, appointments, original: AppointmentView | None) -> bool:
        def write() -> None:
            day = parse_date(self.day, field="starts_at")
            at = parse_time(self.at, field="starts_at")
            if original is not None and not original.mine:
                appointments.move(original.id, day, at)
                return
            draft = AppointmentDraft(
                self.person,
                self.title,
                day,
                at,
                _minutes(self.minutes),
                self.place,
                self.video_url,
                self.note,
            )
            if original is None:
                appointments.propose(draft)
            else:
                appointments.edit(original.id, draft)

        return bool(self.run(write))


def full_form(
    form: AppointmentForm, people: list[tuple[str, str]], new: bool, scale: float, today: date
) -> list[ft.Control]:
    controls: list[ft.Control] = []
    if new:
        controls += [
            heading(t("appointments.with_whom"), style=ft.TextThemeStyle.TITLE_SMALL),
            choice_group(
                "appointment-person", form.person, people, form.setter("person"), scale=scale
            ),
        ]
    controls += [
        text_input(
            "appointment-title", t("appointments.title_label"), form.title, form.setter("title")
        ),
        moment_fields(form, WHEN, today),
        text_input(
            "appointment-minutes",
            t("appointments.minutes_label"),
            form.minutes,
            form.setter("minutes"),
            keyboard_type=ft.KeyboardType.NUMBER,
        ),
        text_input(
            "appointment-place", t("appointments.place_label"), form.place, form.setter("place")
        ),
        text_input(
            "appointment-video",
            t("appointments.video_label"),
            form.video_url,
            form.setter("video_url"),
            hint_text="https://",
            helper=t("common.optional"),
            keyboard_type=ft.KeyboardType.URL,
        ),
        text_input(
            "appointment-note",
            t("appointments.note_label"),
            form.note,
            form.setter("note"),
            multiline=True,
            min_lines=2,
        ),
    ]
    return controls


@ft.component
def AppointmentEditScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    appointment_id = ft.use_route_params().get("appointment_id")
    original = ft.use_memo(lambda: _load(session, appointment_id), [appointment_id])
    people = ft.use_memo(session.appointments.people, [ui.revision])
    zone = session.appointments.zone
    today = use_services().now().astimezone(zone).date()
    first = people[0][0] if people else ""
    form = use_model(lambda: AppointmentForm.of(original, zone, today, first))

    if appointment_id is not None and original is None:
        missing = tag("appointment-missing", body(t("appointments.missing")))
        return screen(t("appointments.edit_title"), [missing])

    def save() -> None:
        if form.save(session.appointments, original):
            ui.data_changed()
            go(f"/more/appointments/{original.id}" if original else "/more/appointments")

    if original is not None and not original.mine:
        title = t("appointments.move_title")
        controls = [body(t("appointments.move_intro")), moment_fields(form, WHEN, today)]
    else:
        title = t("appointments.new_title" if original is None else "appointments.edit_title")
        controls = full_form(form, people, original is None, ui.text_scale, today)
    controls += [
        body(t("appointments.reminder_note")),
        error_text(form.error),
        primary_button(
            "appointment-save", t("common.save"), form.when_idle(save), icon=ft.Icons.CHECK
        ),
    ]
    return screen(title, controls)


def _load(session, appointment_id: str | None) -> AppointmentView | None:
    if appointment_id is None:
        return None
    try:
        return session.appointments.get(appointment_id)
    except NotFound:
        return None
