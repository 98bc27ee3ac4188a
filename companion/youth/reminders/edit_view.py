"""Make or change one reminder: what, which day and time, how often, for which goal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotFound
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.pickers import day_and_time
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    choice_group,
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
PAST_START = timedelta(days=365)  # a repeating reminder may have started earlier
FUTURE = timedelta(days=5 * 365)
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


def when_fields(form: ReminderDraft, today: date) -> ft.Control:
    """The first day and the time (a repeating reminder may start on a day that passed)."""
    labels = (t("reminders.day_label"), t("reminders.time_label"))
    return day_and_time(
        form,
        ("reminder-day", "reminder-time"),
        labels,
        first=today - PAST_START,
        last=today + FUTURE,
    )


def reminder_form(
    form: ReminderDraft, goals: dict[str, str], save, scale: float, today: date
) -> list[ft.Control]:
    repeats = [(r.value, t(f"reminders.repeat_{r.value}")) for r in Recurrence]
    goal_options = [(NO_GOAL, t("reminders.no_goal"))] + [
        (goal_id, short(goal_title)) for goal_id, goal_title in goals.items()
    ]
    return [
        text_input("reminder-title", t("reminders.title_label"), form.title, form.setter("title")),
        when_fields(form, today),
        heading(t("reminders.repeat_question"), style=ft.TextThemeStyle.TITLE_SMALL),
        choice_group("reminder-repeat", form.repeat, repeats, form.setter("repeat"), scale=scale),
        heading(t("reminders.goal_question"), style=ft.TextThemeStyle.TITLE_SMALL),
        choice_group("reminder-goal", form.goal, goal_options, form.setter("goal"), scale=scale),
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

    controls = reminder_form(form, goals, save, ui.text_scale, today)
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
