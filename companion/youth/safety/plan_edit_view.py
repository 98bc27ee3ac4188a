"""Write the plan for hard moments, choose who gets the alarm, and who may read the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import flet as ft

from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    card,
    checkbox,
    error_text,
    heading,
    primary_button,
    text_input,
)
from companion.domain.safety import SafetyPlan
from companion.i18n import t
from companion.youth.safety.service import SECTIONS


@ft.observable
@dataclass
class PlanForm(Form):
    """The plan as typed: each section one item per line."""

    warning_signs: str = ""
    my_coping: str = ""
    places: str = ""
    people: str = ""
    professionals: str = ""
    note: str = ""
    alarm_to: list[str] = field(default_factory=list)
    readers: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, plan: SafetyPlan | None) -> PlanForm:
        if plan is None:
            return cls()
        return cls(
            warning_signs="\n".join(plan.warning_signs),
            my_coping="\n".join(plan.my_coping),
            places="\n".join(plan.places),
            people="\n".join(plan.people),
            professionals="\n".join(plan.professionals),
            note=plan.note,
            alarm_to=list(plan.alarm_to),
            readers=list(plan.shared_with),
        )

    def toggle(self, name: str, person_id: str, on: bool) -> None:
        current = [pid for pid in getattr(self, name) if pid != person_id]
        setattr(self, name, [*current, person_id] if on else current)

    def save(self, plans) -> bool:
        sections = {name: getattr(self, name) for name in SECTIONS}
        return bool(
            self.run(
                plans.save, sections, self.note, alarm_to=self.alarm_to, shared_with=self.readers
            )
        )


def people_choice(
    form: PlanForm, name: str, people: list[tuple[str, str]], scale: float
) -> list[ft.Control]:
    if not people:
        return [body(t("safety.nobody_linked"))]
    return [
        checkbox(
            f"plan-{name}-{person_id}",
            person_name,
            person_id in getattr(form, name),
            partial(form.toggle, name, person_id),
            scale=scale,
        )
        for person_id, person_name in people
    ]


@ft.component
def SafetyPlanEditScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    plan = ft.use_memo(session.safety_plan.plan, [])
    people = ft.use_memo(session.safety_plan.people, [ui.revision])
    form = use_model(lambda: PlanForm.of(plan))

    def save() -> None:
        if form.save(session.safety_plan):
            ui.data_changed()
            go("/help/plan")

    fields = [
        text_input(
            f"plan-{name}",
            t(f"safety.section_{name}"),
            getattr(form, name),
            form.setter(name),
            multiline=True,
            min_lines=2,
            hint_text=t(f"safety.hint_{name}"),
        )
        for name in SECTIONS
    ]
    controls: list[ft.Control] = [
        body(t("safety.edit_intro")),
        *fields,
        text_input(
            "plan-note", t("safety.note_label"), form.note, form.setter("note"), multiline=True
        ),
        card(
            heading(t("safety.alarm_people"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            body(t("safety.alarm_people_intro")),
            *people_choice(form, "alarm_to", people, ui.text_scale),
        ),
        card(
            heading(t("safety.readers"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            body(t("safety.readers_intro")),
            *people_choice(form, "readers", people, ui.text_scale),
            ft.Text(t("share.cannot_recall"), theme_style=ft.TextThemeStyle.BODY_SMALL),
        ),
        error_text(form.error),
        primary_button("plan-save", t("common.save"), form.when_idle(save), icon=ft.Icons.CHECK),
    ]
    return screen(t("safety.edit_title"), controls)
