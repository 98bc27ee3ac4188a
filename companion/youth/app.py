"""The youth app's entry point: `python -m companion` runs `ft.run(main)`.

`App` decides what the whole window shows, in this order of precedence:
1. quick-hide is on            -> a blank neutral screen;
2. an account is open, locked  -> the PIN screen;
3. no account / sign-up unfinished -> the onboarding router (welcome flow + help);
4. otherwise                   -> the main router (tabs, More menu, help).
It also applies the theme and text size, and locks the app when it goes to the background.
What it shares with the caregiver's root is in core/views/root.py.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from companion.core.views.account_setup import setting_up
from companion.core.views.delivery import to_this_page
from companion.core.views.navigation import Registry
from companion.core.views.root import (
    covering_views,
    provide,
    routed,
    use_ui_state,
    use_window,
)
from companion.core.views.state import UiState
from companion.i18n import t
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


def use_sync(services: YouthServices, ui: UiState) -> None:
    """Keep the open account syncing while this window is open, and re-render the screens
    when synced data arrives. Runs again when an account is made, restored or deleted."""
    sync = services.sync

    def follow() -> Callable[[], None] | None:
        if sync is None:
            return None
        services.start_sync()  # once per account open; a new window asks for a sync
        services.resume_sync()
        changed = to_this_page(lambda _: ui.data_changed())  # synced on the engine's threads
        return sync.subscribe(lambda: changed(None))

    ft.use_effect(follow, dependencies=[sync])


def use_lock_in_background(services: YouthServices, ui: UiState) -> None:
    """Lock (when a PIN is set) as soon as the app goes to the background; ask for a sync
    when it comes back."""
    page = ft.context.page

    def watch() -> None:
        def on_change(e: ft.AppLifecycleStateChangeEvent) -> None:
            backgrounded = e.state in (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE)
            if backgrounded and services.session is not None and services.lock.enabled:
                ui.locked = True
            if e.state in (ft.AppLifecycleState.RESUME, ft.AppLifecycleState.SHOW):
                services.resume_sync()

        page.on_app_lifecycle_state_change = on_change

    ft.use_effect(watch, dependencies=[])


@ft.component
def App(services: YouthServices, registry: Registry = MAIN) -> list[ft.View]:
    ui = use_ui_state(services)
    showing_help, set_showing_help = ft.use_state(False)
    use_window(ui, "shell.app_title")
    use_lock_in_background(services, ui)
    use_sync(services, ui)
    use_reminder_loop(services)

    def body() -> list[ft.View]:
        covered = covering_views(services, ui, showing_help, set_showing_help)
        if covered is not None:
            return covered
        return routed(ONBOARDING if setting_up(services, ui) else registry)

    return provide(services, ui, body)


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
