"""The youth app's entry point: `python -m companion` (and the phone build's `main.py`) runs
`run()`: `ft.run(main)` on a desktop or in web mode, `ft.run(phone_main)` on Android/iOS.

`App` decides what the whole window shows, in this order of precedence:
1. quick-hide is on            -> a blank neutral screen;
2. an account is open, locked  -> the PIN screen;
3. no account / sign-up unfinished -> the onboarding router (welcome flow + help);
4. otherwise                   -> the main router (tabs, More menu, help).
(An account that is there but does not open covers all of these with what to do.)
It also applies the theme and text size, locks the app when it goes to the background and
pauses syncing there, and syncs again when it comes back. What it shares with the
caregiver's root is in core/views/root.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import flet as ft

from companion.core.device import local_now
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
from companion.phone.edge import open_phone_edge
from companion.phone.platform import on_phone
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
    """Lock (when a PIN is set) as soon as the app goes to the background, pause syncing
    and make sure the keystore holds every key there; sync and re-plan reminders when it
    comes back. The handler runs on Flet's loop, so the waiting parts are tasks."""
    page = ft.context.page

    def watch() -> None:
        def on_change(e: ft.AppLifecycleStateChangeEvent) -> None:
            backgrounded = e.state in (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE)
            if backgrounded:
                if services.session is not None and services.lock.enabled:
                    ui.locked = True
                page.run_task(services.to_background)
            if e.state in (ft.AppLifecycleState.RESUME, ft.AppLifecycleState.SHOW):
                services.to_foreground()

        page.on_app_lifecycle_state_change = on_change

    ft.use_effect(watch, dependencies=[])


@ft.component
def App(services: YouthServices, registry: Registry = MAIN) -> list[ft.View]:
    ui = use_ui_state(services)
    showing_help, set_showing_help = ft.use_state(False)
    use_window(ui, "shell.app_title")
    use_lock_in_background(services, ui)
    use_sync(services, ui)
    use_reminder_loop(services, ui.data_changed)

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


async def phone_main(page: ft.Page) -> None:
    """Android and iOS: mount the phone's services on this page, read the keystore (async:
    Flet answers service calls through this loop), open the account off the loop, show."""
    services = YouthServices.from_phone(await open_phone_edge(local_now))
    await asyncio.to_thread(services.start)
    make_main(services)(page)


def run() -> None:
    ft.run(phone_main if on_phone() else main)
