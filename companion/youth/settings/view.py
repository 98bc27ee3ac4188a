"""Settings: language (switches live), theme, text size, app lock (PIN, and a fingerprint or
face on phones), recovery code, delete."""

from __future__ import annotations

import flet as ft

from companion.core.views.biometric_view import BiometricSection
from companion.core.views.context import use_services, use_ui
from companion.core.views.settings_sections import (
    AppLockSection,
    RecoverySection,
    appearance_cards,
)
from companion.core.views.shell import go, screen
from companion.core.views.widgets import body, card, heading, secondary_button
from companion.i18n import t


@ft.component
def SettingsScreen() -> ft.View:
    services = use_services()
    ui = use_ui()
    return screen(
        t("settings.title"),
        [
            *appearance_cards(ui, services.settings),
            AppLockSection(),
            BiometricSection(),
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
