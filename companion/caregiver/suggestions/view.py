"""Propose a goal (with first steps), a step for a shared goal, or a reminder to one youth.

The youth decides: every proposal waits in their app under "suggested by" until they accept
or decline it, and the caregiver can withdraw it until then.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import flet as ft

from companion.caregiver.availability.service import DEFAULT_ZONE
from companion.caregiver.frame_view import frame
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.dates import parse_date
from companion.core.errors import InvalidInput, NotFound, ServiceError
from companion.core.views.context import use_ui
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
FIELD_WIDTH = 560
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


@ft.component
def SuggestScreen() -> ft.View:
    session = use_session()
    services = use_caregiver()
    ui = use_ui()
    space_id = ft.use_route_params().get("space_id", "")
    kind, set_kind = ft.use_state("goal")
    title, set_title = ft.use_state("")
    domain, set_domain = ft.use_state(LifeDomain.HOUSING.value)
    why, set_why = ft.use_state("")
    target, set_target = ft.use_state("")
    steps, set_steps = ft.use_state("")
    goal_id, set_goal_id = ft.use_state("")
    day, set_day = ft.use_state("")
    hour, set_hour = ft.use_state("09:00")
    repeat, set_repeat = ft.use_state(Recurrence.NONE.value)
    error, set_error = ft.use_state(None)

    def load():
        try:
            youth = session.directory.get(space_id)
        except NotFound:
            return None
        return youth, session.youth.goals(youth)

    found = ft.use_memo(load, [space_id, ui.revision])
    if found is None:
        return frame(
            t("caregiver.gone_title"),
            [tag("youth-gone", body(t("caregiver.gone_text")))],
            back="/",
        )
    youth, goals = found

    def submit() -> None:
        try:
            if kind == "goal":
                session.suggestions.suggest_goal(
                    space_id,
                    title,
                    domain,
                    why=why,
                    target_date=parse_date(target, field="target_date") if target.strip() else None,
                    steps=steps.splitlines(),
                )
            elif kind == "step":
                if not goal_id:
                    raise InvalidInput("pick_goal", field="goal")
                session.suggestions.suggest_step(space_id, goal_id, title)
            else:
                due = datetime.combine(
                    parse_date(day, field="date"), parse_time(hour), ZoneInfo(DEFAULT_ZONE)
                )
                session.suggestions.suggest_reminder(
                    space_id, title, due, recurrence=repeat, goal_id=goal_id or None
                )
        except ServiceError as failure:
            set_error(failure)
            return
        services.sync_soon()
        ui.data_changed()
        go(f"/youth/{space_id}")

    goal_options = [(g.goal.id, g.goal.title) for g in goals]
    fields: list[ft.Control] = [
        text_input(
            "suggest-title",
            t(f"caregiver.suggest_{kind}_title"),
            title,
            set_title,
            width=FIELD_WIDTH,
        )
    ]
    if kind == "goal":
        fields += [
            ft.Text(t("caregiver.suggest_domain"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
            domain_chips(domain, set_domain),
            text_input(
                "suggest-why",
                t("caregiver.suggest_why"),
                why,
                set_why,
                multiline=True,
                min_lines=2,
                width=FIELD_WIDTH,
            ),
            text_input(
                "suggest-target",
                t("caregiver.suggest_target"),
                target,
                set_target,
                hint_text="30/06/2026",
                width=FIELD_WIDTH,
            ),
            text_input(
                "suggest-steps",
                t("caregiver.suggest_steps"),
                steps,
                set_steps,
                multiline=True,
                min_lines=3,
                width=FIELD_WIDTH,
            ),
        ]
    elif kind == "step":
        fields.append(
            choice_group("suggest-goal", goal_id, goal_options, set_goal_id)
            if goal_options
            else body(t("caregiver.goals_none"))
        )
    else:
        fields += [
            ft.Row(
                [
                    ft.Container(
                        text_input(
                            "suggest-date",
                            t("caregiver.suggest_date"),
                            day,
                            set_day,
                            hint_text="31/12/2026",
                        ),
                        width=220,
                    ),
                    ft.Container(
                        text_input("suggest-time", t("caregiver.suggest_time"), hour, set_hour),
                        width=140,
                    ),
                ],
                spacing=12,
            ),
            ft.Text(t("caregiver.suggest_repeat"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
            choice_group(
                "suggest-repeat",
                repeat,
                [(r.value, t(f"caregiver.repeat_{r.value}")) for r in Recurrence],
                set_repeat,
            ),
        ]
        if goal_options:
            fields += [
                ft.Text(
                    t("caregiver.suggest_link_goal"), theme_style=ft.TextThemeStyle.LABEL_LARGE
                ),
                choice_group(
                    "suggest-goal",
                    goal_id,
                    [("", t("caregiver.no_goal")), *goal_options],
                    set_goal_id,
                ),
            ]

    def pick_kind(value: str) -> None:
        set_kind(value)
        set_error(None)

    return frame(
        t("caregiver.suggest_screen", name=youth.youth_name),
        [
            body(t("caregiver.suggest_intro", name=youth.youth_name)),
            choice_group(
                "suggest-kind", kind, [(k, t(f"caregiver.kind_{k}")) for k in KINDS], pick_kind
            ),
            card(
                heading(t(f"caregiver.kind_{kind}"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                *fields,
                error_text(error, "suggest-error"),
                primary_button("suggest-submit", t("caregiver.suggest_submit"), submit),
            ),
        ],
        back=f"/youth/{space_id}",
    )
