"""Every text/background pair the themes put together meets WCAG 2.2 AA, in all three themes.

The themes are explicit palettes of colour roles (companion/core/views/theme.py), so this
checks exactly what is drawn; and views may only name colours by role, so no pair escapes
the table.
"""

from __future__ import annotations

import re
from pathlib import Path

import flet as ft
import pytest

from companion.core.preferences import ThemeChoice
from companion.core.views.theme import (
    GRAPHIC_PAIRS,
    MIN_GRAPHIC_CONTRAST,
    MIN_TEXT_CONTRAST,
    ON_TINT,
    PALETTES,
    TEXT_PAIRS,
    build_theme,
    contrast,
)

ROOT = Path(__file__).resolve().parents[2] / "companion"


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_text_pair_meets_aa(name):
    palette = PALETTES[name]
    low = {
        (fg, bg): round(contrast(palette[fg], palette[bg]), 2)
        for fg, bg in TEXT_PAIRS
        if contrast(palette[fg], palette[bg]) < MIN_TEXT_CONTRAST
    }
    assert not low, f"{name}: text pairs under {MIN_TEXT_CONTRAST}:1: {low}"


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_outline_and_graphic_pair_meets_aa(name):
    palette = PALETTES[name]
    low = {
        (fg, bg): round(contrast(palette[fg], palette[bg]), 2)
        for fg, bg in GRAPHIC_PAIRS
        if contrast(palette[fg], palette[bg]) < MIN_GRAPHIC_CONTRAST
    }
    assert not low, f"{name}: outlines/graphics under {MIN_GRAPHIC_CONTRAST}:1: {low}"


def test_the_pairs_cover_every_tint_and_every_role_is_defined_in_every_theme():
    roles = set(PALETTES["light"])
    assert all(set(palette) == roles for palette in PALETTES.values())
    for background, foreground in ON_TINT.items():
        assert (foreground, background) in TEXT_PAIRS
    assert {role for pair in TEXT_PAIRS + GRAPHIC_PAIRS for role in pair} <= roles


@pytest.mark.parametrize(
    ("choice", "shown"),
    [
        (ThemeChoice.LIGHT, ["light"]),
        (ThemeChoice.DARK, ["dark"]),
        (ThemeChoice.SYSTEM, ["light", "dark"]),
        (ThemeChoice.HIGH_CONTRAST, ["high_contrast"]),
    ],
)
def test_each_choice_draws_with_its_palettes_and_colours_all_text(choice, shown):
    light, dark, mode = build_theme(choice, 1.5)
    themes = {"light": light, "dark": dark}
    if choice is ThemeChoice.HIGH_CONTRAST:
        assert mode is ft.ThemeMode.LIGHT
        themes = {"high_contrast": light}
    for name in shown:
        theme = themes[name]
        palette = PALETTES[name]
        assert theme.color_scheme == ft.ColorScheme(**palette)
        assert theme.color_scheme_seed is None  # nothing derived on the device
        styles = [getattr(theme.text_theme, field) for field in ft.TextTheme.__dataclass_fields__]
        # a style without a colour falls back to black: unreadable in dark mode
        assert all(style.color == palette["on_surface"] for style in styles if style is not None)


# ft.Colors names that are colour roles of the palettes (PRIMARY_CONTAINER ...)
ROLE_NAMES = {role.upper() for role in PALETTES["light"]}


def test_views_name_colours_only_by_role():
    """A hex colour or a fixed Material colour (RED_400, BLACK) in a view would be a pair
    no theme controls; the table above only covers roles."""
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "import flet" not in source or path.name == "theme.py":
            continue
        for name in re.findall(r"ft\.Colors\.([A-Z_0-9]+)", source):
            if name not in ROLE_NAMES:
                problems.append(f"{path.relative_to(ROOT)}: ft.Colors.{name}")
        for literal in re.findall(r"[\"']#[0-9A-Fa-f]{6}(?:[0-9A-Fa-f]{2})?[\"']", source):
            problems.append(f"{path.relative_to(ROOT)}: {literal}")
    assert not problems, problems
