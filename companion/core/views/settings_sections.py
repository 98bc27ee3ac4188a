"""Settings both apps show: language, theme and text size, the PIN lock, the recovery code.

The youth's settings screen, the caregiver's settings screen and both welcome screens (the
language buttons) are built from these; a change here reaches both apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import flet as ft

from companion.core.preferences import TEXT_SCALES, ThemeChoice
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_services, use_ui
from companion.core.views.state import UiState
from companion.core.views.widgets import (
    body,
    card,
    choice_group,
    error_text,
    heading,
    pin_field,
    primary_button,
    secondary_button,
    tag,
    text_button,
)
from companion.i18n import LANGUAGES, t

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def language_buttons(on_pick: Callable[[str], None]) -> ft.Control:
    """One button per language, named in that language (`lang-nl`, `lang-fr`, `lang-en`)."""
    return ft.Row(
        [
            text_button(f"lang-{lang}", LANGUAGE_NAMES[lang], lambda _e, lang=lang: on_pick(lang))
            for lang in LANGUAGES
        ],
        wrap=True,
    )


def appearance_cards(ui: UiState, settings) -> list[ft.Control]:
    """Language, theme and text size: the same three cards in the youth and caregiver apps."""

    def set_language(language: str) -> None:
        ui.language = settings.set_language(language).language

    def set_theme(choice: str) -> None:
        ui.theme = str(settings.set_theme(choice).theme)

    def set_scale(scale: str) -> None:
        ui.text_scale = settings.set_text_scale(float(scale)).text_scale

    themes = [(choice.value, t(f"settings.theme_{choice.value}")) for choice in ThemeChoice]
    scales = [(str(scale), t(f"settings.text_size_{i}")) for i, scale in enumerate(TEXT_SCALES)]
    languages = [(lang, LANGUAGE_NAMES[lang]) for lang in LANGUAGES]
    return [
        card(
            heading(t("settings.language"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            choice_group("language", ui.language, languages, set_language, scale=ui.text_scale),
        ),
        card(
            heading(t("settings.theme"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            choice_group("theme", ui.theme, themes, set_theme, scale=ui.text_scale),
        ),
        card(
            heading(t("settings.text_size"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            choice_group("text-size", str(ui.text_scale), scales, set_scale, scale=ui.text_scale),
        ),
    ]


@ft.observable
@dataclass
class PinChange(Form):
    """Turning the PIN on, changing it or turning it off: which, and what was typed."""

    mode: str | None = None  # None | "set" | "change" | "disable"
    current: str = ""
    new: str = ""
    repeat: str = ""
    done: str | None = None  # translation key of what was just done

    def start(self, mode: str | None) -> None:
        self.current = self.new = self.repeat = ""
        self.error = None
        self.done = None
        self.mode = mode

    def submit(self, lock) -> None:
        def apply() -> None:
            if self.mode == "change":
                lock.verify(self.current)
            if self.mode == "disable":
                lock.disable(self.current)
            else:
                lock.set_pin(self.new, self.repeat)

        if self.run(apply):
            self.done = (
                "settings.pin_off_done" if self.mode == "disable" else "settings.pin_on_done"
            )
            self.mode = None


def pin_choices(form: PinChange, enabled: bool) -> ft.Control:
    if enabled:
        return ft.Row(
            [
                secondary_button(
                    "pin-change", t("settings.pin_change"), lambda: form.start("change")
                ),
                secondary_button(
                    "pin-disable", t("settings.pin_disable"), lambda: form.start("disable")
                ),
            ],
            wrap=True,
        )
    return secondary_button("pin-enable", t("settings.pin_enable"), lambda: form.start("set"))


def pin_form(form: PinChange, submit: Callable[[], None]) -> list[ft.Control]:
    rows: list[ft.Control] = []
    if form.mode in ("change", "disable"):
        rows.append(
            pin_field(
                "pin-current", t("settings.pin_current"), form.current, form.setter("current")
            )
        )
    if form.mode in ("set", "change"):
        rows += [
            body(t("lock.pin_rules")),
            pin_field("pin-new", t("settings.pin_new"), form.new, form.setter("new")),
            pin_field("pin-repeat", t("settings.pin_repeat"), form.repeat, form.setter("repeat")),
        ]
    return [
        *rows,
        error_text(form.error),
        ft.Row(
            [
                secondary_button("pin-cancel", t("common.cancel"), lambda: form.start(None)),
                primary_button("pin-submit", t("common.confirm"), submit),
            ],
            wrap=True,
        ),
    ]


@ft.component
def AppLockSection() -> ft.Control:
    """Turn the PIN on, change it, or turn it off (the current PIN is asked first)."""
    services = use_services()
    use_ui()
    form = use_model(PinChange)
    enabled = services.lock.enabled
    rows: list[ft.Control] = [
        heading(t("settings.lock_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        tag("lock-status", body(t("settings.lock_on" if enabled else "settings.lock_off"))),
    ]
    if form.done:
        rows.append(tag("lock-done", body(t(form.done))))
    if form.mode is None:
        rows.append(pin_choices(form, enabled))
    else:
        rows += pin_form(form, lambda: form.submit(services.lock))
    return card(*rows)


@ft.observable
@dataclass
class RecoveryReveal(Form):
    """Showing the recovery code again: asking the PIN first, then the code itself."""

    asking: bool = False
    pin: str = ""
    code: str | None = None

    def reveal(self, services) -> None:
        def code() -> str:
            if services.lock.enabled:
                services.lock.verify(self.pin)
            return services.accounts.recovery_code()

        if shown := self.run(code):
            self.code = shown.value
            self.asking = False
            self.pin = ""

    def hide(self) -> None:
        self.code = None

    def ask(self, services) -> None:
        if services.lock.enabled:
            self.asking = True
        else:
            self.reveal(services)


@ft.component
def RecoverySection() -> ft.Control:
    """Show the recovery code again, after the PIN when the app lock is on."""
    services = use_services()
    use_ui()
    form = use_model(RecoveryReveal)
    rows: list[ft.Control] = [
        heading(t("settings.recovery_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("settings.recovery_explain")),
    ]
    if form.code is not None:
        rows += [
            tag(
                "recovery-code-again",
                ft.Text(
                    form.code, font_family="monospace", theme_style=ft.TextThemeStyle.TITLE_MEDIUM
                ),
            ),
            secondary_button("recovery-hide", t("settings.recovery_hide"), form.hide),
        ]
    elif form.asking:
        rows += [
            pin_field("recovery-pin", t("settings.pin_current"), form.pin, form.setter("pin")),
            error_text(form.error),
            primary_button(
                "recovery-reveal", t("settings.recovery_show"), lambda: form.reveal(services)
            ),
        ]
    else:
        rows.append(
            secondary_button(
                "recovery-show", t("settings.recovery_show"), lambda: form.ask(services)
            )
        )
    return card(*rows)
