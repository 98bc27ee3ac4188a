"""The last steps of a new account, the same in both apps: the recovery code (shown once)
-> type one group of it back -> an optional PIN.

Each app passes its own words where they differ (a phone's code goes on paper, a
caregiver's into a safe place), which group to type back, and the page around the steps.
The account exists from the moment the code is shown, so an app closed halfway comes back
here, at the code, never with a half-made account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flet as ft

from companion.core.accounts import RECOVERY_GROUPS
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_services, use_ui
from companion.core.views.state import UiState
from companion.core.views.widgets import (
    body,
    error_text,
    pin_field,
    primary_button,
    secondary_button,
    tag,
    text_input,
)
from companion.i18n import t

# (title, controls) -> what the app's screen returns: its View, or a list of Views
StepPage = Callable[[str, list[ft.Control]], Any]


@dataclass(frozen=True)
class SetupWords:
    """How an app words the setup: the translation namespace that holds its `code_text`,
    `code_warning`, `code_noted`, `confirm_text` and `pin_text`, and which group of the
    recovery code it asks to type back."""

    namespace: str  # "onboarding" (youth), "caregiver"
    confirm_group: int

    def say(self, key: str) -> str:
        return t(f"{self.namespace}.{key}", group=self.confirm_group, groups=RECOVERY_GROUPS)


def setting_up(services, ui: UiState) -> bool:
    """No account yet, or its setup is unfinished: the app shows its welcome flow."""
    session = services.session
    return session is None or not services.accounts.recovery_confirmed(session) or ui.offering_pin


def resumes_setup(services, ui: UiState) -> bool:
    """An account exists but its code was never confirmed or the PIN offer is still open."""
    return services.session is not None and setting_up(services, ui)


@ft.observable
@dataclass
class SetupSteps(Form):
    step: str = "code"  # code | confirm | pin
    typed: str = ""  # the group typed back
    pin: str = ""
    repeat: str = ""

    def goto(self, step: str) -> None:
        self.error = None
        self.typed = ""
        self.step = step


def code_controls(code: str, words: SetupWords, form: SetupSteps) -> list[ft.Control]:
    return [
        body(words.say("code_text")),
        tag(
            "recovery-code",
            ft.Text(
                code,
                font_family="monospace",
                theme_style=ft.TextThemeStyle.TITLE_LARGE,
                weight=ft.FontWeight.BOLD,
            ),
        ),
        body(words.say("code_warning")),
        primary_button("code-noted", words.say("code_noted"), lambda: form.goto("confirm")),
    ]


def confirm_controls(words: SetupWords, form: SetupSteps, confirm) -> list[ft.Control]:
    return [
        body(words.say("confirm_text")),
        text_input(
            "confirm-group",
            t("setup.confirm_label", group=words.confirm_group),
            form.typed,
            form.setter("typed"),
            capitalization=ft.TextCapitalization.CHARACTERS,
        ),
        error_text(form.error),
        primary_button("confirm-check", t("setup.confirm_button"), confirm),
        secondary_button("code-again", t("setup.show_again"), lambda: form.goto("code")),
    ]


def pin_controls(words: SetupWords, form: SetupSteps, choose, later) -> list[ft.Control]:
    return [
        body(words.say("pin_text")),
        body(t("lock.pin_rules")),
        pin_field("pin-new", t("settings.pin_new"), form.pin, form.setter("pin")),
        pin_field("pin-repeat", t("settings.pin_repeat"), form.repeat, form.setter("repeat")),
        error_text(form.error),
        primary_button("pin-save", t("setup.pin_save"), choose),
        secondary_button("pin-later", t("setup.pin_later"), later),
    ]


@ft.component
def AccountSetup(
    words: SetupWords,
    page: StepPage,
    on_finish: Callable[[], None] | None = None,
) -> Any:
    """Code, confirmation, PIN offer; `on_finish` runs when the person is done."""
    services = use_services()
    ui = use_ui()

    def first() -> SetupSteps:
        confirmed = services.accounts.recovery_confirmed(services.require_session())
        return SetupSteps(step="pin" if confirmed else "code")

    form = use_model(first)

    def confirm() -> None:
        def check() -> None:
            session = services.require_session()
            services.accounts.confirm_recovery(session, words.confirm_group, form.typed)

        if form.run(check):
            ui.offering_pin = True
            form.goto("pin")

    def finish() -> None:
        ui.offering_pin = False
        if on_finish is not None:
            on_finish()
        ui.data_changed()

    def choose_pin() -> None:
        if form.run(services.lock.set_pin, form.pin, form.repeat):
            finish()

    if form.step == "code":
        code = services.accounts.recovery_code()
        return page(t("setup.code_title"), code_controls(code, words, form))
    if form.step == "confirm":
        controls = confirm_controls(words, form, confirm)
        return page(t("setup.confirm_title"), controls)
    return page(t("setup.pin_title"), pin_controls(words, form, choose_pin, finish))
