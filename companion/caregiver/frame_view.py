"""The frame every caregiver screen returns: navigation rail + content on a desktop, tabs
below the content on a phone (network persons use this app there too).

`frame(title, controls)` gives the app bar (sync state, help, quick-hide), the rail on the
left (caseload, availability, settings, help) and a scrolling content column capped at a
readable width, topped by any youth's open network alarm. Deeper screens (a youth, a chat)
get a back button to the caseload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import flet as ft

from companion.caregiver.alarms.view import AlarmStrip
from companion.core.sync_status import SyncPhase
from companion.core.views.context import use_ui
from companion.core.views.hooks import use_sync_state
from companion.core.views.shell import app_bar_actions, go, title_text
from companion.core.views.widgets import apart, body, heading, icon_button, tag
from companion.i18n import t

CONTENT_WIDTH = 1040
PHONE_WIDTH = 720  # below this the rail gives way to tabs at the bottom


@dataclass(frozen=True)
class RailItem:
    path: str
    key: str
    icon: ft.IconData
    selected_icon: ft.IconData


RAIL = (
    RailItem("/", "caseload", ft.Icons.PEOPLE_OUTLINE, ft.Icons.PEOPLE),
    RailItem("/availability", "availability", ft.Icons.SCHEDULE_OUTLINED, ft.Icons.SCHEDULE),
    RailItem("/settings", "settings", ft.Icons.SETTINGS_OUTLINED, ft.Icons.SETTINGS),
    RailItem("/help", "help", ft.Icons.HELP_OUTLINE, ft.Icons.HELP),
)


def rail_index(location: str) -> int:
    """The rail item a location belongs to (a youth's pages belong to the caseload)."""
    for index, item in enumerate(RAIL[1:], start=1):
        if location == item.path or location.startswith(item.path + "/"):
            return index
    return 0


@ft.component
def SyncBadge() -> ft.Control:
    """One line on how current the data is, in words (the details sit in Settings)."""
    use_ui()
    state = use_sync_state()
    icons = {
        SyncPhase.UP_TO_DATE: ft.Icons.CLOUD_DONE_OUTLINED,
        SyncPhase.SYNCING: ft.Icons.SYNC,
        SyncPhase.OFFLINE: ft.Icons.CLOUD_OFF_OUTLINED,
        SyncPhase.ERROR: ft.Icons.ERROR_OUTLINE,
        SyncPhase.SIGN_IN_REQUIRED: ft.Icons.LOCK_OUTLINE,
        SyncPhase.NOT_REGISTERED: ft.Icons.CLOUD_QUEUE,
    }
    text = t(f"caregiver.sync_{state.phase.value}")
    if state.phase is SyncPhase.UP_TO_DATE and state.last_synced is not None:
        text = t(
            "caregiver.sync_up_to_date_at", time=state.last_synced.astimezone().strftime("%H:%M")
        )
    return tag(
        "sync-state",
        ft.Row([ft.Icon(icons[state.phase], size=20), ft.Text(text)], spacing=6, tight=True),
    )


def youth_gone() -> ft.View:
    """For a youth's page whose youth is no longer linked (access ended, or a bad link)."""
    return frame(
        t("caregiver.gone_title"), [tag("youth-gone", body(t("caregiver.gone_text")))], back="/"
    )


def rail(selected: int) -> ft.Control:
    return tag(
        "rail",
        ft.NavigationRail(
            selected_index=selected,
            label_type=ft.NavigationRailLabelType.ALL,
            min_width=96,
            destinations=[
                ft.NavigationRailDestination(
                    icon=item.icon,
                    selected_icon=item.selected_icon,
                    label=t(f"caregiver.nav_{item.key}"),
                )
                for item in RAIL
            ],
            on_change=lambda e: go(RAIL[int(e.control.selected_index)].path),
        ),
    )


def bottom_bar(selected: int, narrow: bool) -> ft.NavigationBar:
    """The rail's four places as tabs, for a phone (network persons) or a narrow window."""
    return ft.NavigationBar(
        selected_index=selected,
        label_behavior=ft.NavigationBarLabelBehavior.ALWAYS_HIDE if narrow else None,
        destinations=[
            ft.NavigationBarDestination(
                icon=item.icon,
                selected_icon=item.selected_icon,
                label=t(f"caregiver.nav_{item.key}"),
            )
            for item in RAIL
        ],
        on_change=lambda e: go(RAIL[int(e.control.selected_index)].path),
    )


def frame(
    title: str,
    controls: Sequence[ft.Control],
    *,
    back: str | None = None,
) -> ft.View:
    """The View for the current route (call it from a screen component's body): a rail
    beside the content in a wide window, tabs below it on a phone."""
    ui = use_ui()  # re-render on language / theme / data / size changes
    location = ft.use_view_path() or ft.use_route_location()
    selected = rail_index(location)
    phone = ui.width is not None and ui.width < PHONE_WIDTH
    leading = (
        icon_button("back", ft.Icons.ARROW_BACK, t("common.back"), lambda: go(back))
        if (back is not None)
        else None
    )
    shown = list(controls)
    if phone:  # no room in the bar: the sync state opens the screen, the title too if narrow
        shown.insert(0, SyncBadge())
        if ui.narrow:
            shown.insert(0, heading(title))
    content = ft.Container(
        content=ft.Column(
            [AlarmStrip(), *apart(shown)],
            spacing=16,
            scroll=ft.ScrollMode.AUTO,
            expand=True,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,  # cards share one width
        ),
        padding=ft.Padding.symmetric(horizontal=16 if phone else 32, vertical=12 if phone else 20),
        width=None if phone else CONTENT_WIDTH,
        expand=phone,
    )
    bar_actions = app_bar_actions()
    if not phone:
        bar_actions = [SyncBadge(), ft.Container(width=12), *bar_actions]
    body: ft.Control = (
        content
        if phone
        else ft.Row(
            [
                rail(selected),
                ft.VerticalDivider(width=1),
                ft.Container(
                    content=ft.Row([content], vertical_alignment=ft.CrossAxisAlignment.START),
                    expand=True,
                    alignment=ft.Alignment.TOP_LEFT,
                ),
            ],
            expand=True,
            spacing=0,
            vertical_alignment=ft.CrossAxisAlignment.STRETCH,
        )
    )
    return ft.View(
        route=location,
        appbar=ft.AppBar(
            leading=leading,
            automatically_imply_leading=False,
            title=None if ui.narrow else title_text(title, ui.text_scale),
            actions=bar_actions,
        ),
        controls=[body],
        navigation_bar=bottom_bar(selected, ui.narrow) if phone else None,
        padding=0,
    )
