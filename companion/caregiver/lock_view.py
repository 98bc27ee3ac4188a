"""The PIN screen on a desktop: the same lock as the youth app, laid out for a wide window."""

from __future__ import annotations

import flet as ft

from companion.caregiver.hooks import use_caregiver
from companion.core.errors import ServiceError
from companion.core.views.context import use_ui
from companion.core.views.shell import app_bar_actions
from companion.core.views.widgets import (
    body,
    error_text,
    heading,
    pin_field,
    primary_button,
    secondary_button,
)
from companion.i18n import t

FORM_WIDTH = 420


@ft.component
def CaregiverLockScreen(on_help) -> list[ft.View]:
    services = use_caregiver()
    ui = use_ui()
    pin, set_pin = ft.use_state("")
    error, set_error = ft.use_state(None)

    def unlock() -> None:
        try:
            services.lock.verify(pin)
        except ServiceError as failure:
            set_pin("")
            set_error(failure)
            return
        ui.locked = False

    form = ft.Column(
        [
            heading(t("lock.heading")),
            body(t("lock.text")),
            pin_field("unlock-pin", t("lock.pin_label"), pin, set_pin),
            error_text(error),
            primary_button("unlock", t("lock.unlock"), unlock),
            secondary_button("lock-help", t("lock.need_help"), on_help),
        ],
        spacing=16,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )
    return [
        ft.View(
            route="/",
            appbar=ft.AppBar(
                title=ft.Text(t("lock.title")),
                actions=app_bar_actions(on_help=on_help),
                automatically_imply_leading=False,
            ),
            controls=[
                ft.Row(
                    [ft.Container(form, width=FORM_WIDTH, padding=ft.Padding.only(top=48))],
                    alignment=ft.MainAxisAlignment.CENTER,
                )
            ],
            padding=24,
        )
    ]
