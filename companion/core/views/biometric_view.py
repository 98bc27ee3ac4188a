"""Settings: open the app with a fingerprint or face, beside the PIN (phones only).

Shown only while a PIN is set and the phone has a fingerprint or face enrolled (asked of
the OS when the section appears). Turning it on asks for the PIN; the PIN stays either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_services, use_ui
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    pin_field,
    primary_button,
    secondary_button,
    tag,
)
from companion.i18n import t


@ft.observable
@dataclass
class BiometricChoice(Form):
    available: bool = False  # the OS said it can check a fingerprint or face here
    asking: bool = False  # the PIN field is showing, to turn it on
    pin: str = ""

    async def check(self, services) -> None:
        self.available = await services.biometrics.available()

    def turn_on(self, lock) -> None:
        if self.run(lock.enable_biometric, self.pin):
            self.asking = False
        self.pin = ""

    def turn_off(self, lock) -> None:
        self.run(lock.disable_biometric)


@ft.component
def BiometricSection() -> ft.Control:
    services = use_services()
    ui = use_ui()
    form = use_model(BiometricChoice)

    async def check() -> None:
        await form.check(services)

    ft.use_effect(check, dependencies=[])
    lock = services.lock

    def turn_on() -> None:
        form.turn_on(lock)
        ui.data_changed()  # the lock screen reads it too

    def turn_off() -> None:
        form.turn_off(lock)
        ui.data_changed()

    def ask() -> None:
        form.asking = True

    if not form.available or not lock.enabled:
        return ft.Container(visible=False)
    on = lock.biometric_enabled
    rows: list[ft.Control] = [
        heading(t("settings.biometric_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        tag(
            "biometric-status", body(t("settings.biometric_on" if on else "settings.biometric_off"))
        ),
    ]
    if on:
        rows.append(
            secondary_button(
                "biometric-disable",
                t("settings.biometric_disable"),
                turn_off,
            )
        )
    elif form.asking:
        rows += [
            pin_field("biometric-pin", t("settings.pin_current"), form.pin, form.setter("pin")),
            error_text(form.error),
            primary_button(
                "biometric-confirm",
                t("common.confirm"),
                turn_on,
            ),
        ]
    else:
        rows.append(
            secondary_button(
                "biometric-enable",
                t("settings.biometric_enable"),
                ask,
            )
        )
    return card(*rows)
