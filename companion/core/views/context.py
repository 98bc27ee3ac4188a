"""How components reach the app's services and UI state: hooks over Flet contexts.

`App` provides both at the root; every screen calls `use_services()`, `use_session()` or
`use_ui()` instead of importing globals, so tests can render any screen with their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from companion.core.views.state import UiState
from companion.i18n import t
from companion.youth.services import YouthServices
from companion.youth.session import YouthSession

# The app's services: YouthServices or, in the caregiver app, CaregiverServices (whose own
# hook, caregiver/hooks.py, checks which it got).
ServicesContext: ft.ContextProvider[Any] = ft.create_context(None)
UiContext: ft.ContextProvider[UiState | None] = ft.create_context(None)


def use_services() -> YouthServices:
    services = ft.use_context(ServicesContext)
    if services is None:
        raise RuntimeError("use_services() outside App: render screens inside App")
    return services


def use_ui() -> UiState:
    ui = ft.use_context(UiContext)
    if ui is None:
        raise RuntimeError("use_ui() outside App: render screens inside App")
    return ui


def use_session() -> YouthSession:
    """The open account's services; main-app screens only render when one is open."""
    return use_services().require_session()


def use_t() -> Callable[..., str]:
    """`t` for this component, re-rendering it when the language changes."""
    use_ui()
    return t
