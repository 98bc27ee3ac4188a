"""The frame every main-app screen returns: app bar with Help and Quick-hide, bottom tabs.

A screen component ends with `return screen(title, controls)`. The app bar always carries
the help button (opens /help) and the quick-hide button (blanks the app at once). Tab roots
get the bottom navigation bar; deeper screens get a back arrow from the router instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import flet as ft
from flet.utils import get_param_count

from companion.core.sync_status import SyncPhase
from companion.core.views.context import use_services, use_ui
from companion.core.views.hooks import use_sync_state
from companion.core.views.keyed import keyed
from companion.core.views.navigation import Registry, Tab
from companion.core.views.theme import title_size
from companion.core.views.widgets import apart, body, heading, icon_button, tag
from companion.i18n import t

if TYPE_CHECKING:
    from typing_extensions import TypeIs

RegistryContext: ft.ContextProvider[Registry | None] = ft.create_context(None)
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
    pop = page.on_view_pop
    if pop is None:
        return
    if _takes_event(pop):
        pop(ft.ViewPopEvent(name="view_pop", control=page, route=page.route))
    else:
        pop()


def _takes_event(
    handler: Callable[[], Any] | Callable[[ft.ViewPopEvent], Any],
) -> TypeIs[Callable[[ft.ViewPopEvent], Any]]:
    """Whether Flet would call `handler` with the event (it counts parameters the same way:
    none means it is called without one)."""
    return get_param_count(handler) != 0


def navigation_bar(tabs: Sequence[Tab], selected: int, narrow: bool = False) -> ft.NavigationBar:
    return ft.NavigationBar(
        key="nav",
        selected_index=selected,
        # too narrow for words under five icons: the names stay for screen readers
        label_behavior=ft.NavigationBarLabelBehavior.ALWAYS_HIDE if narrow else None,
        destinations=[
            ft.NavigationBarDestination(
                icon=tab.icon, selected_icon=tab.selected_icon, label=t(tab.label_key)
            )
            for tab in tabs
        ],
        on_change=lambda e: go(tabs[int(e.control.selected_index)].path),
    )


def title_text(title: str, scale: float) -> ft.Control:
    """A screen's title for the app bar: its own heading node, on up to two lines."""
    return ft.Semantics(
        header=True,
        container=True,
        content=ft.Text(
            title,
            size=title_size(scale),
            max_lines=2,
            overflow=ft.TextOverflow.ELLIPSIS,
        ),
    )


@ft.component
def OfflineBanner() -> ft.Control:
    """On top of every screen while the server cannot be reached: the app says so within
    seconds, and that nothing is lost (Today has the details)."""
    use_ui()
    state = use_sync_state()
    if state.phase is not SyncPhase.OFFLINE:
        return ft.Container(height=0)
    return tag(
        "offline-banner",
        ft.Container(
            margin=ft.Margin.only(bottom=16),
            bgcolor=ft.Colors.ERROR_CONTAINER,
            border_radius=8,
            padding=12,
            content=ft.Row(
                [
                    ft.Icon(ft.Icons.CLOUD_OFF, color=ft.Colors.ON_ERROR_CONTAINER),
                    ft.Column(
                        [
                            ft.Text(
                                t("sync.offline"),
                                theme_style=ft.TextThemeStyle.TITLE_SMALL,
                                color=ft.Colors.ON_ERROR_CONTAINER,
                            ),
                            body(t("sync.offline_detail"), color=ft.Colors.ON_ERROR_CONTAINER),
                        ],
                        spacing=2,
                        expand=True,
                    ),
                ]
            ),
        ),
    )


def screen(
    title: str,
    controls: Sequence[ft.Control],
    *,
    fullscreen_dialog: bool = False,
) -> ft.View:
    """Build the View for the current route (call it from a screen component's body)."""
    ui = use_ui()  # re-render on language / theme / size changes
    registry = use_registry()
    location = ft.use_route_location()
    view_path = ft.use_view_path() or location
    tabs = registry.tabs()
    selected = active_tab(tabs, view_path)
    root_tab = selected if selected is not None and view_path == tabs[selected].path else None
    at_tab_root = root_tab is not None
    content = list(controls)
    if ui.narrow:  # no room beside the buttons: the title opens the screen instead
        content.insert(0, heading(title))
    if content:  # the banner shares the first slot: hidden, it takes no room (no gap)
        first = content[0]
        content[0] = ft.Column(
            [keyed(OfflineBanner, "offline-banner")(), *apart([first])],
            key=getattr(first, "key", None),
            spacing=0,
            tight=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        )
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
            title=None if ui.narrow else title_text(title, ui.text_scale),
            actions=app_bar_actions(),
        ),
        controls=[
            ft.SafeArea(
                content=ft.Column(
                    apart(content),
                    spacing=16,
                    tight=True,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                ),
            )
        ],
        navigation_bar=None if root_tab is None else navigation_bar(tabs, root_tab, ui.narrow),
        fullscreen_dialog=fullscreen_dialog,
        scroll=ft.ScrollMode.AUTO,
        padding=ft.Padding.symmetric(horizontal=16, vertical=12),
    )


def step_page(
    title: str,
    controls: Sequence[ft.Control],
    *,
    on_help: Callable[[], None] | None = None,
    max_width: int | None = None,
) -> ft.View:
    """One step of signing up or in, outside the router: Help and Quick-hide, no way back in
    the bar (each step has its own), the form scrolling under it.

    With `max_width` the form stands centred at that width (a desktop) or fills a phone.
    """
    ui = use_ui()
    form = ft.Column(
        apart(list(controls)),
        spacing=16,
        tight=True,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )
    # a key per step: Flutter's web engine keeps a reused node's old identifier, so the
    # next step's buttons would still carry the last step's
    body: ft.Control
    if max_width is None:
        body = ft.SafeArea(key=title, content=form)
        padding = ft.Padding.symmetric(horizontal=16, vertical=12)
    else:
        width = max_width if ui.width is None else min(max_width, ui.width - 48)
        body = ft.Row(
            [ft.Container(form, width=width)], key=title, alignment=ft.MainAxisAlignment.CENTER
        )
        padding = ft.Padding.symmetric(horizontal=24, vertical=24)
    return ft.View(
        route="/",
        appbar=ft.AppBar(
            title=title_text(title, ui.text_scale),
            actions=app_bar_actions(on_help=on_help),
            automatically_imply_leading=False,
        ),
        controls=[body],
        scroll=ft.ScrollMode.AUTO,
        padding=padding,
    )
