"""Today: how are you (mood check-in), what is next (appointments, reminders), how far
(goals), sync."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from companion.core.errors import ServiceError
from companion.core.sync_status import SyncPhase, SyncState, Unsent
from companion.core.views.actions import use_action
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.hooks import use_sync_state, use_unsent
from companion.core.views.shell import go, screen
from companion.core.views.verification import trust_rows
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    mood_icon,
    mood_label,
    mood_picker,
    progress,
    refused_words,
    tag,
    text_button,
)
from companion.i18n import t
from companion.youth.appointments.service import AppointmentView
from companion.youth.appointments.view import appointment_tile
from companion.youth.today.service import GoalProgress, UpcomingReminder
from companion_wire import Refusal

APPOINTMENTS_SHOWN = 2


def mood_section(
    current: int | None, on_pick, error: ServiceError | None, scale: float
) -> ft.Control:
    if current is None:
        question = heading(t("today.mood_question"), style=ft.TextThemeStyle.TITLE_MEDIUM)
    else:
        question = tag(
            "mood-today",
            ft.Row(
                [
                    mood_icon(current, scale),
                    ft.Text(
                        t("today.mood_done", mood=mood_label(current)),
                        theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                        expand=True,
                    ),
                ]
            ),
        )
    return card(question, mood_picker(current, on_pick, scale=scale), error_text(error))


def reminders_section(reminders: list[UpcomingReminder]) -> ft.Control:
    rows: list[ft.Control] = [
        heading(t("today.reminders_title"), style=ft.TextThemeStyle.TITLE_MEDIUM)
    ]
    if not reminders:
        rows.append(body(t("today.no_reminders")))
    for item in reminders:
        rows.append(
            ft.ListTile(
                leading=ft.Icon(ft.Icons.ALARM),
                title=ft.Text(item.title),
                subtitle=ft.Text(item.due.strftime("%d/%m %H:%M")),
            )
        )
    return card(*rows)


def appointments_section(appointments: list[AppointmentView], zone) -> ft.Control:
    """The next appointments, and proposals still waiting for the youth's answer."""
    rows: list[ft.Control] = [
        heading(t("today.appointments_title"), style=ft.TextThemeStyle.TITLE_MEDIUM)
    ]
    if not appointments:
        rows.append(tag("today-no-appointments", body(t("today.no_appointments"))))
    rows += [appointment_tile(view, zone, prefix="today-appointment") for view in appointments]
    return tag("today-appointments", card(*rows))


def goals_section(goals: list[GoalProgress]) -> ft.Control:
    rows: list[ft.Control] = [heading(t("today.goals_title"), style=ft.TextThemeStyle.TITLE_MEDIUM)]
    if not goals:
        rows.append(body(t("today.no_goals")))
    for item in goals:
        steps = t("today.goal_steps", done=item.done, total=item.total)
        rows.append(
            ft.Column(
                [
                    ft.Text(item.goal.title, theme_style=ft.TextThemeStyle.BODY_LARGE),
                    progress(item.fraction, t("goals.named", action=item.goal.title, title=steps)),
                    ft.Text(steps, theme_style=ft.TextThemeStyle.BODY_MEDIUM),
                ],
                spacing=4,
            )
        )
    return card(*rows)


MAX_UNSENT_SHOWN = 5


def unsent_rows(
    snapshot: SyncState, retry: Callable[[], Any], dismiss: Callable[[], Any]
) -> list[ft.Control]:
    """Changes not sent (the server refused them, or the app held them back for someone
    whose keys are not checked yet): which, why, and what the youth can do about it."""
    if not snapshot.parked:
        return []
    rows: list[ft.Control] = [
        tag(
            "unsent-changes",
            ft.Text(
                t("sync.unsent", count=len(snapshot.parked)),
                color=ft.Colors.ERROR,
                theme_style=ft.TextThemeStyle.BODY_LARGE,
            ),
        ),
        body(t("sync.unsent_detail")),
    ]
    for change in snapshot.parked[-MAX_UNSENT_SHOWN:]:
        kind, reason = refused_words(change)
        rows.append(
            ft.Text(
                t("sync.unsent_item", kind=kind, reason=reason),
                theme_style=ft.TextThemeStyle.BODY_SMALL,
            )
        )
    buttons = [
        text_button("retry-unsent", t("sync.retry_unsent"), retry),
        text_button("dismiss-unsent", t("sync.dismiss_unsent"), dismiss),
    ]
    if any(change.refusal is Refusal.UNVERIFIED for change in snapshot.parked):
        # waiting for a key check: the way there is the network screen, not a retry
        buttons.insert(
            0, text_button("unsent-check-keys", t("sync.check_keys"), lambda: go("/more/network"))
        )
    rows.append(ft.Row(buttons, wrap=True))
    return rows


def detail_text(snapshot: SyncState) -> str:
    """What the sync state means; "what you shared has arrived" only when nothing waits
    unsent (a change held back for someone whose keys are not checked yet, or refused)."""
    if snapshot.phase is SyncPhase.UP_TO_DATE and snapshot.parked:
        return t("sync.up_to_date_unsent_detail")
    return t(f"sync.{snapshot.phase.value}_detail")


def sync_section(
    snapshot: SyncState,
    unsent: Unsent,
    invitation_pending: bool,
    retry: Callable[[], Any],
    dismiss: Callable[[], Any],
) -> ft.Control:
    icon = {
        SyncPhase.NOT_REGISTERED: ft.Icons.CLOUD_OFF,
        SyncPhase.OFFLINE: ft.Icons.CLOUD_OFF,
        SyncPhase.SYNCING: ft.Icons.CLOUD_SYNC,
        SyncPhase.UP_TO_DATE: ft.Icons.CLOUD_DONE,
        SyncPhase.ERROR: ft.Icons.ERROR_OUTLINE,
        SyncPhase.SIGN_IN_REQUIRED: ft.Icons.LOCK_CLOCK,
    }[snapshot.phase]
    rows: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(icon),
                tag(
                    "sync-state",
                    ft.Text(
                        t(f"sync.{snapshot.phase.value}"),
                        theme_style=ft.TextThemeStyle.TITLE_SMALL,
                    ),
                ),
            ]
        ),
        body(detail_text(snapshot)),
    ]
    if unsent.waiting:  # items, not changes: an entry written and shared counts once
        rows.append(tag("unsent-count", body(t("sync.pending", count=len(unsent.waiting)))))
    if snapshot.last_synced is not None:
        rows.append(body(t("sync.last_synced", when=snapshot.last_synced.strftime("%d/%m %H:%M"))))
    if invitation_pending:
        rows.append(tag("invitation-pending", body(t("today.invitation_pending"))))
    rows += unsent_rows(snapshot, retry, dismiss)
    rows += trust_rows(snapshot)
    return card(*rows)


@ft.component
def TodayScreen() -> ft.View:
    services = use_services()
    session = use_session()
    ui = use_ui()
    snapshot = use_sync_state()
    unsent = use_unsent()
    action = use_action()
    latest = ft.use_memo(session.moods.latest_today, [ui.revision])
    reminders = ft.use_memo(session.today.next_reminders, [ui.revision])
    goals = ft.use_memo(session.today.goal_progress, [ui.revision])
    appointments = ft.use_memo(
        lambda: session.appointments.upcoming(APPOINTMENTS_SHOWN), [ui.revision]
    )
    invitation = services.accounts.pending_invitation(session)

    def pick(mood: int) -> None:
        if action.run(session.moods.check_in, mood):
            ui.data_changed()

    return screen(
        t("today.title"),
        [
            heading(t("today.greeting", name=session.account.display_name)),
            mood_section(latest.mood if latest else None, pick, action.error, ui.text_scale),
            text_button("write-diary", t("today.write_diary"), lambda: go("/diary/new")),
            appointments_section(appointments, session.appointments.zone),
            reminders_section(reminders),
            goals_section(goals),
            sync_section(
                snapshot,
                unsent,
                invitation is not None,
                services.retry_unsent,
                services.dismiss_unsent,
            ),
        ],
    )
