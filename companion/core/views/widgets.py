"""Small building blocks every screen shares, so screens look and behave alike.

Conventions: every interactive control gets a stable identifier through `tag()` (tests and
screen readers find it by that, never by position); buttons are at least 48 px high; text
uses theme styles so the text-size setting applies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flet as ft

from companion.core.errors import ServiceError
from companion.core.sync_status import ParkedChange
from companion.core.views.theme import scaled
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
    identifier: str,
    icon: ft.IconData,
    label: str,
    on_click: Callable[..., Any] | None,
    *,
    disabled: bool = False,
) -> ft.Control:
    """An icon button with a spoken name and a full 48 x 48 touch target.

    The name sits on the icon, which Flutter merges into the button's own node; a tooltip
    would name only the node around it and leave the button itself unnamed."""
    return tag(
        identifier,
        ft.IconButton(
            icon=ft.Icon(icon, semantics_label=label),
            on_click=on_click,
            disabled=disabled or on_click is None,
            size_constraints=ft.BoxConstraints(min_width=MIN_TOUCH, min_height=MIN_TOUCH),
        ),
    )


def banner_close(on_click: Callable[..., Any]) -> ft.Control:
    """The close button of a snack bar, named in the app's language."""
    return tag(
        "banner-close",
        ft.IconButton(
            icon=ft.Icon(
                ft.Icons.CLOSE,
                semantics_label=t("common.close"),
                color=ft.Colors.ON_INVERSE_SURFACE,
            ),
            on_click=on_click,
            size_constraints=ft.BoxConstraints(min_width=MIN_TOUCH, min_height=MIN_TOUCH),
        ),
    )


def caption(text: str, name: str | None) -> str | ft.Text:
    """A button's caption; `name` is what a screen reader says instead, when the caption
    alone would not tell one button from its neighbours (it must contain the caption)."""
    return text if name is None else ft.Text(text, semantics_label=name)


def bubble_width(window: float | None, widest: int) -> float:
    """A chat bubble's width: `widest`, or most of a narrower window (16 px margins)."""
    if window is None:
        return widest
    return max(120, min(widest, (window - 32) * 0.85))


def whole_button(
    identifier: str, label: str, on_click: Callable[[], Any], content: ft.Control
) -> ft.Control:
    """A card or row that opens something, read as one button named `label` (what it shows,
    in one sentence). Its own nodes stay out of the tree: a progress bar inside would be a
    second focus stop nested in the button. `content` is the clickable container."""
    return ft.Semantics(
        identifier=identifier,
        button=True,
        container=True,
        exclude_semantics=True,
        label=label,
        on_tap=lambda _e: on_click(),
        content=content,
    )


def progress(value: float, label: str) -> ft.Control:
    """A progress bar in a node of its own, named by what it measures ("Werk vinden: 2 van 3
    stappen klaar"); loose in a group it takes the group's words, and its fields and
    buttons become controls nested inside a progress bar."""
    return ft.Semantics(
        container=True,
        content=ft.ProgressBar(value=value, height=8, border_radius=4, semantics_label=label),
    )


def decorative(control: ft.Control) -> ft.Control:
    """Shown, not read (an avatar's initial beside the name it repeats)."""
    return ft.Semantics(exclude_semantics=True, content=control)


def text_button(
    identifier: str, text: str, on_click: Callable[..., Any], *, name: str | None = None
) -> ft.Control:
    return tag(
        identifier,
        ft.TextButton(
            caption(text, name),
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


def unsent_mark(identifier: str, text: str | None = None) -> ft.Control:
    """ "Niet verstuurd" under an item the server does not have yet: an icon and words (not
    colour alone), in its own node so a screen reader reads it after the item."""
    return tag(
        identifier,
        ft.Row(
            [
                ft.Icon(ft.Icons.CLOUD_OFF, size=20, color=ft.Colors.ERROR),
                ft.Text(
                    text or t("sync.not_sent"),
                    theme_style=ft.TextThemeStyle.BODY_MEDIUM,
                    color=ft.Colors.ERROR,
                    expand=True,
                ),
            ],
            spacing=6,
        ),
    )


def busy_ring(busy: bool) -> ft.Control:
    """A spinner (`busy`) while an action waits, or nothing."""
    return tag("busy", ft.ProgressRing()) if busy else ft.Container(height=0)


def heading(text: str, *, style: ft.TextThemeStyle = ft.TextThemeStyle.TITLE_LARGE) -> ft.Control:
    """A heading in a node of its own: without `container` Flutter merges it into the card
    around it, and the card is then read as one heading with everything else in it."""
    return ft.Semantics(header=True, container=True, content=ft.Text(text, theme_style=style))


def body(text: str, **kwargs: Any) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.BODY_LARGE, **kwargs)


def apart(controls: Sequence[ft.Control]) -> list[ft.Control]:
    """Each control in a node of its own, so a screen reader reads them one by one and in
    order (loose text would otherwise be merged into the node around it and read first)."""
    # the wrapper takes the control's key, so a component keeps its state when the
    # controls before it change
    return [
        ft.Semantics(key=getattr(control, "key", None), container=True, content=control)
        for control in controls
    ]


def spoken(label: str, content: ft.Control, identifier: str | None = None) -> ft.Control:
    """Show `content`, read `label` instead (one item read as one sentence: a message with
    its sender and time, a row of facts)."""
    return ft.Semantics(
        identifier=identifier, container=True, exclude_semantics=True, label=label, content=content
    )


def card(*controls: ft.Control, stretch: bool = False) -> ft.Card:
    """A card; `stretch` widens its fields to the card (a text field is 300 px otherwise):
    for forms, whose buttons then sit in a Row so they keep their own width."""
    return ft.Card(
        content=ft.Container(
            padding=16,
            content=ft.Column(
                apart(controls),
                spacing=12,
                horizontal_alignment=(
                    ft.CrossAxisAlignment.STRETCH if stretch else ft.CrossAxisAlignment.START
                ),
            ),
        ),
    )


def primary_button(
    identifier: str,
    text: str,
    on_click: Callable[..., Any] | None,
    *,
    icon: Any = None,
    name: str | None = None,
) -> ft.Control:
    return tag(
        identifier,
        ft.FilledButton(
            caption(text, name),
            icon=icon,
            on_click=on_click,
            disabled=on_click is None,
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=14)),
        ),
    )


def secondary_button(
    identifier: str,
    text: str,
    on_click: Callable[..., Any] | None,
    *,
    icon: Any = None,
    name: str | None = None,
) -> ft.Control:
    return tag(
        identifier,
        ft.OutlinedButton(
            caption(text, name),
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
    """A controlled text field: the caller keeps `value` in state.

    Keep `label` short (it must stay on one line with the largest text on a 360 px phone,
    or it runs over the field's border); say the rest in `helper=`, under the field."""
    return tag(
        identifier,
        ft.TextField(
            label=label,
            value=value,
            on_change=lambda e: on_change(e.control.value),
            **kwargs,
        ),
    )


@ft.component
def PinField(
    identifier: str, label: str, value: str, on_change: Callable[[str], None]
) -> ft.Control:
    """A controlled PIN field: digits, hidden unless the person reveals them with the eye
    button, which says what it will do ("Toon de pincode" / "Verberg de pincode")."""
    shown, set_shown = ft.use_state(False)
    eye = ft.IconButton(
        icon=ft.Icon(
            ft.Icons.VISIBILITY_OFF_OUTLINED if shown else ft.Icons.VISIBILITY_OUTLINED,
            semantics_label=t("common.pin_hide") if shown else t("common.pin_show"),
        ),
        on_click=lambda: set_shown(not shown),
        size_constraints=ft.BoxConstraints(min_width=MIN_TOUCH, min_height=MIN_TOUCH),
    )
    return text_input(
        identifier,
        label,
        value,
        on_change,
        password=not shown,
        keyboard_type=ft.KeyboardType.NUMBER,
        suffix_icon=eye,
    )


def pin_field(
    identifier: str, label: str, value: str, on_change: Callable[[str], None]
) -> ft.Control:
    return PinField(identifier, label, value, on_change)


def touch_label(scale: float) -> ft.TextStyle:
    """The label style of a radio or checkbox: a line as tall as a finger (48 px), so the
    row Flutter makes of box and label, and its tap area, is 48 px high (on the web and
    desktops Flutter draws these 40 px high)."""
    size = scaled(16, scale)
    return ft.TextStyle(size=size, height=max(1.3, MIN_TOUCH / size))


def choice_group(
    identifier: str,
    value: str,
    options: list[tuple[str, str]],
    on_change: Callable[[str], None],
    *,
    scale: float,
) -> ft.Control:
    """Radio buttons for (key, label) options; each radio is tagged `{identifier}-{key}`.
    `scale` is the text size (ui.text_scale), which their labels and height follow."""
    style = touch_label(scale)
    return tag(
        identifier,
        ft.RadioGroup(
            value=value,
            on_change=lambda e: on_change(e.control.value),
            content=ft.Column(
                [
                    tag(f"{identifier}-{key}", ft.Radio(value=key, label=label, label_style=style))
                    for key, label in options
                ],
                spacing=0,
            ),
        ),
    )


def checkbox(
    identifier: str,
    label: str,
    value: bool,
    on_change: Callable[[bool], Any],
    *,
    scale: float,
    disabled: bool = False,
) -> ft.Control:
    """A checkbox named by its label, 48 px high (at text size `scale`); its state is
    announced as checked."""
    return tag(
        identifier,
        ft.Checkbox(
            label=label,
            value=value,
            disabled=disabled,
            label_style=touch_label(scale),
            on_change=lambda e: on_change(bool(e.control.value)),
        ),
    )


def filter_chip(
    identifier: str, label: str, selected: bool, on_select: Callable[[], Any]
) -> ft.Control:
    """A chip that filters a list; announced as checked when it is the chosen filter."""
    return tag(
        identifier,
        ft.Chip(label=ft.Text(label), selected=selected, on_select=lambda _e: on_select()),
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


def mood_icon(mood: int, scale: float = 1.0, color: str | None = None) -> ft.Icon:
    return ft.Icon(MOOD_FACES[mood], size=round(32 * scale), color=color)


STACKED_MOODS_FROM = 1.3  # from this text size on, the five faces stand one under the other


def mood_choice(
    identifier: str,
    mood: int,
    chosen: bool,
    on_pick: Callable[[int], None],
    scale: float,
    stacked: bool,
) -> ft.Control:
    """One face with its word; the chosen one is filled, framed and announced as chosen."""
    ink = ft.Colors.ON_PRIMARY_CONTAINER if chosen else None  # readable on the fill
    word = ft.Text(
        mood_label(mood),
        theme_style=ft.TextThemeStyle.BODY_LARGE if stacked else ft.TextThemeStyle.LABEL_MEDIUM,
        text_align=ft.TextAlign.START if stacked else ft.TextAlign.CENTER,
        color=ink,
        max_lines=2,
    )
    face = mood_icon(mood, scale, ink)
    return ft.Semantics(
        identifier=identifier,
        selected=chosen,
        container=True,
        content=ft.Container(
            content=ft.Row([face, word], spacing=12)
            if stacked
            else ft.Column(
                [face, word],
                spacing=2,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                alignment=ft.MainAxisAlignment.CENTER,
            ),
            padding=ft.Padding.symmetric(vertical=8, horizontal=12 if stacked else 2),
            border_radius=12,
            border=ft.Border.all(
                3 if chosen else 1,
                ft.Colors.PRIMARY if chosen else ft.Colors.OUTLINE,
            ),
            bgcolor=ft.Colors.PRIMARY_CONTAINER if chosen else None,
            on_click=lambda _e: on_pick(mood),
            ink=True,
        ),
    )


def mood_picker(
    selected: int | None,
    on_pick: Callable[[int], None],
    *,
    prefix: str = "mood",
    scale: float = 1.0,
) -> ft.Control:
    """Five faces with words, so the meaning never rests on the picture alone. Side by side;
    one under the other with large text, where five words no longer fit across a phone."""
    stacked = scale >= STACKED_MOODS_FROM
    choices = [
        mood_choice(f"{prefix}-{mood}", mood, mood == selected, on_pick, scale, stacked)
        for mood in MOOD_FACES
    ]
    if stacked:
        return ft.Column(choices, spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    # One height for all five, whether a label takes one line or two.
    return ft.Row(
        [ft.Container(expand=1, content=choice) for choice in choices],
        spacing=4,
        vertical_alignment=ft.CrossAxisAlignment.STRETCH,
        intrinsic_height=True,
    )
