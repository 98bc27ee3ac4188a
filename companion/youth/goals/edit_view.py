"""One goal: its checklist of steps (tick, add, reorder, remove), the goal itself (title,
domain, why, target date), who may see it, reaching it, and deleting it."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotFound, ServiceError
from companion.core.views.context import use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    MIN_TOUCH,
    body,
    card,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
)
from companion.domain.life_domains import LifeDomain
from companion.domain.models import GoalStatus, GoalStep, StepStatus
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


@ft.component
def GoalEditScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    goal_id = ft.use_route_params().get("goal_id")
    view = ft.use_memo(lambda: _load(session, goal_id), [goal_id, ui.revision])
    goal = view.goal if view else None
    title, set_title = ft.use_state(goal.title if goal else "")
    domain, set_domain = ft.use_state(goal.domain.value if goal else LifeDomain.PAPERWORK.value)
    why, set_why = ft.use_state(goal.why if goal else "")
    target, set_target = ft.use_state(
        format_date(goal.target_date) if goal and goal.target_date else ""
    )
    new_step, set_new_step = ft.use_state("")
    error, set_error = ft.use_state(None)
    saved, set_saved = ft.use_state(False)
    confirming_delete, set_confirming_delete = ft.use_state(False)

    if goal_id is not None and view is None:
        return screen(t("goals.edit_title"), [tag("goal-missing", body(t("goals.missing")))])

    def act(action: Callable[..., object], *args: object) -> bool:
        try:
            action(*args)
        except ServiceError as failure:
            set_error(failure)
            return False
        set_error(None)
        ui.data_changed()
        return True

    def save() -> None:
        try:
            target_date = parse_date(target, field="target_date") if target.strip() else None
            if goal is None:
                made = session.goals.create(title, domain, why=why, target_date=target_date)
            else:
                session.goals.edit(
                    goal.id, title=title, domain=domain, why=why, target_date=target_date
                )
        except ServiceError as failure:
            set_error(failure)
            return
        set_error(None)
        ui.data_changed()
        if goal is None:
            go(f"/goals/{made.id}")
        else:
            set_saved(True)

    def delete() -> None:
        if act(session.goals.delete, goal.id):
            go("/goals")

    form: list[ft.Control] = [
        tag(
            "goal-title",
            ft.TextField(
                label=t("goals.title_label"),
                value=title,
                on_change=lambda e: (set_title(e.control.value), set_saved(False)),
            ),
        ),
        heading(t("goals.domain_question"), style=ft.TextThemeStyle.TITLE_SMALL),
        domain_choice(domain, lambda d: (set_domain(d), set_saved(False))),
        tag(
            "goal-why",
            ft.TextField(
                label=t("goals.why_label"),
                value=why,
                multiline=True,
                min_lines=2,
                max_lines=6,
                on_change=lambda e: (set_why(e.control.value), set_saved(False)),
            ),
        ),
        tag(
            "goal-target",
            ft.TextField(
                label=t("goals.target_label"),
                hint_text=t("goals.target_hint"),
                value=target,
                keyboard_type=ft.KeyboardType.DATETIME,
                on_change=lambda e: (set_target(e.control.value), set_saved(False)),
            ),
        ),
        error_text(error),
        primary_button("goal-save", t("common.save"), save, icon=ft.Icons.CHECK),
    ]
    if saved:
        form.append(tag("goal-saved", body(t("goals.saved"))))
    if goal is None:
        return screen(t("goals.new_title"), form)

    done = goal.status is GoalStatus.DONE
    controls: list[ft.Control] = [
        heading(goal.title),
        tag("goal-suggested-by", body(_suggested_line(session, goal)))
        if goal.suggested_by
        else ft.Container(height=0),
        checklist(view, new_step, set_new_step, act, session),
        primary_button(
            "goal-reopen" if done else "goal-done",
            t("goals.reopen") if done else t("goals.mark_done"),
            lambda: act(session.goals.set_done, goal.id, not done),
            icon=ft.Icons.REPLAY if done else ft.Icons.EMOJI_EVENTS,
        ),
        card(heading(t("goals.edit_title"), style=ft.TextThemeStyle.TITLE_MEDIUM), *form),
        sharing(view, act, session),
    ]
    if confirming_delete:
        controls += [
            body(t("goals.delete_confirm")),
            ft.Row(
                [
                    secondary_button(
                        "goal-delete-cancel",
                        t("common.cancel"),
                        lambda: set_confirming_delete(False),
                    ),
                    primary_button("goal-delete-yes", t("goals.delete_yes"), delete),
                ],
                wrap=True,
            ),
        ]
    else:
        controls.append(
            secondary_button(
                "goal-delete",
                t("goals.delete"),
                lambda: set_confirming_delete(True),
                icon=ft.Icons.DELETE_OUTLINE,
            )
        )
    return screen(t("goals.goal"), controls)


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
