"""Reminders: what notifies when (quiet hours applied), snooze, pause, suggestions from a
caregiver, the quiet-hours setting; plus the hook that runs the reminder loop and shows a
due reminder as a banner in every open window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import flet as ft

from companion.core.views.actions import use_action
from companion.core.views.context import use_session, use_ui
from companion.core.views.delivery import to_this_page
from companion.core.views.keyed import keyed
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    banner_close,
    body,
    card,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
    text_button,
)
from companion.domain.models import Reminder
from companion.i18n import t
from companion.youth.reminders.permission_view import ReminderPermissionCard
from companion.youth.reminders.service import ReminderView, Snooze, format_time, parse_time
from companion.youth.services import YouthServices

BANNER_SECONDS = 10


def when_text(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")


def next_text(view: ReminderView) -> str:
    if not view.reminder.active:
        return t("reminders.paused")
    if view.next_at is None:
        return t("reminders.finished")
    return t("reminders.next", when=when_text(view.next_at))


def reminder_card(view: ReminderView, act: Callable[..., None], session) -> ft.Control:
    reminder = view.reminder
    meta = t(f"reminders.repeat_{reminder.recurrence.value}")
    if view.goal_title:
        meta += " · " + t("reminders.for_goal", goal=view.goal_title)
    actions: list[ft.Control] = []
    due: list[ft.Control] = []
    if reminder.active and view.due_at is not None:  # snooze only what notified
        due.append(
            tag(
                f"reminder-due-{reminder.id}",
                body(t("reminders.due_now", time=view.due_at.strftime("%H:%M"))),
            )
        )
        actions += [
            text_button(
                f"snooze-hour-{reminder.id}",
                t("reminders.snooze_hour"),
                lambda: act(session.reminders.snooze, reminder.id, Snooze.HOUR),
                name=t("goals.named", action=t("reminders.snooze_hour"), title=reminder.title),
            ),
            text_button(
                f"snooze-tomorrow-{reminder.id}",
                t("reminders.snooze_tomorrow"),
                lambda: act(session.reminders.snooze, reminder.id, Snooze.TOMORROW),
                name=t("goals.named", action=t("reminders.snooze_tomorrow"), title=reminder.title),
            ),
        ]
    pause = t("reminders.resume") if not reminder.active else t("reminders.pause")
    actions.append(
        text_button(
            f"reminder-pause-{reminder.id}",
            pause,
            lambda: act(session.reminders.set_active, reminder.id, not reminder.active),
            name=t("goals.named", action=pause, title=reminder.title),
        )
    )
    return tag(
        f"reminder-{reminder.id}",
        ft.Card(
            content=ft.Container(
                padding=ft.Padding.only(left=16, right=8, top=12, bottom=4),
                content=ft.Column(
                    [
                        ft.Semantics(
                            identifier=f"reminder-open-{reminder.id}",
                            button=True,
                            container=True,
                            content=ft.Container(
                                on_click=lambda: go(f"/more/reminders/{reminder.id}"),
                                ink=True,
                                content=ft.Column(
                                    [
                                        ft.Row(
                                            [
                                                ft.Icon(ft.Icons.ALARM),
                                                ft.Text(
                                                    reminder.title,
                                                    theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                                                    expand=True,
                                                ),
                                            ]
                                        ),
                                        tag(
                                            f"reminder-next-{reminder.id}",
                                            ft.Text(
                                                next_text(view),
                                                theme_style=ft.TextThemeStyle.BODY_LARGE,
                                            ),
                                        ),
                                        ft.Text(meta, theme_style=ft.TextThemeStyle.BODY_MEDIUM),
                                    ],
                                    spacing=4,
                                ),
                            ),
                        ),
                        *due,
                        ft.Row(actions, wrap=True, spacing=0),
                    ],
                    spacing=4,
                ),
            )
        ),
    )


def suggestion_card(reminder: Reminder, name: str | None, act, session) -> ft.Control:
    return card(
        ft.Text(
            t("goals.suggested_by", name=name or t("goals.someone")),
            theme_style=ft.TextThemeStyle.LABEL_LARGE,
        ),
        heading(reminder.title, style=ft.TextThemeStyle.TITLE_SMALL),
        body(
            t("reminders.suggestion_when", when=when_text(reminder.first_due))
            + " · "
            + t(f"reminders.repeat_{reminder.recurrence.value}")
        ),
        ft.Row(
            [
                primary_button(
                    f"reminder-accept-{reminder.id}",
                    t("goals.accept"),
                    lambda: act(session.reminders.accept, reminder.id),
                    icon=ft.Icons.CHECK,
                    name=t("goals.named", action=t("goals.accept"), title=reminder.title),
                ),
                secondary_button(
                    f"reminder-decline-{reminder.id}",
                    t("goals.decline"),
                    lambda: act(session.reminders.decline, reminder.id),
                    name=t("goals.named", action=t("goals.decline"), title=reminder.title),
                ),
            ],
            wrap=True,
        ),
    )


@ft.component
def QuietHoursCard() -> ft.Control:
    session = use_session()
    current = ft.use_memo(session.reminders.quiet_hours, [])
    start, set_start = ft.use_state(format_time(current.start))
    end, set_end = ft.use_state(format_time(current.end))
    action = use_action()
    saved, set_saved = ft.use_state(None)

    def save() -> None:
        def store():
            return session.reminders.set_quiet_hours(
                parse_time(start, field="quiet_start"), parse_time(end, field="quiet_end")
            )

        if quiet := action.run(store):
            set_saved(quiet.value)

    rows: list[ft.Control] = [
        heading(t("reminders.quiet_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("reminders.quiet_intro")),
        ft.Row(
            [
                tag(
                    "quiet-start",
                    ft.TextField(
                        label=t("reminders.quiet_from"),
                        value=start,
                        width=140,
                        on_change=lambda e: set_start(e.control.value),
                    ),
                ),
                tag(
                    "quiet-end",
                    ft.TextField(
                        label=t("reminders.quiet_until"),
                        value=end,
                        width=140,
                        on_change=lambda e: set_end(e.control.value),
                    ),
                ),
            ],
            wrap=True,
        ),
        error_text(action.error, "quiet-error"),
        secondary_button("quiet-save", t("common.save"), save, icon=ft.Icons.BEDTIME),
    ]
    if saved is not None:
        message = (
            t("reminders.quiet_saved", start=format_time(saved.start), end=format_time(saved.end))
            if saved.enabled
            else t("reminders.quiet_off")
        )
        rows.append(tag("quiet-saved", body(message)))
    return card(*rows)


@ft.component
def RemindersScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    action = use_action()
    views = ft.use_memo(session.reminders.list, [ui.revision])
    suggestions = ft.use_memo(session.reminders.suggestions, [ui.revision])

    def act(fn: Callable[..., object], *args: object) -> None:
        if action.run(fn, *args):
            ui.data_changed()

    controls: list[ft.Control] = [
        keyed(ReminderPermissionCard, "permission")(),
        primary_button(
            "reminder-new",
            t("reminders.new"),
            lambda: go("/more/reminders/new"),
            icon=ft.Icons.ADD_ALARM,
        ),
        error_text(action.error),
    ]
    if suggestions:
        controls.append(heading(t("goals.suggestions_title"), style=ft.TextThemeStyle.TITLE_MEDIUM))
        for reminder in suggestions:
            names = session.links.names([reminder.suggested_by or reminder.author_id])
            controls.append(suggestion_card(reminder, names[0] if names else None, act, session))
    if views:
        controls += [reminder_card(view, act, session) for view in views]
    else:
        controls.append(tag("reminders-empty", body(t("reminders.empty"))))
    controls.append(keyed(QuietHoursCard, "quiet-hours")())
    return screen(t("reminders.title"), controls)


def use_reminder_loop(services: YouthServices, fired: Callable[[], None] | None = None) -> None:
    """Start the process-wide reminder loop (once) and show due reminders in this window;
    `fired()` then lets the screens show what became due (and may now be snoozed).

    Called by `App` itself (above the contexts), so it takes the services directly.
    """
    page = ft.context.page
    shown: tuple[str, str] | None  # the title and text of a reminder that fired
    set_shown: Callable[[tuple[str, str] | None], None]
    shown, set_shown = ft.use_state(None)

    def show_and_refresh(value: tuple[str, str]) -> None:
        set_shown(value)
        if fired is not None:
            fired()

    def start() -> Callable[[], None]:
        page.run_task(services.reminder_scheduler.run)
        deliver = to_this_page(show_and_refresh)  # the scheduler's task is not this page's

        def show(title: str, text: str) -> None:
            deliver((title, text))

        return services.notifications.subscribe(show)

    ft.use_effect(start, dependencies=[])
    banner = None
    if shown is not None:
        title, text = shown
        banner = ft.SnackBar(
            content=ft.Row(
                [
                    tag(
                        "reminder-banner",
                        ft.Row(
                            [
                                ft.Icon(ft.Icons.ALARM, color=ft.Colors.ON_INVERSE_SURFACE),
                                ft.Text(
                                    f"{title} — {text}",
                                    color=ft.Colors.ON_INVERSE_SURFACE,
                                    expand=True,
                                ),
                            ],
                            expand=True,
                        ),
                    ),
                    # Flutter's own close icon is named in English ("Close"), whatever the
                    # app's language
                    banner_close(lambda: set_shown(None)),
                ],
            ),
            duration=BANNER_SECONDS * 1000,
            on_dismiss=lambda: set_shown(None),
        )
    ft.use_dialog(banner)
