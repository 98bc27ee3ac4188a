"""Hooks both apps' screens use to follow what changes outside the page.

`use_sync_state()` is how a screen shows the sync engine's state: the engine publishes
from its own threads, so the snapshot is handed to this page's loop before it re-renders
(reading `services.sync_state.state` while rendering would show an old state until
something else re-renders the screen). `use_unsent()` builds on it: which items on screen
the server does not have yet, asked again whenever the sync state or the data changes (a
write counts itself into `pending`; a sent change counts itself out).
"""

from __future__ import annotations

import flet as ft

from companion.core.sync_status import SyncState, Unsent
from companion.core.views.context import use_services, use_ui
from companion.core.views.delivery import to_this_page


def use_sync_state() -> SyncState:
    """The sync engine's latest state, re-rendering when it publishes a new one."""
    box = use_services().sync_state
    snapshot, set_snapshot = ft.use_state(box.state)

    def subscribe():
        unsubscribe = box.subscribe(to_this_page(set_snapshot))  # published from threads
        set_snapshot(box.state)  # one published between this render and now
        return unsubscribe

    ft.use_effect(subscribe, dependencies=[])
    return snapshot


def use_unsent() -> Unsent:
    """The items not sent yet (to mark them "niet verstuurd"), kept current."""
    services = use_services()
    ui = use_ui()
    snapshot = use_sync_state()
    return ft.use_memo(services.unsent, [snapshot, ui.revision])
