"""Help in the youth app: the youth's own plan for hard moments first, then the help lines.

The help button sits on every screen, so the plan is always one tap away from it. The plan
opens from the phone's own store: it is there without a connection.
"""

from __future__ import annotations

import flet as ft

from companion.core.views.help_view import HelpContent
from companion.core.views.shell import go, screen
from companion.core.views.widgets import tag
from companion.i18n import t

PLAN_PATH = "/help/plan"


def plan_button() -> ft.Control:
    return tag(
        "help-plan",
        ft.FilledButton(
            t("safety.open_plan"),
            icon=ft.Icons.FAVORITE_OUTLINE,
            on_click=lambda: go(PLAN_PATH),
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=18)),
        ),
    )


@ft.component
def YouthHelpScreen() -> ft.View:
    return screen(t("help.title"), [plan_button(), HelpContent()], fullscreen_dialog=True)
