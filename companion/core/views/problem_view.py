"""What the app shows instead of its screens when the account on this device is there but
does not open (`services.problem`, a CannotOpen): what happened, that nothing was changed,
and what the person can do. It never offers to reset or delete anything: after lost keys
the way back is the recovery code (the old file is kept aside, unchanged); otherwise try
again (unlock the phone, make room, close the other window), or get help.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from companion.core.views.actions import use_action
from companion.core.views.context import use_services, use_ui
from companion.core.views.shell import app_bar_actions
from companion.core.views.widgets import (
    body,
    busy_ring,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
)
from companion.i18n import t


@ft.component
def ProblemScreen(on_help: Callable[[], None], width: int | None = None) -> list[ft.View]:
    """After lost keys both apps go on to their restore step (`ui.restoring`)."""
    services = use_services()
    ui = use_ui()
    action = use_action()
    problem = services.problem
    reason = problem.reason if problem is not None else "damaged"

    async def retry() -> None:
        async def again() -> None:
            await services.retry_start()

        await action.run_async(again)
        ui.locked = services.session is not None and services.lock.enabled
        ui.data_changed()

    def restore() -> None:
        services.start_over()
        ui.restoring = True
        ui.data_changed()

    buttons: list[ft.Control] = []
    if reason == "keys_gone":
        buttons.append(primary_button("problem-restore", t("problem.restore"), restore))
    else:
        buttons.append(primary_button("problem-retry", t("problem.retry"), action.when_idle(retry)))
    buttons.append(secondary_button("problem-help", t("lock.need_help"), on_help))
    form = ft.Column(
        [
            tag("problem", heading(t(f"problem.{reason}_title"))),
            body(t(f"problem.{reason}_text")),
            tag("problem-kept", body(t("problem.nothing_changed"))),
            error_text(action.error),
            busy_ring(action.busy),
            *buttons,
        ],
        spacing=16,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )
    content: ft.Control = ft.SafeArea(content=form)
    if width is not None:
        content = ft.Row(
            [ft.Container(form, width=width, padding=ft.Padding.only(top=48))],
            alignment=ft.MainAxisAlignment.CENTER,
        )
    return [
        ft.View(
            route="/",
            appbar=ft.AppBar(
                title=ft.Text(t("problem.title")),
                actions=app_bar_actions(on_help=on_help),
                automatically_imply_leading=False,
            ),
            controls=[content],
            padding=ft.Padding.symmetric(horizontal=16, vertical=12),
            scroll=ft.ScrollMode.AUTO,
        )
    ]
