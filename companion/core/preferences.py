"""Display preferences (language, theme, text size), kept in a small plain JSON file.

They are needed before the encrypted store is open (the welcome and lock screens are
already in the chosen language and theme) and they say nothing about the person, so they
live outside the store. A damaged file falls back to defaults instead of blocking the app.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path

from companion.core.errors import InvalidInput
from companion.i18n import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger(__name__)


class ThemeChoice(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"
    HIGH_CONTRAST = "high_contrast"


TEXT_SCALES: tuple[float, ...] = (1.0, 1.15, 1.3, 1.5)


@dataclass(frozen=True)
class Preferences:
    language: str = DEFAULT_LANGUAGE
    theme: ThemeChoice = ThemeChoice.SYSTEM
    text_scale: float = 1.0

    def checked(self) -> Preferences:
        """Raise `InvalidInput` for a value the app cannot show."""
        if self.language not in LANGUAGES:
            raise InvalidInput("invalid_choice", field="language")
        theme = theme_choice(self.theme)
        if self.text_scale not in TEXT_SCALES:
            raise InvalidInput("invalid_choice", field="text_scale")
        return replace(self, theme=theme)


def theme_choice(value: str) -> ThemeChoice:
    """A theme's name (or the choice itself) as the choice; `InvalidInput` for another."""
    try:
        return ThemeChoice(value)
    except ValueError:
        raise InvalidInput("invalid_choice", field="theme") from None


class PreferencesFile:
    """Reads and atomically rewrites `preferences.json` in the data folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Preferences:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return Preferences(
                language=raw.get("language", DEFAULT_LANGUAGE),
                theme=raw.get("theme", ThemeChoice.SYSTEM),
                text_scale=float(raw.get("text_scale", 1.0)),
            ).checked()
        except FileNotFoundError:
            return Preferences()
        except (ValueError, TypeError, AttributeError, InvalidInput) as error:
            log.warning("ignoring unreadable preferences file %s: %s", self.path, error)
            return Preferences()

    def save(self, prefs: Preferences) -> Preferences:
        prefs = prefs.checked()
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(prefs)), encoding="utf-8")
        os.replace(tmp, self.path)
        return prefs

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
