"""What both apps' root components do alike, so `App` and `CaregiverApp` only say how they
differ (which screens, which loops they run).

A root keeps the window's look in step with the UI state (`use_window`), shows what covers
its screens when needed (`covering_views`: quick-hide, help from the lock screen, an
account that does not open, the PIN),
and otherwise routes (`routed`), all inside the contexts screens read (`provide`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from companion.core.views.context import ServicesContext, UiContext
from companion.core.views.lock_view import HelpOutsideRouter, HiddenScreen, LockScreen
from companion.core.views.navigation import Registry
from companion.core.views.not_found_view import NotFound
from companion.core.views.problem_view import ProblemScreen
from companion.core.views.shell import RegistryContext
from companion.core.views.state import UiState
from companion.core.views.theme import build_theme
from companion.i18n import LANGUAGES, t


def use_ui_state(services) -> UiState:
    """Hook: the window's UI state, made from the saved preferences on the first render."""
    # Spelled out: use_state's `value | factory` argument leaves mypy unable to infer it.
    state: tuple[UiState, Callable[[UiState], None]] = ft.use_state(
        lambda: UiState.initial(services)
    )
    return state[0]


def use_window(ui: UiState, title_key: str) -> None:
    """Hook: theme, text size, Flutter's own language and the window title follow `ui`;
    `ui.width` follows the window."""
    page = ft.context.page

    def apply() -> None:
        light, dark, mode = build_theme(ui.theme, ui.text_scale)
        page.theme, page.dark_theme, page.theme_mode = light, dark, mode
        # Flutter's own words (tooltips, date pickers) follow the app language too
        page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=[ft.Locale(code, "BE") for code in LANGUAGES],
            current_locale=ft.Locale(ui.language, "BE"),
        )
        # while hidden, not even the browser tab or task switcher names the app (a title it
        # must have: screen readers announce it, and an empty one reads as a broken page)
        page.title = t("lock.hidden_title") if ui.hidden else t(title_key)

    ft.use_effect(apply, dependencies=[ui.theme, ui.text_scale, ui.language, ui.hidden])

    def follow_width() -> None:
        def resized(e: ft.PageResizeEvent) -> None:
            ui.width = e.width

        ui.width = page.width
        page.on_resize = resized

    ft.use_effect(follow_width, dependencies=[])


def covering_views(
    services,
    ui: UiState,
    showing_help: bool,
    show_help: Callable[[bool], None],
    width: int | None = None,
) -> list[ft.View] | None:
    """The blank screen, help asked for on the lock screen, what to do when the account
    does not open, or the lock screen; None when the app's own screens may show."""
    if ui.hidden:
        return HiddenScreen()
    if showing_help:
        return HelpOutsideRouter(lambda: show_help(False), width)
    if services.problem is not None:
        return ProblemScreen(lambda: show_help(True), width)
    if services.session is not None and ui.locked:
        return LockScreen(lambda: show_help(True), width)
    return None


def routed(registry: Registry) -> Any:
    """The router over `registry`'s screens, one View per path level."""
    return RegistryContext(
        registry, lambda: ft.Router(registry.routes(), not_found=NotFound, manage_views=True)
    )


def provide(services, ui: UiState, body: Callable[[], Any]) -> Any:
    """Render `body` where `use_services()` and `use_ui()` find these two."""
    return ServicesContext(services, lambda: UiContext(ui, body))
