"""The caregiver app's entry point: `companion --role caregiver` runs `ft.run(main)`.

`CaregiverApp` decides what the whole window shows, in this order of precedence:
1. quick-hide is on                  -> a blank neutral screen;
2. signed in and locked              -> the PIN screen;
3. not signed in / sign-in unfinished -> the sign-in flow (activation or invitation);
4. otherwise                         -> the router: caseload, a youth, availability...
It applies the theme and text size, runs the foreground sync loop and re-renders screens
whenever a sync changed what is on this device.
"""

from __future__ import annotations

import flet as ft

from companion.caregiver.lock_view import CaregiverLockScreen
from companion.caregiver.registry import CAREGIVER
from companion.caregiver.services import CaregiverServices
from companion.caregiver.sign_in.view import SignInScreen
from companion.core.sync_status import SyncState
from companion.core.views.context import ServicesContext, UiContext
from companion.core.views.delivery import to_this_page
from companion.core.views.help_view import HelpContent
from companion.core.views.lock_view import HiddenScreen
from companion.core.views.navigation import Registry
from companion.core.views.not_found_view import NotFound
from companion.core.views.shell import RegistryContext, app_bar_actions
from companion.core.views.state import UiState
from companion.core.views.theme import build_theme
from companion.core.views.widgets import tag
from companion.i18n import t

_shared: CaregiverServices | None = None


def shared_services() -> CaregiverServices:
    """One CaregiverServices per process: every browser tab in web mode is the same device."""
    global _shared
    if _shared is None:
        _shared = CaregiverServices.from_environment()
        _shared.start()
    return _shared


def initial_ui(services: CaregiverServices) -> UiState:
    prefs = services.settings.current
    return UiState(
        language=prefs.language,
        theme=str(prefs.theme),
        text_scale=prefs.text_scale,
        locked=services.session is not None and services.lock.enabled,
    )


def signing_in(services: CaregiverServices, ui: UiState) -> bool:
    session = services.session
    return session is None or not services.accounts.recovery_confirmed(session) or ui.offering_pin


@ft.component
def HelpOutsideRouter(on_close) -> list[ft.View]:
    """Help on the sign-in and lock screens, where there is no router to open /help."""
    return [
        ft.View(
            route="/",
            appbar=ft.AppBar(
                title=ft.Text(t("help.title")),
                leading=ft.IconButton(
                    ft.Icons.ARROW_BACK, tooltip=t("common.back"), on_click=on_close
                ),
                actions=app_bar_actions(on_help=lambda: None),
            ),
            controls=[HelpContent()],
            padding=ft.Padding.symmetric(horizontal=24, vertical=16),
            scroll=ft.ScrollMode.AUTO,
        )
    ]


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
            content=tag(
                "message-banner",
                ft.Row([ft.Icon(ft.Icons.CHAT_BUBBLE_OUTLINE), ft.Text(f"{title}: {text}")]),
            ),
            duration=BANNER_SECONDS * 1000,
            show_close_icon=True,
            on_dismiss=lambda: set_shown(None),
        )
    ft.use_dialog(banner)


@ft.component
def CaregiverApp(services: CaregiverServices, registry: Registry = CAREGIVER) -> list[ft.View]:
    ui, _ = ft.use_state(lambda: initial_ui(services))
    showing_help, set_showing_help = ft.use_state(False)
    page = ft.context.page

    def apply_theme() -> None:
        light, dark, mode = build_theme(ui.theme, ui.text_scale)
        page.theme, page.dark_theme, page.theme_mode = light, dark, mode
        page.title = t("caregiver.app_title")

    ft.use_effect(apply_theme, dependencies=[ui.theme, ui.text_scale, ui.language])

    def follow_sync():
        """Screens re-read what changed: the sync state (the app bar's cloud) and, after a
        cycle, pull or nudge that brought something, the data (caseload, messages)."""
        last: list[SyncState] = [services.sync_state.state]
        deliver = page.loop

        def changed(state: SyncState) -> None:
            before = last[0]
            last[0] = state
            if (state.phase, state.problem) != (before.phase, before.problem):
                deliver.call_soon_threadsafe(ui.data_changed)

        unsubscribe_state = services.sync_state.subscribe(changed)
        sync = services.sync
        unsubscribe_data = (
            sync.subscribe(lambda: deliver.call_soon_threadsafe(ui.data_changed))
            if sync is not None
            else None
        )
        if services.session is not None and not signing_in(services, ui):
            services.start_sync()

        def stop() -> None:
            unsubscribe_state()
            if unsubscribe_data is not None:
                unsubscribe_data()

        return stop

    ft.use_effect(follow_sync, dependencies=[services.sync])
    use_message_banner(services)

    def body() -> list[ft.View]:
        if ui.hidden:
            return HiddenScreen()
        if showing_help:
            return HelpOutsideRouter(lambda: set_showing_help(False))
        if services.session is not None and ui.locked:
            return CaregiverLockScreen(lambda: set_showing_help(True))
        if signing_in(services, ui):
            return SignInScreen(lambda: set_showing_help(True))
        return RegistryContext(
            registry,
            lambda: ft.Router(registry.routes(), not_found=NotFound, manage_views=True),
        )

    return ServicesContext(services, lambda: UiContext(ui, body))


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
