"""The frame every main-app screen returns: app bar with Help and Quick-hide, bottom tabs.

A screen component ends with `return screen(title, controls)`. The app bar always carries
the help button (opens /help) and the quick-hide button (blanks the app at once). Tab roots
get the bottom navigation bar; deeper screens get a back arrow from the router instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import flet as ft

from companion.core.views.context import use_services, use_ui
from companion.core.views.navigation import Registry, Tab
from companion.core.views.widgets import icon_button
from companion.i18n import t

RegistryContext = ft.create_context(None)
HELP_PATH = "/help"


def use_registry() -> Registry:
    registry = ft.use_context(RegistryContext)
    if registry is None:
        raise RuntimeError("use_registry() outside App")
    return registry


def go(path: str) -> None:
    """Navigate to `path` (the router renders the matching screen stack)."""
    ft.context.page.navigate(path)


def active_tab(tabs: Sequence[Tab], location: str) -> int | None:
    """Index of the tab whose path is the longest prefix of `location`."""
    best, best_len = None, -1
    for index, tab in enumerate(tabs):
        prefix = tab.path.rstrip("/")
        if (location == tab.path or location.startswith(prefix + "/")) and len(prefix) > best_len:
            best, best_len = index, len(prefix)
    return best


def app_bar_actions(on_help: Callable[[], None] | None = None) -> list[ft.Control]:
    """Help and Quick-hide: on every screen, including the lock and sign-up screens.

    Outside the router (lock screen) the caller passes its own way to show help.
    """
    services = use_services()
    ui = use_ui()
    return [
        icon_button(
            "help-button",
            ft.Icons.HELP_OUTLINE,
            t("shell.help"),
            on_help or (lambda: go(HELP_PATH)),
        ),
        icon_button(
            "hide-button",
            ft.Icons.VISIBILITY_OFF_OUTLINED,
            t("shell.quick_hide"),
            lambda: ui.hide(services.lock.enabled),
        ),
    ]


def back() -> None:
    """Leave this screen the way the system back gesture does (the router's pop logic)."""
    page = ft.context.page
    if page.on_view_pop is not None:
        page.on_view_pop(None)


def navigation_bar(tabs: Sequence[Tab], selected: int) -> ft.NavigationBar:
    return ft.NavigationBar(
        key="nav",
        selected_index=selected,
        destinations=[
            ft.NavigationBarDestination(
                icon=tab.icon, selected_icon=tab.selected_icon, label=t(tab.label_key)
            )
            for tab in tabs
        ],
        on_change=lambda e: go(tabs[int(e.control.selected_index)].path),
    )


def screen(
    title: str,
    controls: Sequence[ft.Control],
    *,
    fullscreen_dialog: bool = False,
) -> ft.View:
    """Build the View for the current route (call it from a screen component's body)."""
    use_ui()  # re-render on language / theme changes
    registry = use_registry()
    location = ft.use_route_location()
    view_path = ft.use_view_path() or location
    tabs = registry.tabs()
    selected = active_tab(tabs, view_path)
    at_tab_root = selected is not None and view_path == tabs[selected].path
    return ft.View(
        route=view_path,
        appbar=ft.AppBar(
            # our own back button: Flutter's implied one has a 40 px touch target
            leading=None
            if at_tab_root
            else icon_button(
                "back",
                ft.Icons.CLOSE if fullscreen_dialog else ft.Icons.ARROW_BACK,
                t("common.back"),
                back,
            ),
            automatically_imply_leading=False,
            title=ft.Semantics(
                header=True, content=ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_LARGE)
            ),
            actions=app_bar_actions(),
        ),
        controls=[
            ft.SafeArea(
                content=ft.Column(
                    list(controls),
                    spacing=16,
                    tight=True,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                ),
            )
        ],
        navigation_bar=navigation_bar(tabs, selected) if at_tab_root else None,
        fullscreen_dialog=fullscreen_dialog,
        scroll=ft.ScrollMode.AUTO,
        padding=ft.Padding.symmetric(horizontal=16, vertical=12),
    )
