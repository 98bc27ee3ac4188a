"""Light, dark and high-contrast themes, with every text style scaled by the text-size setting.

Each theme is an explicit palette of Material colour roles, not one derived from a seed on
the device: what the contrast test (tests/ui/test_theme_contrast.py) checks is exactly what
is drawn. `TEXT_PAIRS` and `GRAPHIC_PAIRS` list every foreground/background pair the app's
widgets put together; a view that puts text on a tinted background uses the pair's
foreground role (`on_tint`), never the default text colour.

Screens never hard-code font sizes: they pick a `theme_style`, so the text-size setting
reaches every word. Emoji and icons that must grow too use `scaled()`.
"""

from __future__ import annotations

import flet as ft

from companion.core.preferences import ThemeChoice

MIN_TEXT_CONTRAST = 4.5  # WCAG 2.2 AA, 1.4.3: normal text
MIN_GRAPHIC_CONTRAST = 3.0  # 1.4.3 large text, 1.4.11 control outlines and graphics

# Material 3 default sizes (logical pixels) per text style
_BASE_SIZES = {
    "display_large": 57,
    "display_medium": 45,
    "display_small": 36,
    "headline_large": 32,
    "headline_medium": 28,
    "headline_small": 24,
    "title_large": 22,
    "title_medium": 16,
    "title_small": 14,
    "body_large": 16,
    "body_medium": 14,
    "body_small": 12,
    "label_large": 14,
    "label_medium": 12,
    "label_small": 11,
}

# Calm teal (#1F6F78), tones picked on Material 3's tonal scale.
LIGHT: dict[str, str] = {
    "primary": "#1F6F78",
    "on_primary": "#FFFFFF",
    "primary_container": "#B4EBF2",
    "on_primary_container": "#002023",
    "secondary": "#4A6366",
    "on_secondary": "#FFFFFF",
    "secondary_container": "#CDE7EB",
    "on_secondary_container": "#051F22",
    "tertiary": "#4E5F7D",
    "on_tertiary": "#FFFFFF",
    "tertiary_container": "#D6E3FF",
    "on_tertiary_container": "#091B36",
    "error": "#BA1A1A",
    "on_error": "#FFFFFF",
    "error_container": "#FFDAD6",
    "on_error_container": "#410002",
    "surface": "#F5FAFB",
    "on_surface": "#171D1E",
    "on_surface_variant": "#3F484A",
    "outline": "#6F797A",
    "outline_variant": "#BFC8CA",
    "surface_container_lowest": "#FFFFFF",
    "surface_container_low": "#EFF5F6",
    "surface_container": "#E9EFF0",
    "surface_container_high": "#E3E9EA",
    "surface_container_highest": "#DDE4E5",
    "inverse_surface": "#2B3133",
    "on_inverse_surface": "#ECF2F3",
    "inverse_primary": "#84D3DD",
    "surface_tint": "#1F6F78",
    "shadow": "#000000",
    "scrim": "#000000",
}

DARK: dict[str, str] = {
    "primary": "#84D3DD",
    "on_primary": "#00363C",
    "primary_container": "#004F57",
    "on_primary_container": "#B4EBF2",
    "secondary": "#B1CBCF",
    "on_secondary": "#1C3437",
    "secondary_container": "#334B4E",
    "on_secondary_container": "#CDE7EB",
    "tertiary": "#B6C7EA",
    "on_tertiary": "#1F314C",
    "tertiary_container": "#364764",
    "on_tertiary_container": "#D6E3FF",
    "error": "#FFB4AB",
    "on_error": "#690005",
    "error_container": "#93000A",
    "on_error_container": "#FFDAD6",
    "surface": "#0E1415",
    "on_surface": "#DEE4E5",
    "on_surface_variant": "#BFC8CA",
    "outline": "#899294",
    "outline_variant": "#3F484A",
    "surface_container_lowest": "#090F10",
    "surface_container_low": "#171D1E",
    "surface_container": "#1B2122",
    "surface_container_high": "#252B2C",
    "surface_container_highest": "#303637",
    "inverse_surface": "#DEE4E5",
    "on_inverse_surface": "#2B3133",
    "inverse_primary": "#1F6F78",
    "surface_tint": "#84D3DD",
    "shadow": "#000000",
    "scrim": "#000000",
}

# Black on white, a dark-blue accent, yellow for what is chosen (chips, the current tab).
HIGH_CONTRAST: dict[str, str] = {
    "primary": "#000000",
    "on_primary": "#FFFFFF",
    "primary_container": "#000000",
    "on_primary_container": "#FFFFFF",
    "secondary": "#0A2A66",
    "on_secondary": "#FFFFFF",
    "secondary_container": "#FFE500",
    "on_secondary_container": "#000000",
    "tertiary": "#0A2A66",
    "on_tertiary": "#FFFFFF",
    "tertiary_container": "#0A2A66",
    "on_tertiary_container": "#FFFFFF",
    "error": "#B00000",
    "on_error": "#FFFFFF",
    "error_container": "#B00000",
    "on_error_container": "#FFFFFF",
    "surface": "#FFFFFF",
    "on_surface": "#000000",
    "on_surface_variant": "#000000",
    "outline": "#000000",
    "outline_variant": "#000000",
    "surface_container_lowest": "#FFFFFF",
    "surface_container_low": "#FFFFFF",
    "surface_container": "#FFFFFF",
    "surface_container_high": "#F2F2F2",
    "surface_container_highest": "#E6E6E6",
    "inverse_surface": "#000000",
    "on_inverse_surface": "#FFFFFF",
    "inverse_primary": "#FFE500",
    "surface_tint": "#FFFFFF",
    "shadow": "#000000",
    "scrim": "#000000",
}

PALETTES: dict[str, dict[str, str]] = {
    "light": LIGHT,
    "dark": DARK,
    "high_contrast": HIGH_CONTRAST,
}

# Where the app draws text: screens, cards, list rows, fields, the navigation bar.
_PLAIN = (
    "surface",
    "surface_container_lowest",
    "surface_container_low",
    "surface_container",
    "surface_container_high",
    "surface_container_highest",
)
# The foreground role to use for text and icons on each tinted background.
ON_TINT: dict[str, str] = {
    "primary": "on_primary",
    "primary_container": "on_primary_container",
    "secondary": "on_secondary",
    "secondary_container": "on_secondary_container",
    "tertiary_container": "on_tertiary_container",
    "error": "on_error",
    "error_container": "on_error_container",
    "inverse_surface": "on_inverse_surface",
}
# (foreground, background) roles that carry text: body text, secondary text, text buttons
# and links, error messages on every plain background; each tint with its own foreground;
# the snack bar's action.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    *((fg, bg) for fg in ("on_surface", "on_surface_variant", "primary", "error") for bg in _PLAIN),
    *((fg, bg) for bg, fg in ON_TINT.items()),
    ("inverse_primary", "inverse_surface"),
)
# (foreground, background) roles of control outlines and meaningful graphics: field borders,
# checkbox and radio outlines, a selected control's fill, progress bars against their track.
GRAPHIC_PAIRS: tuple[tuple[str, str], ...] = (
    *((fg, bg) for fg in ("outline", "primary", "on_surface_variant") for bg in _PLAIN),
    ("primary", "secondary_container"),
)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_color: str) -> float:
    """WCAG relative luminance of an opaque `#RRGGBB` colour."""
    digits = hex_color.lstrip("#")
    r, g, b = (_channel(int(digits[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio between two opaque colours (1.0 to 21.0)."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def scaled(size: float, scale: float) -> float:
    return round(size * scale, 1)


def text_theme(scale: float, palette: dict[str, str] = LIGHT) -> ft.TextTheme:
    """Every style scaled, in the palette's text colour: a style without a colour would
    fall back to Flutter's black, unreadable on a dark background."""
    return ft.TextTheme(
        **{
            name: ft.TextStyle(size=scaled(size, scale), color=palette["on_surface"])
            for name, size in _BASE_SIZES.items()
        }
    )


def title_size(scale: float) -> float:
    """App bar titles grow with the text size, up to what still fits a 360 px phone in two
    lines between the back arrow and the help and quick-hide buttons."""
    return min(scaled(_BASE_SIZES["title_large"], scale), 24)


def toolbar_height(scale: float) -> int:
    return 56 if scale <= 1.0 else 72  # room for a title on two lines


def nav_label_size(scale: float) -> float:
    """Tab labels grow a little, never so much that "Aujourd'hui" or "Dagboek" must break
    inside the word on a 360 px phone (five tabs of 72 px)."""
    return min(scaled(_BASE_SIZES["label_medium"], scale), 13)


def _theme(palette: dict[str, str], scale: float) -> ft.Theme:
    text_buttons = None
    if palette is HIGH_CONTRAST:
        # black on white like the text around it: underlined, so it still reads as a button
        text_buttons = ft.TextButtonTheme(
            style=ft.ButtonStyle(
                text_style=ft.TextStyle(
                    size=scaled(_BASE_SIZES["label_large"], scale),
                    height=20 / 14,  # Material's label line, which keeps the button 48 px
                    weight=ft.FontWeight.BOLD,
                    decoration=ft.TextDecoration.UNDERLINE,
                )
            )
        )
    return ft.Theme(
        text_button_theme=text_buttons,
        color_scheme=ft.ColorScheme(**palette),
        text_theme=text_theme(scale, palette),
        visual_density=ft.VisualDensity.STANDARD,
        appbar_theme=ft.AppBarTheme(toolbar_height=toolbar_height(scale)),
        navigation_bar_theme=ft.NavigationBarTheme(
            label_text_style=ft.TextStyle(size=nav_label_size(scale)),
        ),
        # chips are 38 px high by default on desktop and web; 5 px more each side -> 48
        chip_theme=ft.ChipTheme(label_padding=ft.Padding.symmetric(horizontal=8, vertical=5)),
    )


def build_theme(choice: str, scale: float) -> tuple[ft.Theme, ft.Theme, ft.ThemeMode]:
    """(light theme, dark theme, mode) for a theme choice and text scale."""
    if choice == ThemeChoice.HIGH_CONTRAST:
        contrast_theme = _theme(HIGH_CONTRAST, scale)
        return contrast_theme, contrast_theme, ft.ThemeMode.LIGHT
    mode = {
        ThemeChoice.LIGHT: ft.ThemeMode.LIGHT,
        ThemeChoice.DARK: ft.ThemeMode.DARK,
    }.get(ThemeChoice(choice), ft.ThemeMode.SYSTEM)
    return _theme(LIGHT, scale), _theme(DARK, scale), mode
