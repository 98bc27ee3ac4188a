"""More: the menu of every registered screen that is not a bottom tab."""

from __future__ import annotations

import flet as ft

from companion.core.views.shell import go, screen, use_registry
from companion.i18n import t


@ft.component
def MoreScreen() -> ft.View:
    registry = use_registry()
    items: list[ft.Control] = [
        ft.Semantics(
            identifier=f"menu{path.replace('/', '-')}",
            content=ft.ListTile(
                leading=ft.Icon(item.icon),
                title=ft.Text(t(item.title_key), theme_style=ft.TextThemeStyle.BODY_LARGE),
                trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                on_click=lambda _e, path=path: go(path),
            ),
        )
        for path, item in registry.more_items()
    ]
    return screen(t("nav.more"), [ft.Column(items, spacing=0)])
