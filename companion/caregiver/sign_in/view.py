"""Signing in on a new caregiver device, outside the router (there is no account yet).

Steps: choose who you are -> caregiver: e-mail + activation code from the organisation, or
network person: the youth's invitation code + your name -> the recovery code, shown once
-> type one group of it back -> an optional PIN (those three as in the youth app, from
core/views/account_setup.py). The server is contacted once, at the second step; nothing is
kept on the device unless it said yes. On a new computer, or after the keystore lost the
keys (the problem screen leads here), the recovery code brings the account back instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import flet as ft

from companion.caregiver.hooks import use_caregiver
from companion.core.views.account_setup import AccountSetup, SetupWords, resumes_setup
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_ui
from companion.core.views.settings_sections import language_buttons
from companion.core.views.shell import step_page
from companion.core.views.widgets import (
    body,
    busy_ring,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
    text_input,
)
from companion.i18n import t

WORDS = SetupWords("caregiver", confirm_group=2)
FORM_WIDTH = 560


def sign_in_view(title: str, controls: list[ft.Control], on_help) -> list[ft.View]:
    # a centred form on a desktop; the whole width on a phone (network persons)
    return [step_page(title, controls, on_help=on_help, max_width=FORM_WIDTH)]


@ft.observable
@dataclass
class SignIn(Form):
    """Where the caregiver is in signing in, and what they typed."""

    step: str = "welcome"  # welcome | activate | join | restore | setup
    email: str = ""
    code: str = ""  # the activation, invitation or recovery code
    name: str = ""

    def goto(self, step: str) -> None:
        self.error = None
        self.step = step

    async def register(
        self, services, check: Callable[[], Any], call: Callable[[Any], Awaitable[Any]]
    ) -> None:
        """Check what was typed here, then make the keys and let the server say yes."""
        if not self.run(check):
            return

        async def make() -> None:
            credentials = await asyncio.to_thread(services.accounts.prepare_credentials)
            await call(credentials)

        if await self.run_async(make):
            self.goto("setup")

    async def activate(self, services) -> None:
        await self.register(
            services,
            lambda: services.accounts.check_activation(self.email, self.code),
            lambda credentials: services.activate(self.email, self.code, credentials),
        )

    async def restore(self, services) -> None:
        if await self.run_async(services.restore, self.code):
            self.goto("setup")

    async def join(self, services) -> None:
        await self.register(
            services,
            lambda: services.accounts.check_invitation(self.code, self.name),
            lambda credentials: services.join_network(self.code, self.name, credentials),
        )


def welcome_controls(form: SignIn, set_language) -> list[ft.Control]:
    return [
        heading(t("caregiver.signin_heading")),
        body(t("caregiver.signin_text")),
        language_buttons(set_language),
        primary_button(
            "start-caregiver", t("caregiver.signin_as_caregiver"), lambda: form.goto("activate")
        ),
        secondary_button(
            "start-network", t("caregiver.signin_as_network"), lambda: form.goto("join")
        ),
        secondary_button(
            "start-restore", t("caregiver.signin_restore"), lambda: form.goto("restore")
        ),
    ]


def server_and_submit(form: SignIn, server_url: str, submit) -> list[ft.Control]:
    """Under either form: where it signs in, its error, busy, and the way on or back."""
    identifier, text, handler = submit
    return [
        tag("server-url", body(t("caregiver.server", url=server_url))),
        error_text(form.error),
        busy_ring(form.busy),
        primary_button(identifier, text, form.when_idle(handler)),
        secondary_button("back", t("common.back"), lambda: form.goto("welcome")),
    ]


def activate_controls(form: SignIn, server_url: str, activate) -> list[ft.Control]:
    return [
        body(t("caregiver.activate_text")),
        text_input(
            "activate-email",
            t("caregiver.activate_email"),
            form.email,
            form.setter("email"),
            keyboard_type=ft.KeyboardType.EMAIL,
        ),
        text_input(
            "activate-code",
            t("caregiver.activate_code"),
            form.code,
            form.setter("code"),
            capitalization=ft.TextCapitalization.CHARACTERS,
        ),
        *server_and_submit(
            form, server_url, ("activate-submit", t("caregiver.activate_button"), activate)
        ),
    ]


def join_controls(form: SignIn, server_url: str, join) -> list[ft.Control]:
    return [
        body(t("caregiver.join_text")),
        text_input(
            "join-code",
            t("caregiver.join_code"),
            form.code,
            form.setter("code"),
            capitalization=ft.TextCapitalization.CHARACTERS,
        ),
        text_input(
            "join-name",
            t("caregiver.join_name"),
            form.name,
            form.setter("name"),
            max_length=80,
            helper=t("caregiver.join_name_help"),
        ),
        *server_and_submit(form, server_url, ("join-submit", t("caregiver.join_button"), join)),
    ]


def restore_controls(form: SignIn, server_url: str, restore) -> list[ft.Control]:
    return [
        body(t("caregiver.restore_text")),
        text_input(
            "restore-code",
            t("caregiver.restore_code"),
            form.code,
            form.setter("code"),
            capitalization=ft.TextCapitalization.CHARACTERS,
        ),
        *server_and_submit(
            form, server_url, ("restore-submit", t("caregiver.restore_button"), restore)
        ),
    ]


def first_step(services, ui) -> str:
    if resumes_setup(services, ui):
        return "setup"
    return "restore" if ui.restoring else "welcome"


@ft.component
def SignInScreen(on_help) -> list[ft.View]:
    services = use_caregiver()
    ui = use_ui()
    form = use_model(lambda: SignIn(step=first_step(services, ui)))

    def page(title: str, controls: list[ft.Control]) -> list[ft.View]:
        return sign_in_view(title, controls, on_help)

    def set_language(language: str) -> None:
        ui.language = services.settings.set_language(language).language

    async def activate() -> None:
        await form.activate(services)

    async def join() -> None:
        await form.join(services)

    async def restore() -> None:
        await form.restore(services)

    if form.step == "setup":
        return AccountSetup(
            WORDS,
            page,
            on_finish=services.start_sync,
        )
    if form.step == "activate":
        controls = activate_controls(form, services.server_url, activate)
        return page(t("caregiver.activate_title"), controls)
    if form.step == "restore":
        controls = restore_controls(form, services.server_url, restore)
        return page(t("caregiver.restore_title"), controls)
    if form.step == "join":
        return page(t("caregiver.join_title"), join_controls(form, services.server_url, join))
    return page(t("caregiver.signin_title"), welcome_controls(form, set_language))
