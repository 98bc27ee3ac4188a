"""The caregiver app's entry point: `companion --role caregiver` runs `ft.run(main)`.

`CaregiverApp` decides what the whole window shows, in this order of precedence:
1. quick-hide is on                  -> a blank neutral screen;
2. signed in and locked              -> the PIN screen;
3. not signed in / sign-in unfinished -> the sign-in flow (activation or invitation);
4. otherwise                         -> the router: caseload, a youth, availability...
It applies the theme and text size, runs the foreground sync loop and re-renders screens
whenever a sync changed what is on this device. What it shares with the youth's root is in
core/views/root.py.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from companion.caregiver.registry import CAREGIVER
from companion.caregiver.services import CaregiverServices
from companion.caregiver.sign_in.view import SignInScreen
from companion.core.sync_status import SyncState
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
from companion.core.views.widgets import banner_close, tag
from companion.i18n import t

LOCK_WIDTH = 420

_shared: CaregiverServices | None = None


def shared_services() -> CaregiverServices:
    """One CaregiverServices per process: every browser tab in web mode is the same device."""
    global _shared
    if _shared is None:
        _shared = CaregiverServices.from_environment()
        _shared.start()
    return _shared


BANNER_SECONDS = 8


def use_message_banner(services: CaregiverServices) -> None:
    """New messages inside availability hours appear as a banner (no message text in it);
    a banner that is taken back (that youth's access ended) goes at once."""
    shown, set_shown = ft.use_state(None)

    def listen():
        deliver = to_this_page(set_shown)  # messages arrive from the sync engine's threads
        take_back = to_this_page(
            lambda notice: set_shown(lambda current: None if current == notice else current)
        )
        return services.notifications.subscribe(
            lambda title, text: deliver((title, text)),
            withdrawn=lambda title, text: take_back((title, text)),
        )

    ft.use_effect(listen, dependencies=[])
    banner = None
    if shown is not None:
        title, text = shown
        banner = ft.SnackBar(
            content=ft.Row(
                [
                    tag(
                        "message-banner",
                        ft.Row(
                            [
                                ft.Icon(
                                    ft.Icons.CHAT_BUBBLE_OUTLINE, color=ft.Colors.ON_INVERSE_SURFACE
                                ),
                                ft.Text(
                                    f"{title}: {text}",
                                    color=ft.Colors.ON_INVERSE_SURFACE,
                                    expand=True,
                                ),
                            ],
                            expand=True,
                        ),
                    ),
                    # Flutter's own close icon is named in English ("Close"), whatever the
                    # app's language
                    banner_close(lambda: set_shown(None)),
                ],
            ),
            duration=BANNER_SECONDS * 1000,
            on_dismiss=lambda: set_shown(None),
        )
    ft.use_dialog(banner)


def use_data_following_sync(services: CaregiverServices, ui: UiState) -> None:
    """Start syncing once signed in, and re-render the screens when a sync brought something
    (the caseload, messages) or when syncing fails or recovers."""

    def follow() -> Callable[[], None]:
        last: list[SyncState] = [services.sync_state.state]
        changed = to_this_page(lambda _: ui.data_changed())  # published from sync threads

        def published(state: SyncState) -> None:
            before = last[0]
            last[0] = state
            if (state.phase, state.problem) != (before.phase, before.problem):
                changed(None)

        unsubscribes = [services.sync_state.subscribe(published)]
        if services.sync is not None:
            unsubscribes.append(services.sync.subscribe(lambda: changed(None)))
        if services.session is not None and not setting_up(services, ui):
            services.start_sync()

        def stop() -> None:
            for unsubscribe in unsubscribes:
                unsubscribe()

        return stop

    ft.use_effect(follow, dependencies=[services.sync])


@ft.component
def CaregiverApp(services: CaregiverServices, registry: Registry = CAREGIVER) -> list[ft.View]:
    ui = use_ui_state(services)
    showing_help, set_showing_help = ft.use_state(False)
    use_window(ui, "caregiver.app_title")
    use_data_following_sync(services, ui)
    use_message_banner(services)

    def body() -> list[ft.View]:
        covered = covering_views(services, ui, showing_help, set_showing_help, LOCK_WIDTH)
        if covered is not None:
            return covered
        if setting_up(services, ui):
            return SignInScreen(lambda: set_showing_help(True))
        return routed(registry)

    return provide(services, ui, body)


def make_main(services: CaregiverServices):
    """The Flet `main` for a given CaregiverServices (tests pass their own)."""

    def main(page: ft.Page) -> None:
        page.title = t("caregiver.app_title")
        page.render_views(CaregiverApp, services)

    return main


def main(page: ft.Page) -> None:
    make_main(shared_services())(page)


def run() -> None:
    ft.run(main)
