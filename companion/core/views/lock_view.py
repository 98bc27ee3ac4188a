"""What covers an app's own screens, outside its router: the quick-hide blank screen, the
lock screen (PIN) and help reached from there.

The blank screen shows nothing that names the app. Tapping it returns: straight back
when no PIN is set, otherwise to the lock screen. The lock screen still offers help, and on
a phone where the person turned it on, a fingerprint or face instead of the PIN.
Both apps use these; the caregiver's wide window passes a `width` for the centred form.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from companion.core.views.actions import use_action
from companion.core.views.context import use_services, use_ui
from companion.core.views.help_view import HelpContent
from companion.core.views.shell import app_bar_actions, title_text
from companion.core.views.widgets import (
    apart,
    body,
    error_text,
    heading,
    icon_button,
    pin_field,
    primary_button,
    secondary_button,
)
from companion.i18n import t


def _padding(width: int | None) -> ft.Padding:
    return ft.Padding.symmetric(horizontal=16, vertical=12) if width is None else ft.Padding.all(24)


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
def HelpOutsideRouter(on_close: Callable[[], None], width: int | None = None) -> list[ft.View]:
    """Help on the lock and sign-in screens, where there is no router to open /help."""
    return [
        ft.View(
            route="/",
            appbar=ft.AppBar(
                title=title_text(t("help.title"), use_ui().text_scale),
                leading=icon_button("help-close", ft.Icons.ARROW_BACK, t("common.back"), on_close),
                automatically_imply_leading=False,
                actions=app_bar_actions(on_help=lambda: None),
            ),
            controls=[HelpContent()],
            padding=_padding(width),
            scroll=ft.ScrollMode.AUTO,
        )
    ]


@ft.component
def LockScreen(on_help: Callable[[], None], width: int | None = None) -> list[ft.View]:
    """The PIN, to open an app that is locked; full width on a phone, `width` on a desktop."""
    services = use_services()
    ui = use_ui()
    pin, set_pin = ft.use_state("")
    action = use_action()

    def unlock() -> None:
        if action.run(services.lock.verify, pin):
            ui.locked = False
        else:
            set_pin("")

    async def unlock_biometric() -> None:
        # the OS's own prompt; a "no" or a cancel leaves the PIN field as it was
        if await services.unlock_with_biometrics(t("lock.biometric_reason")):
            ui.locked = False

    biometric: list[ft.Control] = []
    if services.lock.biometric_enabled:
        biometric.append(
            secondary_button(
                "unlock-biometric",
                t("lock.biometric_unlock"),
                unlock_biometric,
                icon=ft.Icons.FINGERPRINT,
            )
        )
    form = ft.Column(
        apart(
            [
                heading(t("lock.heading")),
                body(t("lock.text")),
                pin_field("unlock-pin", t("lock.pin_label"), pin, set_pin),
                error_text(action.error),
                primary_button("unlock", t("lock.unlock"), unlock),
                *biometric,
                secondary_button("lock-help", t("lock.need_help"), on_help),
            ]
        ),
        spacing=16,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )
    if width is None:
        content: ft.Control = ft.SafeArea(content=form)
    else:
        content = ft.Row(
            [ft.Container(form, width=width, padding=ft.Padding.only(top=48))],
            alignment=ft.MainAxisAlignment.CENTER,
        )
    return [
        ft.View(
            route="/",
            appbar=ft.AppBar(
                title=title_text(t("lock.title"), ui.text_scale),
                actions=app_bar_actions(on_help=on_help),
                automatically_imply_leading=False,
            ),
            controls=[content],
            padding=_padding(width),
            scroll=ft.ScrollMode.AUTO,  # zoomed in, "Hulp nodig?" is below the fold
        )
    ]
