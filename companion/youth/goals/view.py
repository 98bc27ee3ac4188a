"""Goals: the youth's goals per life domain with step progress, what a caregiver suggested,
and the "18+ paperwork" starter set to add with one tap."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import flet as ft

from companion.core.dates import format_date
from companion.core.views.actions import use_action
from companion.core.views.context import use_session, use_ui
from companion.core.views.hooks import use_unsent
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    filter_chip,
    heading,
    primary_button,
    secondary_button,
    tag,
    whole_button,
)
from companion.domain.life_domains import LifeDomain
from companion.domain.models import GoalStatus
from companion.i18n import current_language, t
from companion.youth.goals.service import GoalSuggestion, GoalView, StarterOffer, StepSuggestion


def domain_filter(
    selected: str | None, on_pick: Callable[[str | None], None], *, prefix: str = "filter"
) -> ft.Control:
    """'All' plus one chip per life domain; one chosen at a time."""
    chips = [
        filter_chip(f"{prefix}-all", t("goals.filter_all"), selected is None, lambda: on_pick(None))
    ]
    for domain in LifeDomain:
        chips.append(
            filter_chip(
                f"{prefix}-{domain.value}",
                t(domain.label_key),
                selected == domain.value,
                partial(on_pick, None if domain.value == selected else domain.value),
            )
        )
    return ft.Row(chips, wrap=True, spacing=8, run_spacing=8)


def named(action: str, title: str) -> str:
    """A button's spoken name that says which item it acts on ("Ja, neem ik aan: Werk
    vinden"), so a screen reader tells the buttons of a list apart."""
    return t("goals.named", action=action, title=title)


def progress_text(view: GoalView) -> str:
    if view.goal.status is GoalStatus.DONE:
        return t("goals.reached")
    if not view.total:
        return t("goals.no_steps")
    return t("goals.progress", done=view.done, total=view.total)


def goal_card(view: GoalView, unsent: bool = False) -> ft.Control:
    goal = view.goal
    meta = t(goal.domain.label_key)
    if goal.target_date:
        meta += " · " + t("goals.target", date=format_date(goal.target_date))
    if unsent:
        meta += " · " + t("sync.not_sent")
    done = goal.status is GoalStatus.DONE
    label = ". ".join((t("goals.open_goal", title=goal.title), meta, progress_text(view)))
    return ft.Card(
        content=whole_button(
            f"goal-{goal.id}",
            label,
            lambda: go(f"/goals/{goal.id}"),
            ft.Container(
                padding=16,
                on_click=lambda: go(f"/goals/{goal.id}"),
                ink=True,
                content=ft.Column(
                    [
                        ft.Row(
                            [
                                ft.Icon(ft.Icons.EMOJI_EVENTS if done else ft.Icons.FLAG_OUTLINED),
                                ft.Text(
                                    goal.title,
                                    theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                                    expand=True,
                                ),
                            ]
                        ),
                        ft.Text(meta, theme_style=ft.TextThemeStyle.BODY_MEDIUM),
                        ft.ProgressBar(
                            value=1.0 if done else view.fraction, height=8, border_radius=4
                        ),
                        ft.Text(progress_text(view), theme_style=ft.TextThemeStyle.BODY_MEDIUM),
                    ],
                    spacing=8,
                ),
            ),
        ),
    )


def suggested_by(name: str | None) -> str:
    return t("goals.suggested_by", name=name or t("goals.someone"))


def goal_suggestion_card(item: GoalSuggestion, act: Callable[..., None], session) -> ft.Control:
    goal = item.goal
    rows: list[ft.Control] = [
        ft.Text(suggested_by(item.by_name), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        heading(goal.title, style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t(goal.domain.label_key)),
    ]
    if goal.why:
        rows.append(body(goal.why))
    rows += [body("• " + step.title) for step in item.steps]
    rows.append(
        ft.Row(
            [
                primary_button(
                    f"suggestion-accept-{goal.id}",
                    t("goals.accept"),
                    lambda: act(session.goals.accept_goal, goal.id),
                    icon=ft.Icons.CHECK,
                    name=named(t("goals.accept"), goal.title),
                ),
                secondary_button(
                    f"suggestion-decline-{goal.id}",
                    t("goals.decline"),
                    lambda: act(session.goals.decline_goal, goal.id),
                    name=named(t("goals.decline"), goal.title),
                ),
            ],
            wrap=True,
        )
    )
    return card(*rows)


def step_suggestion_card(item: StepSuggestion, act: Callable[..., None], session) -> ft.Control:
    step = item.step
    return card(
        ft.Text(suggested_by(item.by_name), theme_style=ft.TextThemeStyle.LABEL_LARGE),
        body(t("goals.step_for", goal=item.goal.title)),
        heading(step.title, style=ft.TextThemeStyle.TITLE_SMALL),
        ft.Row(
            [
                primary_button(
                    f"suggestion-accept-{step.id}",
                    t("goals.accept_step"),
                    lambda: act(session.goals.accept_step, step.id),
                    icon=ft.Icons.CHECK,
                    name=named(t("goals.accept_step"), step.title),
                ),
                secondary_button(
                    f"suggestion-decline-{step.id}",
                    t("goals.decline"),
                    lambda: act(session.goals.decline_step, step.id),
                    name=named(t("goals.decline"), step.title),
                ),
            ],
            wrap=True,
        ),
    )


def starter_row(offer: StarterOffer, act: Callable[..., None], session) -> ft.Control:
    starter = offer.starter
    language = current_language()
    action: ft.Control
    title = starter.title.get(language)
    if offer.added:
        # a check icon, not "✓" in the text: the bundled font has no such glyph
        action = tag(
            f"starter-added-{starter.key}",
            ft.Row(
                [
                    ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE, size=20),
                    ft.Text(t("goals.starter_added"), theme_style=ft.TextThemeStyle.LABEL_LARGE),
                ],
                spacing=6,
            ),
        )
    else:
        action = secondary_button(
            f"starter-add-{starter.key}",
            t("goals.starter_add"),
            lambda: act(session.goals.add_starter, starter.key),
            icon=ft.Icons.ADD,
            name=named(t("goals.starter_add"), title),
        )
    return card(
        heading(title, style=ft.TextThemeStyle.TITLE_SMALL),
        body(starter.why.get(language)),
        ft.Text(
            t("goals.starter_meta", domain=t(starter.domain.label_key), steps=len(starter.steps)),
            theme_style=ft.TextThemeStyle.BODY_MEDIUM,
        ),
        action,
    )


@ft.component
def GoalsScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    domain: str | None
    set_domain: Callable[[str | None], None]
    domain, set_domain = ft.use_state(None)
    showing_starters, set_showing_starters = ft.use_state(False)
    action = use_action()
    views = ft.use_memo(lambda: session.goals.overview(domain), [domain, ui.revision])
    goal_suggestions, step_suggestions = ft.use_memo(session.goals.suggestions, [ui.revision])
    starters = ft.use_memo(session.goals.starters, [ui.revision])
    unsent = use_unsent()

    def act(fn: Callable[..., object], *args: object) -> None:
        if action.run(fn, *args):
            ui.data_changed()

    controls: list[ft.Control] = []
    if goal_suggestions or step_suggestions:
        controls.append(heading(t("goals.suggestions_title"), style=ft.TextThemeStyle.TITLE_MEDIUM))
        controls += [goal_suggestion_card(s, act, session) for s in goal_suggestions]
        controls += [step_suggestion_card(s, act, session) for s in step_suggestions]
    controls += [
        error_text(action.error),
        primary_button("goal-new", t("goals.new"), lambda: go("/goals/new"), icon=ft.Icons.ADD),
        domain_filter(domain, set_domain),
    ]
    if views:
        controls += [goal_card(view, view.goal.id in unsent) for view in views]
    elif domain is not None:
        controls.append(tag("goals-empty", body(t("goals.empty_domain"))))
    else:
        controls.append(tag("goals-empty", body(t("goals.empty"))))

    open_starters = [offer for offer in starters if not offer.added]
    controls += [
        heading(t("goals.starter_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("goals.starter_intro")),
        secondary_button(
            "starter-toggle",
            t("goals.starter_hide") if showing_starters else t("goals.starter_show"),
            lambda: set_showing_starters(not showing_starters),
            icon=ft.Icons.EXPAND_LESS if showing_starters else ft.Icons.EXPAND_MORE,
        ),
    ]
    if showing_starters:
        if open_starters:
            controls.append(
                primary_button(
                    "starter-add-all",
                    t("goals.starter_add_all", count=len(open_starters)),
                    lambda: act(session.goals.add_all_starters),
                    icon=ft.Icons.PLAYLIST_ADD,
                )
            )
        controls += [starter_row(offer, act, session) for offer in starters]
    return screen(t("goals.title"), controls)
