"""Form pieces both apps' appointment screens share: when a meeting is, and an agreement
written down after it. One copy, so a youth and a caregiver see the same words and the
same pickers, and the browser tests find the same names on both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import flet as ft

from companion.core.dates import parse_date
from companion.core.views.actions import Form
from companion.core.views.pickers import DateField, Moment, day_and_time
from companion.core.views.widgets import choice_group, error_text, primary_button, text_input
from companion.domain.meetings import Who
from companion.i18n import t

MEETING_PAST = timedelta(days=365)  # a meeting that already took place can still be noted
MEETING_FUTURE = timedelta(days=2 * 365)
DUE_FUTURE = timedelta(days=2 * 365)


def moment_fields(form: Moment, ids: tuple[str, str], today: date) -> ft.Control:
    """The meeting's day and hour, chosen with the pickers."""
    labels = (t("appointments.day_label"), t("appointments.time_label"))
    return day_and_time(form, ids, labels, first=today - MEETING_PAST, last=today + MEETING_FUTURE)


@ft.observable
@dataclass
class AgreementDraft(Form):
    """An agreement as it is being written: what, who does it, and by when (optional)."""

    text: str = ""
    who: str = Who.TOGETHER.value
    due: str = ""

    def add(self, write: Callable[[str, str, date | None], object]) -> bool:
        """`write(text, who, due)`; on success the text and date are cleared for the next
        one (who does it usually stays the same)."""

        def written() -> None:
            due = parse_date(self.due, field="due") if self.due.strip() else None
            write(self.text, self.who, due)

        if self.run(written):
            self.text, self.due = "", ""
            return True
        return False


def agreement_inputs(
    form: AgreementDraft,
    who: list[tuple[str, str]],
    on_add: Callable[[], None],
    today: date,
    scale: float,
) -> list[ft.Control]:
    """The text, who does it, an optional day it is due, and the add button."""
    return [
        text_input(
            "agreement-text",
            t("appointments.agreement_label"),
            form.text,
            form.setter("text"),
            multiline=True,
        ),
        choice_group("agreement-who", form.who, who, form.setter("who"), scale=scale),
        DateField(
            "agreement-due",
            t("appointments.due_label"),
            form.due,
            form.setter("due"),
            first=today,
            last=today + DUE_FUTURE,
            optional=True,
        ),
        error_text(form.error, "agreement-error"),
        primary_button(
            "agreement-add",
            t("appointments.agreement_add"),
            form.when_idle(on_add),
            icon=ft.Icons.ADD,
        ),
    ]
