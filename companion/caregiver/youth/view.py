"""One youth: what they shared (goals with steps, diary, reminders), my open suggestions,
a step to propose on each shared goal, and the care period with its end date."""

from __future__ import annotations

import flet as ft

from companion.caregiver.caseload.directory import LinkedYouth
from companion.caregiver.frame_view import frame, youth_gone
from companion.caregiver.hooks import use_caregiver, use_session
from companion.caregiver.youth.service import OpenSuggestions, SharedGoal, YouthDetail
from companion.core.dates import format_date, parse_date
from companion.core.errors import NotFound
from companion.core.verification import Verification
from companion.core.views.actions import use_action
from companion.core.views.context import use_ui
from companion.core.views.shell import go
from companion.core.views.verification import KeyCheck
from companion.core.views.widgets import (
    apart,
    body,
    card,
    error_text,
    heading,
    mood_label,
    primary_button,
    progress,
    secondary_button,
    spoken,
    tag,
    text_button,
)
from companion.domain.models import DiaryEntry, Reminder, StepStatus
from companion.i18n import t
from companion_wire import Role


def section(title: str, identifier: str, items: list[ft.Control], empty: str) -> ft.Control:
    return tag(
        identifier,
        card(
            heading(title, style=ft.TextThemeStyle.TITLE_MEDIUM),
            *(items or [body(empty)]),
        ),
    )


def step_line(step, mine: bool = False) -> ft.Control:
    """A step, its state in words for screen readers ("Klaar: ...") as well as the icon."""
    done = step.status is StepStatus.DONE
    icon = ft.Icons.CHECK_CIRCLE if done else ft.Icons.RADIO_BUTTON_UNCHECKED
    if mine:
        icon = ft.Icons.LIGHTBULB_OUTLINE
    text = t("caregiver.step_suggested", title=step.title) if mine else step.title
    said = text if mine else t(f"caregiver.step_{'done' if done else 'open'}", title=step.title)
    return spoken(
        said,
        ft.Row([ft.Icon(icon, size=20), ft.Text(text, expand=True)], spacing=8),
        identifier=f"step-{step.id}",
    )


@ft.component
def GoalCard(space_id: str, shared: SharedGoal, can_suggest: bool) -> ft.Control:
    """A shared goal with its checklist and, for caregivers, a field to propose a step."""
    session = use_session()
    ui = use_ui()
    title, set_title = ft.use_state("")
    action = use_action()
    goal = shared.goal

    def suggest() -> None:
        if action.run(session.suggestions.suggest_step, space_id, goal.id, title):
            set_title("")
            ui.data_changed()

    steps_done = t("caregiver.steps_done", done=shared.done, total=shared.total)
    controls: list[ft.Control] = [
        ft.Row(
            [
                ft.Text(goal.title, theme_style=ft.TextThemeStyle.TITLE_SMALL, expand=True),
                ft.Text(
                    t(f"domain.{goal.domain.value}"), theme_style=ft.TextThemeStyle.LABEL_LARGE
                ),
            ]
        ),
        progress(
            shared.done / shared.total if shared.total else 0.0,
            t("goals.named", action=goal.title, title=steps_done),
        ),
        ft.Text(steps_done),
        *[step_line(step) for step in shared.steps],
        *[step_line(step, mine=True) for step in shared.my_suggestions],
    ]
    if can_suggest:
        controls += [
            # the field on a line of its own: beside the button, its label had to wrap
            # on a phone and ran over the field's border
            tag(
                f"step-title-{goal.id}",
                ft.TextField(
                    label=t("caregiver.step_label"),
                    value=title,
                    on_change=lambda e: set_title(e.control.value),
                ),
                label=goal.title,
            ),
            ft.Row(
                [
                    secondary_button(
                        f"step-suggest-{goal.id}",
                        t("caregiver.step_button"),
                        suggest,
                        name=t("goals.named", action=t("caregiver.step_button"), title=goal.title),
                    ),
                ]
            ),
            error_text(action.error, f"step-error-{goal.id}"),
        ]
    column = ft.Column(
        apart(controls), spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH
    )
    return tag(f"goal-{goal.id}", ft.Container(column, padding=8))


def diary_line(entry: DiaryEntry) -> ft.Control:
    mood = mood_label(entry.mood) if entry.mood else ""
    return tag(
        f"entry-{entry.id}",
        ft.Column(
            [
                ft.Text(
                    " · ".join(p for p in (format_date(entry.entry_date), mood) if p),
                    theme_style=ft.TextThemeStyle.LABEL_LARGE,
                ),
                ft.Text(entry.text),
            ],
            spacing=2,
        ),
    )


def reminder_line(reminder: Reminder) -> ft.Control:
    due = reminder.first_due.astimezone()
    return tag(
        f"reminder-{reminder.id}",
        ft.Text(
            t(
                "caregiver.reminder_line",
                title=reminder.title,
                date=format_date(due.date()),
                time=due.strftime("%H:%M"),
                repeat=t(f"caregiver.repeat_{reminder.recurrence.value}"),
            )
        ),
    )


@ft.component
def OpenSuggestionsCard(suggestions: OpenSuggestions) -> ft.Control:
    session = use_session()
    ui = use_ui()

    def withdraw(record_id: str) -> None:
        session.suggestions.withdraw(record_id)
        ui.data_changed()

    def line(record_id: str, text: str) -> ft.Control:
        return ft.Row(
            [
                ft.Text(text, expand=True),
                text_button(
                    f"withdraw-{record_id}",
                    t("caregiver.withdraw"),
                    lambda _e, rid=record_id: withdraw(rid),
                    name=t("goals.named", action=t("caregiver.withdraw"), title=text),
                ),
            ]
        )

    items = [
        *[line(g.id, t("caregiver.open_goal", title=g.title)) for g in suggestions.goals],
        *[line(s.id, t("caregiver.open_step", title=s.title)) for s in suggestions.steps],
        *[line(r.id, t("caregiver.open_reminder", title=r.title)) for r in suggestions.reminders],
    ]
    return section(t("caregiver.open_heading"), "open-suggestions", items, t("caregiver.open_none"))


@ft.component
def CarePeriodCard(youth: LinkedYouth) -> ft.Control:
    """Since when, until when; the linked person may only bring the end closer."""
    services = use_caregiver()
    ui = use_ui()
    typed, set_typed = ft.use_state("")
    action = use_action()

    async def set_end() -> None:
        if not (last_day := action.run(parse_date, typed, field="ends_at")):
            return
        if await action.run_async(services.end_care_period, youth.space_id, last_day.value):
            set_typed("")
            ui.data_changed()

    until = (
        t("caregiver.period_until", date=format_date(youth.ends_at.astimezone().date()))
        if youth.ends_at is not None
        else t("caregiver.period_open")
    )
    return tag(
        "care-period",
        card(
            heading(t("caregiver.period_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            body(
                t("caregiver.period_since", date=format_date(youth.starts_at.astimezone().date()))
            ),
            tag("period-end", body(until)),
            ft.Text(t("caregiver.period_help"), theme_style=ft.TextThemeStyle.BODY_MEDIUM),
            ft.Row(
                [
                    ft.Container(
                        tag(
                            "period-date",
                            ft.TextField(
                                label=t("caregiver.period_label"),
                                hint_text="30/06/2026",
                                value=typed,
                                on_change=lambda e: set_typed(e.control.value),
                                dense=True,
                            ),
                        ),
                        width=200,
                    ),
                    secondary_button(
                        "period-set", t("caregiver.period_button"), action.when_idle(set_end)
                    ),
                ],
                wrap=True,
            ),
            error_text(action.error, "period-error"),
        ),
    )


def actions(youth: LinkedYouth, unread: int, can_suggest: bool) -> ft.Control:
    buttons = [
        primary_button(
            "open-chat",
            t("caregiver.chat_button", count=unread) if unread else t("caregiver.chat_open"),
            lambda: go(f"/youth/{youth.space_id}/chat"),
            icon=ft.Icons.CHAT_BUBBLE_OUTLINE,
        ),
        secondary_button(
            "open-appointments",
            t("caregiver.meetings_button"),
            lambda: go(f"/youth/{youth.space_id}/appointments"),
            icon=ft.Icons.EVENT,
        ),
    ]
    if can_suggest:
        buttons += [
            secondary_button(
                "open-suggest",
                t("caregiver.suggest_button"),
                lambda: go(f"/youth/{youth.space_id}/suggest"),
                icon=ft.Icons.LIGHTBULB_OUTLINE,
            ),
            secondary_button(
                "open-documents",
                t("caregiver.documents_button"),
                lambda: go(f"/youth/{youth.space_id}/documents"),
                icon=ft.Icons.DESCRIPTION_OUTLINED,
            ),
        ]
    return ft.Row(buttons, spacing=12, wrap=True)


def detail_view(
    detail: YouthDetail, unread: int, can_suggest: bool, verification: Verification
) -> list[ft.Control]:
    youth = detail.youth
    left = [
        section(
            t("caregiver.goals_heading"),
            "shared-goals",
            [GoalCard(youth.space_id, shared, can_suggest) for shared in detail.goals],
            t("caregiver.goals_none"),
        ),
        section(
            t("caregiver.diary_heading"),
            "shared-diary",
            [diary_line(entry) for entry in detail.diary],
            t("caregiver.diary_none"),
        ),
    ]
    right = [
        section(
            t("caregiver.reminders_heading"),
            "shared-reminders",
            [reminder_line(reminder) for reminder in detail.reminders],
            t("caregiver.reminders_none"),
        ),
    ]
    if can_suggest:
        right.append(OpenSuggestionsCard(detail.suggestions))
    right.append(card(KeyCheck(verification, youth.youth_id, youth.youth_name, youth.space_id)))
    right.append(CarePeriodCard(youth))
    return [
        body(t("caregiver.shared_intro", name=youth.youth_name)),
        actions(youth, unread, can_suggest),
        ft.ResponsiveRow(
            [
                ft.Column(
                    left,
                    col={"md": 7},
                    spacing=12,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                ),
                ft.Column(
                    right,
                    col={"md": 5},
                    spacing=12,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                ),
            ],
            spacing=16,
            run_spacing=12,
        ),
    ]


@ft.component
def YouthScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    space_id = ft.use_route_params().get("space_id", "")

    def load() -> tuple[YouthDetail, int] | None:
        try:
            return session.youth.detail(space_id), session.chat.unread(space_id)
        except NotFound:
            return None

    found = ft.use_memo(load, [space_id, ui.revision])
    if found is None:
        return youth_gone()
    detail, unread = found
    can_suggest = session.me.can_suggest and detail.youth.role is Role.CAREGIVER
    return frame(
        detail.youth.youth_name,
        detail_view(detail, unread, can_suggest, session.verification),
        back="/",
    )
