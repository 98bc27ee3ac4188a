"""My availability hours (right to disconnect): one block per weekday.

Outside these hours the youth's app says so and shows the help lines, and this app does
not notify about new messages. The hours reach the server with the next sync.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypedDict, Unpack

import flet as ft

from companion.caregiver.frame_view import frame
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_ui
from companion.core.views.widgets import (
    body,
    card,
    checkbox,
    error_text,
    heading,
    primary_button,
    tag,
)
from companion.i18n import t
from companion_wire import Availability

WEEKDAYS = range(7)


@dataclass(frozen=True)
class DayRow:
    on: bool
    start: str
    end: str


class DayChange(TypedDict, total=False):
    """What one edit changes in a DayRow."""

    on: bool
    start: str
    end: str


def rows_from(hours: Availability) -> tuple[DayRow, ...]:
    """The editable rows: the first block of each day (or a default, switched off)."""
    rows = []
    for day in WEEKDAYS:
        block = next((s for s in hours.slots if s.weekday == day), None)
        rows.append(
            DayRow(True, block.start, block.end) if block else DayRow(False, "09:00", "17:00")
        )
    return tuple(rows)


@ft.observable
@dataclass
class Hours(Form):
    """The week as edited: one row per weekday, and whether it was just saved."""

    rows: tuple[DayRow, ...] = ()
    saved: bool = False

    def change(self, day: int, **fields: Unpack[DayChange]) -> None:
        updated = list(self.rows)
        updated[day] = replace(updated[day], **fields)
        self.rows = tuple(updated)
        self.saved = False

    def save(self, availability) -> bool:
        blocks = [
            (day, row.start.strip(), row.end.strip()) for day, row in enumerate(self.rows) if row.on
        ]
        if self.run(availability.set_hours, blocks):
            self.saved = True
            return True
        return False


def day_row(day: int, row: DayRow, change, scale: float) -> ft.Control:
    """A weekday's hours; its two fields are read with the day's name ("Maandag: Van").
    On a phone the two hours go under the day, together."""
    weekday = t(f"caregiver.weekday_{day}")

    def hour(identifier: str, key: str, value: str, field: str) -> ft.Control:
        return ft.Container(
            tag(
                f"{identifier}-{day}",
                ft.TextField(
                    label=t(key),
                    value=value,
                    disabled=not row.on,
                    dense=True,
                    on_change=lambda e: change(day, **{field: e.control.value}),
                ),
                label=weekday,
            ),
            width=120,
        )

    return ft.Row(
        [
            ft.Container(
                checkbox(f"day-{day}", weekday, row.on, lambda on: change(day, on=on), scale=scale),
                width=180,
            ),
            ft.Row(
                [
                    hour("start", "caregiver.from", row.start, "start"),
                    hour("end", "caregiver.to", row.end, "end"),
                ],
                spacing=16,
            ),
        ],
        spacing=16,
        run_spacing=8,
        wrap=True,
    )


@ft.component
def AvailabilityScreen() -> ft.View:
    session = use_session()
    services = use_caregiver()
    ui = use_ui()
    form = use_model(lambda: Hours(rows=rows_from(session.availability.current())))

    def save() -> None:
        if form.save(session.availability):
            services.request_sync()  # hours are not a record: ask for the cycle that sends them
            ui.data_changed()

    available = session.availability.is_available()
    status = (
        t("caregiver.hours_pending")
        if session.availability.pending()
        else t("caregiver.hours_published")
    )
    return frame(
        t("caregiver.availability_title"),
        [
            body(t("caregiver.availability_intro")),
            tag(
                "available-now",
                body(t("caregiver.available_now") if available else t("caregiver.unavailable_now")),
            ),
            card(
                heading(t("caregiver.hours_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                *[
                    day_row(day, row, form.change, ui.text_scale)
                    for day, row in enumerate(form.rows)
                ],
                error_text(form.error, "hours-error"),
                primary_button("hours-save", t("common.save"), save),
                tag("hours-saved", body(t("caregiver.hours_saved")))
                if form.saved
                else ft.Container(),
                tag("hours-status", ft.Text(status, theme_style=ft.TextThemeStyle.BODY_MEDIUM)),
            ),
        ],
    )
