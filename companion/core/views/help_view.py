"""Help: the Flemish help lines from helplines.json, each one tap away from a call."""

from __future__ import annotations

import flet as ft

from companion.core.helplines import Helpline
from companion.core.views.context import use_services, use_t
from companion.core.views.shell import screen
from companion.core.views.widgets import body, card, heading, tag
from companion.i18n import current_language, t


def helpline_card(line: Helpline, language: str) -> ft.Control:
    call = tag(
        f"call-{line.id}",
        ft.FilledButton(
            t("help.call", number=line.number),
            icon=ft.Icons.CALL,
            action=ft.OpenUrl(line.tel_url),
            bgcolor=ft.Colors.ERROR if line.emergency else None,
            color=ft.Colors.ON_ERROR if line.emergency else None,
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=14)),
        ),
    )
    return card(
        heading(line.text("name", language), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(line.text("description", language)),
        ft.Text(line.text("hours", language), theme_style=ft.TextThemeStyle.BODY_MEDIUM),
        call,
    )


@ft.component
def HelpContent() -> ft.Control:
    """The help lines; also shown on the lock screen, outside the router."""
    services = use_services()
    tr = use_t()
    language = current_language()
    return ft.Column(
        [
            body(tr("help.intro")),
            *[helpline_card(line, language) for line in services.helplines],
            ft.Text(tr("help.privacy"), theme_style=ft.TextThemeStyle.BODY_MEDIUM),
        ],
        spacing=12,
    )


@ft.component
def HelpScreen() -> ft.View:
    return screen(t("help.title"), [HelpContent()], fullscreen_dialog=True)
