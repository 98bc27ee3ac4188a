"""Mijn plan voor moeilijke momenten: the alarm first, then the plan itself, each number a
call button. Read from the phone's own store, so it opens without a connection."""

from __future__ import annotations

import flet as ft

from companion.core.views.context import use_session, use_ui
from companion.core.views.keyed import keyed
from companion.core.views.shell import go, screen
from companion.core.views.widgets import body, card, heading, primary_button, secondary_button, tag
from companion.domain.safety import SafetyPlan
from companion.i18n import t
from companion.youth.safety.alarm_view import AlarmCard
from companion.youth.safety.service import SECTIONS, phone_numbers
from companion.youth.share_view import audience_text

EDIT_PATH = "/help/plan/edit"


def plan_line(section: str, index: int, line: str) -> ft.Control:
    calls = [
        tag(
            f"plan-call-{section}-{index}-{number_index}",
            ft.OutlinedButton(
                t("safety.call", number=number),
                icon=ft.Icons.CALL,
                action=ft.OpenUrl(f"tel:{number}"),
            ),
        )
        for number_index, number in enumerate(phone_numbers(line))
    ]
    return tag(
        f"plan-{section}-{index}",
        ft.Column([body(line), *calls], spacing=4),
    )


def section_card(plan: SafetyPlan, section: str) -> ft.Control:
    lines = getattr(plan, section)
    rows: list[ft.Control] = [
        heading(t(f"safety.section_{section}"), style=ft.TextThemeStyle.TITLE_MEDIUM),
    ]
    if not lines:
        rows.append(body(t("safety.section_empty")))
    rows += [plan_line(section, index, line) for index, line in enumerate(lines)]
    return tag(f"plan-section-{section}", card(*rows))


@ft.component
def SafetyPlanScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    plan = ft.use_memo(session.safety_plan.plan, [ui.revision])
    if plan is None:
        return screen(
            t("safety.title"),
            [
                tag("plan-empty", body(t("safety.intro"))),
                primary_button(
                    "plan-start", t("safety.start"), lambda: go(EDIT_PATH), icon=ft.Icons.EDIT
                ),
            ],
        )
    readers = session.links.names(plan.shared_with)
    controls: list[ft.Control] = [
        keyed(AlarmCard, "alarm")(),
        *[section_card(plan, section) for section in SECTIONS],
    ]
    if plan.note:
        controls.append(card(body(plan.note)))
    controls += [
        tag("plan-readers", body(t("share.who_sees", audience=audience_text(readers)))),
        secondary_button("plan-edit", t("safety.edit"), lambda: go(EDIT_PATH), icon=ft.Icons.EDIT),
    ]
    return screen(t("safety.title"), controls)
