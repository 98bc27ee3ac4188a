"""Signing in on a new caregiver device, outside the router (there is no account yet).

Steps: choose who you are -> caregiver: e-mail + activation code from the organisation, or
network person: the youth's invitation code + your name -> the recovery code, shown once
-> type one group of it back -> an optional PIN. The server is contacted once, at the
second step; nothing is kept on the device unless it said yes.
"""

from __future__ import annotations

import asyncio

import flet as ft

from companion.caregiver.hooks import use_caregiver
from companion.core.accounts import RECOVERY_GROUPS
from companion.core.errors import ServiceError
from companion.core.views.context import use_ui
from companion.core.views.shell import app_bar_actions
from companion.core.views.widgets import (
    body,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
    text_input,
)
from companion.i18n import LANGUAGES, t
from companion.youth.settings.view import LANGUAGE_NAMES, pin_field

CONFIRM_GROUP = 2
FORM_WIDTH = 560


def sign_in_view(title: str, controls: list[ft.Control], on_help) -> list[ft.View]:
    return [
        ft.View(
            route="/",
            appbar=ft.AppBar(
                title=ft.Text(title),
                actions=app_bar_actions(on_help=on_help),
                automatically_imply_leading=False,
            ),
            controls=[
                ft.Row(
                    [ft.Container(ft.Column(controls, spacing=16), width=FORM_WIDTH)],
                    alignment=ft.MainAxisAlignment.CENTER,
                )
            ],
            scroll=ft.ScrollMode.AUTO,
            padding=ft.Padding.symmetric(horizontal=24, vertical=24),
        )
    ]


def first_step(services, ui) -> str:
    session = services.session
    if session is not None and not services.accounts.recovery_confirmed(session):
        return "code"
    if session is not None and ui.offering_pin:
        return "pin"
    return "welcome"


@ft.component
def SignInScreen(on_help) -> list[ft.View]:
    services = use_caregiver()
    ui = use_ui()
    step, set_step = ft.use_state(lambda: first_step(services, ui))
    email, set_email = ft.use_state("")
    code, set_code = ft.use_state("")
    name, set_name = ft.use_state("")
    typed, set_typed = ft.use_state("")
    pin, set_pin = ft.use_state("")
    repeat, set_repeat = ft.use_state("")
    error, set_error = ft.use_state(None)
    busy, set_busy = ft.use_state(False)

    def goto(next_step: str) -> None:
        set_error(None)
        set_typed("")
        set_step(next_step)

    def set_language(language: str) -> None:
        ui.language = services.settings.set_language(language).language

    async def register(check, call) -> None:
        try:
            check()
        except ServiceError as failure:
            set_error(failure)
            return
        set_error(None)
        set_busy(True)
        try:
            credentials = await asyncio.to_thread(services.accounts.prepare_credentials)
            await call(credentials)
        except ServiceError as failure:
            set_error(failure)
            return
        finally:
            set_busy(False)
        goto("code")

    async def activate() -> None:
        await register(
            lambda: services.accounts.check_activation(email, code),
            lambda credentials: services.activate(email, code, credentials),
        )

    async def join() -> None:
        await register(
            lambda: services.accounts.check_invitation(code, name),
            lambda credentials: services.join_network(code, name, credentials),
        )

    def confirm() -> None:
        try:
            services.accounts.confirm_recovery(services.require_session(), CONFIRM_GROUP, typed)
        except ServiceError as failure:
            set_error(failure)
            return
        ui.offering_pin = True
        goto("pin")

    def finish() -> None:
        ui.offering_pin = False
        services.start_sync()
        ui.data_changed()

    def choose_pin() -> None:
        try:
            services.lock.set_pin(pin, repeat)
        except ServiceError as failure:
            set_error(failure)
            return
        finish()

    waiting = tag("busy", ft.ProgressRing()) if busy else ft.Container(height=0)

    if step == "welcome":
        return sign_in_view(
            t("caregiver.signin_title"),
            [
                heading(t("caregiver.signin_heading")),
                body(t("caregiver.signin_text")),
                ft.Row(
                    [
                        tag(
                            f"lang-{lang}",
                            ft.TextButton(
                                LANGUAGE_NAMES[lang],
                                on_click=lambda _e, lang=lang: set_language(lang),
                            ),
                        )
                        for lang in LANGUAGES
                    ],
                    wrap=True,
                ),
                primary_button(
                    "start-caregiver", t("caregiver.signin_as_caregiver"), lambda: goto("activate")
                ),
                secondary_button(
                    "start-network", t("caregiver.signin_as_network"), lambda: goto("join")
                ),
            ],
            on_help,
        )
    if step == "activate":
        return sign_in_view(
            t("caregiver.activate_title"),
            [
                body(t("caregiver.activate_text")),
                text_input(
                    "activate-email",
                    t("caregiver.activate_email"),
                    email,
                    set_email,
                    keyboard_type=ft.KeyboardType.EMAIL,
                    width=FORM_WIDTH,
                ),
                text_input(
                    "activate-code",
                    t("caregiver.activate_code"),
                    code,
                    set_code,
                    capitalization=ft.TextCapitalization.CHARACTERS,
                    width=FORM_WIDTH,
                ),
                tag("server-url", body(t("caregiver.server", url=services.server_url))),
                error_text(error),
                waiting,
                primary_button(
                    "activate-submit", t("caregiver.activate_button"), None if busy else activate
                ),
                secondary_button("back", t("common.back"), lambda: goto("welcome")),
            ],
            on_help,
        )
    if step == "join":
        return sign_in_view(
            t("caregiver.join_title"),
            [
                body(t("caregiver.join_text")),
                text_input(
                    "join-code",
                    t("caregiver.join_code"),
                    code,
                    set_code,
                    capitalization=ft.TextCapitalization.CHARACTERS,
                    width=FORM_WIDTH,
                ),
                text_input(
                    "join-name",
                    t("caregiver.join_name"),
                    name,
                    set_name,
                    max_length=80,
                    width=FORM_WIDTH,
                ),
                tag("server-url", body(t("caregiver.server", url=services.server_url))),
                error_text(error),
                waiting,
                primary_button("join-submit", t("caregiver.join_button"), None if busy else join),
                secondary_button("back", t("common.back"), lambda: goto("welcome")),
            ],
            on_help,
        )
    if step == "code":
        return sign_in_view(
            t("caregiver.code_title"),
            [
                body(t("caregiver.code_text")),
                tag(
                    "recovery-code",
                    ft.Text(
                        services.accounts.recovery_code(),
                        font_family="monospace",
                        theme_style=ft.TextThemeStyle.TITLE_LARGE,
                        weight=ft.FontWeight.BOLD,
                    ),
                ),
                body(t("caregiver.code_warning")),
                primary_button("code-noted", t("caregiver.code_noted"), lambda: goto("confirm")),
            ],
            on_help,
        )
    if step == "confirm":
        return sign_in_view(
            t("caregiver.confirm_title"),
            [
                body(t("caregiver.confirm_text", group=CONFIRM_GROUP, groups=RECOVERY_GROUPS)),
                text_input(
                    "confirm-group",
                    t("caregiver.confirm_label", group=CONFIRM_GROUP),
                    typed,
                    set_typed,
                    capitalization=ft.TextCapitalization.CHARACTERS,
                    width=FORM_WIDTH,
                ),
                error_text(error),
                primary_button("confirm-check", t("caregiver.confirm_button"), confirm),
                secondary_button("code-again", t("caregiver.show_again"), lambda: goto("code")),
            ],
            on_help,
        )
    return sign_in_view(
        t("caregiver.pin_title"),
        [
            body(t("caregiver.pin_text")),
            pin_field("pin-new", t("settings.pin_new"), pin, set_pin),
            pin_field("pin-repeat", t("settings.pin_repeat"), repeat, set_repeat),
            error_text(error),
            primary_button("pin-save", t("caregiver.pin_save"), choose_pin),
            secondary_button("pin-later", t("caregiver.pin_later"), finish),
        ],
        on_help,
    )
