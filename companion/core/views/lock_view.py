"""The lock screen (PIN) and the quick-hide blank screen; both sit outside the router.

The blank screen shows nothing that names the app. Tapping it returns: straight back
when no PIN is set, otherwise to the lock screen. The lock screen still offers help.
"""

from __future__ import annotations

import flet as ft

from companion.core.errors import ServiceError
from companion.core.views.context import use_services, use_ui
from companion.core.views.help_view import HelpContent
from companion.core.views.shell import app_bar_actions
from companion.core.views.widgets import (
    body,
    error_text,
    heading,
    icon_button,
    pin_field,
    primary_button,
    secondary_button,
)
from companion.i18n import t


@ft.component
def HiddenScreen() -> list[ft.View]:
    ui = use_ui()

    def come_back() -> None:
        ui.hidden = False

    return [
        ft.View(
            route="/",
            padding=0,
            controls=[
                ft.Semantics(
                    identifier="hidden-screen",
                    label=t("lock.hidden_label"),
                    button=True,
                    content=ft.Container(expand=True, on_click=come_back),
                    expand=True,
                )
            ],
        )
    ]


@ft.component
def LockScreen() -> list[ft.View]:
    services = use_services()
    ui = use_ui()
    pin, set_pin = ft.use_state("")
    error, set_error = ft.use_state(None)
    showing_help, set_showing_help = ft.use_state(False)

    def unlock() -> None:
        try:
            services.lock.verify(pin)
        except ServiceError as failure:
            set_pin("")
            set_error(failure)
            return
        ui.locked = False

    if showing_help:
        return [
            ft.View(
                route="/",
                appbar=ft.AppBar(
                    title=ft.Text(t("help.title")),
                    leading=icon_button(
                        "help-close",
                        ft.Icons.ARROW_BACK,
                        t("common.back"),
                        lambda: set_showing_help(False),
                    ),
                    actions=app_bar_actions(on_help=lambda: None),
                ),
                controls=[HelpContent()],
                padding=ft.Padding.symmetric(horizontal=16, vertical=12),
                scroll=ft.ScrollMode.AUTO,
            )
        ]
    return [
        ft.View(
            route="/",
            appbar=ft.AppBar(
                title=ft.Text(t("lock.title")),
                actions=app_bar_actions(on_help=lambda: set_showing_help(True)),
            ),
            controls=[
                ft.SafeArea(
                    content=ft.Column(
                        [
                            heading(t("lock.heading")),
                            body(t("lock.text")),
                            pin_field("unlock-pin", t("lock.pin_label"), pin, set_pin),
                            error_text(error),
                            primary_button("unlock", t("lock.unlock"), unlock),
                            secondary_button(
                                "lock-help", t("lock.need_help"), lambda: set_showing_help(True)
                            ),
                        ],
                        spacing=16,
                        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                    )
                )
            ],
            padding=ft.Padding.symmetric(horizontal=16, vertical=12),
        )
    ]
