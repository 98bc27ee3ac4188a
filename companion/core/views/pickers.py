"""Date and time chosen with the platform's pickers, not typed into a pre-filled field.

Typing a date into a field that already held one appended to it ("03/12/202604/12/2026").
`DateField` and `TimeField` show the chosen value on one named button (48 px); tapping it
opens Flutter's DatePicker or TimePicker (Flet 1.0: a dialog put on the page with
`ft.use_dialog`, in the page's locale, so its calendar is Dutch on a Dutch screen). The
value stays the form's text (dd/mm/yyyy, HH:MM), which the service reads as before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

import flet as ft

from companion.core.dates import format_date
from companion.core.errors import InvalidInput
from companion.core.views.widgets import icon_button, tag
from companion.i18n import t

DATE_FORMAT = "%d/%m/%Y"


def picked_day(value: object) -> date | None:
    """The day a DatePicker answered. It answers that day's midnight where the screen is;
    sent as UTC that is up to 12 hours before or after midnight UTC, so the nearest
    midnight is the day, whatever the two zones."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.date()
        return (value.astimezone(UTC) + timedelta(hours=12)).date()
    if isinstance(value, date):
        return value
    return None


def _read_day(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), DATE_FORMAT).date()
    except ValueError:
        return None


def _read_time(text: str) -> time | None:
    from companion.core.dates import parse_time

    try:
        return parse_time(text)
    except InvalidInput:
        return None


def _field_button(identifier: str, icon: ft.IconData, text: str, on_click) -> ft.Control:
    """As wide as the form, so its words wrap on a small phone with the largest text
    instead of running out of the screen; at least 48 px high."""
    return ft.Container(
        expand=True,
        content=tag(
            identifier,
            ft.OutlinedButton(
                content=ft.Row(
                    [
                        ft.Icon(icon),
                        ft.Text(text, theme_style=ft.TextThemeStyle.BODY_LARGE, expand=True),
                    ],
                    spacing=8,
                ),
                on_click=on_click,
                style=ft.ButtonStyle(
                    padding=ft.Padding.symmetric(horizontal=16, vertical=12),
                    shape=ft.RoundedRectangleBorder(radius=4),
                ),
            ),
        ),
    )


@ft.component
def DateField(
    identifier: str,
    label: str,
    value: str,
    on_change: Callable[[str], None],
    *,
    first: date,
    last: date,
    optional: bool = False,
) -> ft.Control:
    """`label: 16/03/2026` on a button that opens the calendar; `optional` adds a button
    that clears it (`{identifier}-clear`)."""
    picking, set_picking = ft.use_state(False)
    chosen = _read_day(value)

    def picked(e: ft.Event[ft.DatePicker]) -> None:
        day = picked_day(e.control.value)
        set_picking(False)
        if day is not None:
            on_change(format_date(day))

    picker = None
    if picking:
        # the calendar opens inside its range even on a stored day that has left it
        start = min(max(chosen or date.today(), first), last)
        picker = ft.DatePicker(
            value=datetime(start.year, start.month, start.day, 12),
            first_date=datetime(first.year, first.month, first.day),
            last_date=datetime(last.year, last.month, last.day, 23, 59),
            help_text=label,
            cancel_text=t("common.cancel"),
            confirm_text=t("pickers.confirm"),
            field_label_text=label,
            field_hint_text=t("pickers.date_hint"),
            error_format_text=t("error.invalid_date"),
            error_invalid_text=t("pickers.out_of_range"),
            on_change=picked,
            on_dismiss=lambda: set_picking(False),
        )
    ft.use_dialog(picker)
    shown = t("pickers.value", label=label, value=value if chosen else t("pickers.none"))
    row: list[ft.Control] = [
        _field_button(identifier, ft.Icons.CALENDAR_MONTH, shown, lambda: set_picking(True))
    ]
    if optional and chosen is not None:
        row.append(
            icon_button(
                f"{identifier}-clear",
                ft.Icons.CLEAR,
                t("pickers.clear", label=label),
                lambda: on_change(""),
            )
        )
    return ft.Row(row, spacing=4)


@ft.component
def TimeField(
    identifier: str, label: str, value: str, on_change: Callable[[str], None]
) -> ft.Control:
    """`label: 09:00` on a button that opens the 24-hour clock."""
    picking, set_picking = ft.use_state(False)
    chosen = _read_time(value)

    def picked(e: ft.Event[ft.TimePicker]) -> None:
        set_picking(False)
        moment = e.control.value
        if isinstance(moment, time):
            on_change(moment.strftime("%H:%M"))

    picker = None
    if picking:
        picker = ft.TimePicker(
            value=chosen or time(9, 0),
            hour_format=ft.TimePickerHourFormat.H24,
            help_text=label,
            cancel_text=t("common.cancel"),
            confirm_text=t("pickers.confirm"),
            hour_label_text=t("pickers.hour"),
            minute_label_text=t("pickers.minute"),
            error_invalid_text=t("error.invalid_time"),
            on_change=picked,
            on_dismiss=lambda: set_picking(False),
        )
    ft.use_dialog(picker)
    shown = t("pickers.value", label=label, value=value if chosen else t("pickers.none"))
    return ft.Row([_field_button(identifier, ft.Icons.SCHEDULE, shown, lambda: set_picking(True))])


class Moment(Protocol):
    """A form with a day (dd/mm/yyyy) and a time (HH:MM) kept as text."""

    day: str
    at: str

    def setter(self, name: str) -> Callable[[Any], None]: ...


def day_and_time(
    form: Moment, ids: tuple[str, str], labels: tuple[str, str], *, first: date, last: date
) -> ft.Control:
    """`form.day` and `form.at`, each on its own picker button, one above the other (side by
    side they do not fit a small phone with the largest text)."""
    return ft.Column(
        [
            DateField(ids[0], labels[0], form.day, form.setter("day"), first=first, last=last),
            TimeField(ids[1], labels[1], form.at, form.setter("at")),
        ],
        spacing=12,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )
