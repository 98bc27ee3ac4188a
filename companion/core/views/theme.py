"""Light, dark and high-contrast themes, with every text style scaled by the text-size setting.

Screens never hard-code font sizes: they pick a `theme_style`, so the text-size setting
reaches every word. Emoji and icons that must grow too use `scaled()`.
"""

from __future__ import annotations

import flet as ft

from companion.core.preferences import ThemeChoice

SEED = "#1F6F78"  # calm teal; Material derives accessible pairs from it

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

_HIGH_CONTRAST = ft.ColorScheme(
    primary="#000000",
    on_primary="#FFFFFF",
    primary_container="#000000",
    on_primary_container="#FFFFFF",
    secondary="#0A2A66",
    on_secondary="#FFFFFF",
    secondary_container="#FFE500",
    on_secondary_container="#000000",
    surface="#FFFFFF",
    on_surface="#000000",
    on_surface_variant="#000000",
    surface_container="#FFFFFF",
    surface_container_low="#FFFFFF",
    surface_container_high="#F2F2F2",
    surface_container_highest="#E6E6E6",
    outline="#000000",
    outline_variant="#000000",
    error="#B00000",
    on_error="#FFFFFF",
)


def scaled(size: float, scale: float) -> float:
    return round(size * scale, 1)


def text_theme(scale: float) -> ft.TextTheme:
    return ft.TextTheme(
        **{name: ft.TextStyle(size=scaled(size, scale)) for name, size in _BASE_SIZES.items()}
    )


def build_theme(choice: str, scale: float) -> tuple[ft.Theme, ft.Theme, ft.ThemeMode]:
    """(light theme, dark theme, mode) for a theme choice and text scale."""
    texts = text_theme(scale)
    density = ft.VisualDensity.STANDARD
    if choice == ThemeChoice.HIGH_CONTRAST:
        contrast = ft.Theme(color_scheme=_HIGH_CONTRAST, text_theme=texts, visual_density=density)
        return contrast, contrast, ft.ThemeMode.LIGHT
    light = ft.Theme(color_scheme_seed=SEED, text_theme=texts, visual_density=density)
    dark = ft.Theme(color_scheme_seed=SEED, text_theme=texts, visual_density=density)
    mode = {
        ThemeChoice.LIGHT: ft.ThemeMode.LIGHT,
        ThemeChoice.DARK: ft.ThemeMode.DARK,
    }.get(ThemeChoice(choice), ft.ThemeMode.SYSTEM)
    return light, dark, mode
