"""Settings: language (switches live), theme, text size, app lock, recovery code, delete."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from companion.core.errors import ServiceError
from companion.core.preferences import TEXT_SCALES, ThemeChoice
from companion.core.views.context import use_services, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
)
from companion.i18n import LANGUAGES, t

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
PIN_FIELD = {"password": True, "can_reveal_password": True, "keyboard_type": ft.KeyboardType.NUMBER}


def choice_group(
    identifier: str, value: str, options: list[tuple[str, str]], on_change: Callable[[str], None]
) -> ft.Control:
    return tag(
        identifier,
        ft.RadioGroup(
            value=value,
            on_change=lambda e: on_change(e.control.value),
            content=ft.Column(
                [
                    tag(f"{identifier}-{key}", ft.Radio(value=key, label=label))
                    for key, label in options
                ],
                spacing=0,
            ),
        ),
    )


def pin_field(identifier: str, label: str, value: str, on_change) -> ft.Control:
    return tag(
        identifier,
        ft.TextField(
            label=label, value=value, on_change=lambda e: on_change(e.control.value), **PIN_FIELD
        ),
    )


@ft.component
def AppLockSection() -> ft.Control:
    """Turn the PIN on, change it, or turn it off (the current PIN is asked first)."""
    services = use_services()
    use_ui()
    mode, set_mode = ft.use_state(None)  # None | "set" | "change" | "disable"
    current, set_current = ft.use_state("")
    new, set_new = ft.use_state("")
    repeat, set_repeat = ft.use_state("")
    error, set_error = ft.use_state(None)
    done, set_done = ft.use_state(None)
    enabled = services.lock.enabled

    def start(which: str) -> None:
        for setter in (set_current, set_new, set_repeat):
            setter("")
        set_error(None)
        set_done(None)
        set_mode(which)

    def submit() -> None:
        try:
            if mode == "change":
                services.lock.verify(current)
            if mode == "disable":
                services.lock.disable(current)
            else:
                services.lock.set_pin(new, repeat)
        except ServiceError as failure:
            set_error(failure)
            return
        set_done("settings.pin_off_done" if mode == "disable" else "settings.pin_on_done")
        set_mode(None)

    rows: list[ft.Control] = [
        heading(t("settings.lock_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        tag("lock-status", body(t("settings.lock_on" if enabled else "settings.lock_off"))),
    ]
    if done:
        rows.append(tag("lock-done", body(t(done))))
    if mode is None:
        if enabled:
            rows.append(
                ft.Row(
                    [
                        secondary_button(
                            "pin-change", t("settings.pin_change"), lambda: start("change")
                        ),
                        secondary_button(
                            "pin-disable", t("settings.pin_disable"), lambda: start("disable")
                        ),
                    ],
                    wrap=True,
                )
            )
        else:
            rows.append(
                secondary_button("pin-enable", t("settings.pin_enable"), lambda: start("set"))
            )
    else:
        if mode in ("change", "disable"):
            rows.append(pin_field("pin-current", t("settings.pin_current"), current, set_current))
        if mode in ("set", "change"):
            rows.append(body(t("onboarding.pin_rules")))
            rows.append(pin_field("pin-new", t("settings.pin_new"), new, set_new))
            rows.append(pin_field("pin-repeat", t("settings.pin_repeat"), repeat, set_repeat))
        rows += [
            error_text(error),
            ft.Row(
                [
                    secondary_button("pin-cancel", t("common.cancel"), lambda: set_mode(None)),
                    primary_button("pin-submit", t("common.confirm"), submit),
                ],
                wrap=True,
            ),
        ]
    return card(*rows)


@ft.component
def RecoverySection() -> ft.Control:
    """Show the recovery code again, after the PIN when the app lock is on."""
    services = use_services()
    use_ui()
    asking, set_asking = ft.use_state(False)
    pin, set_pin = ft.use_state("")
    code, set_code = ft.use_state(None)
    error, set_error = ft.use_state(None)

    def reveal() -> None:
        try:
            if services.lock.enabled:
                services.lock.verify(pin)
            set_code(services.accounts.recovery_code())
        except ServiceError as failure:
            set_error(failure)
            return
        set_error(None)
        set_asking(False)
        set_pin("")

    def ask() -> None:
        if services.lock.enabled:
            set_asking(True)
        else:
            reveal()

    rows: list[ft.Control] = [
        heading(t("settings.recovery_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("settings.recovery_explain")),
    ]
    if code is not None:
        rows += [
            tag(
                "recovery-code-again",
                ft.Text(
                    code,
                    font_family="monospace",
                    theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                ),
            ),
            secondary_button("recovery-hide", t("settings.recovery_hide"), lambda: set_code(None)),
        ]
    elif asking:
        rows += [
            pin_field("recovery-pin", t("settings.pin_current"), pin, set_pin),
            error_text(error),
            primary_button("recovery-reveal", t("settings.recovery_show"), reveal),
        ]
    else:
        rows.append(secondary_button("recovery-show", t("settings.recovery_show"), ask))
    return card(*rows)


def appearance_cards(ui, settings) -> list[ft.Control]:
    """Language, theme and text size: the same three cards in the youth and caregiver apps."""

    def set_language(language: str) -> None:
        ui.language = settings.set_language(language).language

    def set_theme(choice: str) -> None:
        ui.theme = str(settings.set_theme(choice).theme)

    def set_scale(scale: str) -> None:
        ui.text_scale = settings.set_text_scale(float(scale)).text_scale

    themes = [(choice.value, t(f"settings.theme_{choice.value}")) for choice in ThemeChoice]
    scales = [(str(scale), t(f"settings.text_size_{i}")) for i, scale in enumerate(TEXT_SCALES)]
    return [
        card(
            heading(t("settings.language"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            choice_group(
                "language",
                ui.language,
                [(lang, LANGUAGE_NAMES[lang]) for lang in LANGUAGES],
                set_language,
            ),
        ),
        card(
            heading(t("settings.theme"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            choice_group("theme", ui.theme, themes, set_theme),
        ),
        card(
            heading(t("settings.text_size"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            choice_group("text-size", str(ui.text_scale), scales, set_scale),
        ),
    ]


@ft.component
def SettingsScreen() -> ft.View:
    services = use_services()
    ui = use_ui()
    return screen(
        t("settings.title"),
        [
            *appearance_cards(ui, services.settings),
            AppLockSection(),
            RecoverySection(),
            card(
                heading(t("settings.delete_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                body(t("settings.delete_explain")),
                secondary_button(
                    "delete-account",
                    t("settings.delete_button"),
                    lambda: go("/more/settings/delete"),
                    icon=ft.Icons.DELETE_FOREVER,
                ),
            ),
        ],
    )
