"""Delete the account on this phone, after typing a confirmation word."""

from __future__ import annotations

import flet as ft

from companion.core.views.actions import use_action
from companion.core.views.context import use_services, use_ui
from companion.core.views.shell import screen
from companion.core.views.widgets import body, error_text, primary_button, tag
from companion.i18n import t


@ft.component
def DeleteAccountScreen() -> ft.View:
    services = use_services()
    ui = use_ui()
    typed, set_typed = ft.use_state("")
    action = use_action()
    word = t("settings.delete_word")

    async def delete() -> None:
        if not await action.run_async(services.delete_account, typed, word):
            return
        # back to a fresh start: default preferences, the welcome screen, no lock
        prefs = services.settings.current
        ui.language, ui.theme, ui.text_scale = prefs.language, str(prefs.theme), prefs.text_scale
        ui.locked = False
        ui.data_changed()
        ft.context.page.navigate("/")

    return screen(
        t("settings.delete_title"),
        [
            body(t("settings.delete_warning")),
            body(t("settings.delete_server_note")),
            tag(
                "delete-confirm",
                ft.TextField(
                    label=t("settings.delete_type", word=word),
                    helper=t("settings.delete_type_help"),
                    value=typed,
                    on_change=lambda e: set_typed(e.control.value),
                ),
            ),
            error_text(action.error),
            primary_button(
                "delete-now",
                t("settings.delete_button"),
                action.when_idle(delete),
                icon=ft.Icons.DELETE_FOREVER,
            ),
        ],
    )
