"""Propose a goal (with first steps), a step for a shared goal, or a reminder to one youth.

The youth decides: every proposal waits in their app under "suggested by" until they accept
or decline it, and the caregiver can withdraw it until then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import flet as ft

from companion.caregiver.availability.service import DEFAULT_ZONE
from companion.caregiver.frame_view import frame, youth_gone
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.dates import parse_date
from companion.core.errors import InvalidInput, NotFound
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_ui
from companion.core.views.pickers import DateField, TimeField
from companion.core.views.shell import go
from companion.core.views.widgets import (
    body,
    card,
    choice_group,
    error_text,
    heading,
    primary_button,
    tag,
    text_input,
)
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Recurrence
from companion.i18n import t

KINDS = ("goal", "step", "reminder")
PAST = timedelta(days=365)  # a repeating reminder may have started earlier
FUTURE = timedelta(days=5 * 365)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.u]([0-5]\d)$")


def parse_time(text: str) -> time:
    """Read 9:00, 09.00 or 9u00 (as typed in Flanders)."""
    match = _TIME.match((text or "").strip())
    if match is None:
        raise InvalidInput("invalid_time", field="time")
    return time(int(match[1]), int(match[2]))


def domain_chips(selected: str, on_pick) -> ft.Control:
    return tag(
        "suggest-domain",
        ft.Row(
            [
                tag(
                    f"domain-{domain.value}",
                    ft.Chip(
                        label=ft.Text(t(domain.label_key)),
                        selected=domain.value == selected,
                        on_select=lambda _e, value=domain.value: on_pick(value),
                    ),
                )
                for domain in LifeDomain
            ],
            wrap=True,
            spacing=8,
        ),
    )


@ft.observable
@dataclass
class Suggestion(Form):
    """What the caregiver is proposing: a goal (with first steps), a step, or a reminder."""

    kind: str = "goal"  # one of KINDS
    title: str = ""
    domain: str = LifeDomain.HOUSING.value
    why: str = ""
    target: str = ""
    steps: str = ""  # one per line
    goal_id: str = ""
    day: str = ""
    hour: str = "09:00"
    repeat: str = Recurrence.NONE.value

    def pick_kind(self, kind: str) -> None:
        self.kind = kind
        self.error = None

    def send(self, suggestions, space_id: str) -> bool:
        def propose() -> None:
            if self.kind == "goal":
                target = self.target.strip()
                suggestions.suggest_goal(
                    space_id,
                    self.title,
                    self.domain,
                    why=self.why,
                    target_date=parse_date(target, field="target_date") if target else None,
                    steps=self.steps.splitlines(),
                )
            elif self.kind == "step":
                if not self.goal_id:
                    raise InvalidInput("pick_goal", field="goal")
                suggestions.suggest_step(space_id, self.goal_id, self.title)
            else:
                if not self.day.strip():
                    raise InvalidInput("choose_day", field="date")
                day = parse_date(self.day, field="date")
                due = datetime.combine(day, parse_time(self.hour), ZoneInfo(DEFAULT_ZONE))
                suggestions.suggest_reminder(
                    space_id, self.title, due, recurrence=self.repeat, goal_id=self.goal_id or None
                )

        return bool(self.run(propose))


def goal_fields(form: Suggestion, today: date) -> list[ft.Control]:
    return [
        ft.Text(t("caregiver.suggest_domain"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        domain_chips(form.domain, form.setter("domain")),
        text_input(
            "suggest-why",
            t("caregiver.suggest_why"),
            form.why,
            form.setter("why"),
            helper=t("common.optional"),
            multiline=True,
            min_lines=2,
        ),
        DateField(
            "suggest-target",
            t("goals.target_field"),
            form.target,
            form.setter("target"),
            first=today,
            last=today + FUTURE,
            optional=True,
        ),
        text_input(
            "suggest-steps",
            t("caregiver.suggest_steps"),
            form.steps,
            form.setter("steps"),
            helper=t("caregiver.suggest_steps_help"),
            multiline=True,
            min_lines=3,
        ),
    ]


def reminder_fields(
    form: Suggestion, goal_options: list[tuple[str, str]], scale: float, today: date
) -> list[ft.Control]:
    fields: list[ft.Control] = [
        DateField(
            "suggest-date",
            t("reminders.day_label"),
            form.day,
            form.setter("day"),
            first=today - PAST,
            last=today + FUTURE,
        ),
        TimeField("suggest-time", t("reminders.time_label"), form.hour, form.setter("hour")),
        ft.Text(t("caregiver.suggest_repeat"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        choice_group(
            "suggest-repeat",
            form.repeat,
            [(r.value, t(f"caregiver.repeat_{r.value}")) for r in Recurrence],
            form.setter("repeat"),
            scale=scale,
        ),
    ]
    if goal_options:
        fields += [
            ft.Text(t("caregiver.suggest_link_goal"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
            choice_group(
                "suggest-goal",
                form.goal_id,
                [("", t("caregiver.no_goal")), *goal_options],
                form.setter("goal_id"),
                scale=scale,
            ),
        ]
    return fields


def kind_fields(
    form: Suggestion, goal_options: list[tuple[str, str]], scale: float, today: date
) -> list[ft.Control]:
    """The title, then what this kind of proposal needs."""
    title = text_input(
        "suggest-title",
        t(f"caregiver.suggest_{form.kind}_title"),
        form.title,
        form.setter("title"),
    )
    if form.kind == "goal":
        return [title, *goal_fields(form, today)]
    if form.kind == "step":
        if not goal_options:
            return [title, body(t("caregiver.goals_none"))]
        return [
            title,
            choice_group(
                "suggest-goal", form.goal_id, goal_options, form.setter("goal_id"), scale=scale
            ),
        ]
    return [title, *reminder_fields(form, goal_options, scale, today)]


@ft.component
def SuggestScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    today = use_caregiver().now().date()
    space_id = ft.use_route_params().get("space_id", "")
    form = use_model(Suggestion)

    def load():
        try:
            youth = session.directory.get(space_id)
        except NotFound:
            return None
        return youth, session.youth.goals(youth)

    found = ft.use_memo(load, [space_id, ui.revision])
    if found is None:
        return youth_gone()
    youth, goals = found

    def submit() -> None:
        if form.send(session.suggestions, space_id):
            ui.data_changed()
            go(f"/youth/{space_id}")

    goal_options = [(g.goal.id, g.goal.title) for g in goals]
    kinds = [(k, t(f"caregiver.kind_{k}")) for k in KINDS]
    return frame(
        t("caregiver.suggest_screen", name=youth.youth_name),
        [
            body(t("caregiver.suggest_intro", name=youth.youth_name)),
            choice_group("suggest-kind", form.kind, kinds, form.pick_kind, scale=ui.text_scale),
            card(
                heading(t(f"caregiver.kind_{form.kind}"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                *kind_fields(form, goal_options, ui.text_scale, today),
                error_text(form.error, "suggest-error"),
                ft.Row([primary_button("suggest-submit", t("caregiver.suggest_submit"), submit)]),
                stretch=True,
            ),
        ],
        back=f"/youth/{space_id}",
    )
