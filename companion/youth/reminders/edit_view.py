"""Make or change one reminder: what, which day and time, how often, for which goal."""

from __future__ import annotations

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotFound, ServiceError
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
)
from companion.domain.models import Recurrence
from companion.i18n import t
from companion.youth.reminders.service import format_time, parse_time

NO_GOAL = "none"
RADIO_CHARS = 34  # a radio label does not wrap: keep it inside a 360 px screen


def short(text: str) -> str:
    return text if len(text) <= RADIO_CHARS else text[: RADIO_CHARS - 1] + "…"


@ft.component
def ReminderEditScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    reminder_id = ft.use_route_params().get("reminder_id")
    original = ft.use_memo(lambda: _load(session, reminder_id), [reminder_id])
    goals = ft.use_memo(session.goals.titles, [ui.revision])
    zone = session.reminders.zone
    start = original.first_due.astimezone(zone) if original else None
    today = use_services().now().astimezone(zone).date()
    title, set_title = ft.use_state(original.title if original else "")
    day, set_day = ft.use_state(format_date(start.date() if start else today))
    at, set_at = ft.use_state(format_time(start) if start else "09:00")
    repeat, set_repeat = ft.use_state(original.recurrence.value if original else "none")
    goal, set_goal = ft.use_state((original.goal_id or NO_GOAL) if original else NO_GOAL)
    error, set_error = ft.use_state(None)
    confirming_delete, set_confirming_delete = ft.use_state(False)

    if reminder_id is not None and original is None:
        missing = tag("reminder-missing", body(t("reminders.missing")))
        return screen(t("reminders.edit_title"), [missing])

    def save() -> None:
        try:
            fields = {
                "day": parse_date(day, field="first_due"),
                "at": parse_time(at, field="first_due"),
                "recurrence": repeat,
                "goal_id": None if goal == NO_GOAL else goal,
            }
            if original is None:
                session.reminders.create(title, **fields)
            else:
                session.reminders.edit(original.id, title=title, **fields)
        except ServiceError as failure:
            set_error(failure)
            return
        ui.data_changed()
        go("/more/reminders")

    def delete() -> None:
        session.reminders.delete(original.id)
        ui.data_changed()
        go("/more/reminders")

    goal_options = [ft.Radio(value=NO_GOAL, label=t("reminders.no_goal"))] + [
        ft.Radio(value=goal_id, label=short(goal_title)) for goal_id, goal_title in goals.items()
    ]
    controls: list[ft.Control] = [
        tag(
            "reminder-title",
            ft.TextField(
                label=t("reminders.title_label"),
                value=title,
                on_change=lambda e: set_title(e.control.value),
            ),
        ),
        ft.Row(
            [
                tag(
                    "reminder-day",
                    ft.TextField(
                        label=t("reminders.day_label"),
                        hint_text="31/12/2026",
                        value=day,
                        width=170,
                        keyboard_type=ft.KeyboardType.DATETIME,
                        on_change=lambda e: set_day(e.control.value),
                    ),
                ),
                tag(
                    "reminder-time",
                    ft.TextField(
                        label=t("reminders.time_label"),
                        hint_text="09:00",
                        value=at,
                        width=120,
                        keyboard_type=ft.KeyboardType.DATETIME,
                        on_change=lambda e: set_at(e.control.value),
                    ),
                ),
            ],
            wrap=True,
        ),
        heading(t("reminders.repeat_question"), style=ft.TextThemeStyle.TITLE_SMALL),
        tag(
            "reminder-repeat",
            ft.RadioGroup(
                value=repeat,
                on_change=lambda e: set_repeat(e.control.value),
                content=ft.Column(
                    [
                        ft.Radio(value=r.value, label=t(f"reminders.repeat_{r.value}"))
                        for r in Recurrence
                    ],
                    spacing=0,
                ),
            ),
        ),
        heading(t("reminders.goal_question"), style=ft.TextThemeStyle.TITLE_SMALL),
        tag(
            "reminder-goal",
            ft.RadioGroup(
                value=goal,
                on_change=lambda e: set_goal(e.control.value),
                content=ft.Column(goal_options, spacing=0),
            ),
        ),
        body(t("reminders.quiet_note")),
        error_text(error),
        primary_button("reminder-save", t("common.save"), save, icon=ft.Icons.CHECK),
    ]
    if original is not None:
        if confirming_delete:
            controls += [
                body(t("reminders.delete_confirm")),
                ft.Row(
                    [
                        secondary_button(
                            "reminder-delete-cancel",
                            t("common.cancel"),
                            lambda: set_confirming_delete(False),
                        ),
                        primary_button("reminder-delete-yes", t("reminders.delete_yes"), delete),
                    ],
                    wrap=True,
                ),
            ]
        else:
            controls.append(
                secondary_button(
                    "reminder-delete",
                    t("reminders.delete"),
                    lambda: set_confirming_delete(True),
                    icon=ft.Icons.DELETE_OUTLINE,
                )
            )
    title_text = t("reminders.new_title") if original is None else t("reminders.edit_title")
    return screen(title_text, controls)


def _load(session, reminder_id: str | None):
    if reminder_id is None:
        return None
    try:
        return session.reminders.get(reminder_id)
    except NotFound:
        return None
