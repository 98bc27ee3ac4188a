"""Shown for an address no screen is registered for (an old link, a typo in the URL).

The router wraps this in a bare View itself, so it returns content, and offers the way home
and the way to help.
"""

from __future__ import annotations

import flet as ft

from companion.core.views.context import use_t
from companion.core.views.shell import HELP_PATH, go
from companion.core.views.widgets import body, primary_button, secondary_button


@ft.component
def NotFound() -> ft.Control:
    tr = use_t()
    return ft.SafeArea(
        content=ft.Column(
            [
                body(tr("shell.not_found")),
                primary_button("go-home", tr("shell.go_home"), lambda: go("/")),
                secondary_button("go-help", tr("shell.help"), lambda: go(HELP_PATH)),
            ],
            spacing=16,
        )
    )
