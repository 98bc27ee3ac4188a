"""Getting started: create an account, or start from an invitation, or restore on a new phone.

Steps of a new account: name -> recovery code (shown once, with why it matters) -> type one
group of it back -> optional PIN. The account exists from the moment the code is shown, so
closing the app halfway resumes at the code, never with a half-made account.
"""

from __future__ import annotations

import asyncio

import flet as ft

from companion.core.accounts import RECOVERY_GROUPS
from companion.core.errors import InvalidInput, NotConnected, ServiceError
from companion.core.sync_status import SyncPhase, SyncState
from companion.core.views.context import use_services, use_ui
from companion.core.views.shell import app_bar_actions
from companion.core.views.widgets import (
    body,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
    text_button,
    text_input,
)
from companion.i18n import LANGUAGES, t
from companion.youth.network.invitation import Inviter, read_invitation
from companion.youth.settings.view import LANGUAGE_NAMES, pin_field
from companion.youth.today.view import use_sync_state

CONFIRM_GROUP = 3


def onboarding_view(title: str, controls: list[ft.Control]) -> ft.View:
    return ft.View(
        route="/",
        appbar=ft.AppBar(title=ft.Text(title), actions=app_bar_actions()),
        controls=[
            ft.SafeArea(
                content=ft.Column(
                    controls,
                    spacing=16,
                    tight=True,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                )
            )
        ],
        scroll=ft.ScrollMode.AUTO,
        padding=ft.Padding.symmetric(horizontal=16, vertical=12),
    )


def first_step(services, ui) -> str:
    if services.session is not None and not services.accounts.recovery_confirmed(services.session):
        return "code"
    if services.session is not None and ui.offering_pin:
        return "pin"
    return "welcome"


def busy_ring(busy: bool) -> ft.Control:
    return tag("busy", ft.ProgressRing()) if busy else ft.Container(height=0)


def restore_progress(sync: SyncState) -> ft.Control:
    """While restoring: first the code is checked, then everything comes back in steps."""
    if sync.phase is SyncPhase.SYNCING and sync.total:
        text = t("onboarding.restore_progress", done=sync.done, total=sync.total)
        bar = ft.ProgressBar(value=min(1.0, sync.done / sync.total))
    else:
        text, bar = t("onboarding.restore_busy"), ft.ProgressBar()
    return tag("restore-progress", ft.Column([body(text), bar], tight=True), label=text)


def inviter_controls(inviter: Inviter, goto, accept) -> list[ft.Control]:
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
        controls.append(secondary_button("back", t("common.back"), lambda: goto("welcome")))
        return controls
    if inviter.fingerprint_matches:
        controls.append(tag("fingerprint-match", body(t("onboarding.fingerprint_match"))))
    controls += [
        primary_button("inviter-accept", t("onboarding.inviter_accept"), accept),
        secondary_button(
            "inviter-decline", t("onboarding.inviter_decline"), lambda: goto("welcome")
        ),
    ]
    return controls


@ft.component
def OnboardingScreen() -> ft.View:
    services = use_services()
    ui = use_ui()
    step, set_step = ft.use_state(lambda: first_step(services, ui))
    name, set_name = ft.use_state("")
    invitation, set_invitation = ft.use_state(None)
    inviter, set_inviter = ft.use_state(None)
    typed, set_typed = ft.use_state("")
    pin, set_pin = ft.use_state("")
    repeat, set_repeat = ft.use_state("")
    error, set_error = ft.use_state(None)
    busy, set_busy = ft.use_state(False)
    sync = use_sync_state()

    def goto(next_step: str) -> None:
        set_error(None)
        set_typed("")
        set_step(next_step)

    def set_language(language: str) -> None:
        ui.language = services.settings.set_language(language).language

    async def create() -> None:
        try:
            services.accounts.check_display_name(name)
        except ServiceError as failure:
            set_error(failure)
            return
        set_busy(True)
        try:
            credentials = await asyncio.to_thread(services.accounts.prepare_credentials)
            services.create_account(name, credentials=credentials, invitation=invitation)
        except ServiceError as failure:
            set_error(failure)
            return
        finally:
            set_busy(False)
        services.start_sync()  # registers the new account while the youth notes the code
        goto("code")

    async def check_invitation() -> None:
        try:
            code = read_invitation(typed).code
        except InvalidInput as failure:
            set_error(failure)
            return
        set_busy(True)
        try:
            found = await services.preview_invitation(typed)
        except NotConnected:
            # no server configured: the code is kept and redeemed once the app connects
            set_invitation(code)
            goto("name")
            return
        except ServiceError as failure:
            set_error(failure)
            return
        finally:
            set_busy(False)
        set_invitation(code)
        set_inviter(found)
        goto("inviter")

    async def restore() -> None:
        set_busy(True)
        try:
            await services.restore(typed)
        except ServiceError as failure:
            set_error(failure)
            return
        finally:
            set_busy(False)
        ui.offering_pin = True
        goto("pin")

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
        ui.data_changed()

    def choose_pin() -> None:
        try:
            services.lock.set_pin(pin, repeat)
        except ServiceError as failure:
            set_error(failure)
            return
        finish()

    if step == "welcome":
        return onboarding_view(
            t("onboarding.welcome_title"),
            [
                heading(t("onboarding.welcome_heading")),
                body(t("onboarding.welcome_text")),
                ft.Row(
                    [
                        text_button(
                            f"lang-{lang}",
                            LANGUAGE_NAMES[lang],
                            lambda _e, lang=lang: set_language(lang),
                        )
                        for lang in LANGUAGES
                    ],
                    wrap=True,
                ),
                primary_button("start-new", t("onboarding.new"), lambda: goto("name")),
                secondary_button("start-invite", t("onboarding.invited"), lambda: goto("invite")),
                secondary_button("start-restore", t("onboarding.restore"), lambda: goto("restore")),
            ],
        )
    if step == "invite":
        return onboarding_view(
            t("onboarding.invite_title"),
            [
                body(t("onboarding.invite_text")),
                text_input("invite-code", t("onboarding.invite_label"), typed, set_typed),
                error_text(error),
                busy_ring(busy),
                primary_button("invite-next", t("common.next"), None if busy else check_invitation),
                secondary_button("back", t("common.back"), lambda: goto("welcome")),
            ],
        )
    if step == "restore":
        return onboarding_view(
            t("onboarding.restore_title"),
            [
                body(t("onboarding.restore_text")),
                text_input("restore-code", t("onboarding.restore_label"), typed, set_typed),
                error_text(error),
                restore_progress(sync) if busy else ft.Container(height=0),
                primary_button(
                    "restore-next", t("onboarding.restore_button"), None if busy else restore
                ),
                secondary_button("back", t("common.back"), lambda: goto("welcome")),
            ],
        )
    if step == "inviter" and inviter is not None:
        return onboarding_view(
            t("onboarding.inviter_title"), inviter_controls(inviter, goto, lambda: goto("name"))
        )
    if step == "name":
        controls = [
            body(t("onboarding.name_text")),
            text_input("display-name", t("onboarding.name_label"), name, set_name, max_length=200),
        ]
        if invitation:
            controls.append(
                tag("invitation-kept", body(t("onboarding.invitation_kept", code=invitation)))
            )
        controls += [
            error_text(error),
            busy_ring(busy),
            primary_button("create-account", t("onboarding.create"), None if busy else create),
            secondary_button("back", t("common.back"), lambda: goto("welcome")),
        ]
        return onboarding_view(t("onboarding.name_title"), controls)
    if step == "code":
        return onboarding_view(
            t("onboarding.code_title"),
            [
                body(t("onboarding.code_text")),
                tag(
                    "recovery-code",
                    ft.Text(
                        services.accounts.recovery_code(),
                        font_family="monospace",
                        theme_style=ft.TextThemeStyle.TITLE_LARGE,
                        weight=ft.FontWeight.BOLD,
                    ),
                ),
                body(t("onboarding.code_warning")),
                primary_button("code-noted", t("onboarding.code_noted"), lambda: goto("confirm")),
            ],
        )
    if step == "confirm":
        return onboarding_view(
            t("onboarding.confirm_title"),
            [
                body(t("onboarding.confirm_text", group=CONFIRM_GROUP, groups=RECOVERY_GROUPS)),
                text_input(
                    "confirm-group",
                    t("onboarding.confirm_label", group=CONFIRM_GROUP),
                    typed,
                    set_typed,
                    capitalization=ft.TextCapitalization.CHARACTERS,
                ),
                error_text(error),
                primary_button("confirm-check", t("onboarding.confirm_button"), confirm),
                secondary_button("code-again", t("onboarding.show_again"), lambda: goto("code")),
            ],
        )
    return onboarding_view(
        t("onboarding.pin_title"),
        [
            body(t("onboarding.pin_text")),
            body(t("onboarding.pin_rules")),
            pin_field("pin-new", t("settings.pin_new"), pin, set_pin),
            pin_field("pin-repeat", t("settings.pin_repeat"), repeat, set_repeat),
            error_text(error),
            primary_button("pin-save", t("onboarding.pin_save"), choose_pin),
            secondary_button("pin-later", t("onboarding.pin_later"), finish),
        ],
    )
