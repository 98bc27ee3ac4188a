"""One goal: its checklist of steps (tick, add, reorder, remove), the goal itself (title,
domain, why, target date), who may see it, reaching it, and deleting it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotFound
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    MIN_TOUCH,
    body,
    card,
    delete_with_confirmation,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
    text_input,
)
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Goal, GoalStatus, GoalStep, StepStatus
from companion.i18n import t
from companion.youth.goals.service import GoalView

TOUCH = ft.BoxConstraints(min_width=MIN_TOUCH, min_height=MIN_TOUCH)


def domain_choice(value: str, on_pick: Callable[[str], None]) -> ft.Control:
    return tag(
        "goal-domain",
        ft.RadioGroup(
            value=value,
            on_change=lambda e: on_pick(e.control.value),
            content=ft.Column(
                [ft.Radio(value=d.value, label=t(d.label_key)) for d in LifeDomain], spacing=0
            ),
        ),
    )


def step_row(
    step: GoalStep, first: bool, last: bool, act: Callable[..., None], session
) -> ft.Control:
    done = step.status is StepStatus.DONE
    return ft.Row(
        [
            tag(
                f"step-{step.id}",
                ft.Checkbox(
                    value=done,
                    on_change=lambda e: act(
                        session.goals.set_step_done, step.id, bool(e.control.value)
                    ),
                ),
                label=t("goals.step_tick", title=step.title),
            ),
            ft.Column(
                [
                    ft.Text(
                        step.title,
                        theme_style=ft.TextThemeStyle.BODY_LARGE,
                        style=ft.TextStyle(
                            decoration=ft.TextDecoration.LINE_THROUGH if done else None
                        ),
                    ),
                    ft.Row(
                        [
                            tag(
                                f"step-up-{step.id}",
                                ft.IconButton(
                                    ft.Icons.ARROW_UPWARD,
                                    tooltip=t("goals.step_up"),
                                    disabled=first,
                                    size_constraints=TOUCH,
                                    on_click=lambda: act(session.goals.move_step, step.id, -1),
                                ),
                                label=f"{t('goals.step_up')}: {step.title}",
                            ),
                            tag(
                                f"step-down-{step.id}",
                                ft.IconButton(
                                    ft.Icons.ARROW_DOWNWARD,
                                    tooltip=t("goals.step_down"),
                                    disabled=last,
                                    size_constraints=TOUCH,
                                    on_click=lambda: act(session.goals.move_step, step.id, 1),
                                ),
                                label=f"{t('goals.step_down')}: {step.title}",
                            ),
                            tag(
                                f"step-delete-{step.id}",
                                ft.IconButton(
                                    ft.Icons.DELETE_OUTLINE,
                                    tooltip=t("goals.step_delete"),
                                    size_constraints=TOUCH,
                                    on_click=lambda: act(session.goals.delete_step, step.id),
                                ),
                                label=f"{t('goals.step_delete')}: {step.title}",
                            ),
                        ],
                        spacing=0,
                    ),
                ],
                spacing=0,
                expand=True,
            ),
        ],
        vertical_alignment=ft.CrossAxisAlignment.START,
    )


def checklist(view: GoalView, new_step: str, set_new_step, act, session) -> ft.Control:
    rows: list[ft.Control] = [
        heading(t("goals.steps_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        ft.ProgressBar(value=view.fraction, height=8, border_radius=4),
        tag(
            "goal-progress",
            ft.Text(
                t("goals.progress", done=view.done, total=view.total)
                if view.total
                else t("goals.no_steps"),
                theme_style=ft.TextThemeStyle.BODY_MEDIUM,
            ),
        ),
    ]
    last = len(view.steps) - 1
    rows += [step_row(s, i == 0, i == last, act, session) for i, s in enumerate(view.steps)]

    def add() -> None:
        if act(session.goals.add_step, view.goal.id, new_step):
            set_new_step("")

    rows += [
        tag(
            "step-new",
            ft.TextField(
                label=t("goals.step_new"),
                value=new_step,
                on_change=lambda e: set_new_step(e.control.value),
                on_submit=lambda _e: add(),
            ),
        ),
        secondary_button("step-add", t("goals.step_add"), add, icon=ft.Icons.ADD),
    ]
    return card(*rows)


def sharing(view: GoalView, act, session) -> ft.Control:
    links = session.links.active()
    chosen = list(view.goal.shared_with)
    rows: list[ft.Control] = [heading(t("goals.share_title"), style=ft.TextThemeStyle.TITLE_MEDIUM)]
    if not links:
        rows.append(body(t("share.no_links")))
    for link in links:
        on = link.person_id in chosen

        def toggle(_e, pid=link.person_id, on=on) -> None:
            wanted = [p for p in chosen if p != pid] if on else [*chosen, pid]
            act(session.goals.share, view.goal.id, wanted)

        rows.append(
            tag(
                f"goal-share-{link.person_id}",
                ft.Checkbox(
                    label=t("share.person", name=link.display_name, role=t(f"role.{link.role}")),
                    value=on,
                    on_change=toggle,
                ),
            )
        )
    names = session.links.names(chosen)
    who = t("share.only_you") if not names else t("share.you_and", names=", ".join(names))
    rows += [
        tag("goal-audience", body(t("share.who_sees", audience=who))),
        ft.Text(t("goals.share_steps_follow"), theme_style=ft.TextThemeStyle.BODY_SMALL),
        ft.Text(t("share.cannot_recall"), theme_style=ft.TextThemeStyle.BODY_SMALL),
    ]
    return card(*rows)


@ft.observable
@dataclass
class GoalDraft(Form):
    """The goal's fields as typed, the next step's title, and what was just done."""

    title: str = ""
    domain: str = LifeDomain.PAPERWORK.value
    why: str = ""
    target: str = ""
    new_step: str = ""
    saved: bool = False
    confirming_delete: bool = False

    @classmethod
    def of(cls, goal: Goal | None) -> GoalDraft:
        if goal is None:
            return cls()
        target = format_date(goal.target_date) if goal.target_date else ""
        return cls(title=goal.title, domain=goal.domain.value, why=goal.why, target=target)

    def edit(self, name: str):
        """on_change of one of the goal's own fields: it is no longer saved."""
        assign = self.setter(name)

        def edited(value) -> None:
            assign(value)
            self.saved = False

        return edited

    def save(self, goals, goal: Goal | None):
        """Make or change the goal; returns the Done of the new goal, or None."""

        def write():
            target_date = (
                parse_date(self.target, field="target_date") if self.target.strip() else None
            )
            if goal is None:
                return goals.create(self.title, self.domain, why=self.why, target_date=target_date)
            return goals.edit(
                goal.id, title=self.title, domain=self.domain, why=self.why, target_date=target_date
            )

        return self.run(write)


def goal_form(form: GoalDraft, save) -> list[ft.Control]:
    """Title, life domain, why and target date, with save; for a new goal or an edit."""
    controls: list[ft.Control] = [
        text_input("goal-title", t("goals.title_label"), form.title, form.edit("title")),
        heading(t("goals.domain_question"), style=ft.TextThemeStyle.TITLE_SMALL),
        domain_choice(form.domain, form.edit("domain")),
        text_input(
            "goal-why",
            t("goals.why_label"),
            form.why,
            form.edit("why"),
            multiline=True,
            min_lines=2,
            max_lines=6,
        ),
        text_input(
            "goal-target",
            t("goals.target_label"),
            form.target,
            form.edit("target"),
            hint_text=t("goals.target_hint"),
            keyboard_type=ft.KeyboardType.DATETIME,
        ),
        error_text(form.error),
        primary_button("goal-save", t("common.save"), save, icon=ft.Icons.CHECK),
    ]
    if form.saved:
        controls.append(tag("goal-saved", body(t("goals.saved"))))
    return controls


def goal_page(
    view: GoalView, form: GoalDraft, act, session, fields: list[ft.Control]
) -> list[ft.Control]:
    """An existing goal: its checklist, reaching it, its fields, who sees it, deleting it."""
    goal = view.goal
    done = goal.status is GoalStatus.DONE

    def delete() -> None:
        if act(session.goals.delete, goal.id):
            go("/goals")

    return [
        heading(goal.title),
        tag("goal-suggested-by", body(_suggested_line(session, goal)))
        if goal.suggested_by
        else ft.Container(height=0),
        checklist(view, form.new_step, form.setter("new_step"), act, session),
        primary_button(
            "goal-reopen" if done else "goal-done",
            t("goals.reopen") if done else t("goals.mark_done"),
            lambda: act(session.goals.set_done, goal.id, not done),
            icon=ft.Icons.REPLAY if done else ft.Icons.EMOJI_EVENTS,
        ),
        card(heading(t("goals.edit_title"), style=ft.TextThemeStyle.TITLE_MEDIUM), *fields),
        sharing(view, act, session),
        *delete_with_confirmation(
            "goal",
            form.confirming_delete,
            form.setter("confirming_delete"),
            delete,
            (t("goals.delete"), t("goals.delete_confirm"), t("goals.delete_yes")),
        ),
    ]


@ft.component
def GoalEditScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    goal_id = ft.use_route_params().get("goal_id")
    view = ft.use_memo(lambda: _load(session, goal_id), [goal_id, ui.revision])
    goal = view.goal if view else None
    form = use_model(lambda: GoalDraft.of(goal))

    if goal_id is not None and view is None:
        return screen(t("goals.edit_title"), [tag("goal-missing", body(t("goals.missing")))])

    def act(action: Callable[..., object], *args: object) -> bool:
        if form.run(action, *args):
            ui.data_changed()
            return True
        return False

    def save() -> None:
        if not (made := form.save(session.goals, goal)):
            return
        ui.data_changed()
        if goal is None:
            go(f"/goals/{made.value.id}")
        else:
            form.saved = True

    if goal is None:
        return screen(t("goals.new_title"), goal_form(form, save))
    return screen(t("goals.goal"), goal_page(view, form, act, session, goal_form(form, save)))


def _suggested_line(session, goal) -> str:
    names = session.links.names([goal.suggested_by])
    return t("goals.suggested_by", name=names[0] if names else t("goals.someone"))


def _load(session, goal_id: str | None) -> GoalView | None:
    if goal_id is None:
        return None
    try:
        return session.goals.view(goal_id)
    except NotFound:
        return None
