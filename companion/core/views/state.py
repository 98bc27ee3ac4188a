"""UI state every screen may react to: language, theme, text size, hidden and locked.

It is an observable: a component that reads it through `use_ui()` re-renders when a field
changes. Data changes bump `revision`, which screens list as a dependency of their queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from companion.youth.services import YouthServices

NARROW_WIDTH = 320


@ft.observable
@dataclass
class UiState:
    language: str
    theme: str
    text_scale: float
    locked: bool = False
    hidden: bool = False
    # set after sign-up until the youth has chosen about a PIN (onboarding's last step)
    offering_pin: bool = False
    # the keys were lost and the person chose to restore: onboarding opens at that step
    restoring: bool = False
    revision: int = 0
    width: float | None = None  # the window's width in logical pixels, once known

    @classmethod
    def initial(cls, services: YouthServices) -> UiState:
        prefs = services.settings.current
        return cls(
            language=prefs.language,
            theme=str(prefs.theme),
            text_scale=prefs.text_scale,
            locked=services.session is not None and services.lock.enabled,
        )

    @property
    def narrow(self) -> bool:
        """A window narrower than the smallest phone (a phone zoomed to 200 %): titles move
        out of the app bar and tab labels go, rather than being cut or broken."""
        return self.width is not None and self.width < NARROW_WIDTH

    def data_changed(self) -> None:
        """Tell screens that stored data changed, so their queries run again."""
        self.revision += 1

    def hide(self, lock_enabled: bool) -> None:
        """Quick-hide: blank at once; coming back goes through the PIN when one is set."""
        self.hidden = True
        self.locked = self.locked or lock_enabled
