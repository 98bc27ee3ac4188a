"""Language, theme and text size: validated, saved, and applied to the translator at once."""

from __future__ import annotations

from dataclasses import replace

from companion.core.preferences import Preferences, PreferencesFile, ThemeChoice, theme_choice
from companion.i18n import Translator


class SettingsService:
    def __init__(self, file: PreferencesFile, translator: Translator) -> None:
        self._file = file
        self._translator = translator
        self._prefs = file.load()
        translator.set_language(self._prefs.language)

    @property
    def current(self) -> Preferences:
        return self._prefs

    def set_language(self, language: str) -> Preferences:
        return self._save(replace(self._prefs, language=language))

    def set_theme(self, theme: ThemeChoice | str) -> Preferences:
        return self._save(replace(self._prefs, theme=theme_choice(theme)))

    def set_text_scale(self, scale: float) -> Preferences:
        return self._save(replace(self._prefs, text_scale=scale))

    def reset(self) -> Preferences:
        """Back to defaults and forget the file (used when the account is deleted)."""
        self._file.delete()
        self._prefs = Preferences()
        self._translator.set_language(self._prefs.language)
        return self._prefs

    def _save(self, prefs: Preferences) -> Preferences:
        self._prefs = self._file.save(prefs)
        self._translator.set_language(self._prefs.language)
        return self._prefs
