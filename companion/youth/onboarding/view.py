"""Getting started: create an account, or start from an invitation, or restore on a new phone.

Steps of a new account: name -> recovery code (shown once, with why it matters) -> type one
group of it back -> optional PIN (the last three shared with the caregiver app, in
core/views/account_setup.py). The account exists from the moment the code is shown, so
closing the app halfway resumes at the code, never with a half-made account.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import flet as ft

from companion.core.errors import NotConnected
from companion.core.invitations import Inviter, read_invitation
from companion.core.sync_status import SyncPhase, SyncState
from companion.core.views.account_setup import AccountSetup, SetupWords, resumes_setup
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_services, use_ui
from companion.core.views.hooks import use_sync_state
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

WORDS = SetupWords("onboarding", confirm_group=3)


def onboarding_view(title: str, controls: list[ft.Control]) -> ft.View:
    return step_page(title, controls)


@ft.observable
@dataclass
class Onboarding(Form):
    """Where the youth is in getting started, and what they typed on the way."""

    step: str = "welcome"  # welcome | invite | restore | inviter | name | setup
    name: str = ""
    typed: str = ""  # the invitation or recovery code being typed
    invitation: str | None = None  # a checked invitation code, kept for the sync engine
    inviter: Inviter | None = None

    def goto(self, step: str) -> None:
        self.error = None
        self.typed = ""
        self.step = step

    async def create(self, services) -> None:
        if not self.run(services.accounts.check_display_name, self.name):
            return

        async def make() -> None:
            credentials = await asyncio.to_thread(services.accounts.prepare_credentials)
            # off the loop: on a phone the keystore must hold the new keys before the store
            # is made under them, and that answer only comes through this loop
            await asyncio.to_thread(
                services.create_account,
                self.name,
                credentials=credentials,
                invitation=self.invitation,
            )
            await services.keep_keys()

        if await self.run_async(make):
            services.start_sync()  # registers the new account while the youth notes the code
            self.goto("setup")

    async def check_invitation(self, services) -> None:
        if not (read := self.run(read_invitation, self.typed)):
            return

        async def preview() -> Inviter | None:
            try:
                return await services.preview_invitation(self.typed)
            except NotConnected:
                # no server configured: the code is kept and redeemed once the app connects
                return None

        if found := await self.run_async(preview):
            self.invitation = read.value.code
            self.inviter = found.value
            self.goto("name" if found.value is None else "inviter")

    async def restore(self, services, ui) -> None:
        if await self.run_async(services.restore, self.typed):
            ui.offering_pin = True
            self.goto("setup")


def restore_progress(sync: SyncState) -> ft.Control:
    """While restoring: first the code is checked, then everything comes back in steps."""
    if sync.phase is SyncPhase.SYNCING and sync.total:
        text = t("onboarding.restore_progress", done=sync.done, total=sync.total)
        bar = ft.ProgressBar(value=min(1.0, sync.done / sync.total))
    else:
        text, bar = t("onboarding.restore_busy"), ft.ProgressBar()
    return tag("restore-progress", ft.Column([body(text), bar], tight=True), label=text)


def inviter_controls(inviter: Inviter, form: Onboarding) -> list[ft.Control]:
    """Who invites, and their safety number, before the youth says yes."""
    controls: list[ft.Control] = [
        tag(
            "inviter",
            body(
                t(
                    "onboarding.inviter_text",
                    name=inviter.name,
                    role=t(f"role.{inviter.role.value}"),
                )
            ),
        ),
        body(t("onboarding.safety_explain")),
        tag(
            "inviter-safety-number",
            ft.Text(
                inviter.safety_number,
                font_family="monospace",
                theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                weight=ft.FontWeight.BOLD,
            ),
        ),
    ]
    if inviter.fingerprint_matches is False:
        controls.append(
            ft.Semantics(
                identifier="fingerprint-mismatch",
                live_region=True,
                content=ft.Text(
                    t("onboarding.fingerprint_mismatch", name=inviter.name),
                    color=ft.Colors.ERROR,
                    theme_style=ft.TextThemeStyle.BODY_LARGE,
                ),
            )
        )
        controls.append(secondary_button("back", t("common.back"), lambda: form.goto("welcome")))
        return controls
    if inviter.fingerprint_matches:
        controls.append(tag("fingerprint-match", body(t("onboarding.fingerprint_match"))))
    controls += [
        primary_button("inviter-accept", t("onboarding.inviter_accept"), lambda: form.goto("name")),
        secondary_button(
            "inviter-decline", t("onboarding.inviter_decline"), lambda: form.goto("welcome")
        ),
    ]
    return controls


def welcome_controls(form: Onboarding, set_language) -> list[ft.Control]:
    return [
        heading(t("onboarding.welcome_heading")),
        body(t("onboarding.welcome_text")),
        language_buttons(set_language),
        primary_button("start-new", t("onboarding.new"), lambda: form.goto("name")),
        secondary_button("start-invite", t("onboarding.invited"), lambda: form.goto("invite")),
        secondary_button("start-restore", t("onboarding.restore"), lambda: form.goto("restore")),
    ]


def invite_controls(form: Onboarding, check) -> list[ft.Control]:
    return [
        body(t("onboarding.invite_text")),
        text_input("invite-code", t("onboarding.invite_label"), form.typed, form.setter("typed")),
        error_text(form.error),
        busy_ring(form.busy),
        primary_button("invite-next", t("common.next"), form.when_idle(check)),
        secondary_button("back", t("common.back"), lambda: form.goto("welcome")),
    ]


def restore_controls(form: Onboarding, sync: SyncState, restore) -> list[ft.Control]:
    return [
        body(t("onboarding.restore_text")),
        text_input("restore-code", t("onboarding.restore_label"), form.typed, form.setter("typed")),
        error_text(form.error),
        restore_progress(sync) if form.busy else ft.Container(height=0),
        primary_button("restore-next", t("onboarding.restore_button"), form.when_idle(restore)),
        secondary_button("back", t("common.back"), lambda: form.goto("welcome")),
    ]


def name_controls(form: Onboarding, create) -> list[ft.Control]:
    controls = [
        body(t("onboarding.name_text")),
        text_input(
            "display-name",
            t("onboarding.name_label"),
            form.name,
            form.setter("name"),
            max_length=200,
        ),
    ]
    if form.invitation:
        controls.append(
            tag("invitation-kept", body(t("onboarding.invitation_kept", code=form.invitation)))
        )
    return [
        *controls,
        error_text(form.error),
        busy_ring(form.busy),
        primary_button("create-account", t("onboarding.create"), form.when_idle(create)),
        secondary_button("back", t("common.back"), lambda: form.goto("welcome")),
    ]


def first_step(services, ui) -> str:
    """Finish an unfinished setup; straight to the recovery code after lost keys."""
    if resumes_setup(services, ui):
        return "setup"
    return "restore" if ui.restoring else "welcome"


@ft.component
def OnboardingScreen() -> ft.View:
    services = use_services()
    ui = use_ui()
    form = use_model(lambda: Onboarding(step=first_step(services, ui)))
    sync = use_sync_state()

    def set_language(language: str) -> None:
        ui.language = services.settings.set_language(language).language

    async def create() -> None:
        await form.create(services)

    async def check() -> None:
        await form.check_invitation(services)

    async def restore() -> None:
        await form.restore(services, ui)

    if form.step == "setup":
        return AccountSetup(WORDS, onboarding_view)
    if form.step == "invite":
        return onboarding_view(t("onboarding.invite_title"), invite_controls(form, check))
    if form.step == "restore":
        controls = restore_controls(form, sync, restore)
        return onboarding_view(t("onboarding.restore_title"), controls)
    if form.step == "inviter" and form.inviter is not None:
        return onboarding_view(t("onboarding.inviter_title"), inviter_controls(form.inviter, form))
    if form.step == "name":
        return onboarding_view(t("onboarding.name_title"), name_controls(form, create))
    return onboarding_view(t("onboarding.welcome_title"), welcome_controls(form, set_language))
