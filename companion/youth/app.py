"""The youth app's entry point: `python -m companion` runs `ft.run(main)`.

`App` decides what the whole window shows, in this order of precedence:
1. quick-hide is on            -> a blank neutral screen;
2. an account is open, locked  -> the PIN screen;
3. no account / sign-up unfinished -> the onboarding router (welcome flow + help);
4. otherwise                   -> the main router (tabs, More menu, help).
It also applies the theme and text size, and locks the app when it goes to the background.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from companion.core.views.context import ServicesContext, UiContext
from companion.core.views.lock_view import HiddenScreen, LockScreen
from companion.core.views.navigation import Registry
from companion.core.views.not_found_view import NotFound
from companion.core.views.shell import RegistryContext
from companion.core.views.state import UiState
from companion.core.views.theme import build_theme
from companion.i18n import LANGUAGES, t
from companion.youth.registry import MAIN, ONBOARDING
from companion.youth.reminders.view import use_reminder_loop
from companion.youth.services import YouthServices

_shared: YouthServices | None = None


def shared_services() -> YouthServices:
    """One YouthServices per process: every browser tab in web mode is the same device."""
    global _shared
    if _shared is None:
        _shared = YouthServices.from_environment()
        _shared.start()
    return _shared


def in_onboarding(services: YouthServices, ui: UiState) -> bool:
    space = services.session
    return space is None or not services.accounts.recovery_confirmed(space) or ui.offering_pin


def use_sync(services: YouthServices, ui: UiState) -> None:
    """Keep the open account syncing while this window is open, and re-render the screens
    when synced data arrives. Runs again when an account is made, restored or deleted."""
    sync = services.sync
    page = ft.context.page

    def follow() -> Callable[[], None] | None:
        if sync is None:
            return None
        services.start_sync()  # once per account open; a new window asks for a sync
        services.resume_sync()
        loop = page.loop
        return sync.subscribe(lambda: loop.call_soon_threadsafe(ui.data_changed))

    ft.use_effect(follow, dependencies=[sync])


@ft.component
def App(services: YouthServices, registry: Registry = MAIN) -> list[ft.View]:
    ui, _ = ft.use_state(lambda: UiState.initial(services))
    page = ft.context.page

    def apply_theme() -> None:
        light, dark, mode = build_theme(ui.theme, ui.text_scale)
        page.theme, page.dark_theme, page.theme_mode = light, dark, mode
        # Flutter's own words (tooltips, date pickers) follow the app language too
        page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=[ft.Locale(code, "BE") for code in LANGUAGES],
            current_locale=ft.Locale(ui.language, "BE"),
        )
        # while hidden, not even the browser tab or task switcher names the app
        page.title = " " if ui.hidden else t("shell.app_title")

    ft.use_effect(apply_theme, dependencies=[ui.theme, ui.text_scale, ui.language, ui.hidden])

    def watch_lifecycle() -> None:
        def on_change(e: ft.AppLifecycleStateChangeEvent) -> None:
            backgrounded = e.state in (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE)
            if backgrounded and services.session is not None and services.lock.enabled:
                ui.locked = True
            if e.state in (ft.AppLifecycleState.RESUME, ft.AppLifecycleState.SHOW):
                services.resume_sync()

        page.on_app_lifecycle_state_change = on_change

    ft.use_effect(watch_lifecycle, dependencies=[])
    use_sync(services, ui)
    use_reminder_loop(services)

    def body() -> list[ft.View]:
        if ui.hidden:
            return HiddenScreen()
        if services.session is not None and ui.locked:
            return LockScreen()
        active = ONBOARDING if in_onboarding(services, ui) else registry
        return RegistryContext(
            active,
            lambda: ft.Router(active.routes(), not_found=NotFound, manage_views=True),
        )

    return ServicesContext(services, lambda: UiContext(ui, body))


def make_main(services: YouthServices):
    """The Flet `main` for a given YouthServices (tests pass their own)."""

    def main(page: ft.Page) -> None:
        page.title = t("shell.app_title")
        page.render_views(App, services)

    return main


def main(page: ft.Page) -> None:
    make_main(shared_services())(page)


def run() -> None:
    ft.run(main)
