"""Make or change one reminder: what, which day and time, how often, for which goal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotFound
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    delete_with_confirmation,
    error_text,
    heading,
    primary_button,
    tag,
    text_input,
)
from companion.domain.models import Recurrence, Reminder
from companion.i18n import t
from companion.youth.reminders.service import format_time, parse_time

NO_GOAL = "none"
RADIO_CHARS = 34  # a radio label does not wrap: keep it inside a 360 px screen


def short(text: str) -> str:
    return text if len(text) <= RADIO_CHARS else text[: RADIO_CHARS - 1] + "…"


@ft.observable
@dataclass
class ReminderDraft(Form):
    """The reminder as typed: what, first day and time, how often, for which goal."""

    title: str = ""
    day: str = ""
    at: str = "09:00"
    repeat: str = Recurrence.NONE.value
    goal: str = NO_GOAL
    confirming_delete: bool = False

    @classmethod
    def of(cls, original: Reminder | None, zone, today: date) -> ReminderDraft:
        if original is None:
            return cls(day=format_date(today))
        start = original.first_due.astimezone(zone)
        return cls(
            title=original.title,
            day=format_date(start.date()),
            at=format_time(start),
            repeat=original.recurrence.value,
            goal=original.goal_id or NO_GOAL,
        )

    def save(self, reminders, original: Reminder | None) -> bool:
        def write() -> None:
            fields = {
                "day": parse_date(self.day, field="first_due"),
                "at": parse_time(self.at, field="first_due"),
                "recurrence": self.repeat,
                "goal_id": None if self.goal == NO_GOAL else self.goal,
            }
            if original is None:
                reminders.create(self.title, **fields)
            else:
                reminders.edit(original.id, title=self.title, **fields)

        return bool(self.run(write))


def when_fields(form: ReminderDraft) -> ft.Control:
    return ft.Row(
        [
            text_input(
                "reminder-day",
                t("reminders.day_label"),
                form.day,
                form.setter("day"),
                hint_text="31/12/2026",
                width=170,
                keyboard_type=ft.KeyboardType.DATETIME,
            ),
            text_input(
                "reminder-time",
                t("reminders.time_label"),
                form.at,
                form.setter("at"),
                hint_text="09:00",
                width=120,
                keyboard_type=ft.KeyboardType.DATETIME,
            ),
        ],
        wrap=True,
    )


def radio_group(identifier: str, value: str, options: list[ft.Radio], on_change) -> ft.Control:
    return tag(
        identifier,
        ft.RadioGroup(
            value=value,
            on_change=lambda e: on_change(e.control.value),
            content=ft.Column(options, spacing=0),
        ),
    )


def reminder_form(form: ReminderDraft, goals: dict[str, str], save) -> list[ft.Control]:
    repeats = [ft.Radio(value=r.value, label=t(f"reminders.repeat_{r.value}")) for r in Recurrence]
    goal_options = [ft.Radio(value=NO_GOAL, label=t("reminders.no_goal"))] + [
        ft.Radio(value=goal_id, label=short(goal_title)) for goal_id, goal_title in goals.items()
    ]
    return [
        text_input("reminder-title", t("reminders.title_label"), form.title, form.setter("title")),
        when_fields(form),
        heading(t("reminders.repeat_question"), style=ft.TextThemeStyle.TITLE_SMALL),
        radio_group("reminder-repeat", form.repeat, repeats, form.setter("repeat")),
        heading(t("reminders.goal_question"), style=ft.TextThemeStyle.TITLE_SMALL),
        radio_group("reminder-goal", form.goal, goal_options, form.setter("goal")),
        body(t("reminders.quiet_note")),
        error_text(form.error),
        primary_button("reminder-save", t("common.save"), save, icon=ft.Icons.CHECK),
    ]


@ft.component
def ReminderEditScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    reminder_id = ft.use_route_params().get("reminder_id")
    original = ft.use_memo(lambda: _load(session, reminder_id), [reminder_id])
    goals = ft.use_memo(session.goals.titles, [ui.revision])
    zone = session.reminders.zone
    today = use_services().now().astimezone(zone).date()
    form = use_model(lambda: ReminderDraft.of(original, zone, today))

    if reminder_id is not None and original is None:
        missing = tag("reminder-missing", body(t("reminders.missing")))
        return screen(t("reminders.edit_title"), [missing])

    def save() -> None:
        if form.save(session.reminders, original):
            ui.data_changed()
            go("/more/reminders")

    def delete() -> None:
        session.reminders.delete(original.id)
        ui.data_changed()
        go("/more/reminders")

    controls = reminder_form(form, goals, save)
    if original is None:
        return screen(t("reminders.new_title"), controls)
    controls += delete_with_confirmation(
        "reminder",
        form.confirming_delete,
        form.setter("confirming_delete"),
        delete,
        (t("reminders.delete"), t("reminders.delete_confirm"), t("reminders.delete_yes")),
    )
    return screen(t("reminders.edit_title"), controls)


def _load(session, reminder_id: str | None):
    if reminder_id is None:
        return None
    try:
        return session.reminders.get(reminder_id)
    except NotFound:
        return None
