"""One goal: its checklist of steps (tick, add, reorder, remove), the goal itself (title,
domain, why, target date), who may see it, reaching it, and deleting it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotFound
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.pickers import DateField
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    card,
    checkbox,
    choice_group,
    decorative,
    delete_with_confirmation,
    error_text,
    heading,
    icon_button,
    primary_button,
    progress,
    secondary_button,
    tag,
    text_input,
)
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Goal, GoalStatus, GoalStep, StepStatus
from companion.i18n import t
from companion.youth.goals.service import GoalView
from companion.youth.goals.view import progress_text

TARGET_PAST = timedelta(days=365)  # an older goal may have a target that passed
TARGET_FUTURE = timedelta(days=10 * 365)


def domain_choice(value: str, on_pick: Callable[[str], None], scale: float) -> ft.Control:
    options = [(d.value, t(d.label_key)) for d in LifeDomain]
    return choice_group("goal-domain", value, options, on_pick, scale=scale)


def step_row(
    step: GoalStep, first: bool, last: bool, act: Callable[..., None], session
) -> ft.Control:
    """A step: its checkbox (read as "Stap klaar: <step>, checked"), and moving or removing
    it, each button named with the step it acts on."""
    done = step.status is StepStatus.DONE

    def move(identifier: str, icon: ft.IconData, key: str, by: int, blocked: bool):
        return icon_button(
            f"{identifier}-{step.id}",
            icon,
            t("goals.named", action=t(key), title=step.title),
            lambda: act(session.goals.move_step, step.id, by),
            disabled=blocked,
        )

    return ft.Row(
        [
            # a bare checkbox is 40 px on the web and desktops: drawn 1.2 x (48 px, and
            # so is its tap area), in a 48 px box so the layout makes room for it
            ft.Container(
                padding=4,
                content=tag(
                    f"step-{step.id}",
                    ft.Checkbox(
                        value=done,
                        scale=1.2,
                        semantics_label=t("goals.step_tick", title=step.title),
                        on_change=lambda e: act(
                            session.goals.set_step_done, step.id, bool(e.control.value)
                        ),
                    ),
                ),
            ),
            ft.Column(
                [
                    decorative(
                        ft.Text(
                            step.title,
                            theme_style=ft.TextThemeStyle.BODY_LARGE,
                            style=ft.TextStyle(
                                decoration=ft.TextDecoration.LINE_THROUGH if done else None
                            ),
                        )
                    ),
                    ft.Row(
                        [
                            move("step-up", ft.Icons.ARROW_UPWARD, "goals.step_up", -1, first),
                            move("step-down", ft.Icons.ARROW_DOWNWARD, "goals.step_down", 1, last),
                            icon_button(
                                f"step-delete-{step.id}",
                                ft.Icons.DELETE_OUTLINE,
                                t("goals.named", action=t("goals.step_delete"), title=step.title),
                                lambda: act(session.goals.delete_step, step.id),
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
        progress(view.fraction, progress_text(view)),
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


def sharing(view: GoalView, act, session, scale: float) -> ft.Control:
    links = session.links.active()
    chosen = list(view.goal.shared_with)
    rows: list[ft.Control] = [heading(t("goals.share_title"), style=ft.TextThemeStyle.TITLE_MEDIUM)]
    if not links:
        rows.append(body(t("share.no_links")))
    for link in links:
        on = link.person_id in chosen

        def toggle(_value: bool, pid=link.person_id, on=on) -> None:
            wanted = [p for p in chosen if p != pid] if on else [*chosen, pid]
            act(session.goals.share, view.goal.id, wanted)

        rows.append(
            checkbox(
                f"goal-share-{link.person_id}",
                t("share.person", name=link.display_name, role=t(f"role.{link.role}")),
                on,
                toggle,
                scale=scale,
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


def goal_form(form: GoalDraft, save, scale: float, today: date) -> list[ft.Control]:
    """Title, life domain, why and target date, with save; for a new goal or an edit."""
    controls: list[ft.Control] = [
        text_input("goal-title", t("goals.title_label"), form.title, form.edit("title")),
        heading(t("goals.domain_question"), style=ft.TextThemeStyle.TITLE_SMALL),
        domain_choice(form.domain, form.edit("domain"), scale),
        text_input(
            "goal-why",
            t("goals.why_label"),
            form.why,
            form.edit("why"),
            helper=t("goals.why_help"),
            multiline=True,
            min_lines=2,
            max_lines=6,
        ),
        DateField(
            "goal-target",
            t("goals.target_field"),
            form.target,
            form.edit("target"),
            first=today - TARGET_PAST,
            last=today + TARGET_FUTURE,
            optional=True,
        ),
        error_text(form.error),
        primary_button("goal-save", t("common.save"), save, icon=ft.Icons.CHECK),
    ]
    if form.saved:
        controls.append(tag("goal-saved", body(t("goals.saved"))))
    return controls


def goal_page(
    view: GoalView, form: GoalDraft, act, session, fields: list[ft.Control], scale: float
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
        sharing(view, act, session, scale),
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
    today = use_services().now().date()

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

    fields = goal_form(form, save, ui.text_scale, today)
    if view is None:  # a new goal (`goal` is None just when `view` is)
        return screen(t("goals.new_title"), fields)
    return screen(t("goals.goal"), goal_page(view, form, act, session, fields, ui.text_scale))


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
