"""The app's map: bottom-bar tabs, the screens behind routes, and the "More" menu.

A feature screen is one `Screen(...)` line in an app's registry.py (youth or caregiver). Its
path decides where it sits: "/diary/new" stacks on "/diary" (with a back arrow); `tab=`
puts it in the bottom bar, `more=` in the More menu, `modal=True` opens it over whatever is
on screen.
Tabs whose screen is not registered yet stay out of the bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import flet as ft


@dataclass(frozen=True)
class Tab:
    key: str
    path: str
    icon: ft.IconData
    selected_icon: ft.IconData

    @property
    def label_key(self) -> str:
        return f"nav.{self.key}"


TABS: tuple[Tab, ...] = (
    Tab("today", "/", ft.Icons.WB_SUNNY_OUTLINED, ft.Icons.WB_SUNNY),
    Tab("diary", "/diary", ft.Icons.BOOK_OUTLINED, ft.Icons.BOOK),
    Tab("goals", "/goals", ft.Icons.FLAG_OUTLINED, ft.Icons.FLAG),
    Tab("chat", "/chat", ft.Icons.CHAT_BUBBLE_OUTLINE, ft.Icons.CHAT_BUBBLE),
    Tab("more", "/more", ft.Icons.MENU, ft.Icons.MENU_OPEN),
)


@dataclass(frozen=True)
class MoreItem:
    """An entry in the More menu: translation key of its title and an icon."""

    title_key: str
    icon: ft.IconData
    order: int = 100


@dataclass(frozen=True)
class Screen:
    path: str
    component: Callable[[], ft.View]
    more: MoreItem | None = None
    modal: bool = False


def _segments(path: str) -> list[str]:
    return [part for part in path.strip("/").split("/") if part]


class Registry:
    """Registered screens, and the Flet route tree / tabs / menu derived from them."""

    def __init__(self, screens: Sequence[Screen]) -> None:
        paths = [screen.path for screen in screens]
        if len(set(paths)) != len(paths):
            raise ValueError("two screens registered for the same path")
        self.screens = list(screens)

    def tabs(self) -> list[Tab]:
        registered = {screen.path for screen in self.screens}
        return [tab for tab in TABS if tab.path in registered]

    def more_items(self) -> list[tuple[str, MoreItem]]:
        items = [(s.path, s.more) for s in self.screens if s.more is not None]
        return sorted(items, key=lambda item: item[1].order)

    def routes(self) -> list[ft.Route]:
        """Nest each screen under the longest registered path that prefixes it."""
        children: dict[str, list[Screen]] = {}
        for screen in self.screens:
            parent = self._parent(screen)
            children.setdefault(parent, []).append(screen)

        def build(screen: Screen, parent_path: str) -> ft.Route:
            if screen.path == "/":
                return ft.Route(index=True, component=screen.component)
            relative = "/".join(_segments(screen.path)[len(_segments(parent_path)) :])
            kids = [build(child, screen.path) for child in children.get(screen.path, [])]
            return ft.Route(
                path=relative,
                component=screen.component,
                children=kids or None,
                modal=screen.modal,
            )

        return [build(screen, "/") for screen in children.get("/", [])]

    def _parent(self, screen: Screen) -> str:
        segments = _segments(screen.path)
        for cut in range(len(segments) - 1, 0, -1):
            candidate = "/" + "/".join(segments[:cut])
            if any(other.path == candidate for other in self.screens):
                return candidate
        return "/"
