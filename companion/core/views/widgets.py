"""Small building blocks every screen shares, so screens look and behave alike.

Conventions: every interactive control gets a stable identifier through `tag()` (tests and
screen readers find it by that, never by position); buttons are at least 48 px high; text
uses theme styles so the text-size setting applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from companion.core.errors import ServiceError
from companion.core.sync_status import ParkedChange
from companion.i18n import t

MIN_TOUCH = 48
# Faces as Material icons, not emoji: the icon font ships with the app, while an emoji
# font may be missing (offline web mode, old phones) and would show empty boxes.
MOOD_FACES = {
    1: ft.Icons.SENTIMENT_VERY_DISSATISFIED,
    2: ft.Icons.SENTIMENT_DISSATISFIED,
    3: ft.Icons.SENTIMENT_NEUTRAL,
    4: ft.Icons.SENTIMENT_SATISFIED,
    5: ft.Icons.SENTIMENT_VERY_SATISFIED,
}


def tag(identifier: str, control: ft.Control, *, label: str | None = None) -> ft.Semantics:
    """Give `control` a stable identifier (DOM: `[flt-semantics-identifier=...]`)."""
    return ft.Semantics(identifier=identifier, label=label, container=True, content=control)


def icon_button(
    identifier: str, icon: ft.IconData, tooltip: str, on_click: Callable[..., Any]
) -> ft.Control:
    """An icon button with a spoken name and a full 48 x 48 touch target."""
    return tag(
        identifier,
        ft.IconButton(
            icon,
            tooltip=tooltip,
            on_click=on_click,
            size_constraints=ft.BoxConstraints(min_width=MIN_TOUCH, min_height=MIN_TOUCH),
        ),
    )


def text_button(identifier: str, text: str, on_click: Callable[..., Any]) -> ft.Control:
    return tag(
        identifier,
        ft.TextButton(
            text,
            on_click=on_click,
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=16, vertical=14)),
        ),
    )


def error_message(error: ServiceError | None) -> str | None:
    return t(error.message_key, **error.params) if error is not None else None


def error_text(error: ServiceError | None, identifier: str = "error") -> ft.Control:
    """The error as a polite live region, or nothing."""
    message = error_message(error)
    if message is None:
        return ft.Container(height=0)
    return ft.Semantics(
        identifier=identifier,
        live_region=True,
        content=ft.Text(message, color=ft.Colors.ERROR, theme_style=ft.TextThemeStyle.BODY_LARGE),
    )


def busy_ring(busy: bool) -> ft.Control:
    """A spinner (`busy`) while an action waits, or nothing."""
    return tag("busy", ft.ProgressRing()) if busy else ft.Container(height=0)


def heading(text: str, *, style: ft.TextThemeStyle = ft.TextThemeStyle.TITLE_LARGE) -> ft.Control:
    return ft.Semantics(header=True, content=ft.Text(text, theme_style=style))


def body(text: str, **kwargs: Any) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.BODY_LARGE, **kwargs)


def card(*controls: ft.Control) -> ft.Card:
    return ft.Card(
        content=ft.Container(padding=16, content=ft.Column(list(controls), spacing=12)),
    )


def primary_button(
    identifier: str, text: str, on_click: Callable[..., Any] | None, *, icon: Any = None
) -> ft.Control:
    return tag(
        identifier,
        ft.FilledButton(
            text,
            icon=icon,
            on_click=on_click,
            disabled=on_click is None,
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=14)),
        ),
    )


def secondary_button(
    identifier: str, text: str, on_click: Callable[..., Any] | None, *, icon: Any = None
) -> ft.Control:
    return tag(
        identifier,
        ft.OutlinedButton(
            text,
            icon=icon,
            on_click=on_click,
            disabled=on_click is None,
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=14)),
        ),
    )


def text_input(
    identifier: str,
    label: str,
    value: str,
    on_change: Callable[[str], None],
    **kwargs: Any,
) -> ft.Control:
    """A controlled text field: the caller keeps `value` in state."""
    return tag(
        identifier,
        ft.TextField(
            label=label,
            value=value,
            on_change=lambda e: on_change(e.control.value),
            **kwargs,
        ),
    )


PIN_FIELD = {"password": True, "can_reveal_password": True, "keyboard_type": ft.KeyboardType.NUMBER}


def pin_field(
    identifier: str, label: str, value: str, on_change: Callable[[str], None]
) -> ft.Control:
    """A controlled PIN field: digits, hidden unless the person reveals them."""
    return text_input(identifier, label, value, on_change, **PIN_FIELD)


def choice_group(
    identifier: str, value: str, options: list[tuple[str, str]], on_change: Callable[[str], None]
) -> ft.Control:
    """Radio buttons for (key, label) options; each radio is tagged `{identifier}-{key}`."""
    return tag(
        identifier,
        ft.RadioGroup(
            value=value,
            on_change=lambda e: on_change(e.control.value),
            content=ft.Column(
                [
                    tag(f"{identifier}-{key}", ft.Radio(value=key, label=label))
                    for key, label in options
                ],
                spacing=0,
            ),
        ),
    )


def delete_with_confirmation(
    prefix: str,
    asking: bool,
    ask: Callable[[bool], None],
    delete: Callable[[], Any],
    words: tuple[str, str, str],
) -> list[ft.Control]:
    """A delete button that first asks; `words` are (button, question, yes). Identifiers:
    `{prefix}-delete`, then `{prefix}-delete-cancel` and `{prefix}-delete-yes`."""
    button, question, yes = words
    if not asking:
        return [
            secondary_button(
                f"{prefix}-delete", button, lambda: ask(True), icon=ft.Icons.DELETE_OUTLINE
            )
        ]
    return [
        body(question),
        ft.Row(
            [
                secondary_button(f"{prefix}-delete-cancel", t("common.cancel"), lambda: ask(False)),
                primary_button(f"{prefix}-delete-yes", yes, delete),
            ],
            wrap=True,
        ),
    ]


def mood_label(mood: int) -> str:
    return t(f"mood.level_{mood}")


def refused_words(change: ParkedChange) -> tuple[str, str]:
    """What was refused and why, in the user's language: (kind, reason). The server's own
    English words only where the app has none for its reason."""
    kind = t(f"network.kind_{change.kind}")
    return kind, t(f"sync.refusal_{change.refusal}", reason=change.reason)


def mood_icon(mood: int, scale: float = 1.0) -> ft.Icon:
    return ft.Icon(MOOD_FACES[mood], size=round(32 * scale))


def mood_picker(
    selected: int | None,
    on_pick: Callable[[int], None],
    *,
    prefix: str = "mood",
    scale: float = 1.0,
) -> ft.Control:
    """Five faces with words, so the meaning never rests on the picture alone."""
    buttons = []
    for mood in MOOD_FACES:
        chosen = mood == selected
        buttons.append(
            ft.Container(
                expand=1,
                content=tag(
                    f"{prefix}-{mood}",
                    ft.Container(
                        content=ft.Column(
                            [
                                mood_icon(mood, scale),
                                ft.Text(
                                    mood_label(mood),
                                    theme_style=ft.TextThemeStyle.LABEL_MEDIUM,
                                    text_align=ft.TextAlign.CENTER,
                                    max_lines=2,
                                ),
                            ],
                            spacing=2,
                            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                            alignment=ft.MainAxisAlignment.CENTER,
                        ),
                        padding=ft.Padding.symmetric(vertical=8, horizontal=2),
                        border_radius=12,
                        border=ft.Border.all(
                            2 if chosen else 1,
                            ft.Colors.PRIMARY if chosen else ft.Colors.OUTLINE_VARIANT,
                        ),
                        bgcolor=ft.Colors.PRIMARY_CONTAINER if chosen else None,
                        on_click=lambda _e, mood=mood: on_pick(mood),
                        ink=True,
                    ),
                ),
            )
        )
    # One height for all five, whether a label takes one line or two.
    return ft.Row(
        buttons,
        spacing=4,
        vertical_alignment=ft.CrossAxisAlignment.STRETCH,
        intrinsic_height=True,
    )
