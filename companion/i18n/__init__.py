"""Translations: `t("diary.title")` returns the text in the app's current language.

Catalogs are data, not code: `companion/assets/i18n/<lang>/<namespace>.json`, one flat JSON
object per feature namespace, so each feature adds its own file without merge conflicts.
A key is `<namespace>.<key in file>`; `{name}` placeholders are filled from keyword arguments.
Dutch is the reference language; a key missing in French or English falls back to Dutch
(a test makes sure none is missing), and an unknown key shows itself so it is easy to spot.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("nl", "fr", "en")
DEFAULT_LANGUAGE = "nl"
CATALOG_DIR = Path(__file__).resolve().parent.parent / "assets" / "i18n"

log = logging.getLogger(__name__)


class UnknownLanguageError(ValueError):
    """Raised when asked for a language the app has no catalog for."""


def load_catalog(language: str, root: Path = CATALOG_DIR) -> dict[str, str]:
    """Read every namespace file of one language into `{"namespace.key": text}`."""
    if language not in LANGUAGES:
        raise UnknownLanguageError(f"unsupported language {language!r}; choose one of {LANGUAGES}")
    catalog: dict[str, str] = {}
    for path in sorted((root / language).glob("*.json")):
        namespace = path.stem
        entries = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entries, dict):
            raise ValueError(f"{path} must hold one JSON object of key -> text")
        for key, text in entries.items():
            if not isinstance(text, str):
                raise ValueError(f"{path}: value of {key!r} must be a string")
            catalog[f"{namespace}.{key}"] = text
    return catalog


class Translator:
    """Holds the catalogs and the current language; `t` looks a key up and fills params."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, root: Path = CATALOG_DIR) -> None:
        self._root = root
        self._catalogs = {lang: load_catalog(lang, root) for lang in LANGUAGES}
        self._lock = threading.Lock()
        self._language = DEFAULT_LANGUAGE
        self.set_language(language)

    @property
    def language(self) -> str:
        return self._language

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise UnknownLanguageError(
                f"unsupported language {language!r}; choose one of {LANGUAGES}"
            )
        with self._lock:
            self._language = language

    def keys(self, language: str = DEFAULT_LANGUAGE) -> Iterable[str]:
        return self._catalogs[language].keys()

    def t(self, key: str, **params: object) -> str:
        """The text for `key`; falls back to Dutch, then to the key itself (logged)."""
        lang = self._language
        text = self._catalogs[lang].get(key)
        if text is None:
            text = self._catalogs[DEFAULT_LANGUAGE].get(key)
            if text is None:
                log.warning("missing translation key %r", key)
                return key
        if not params:
            return text
        try:
            return text.format_map(params)
        except (KeyError, IndexError, ValueError):
            log.warning("translation %r in %r does not fit params %r", key, lang, params)
            return text


_default = Translator()


def translator() -> Translator:
    """The process-wide translator the app uses (one device, one language)."""
    return _default


def t(key: str, **params: object) -> str:
    """Translate `key` into the current language (see module docstring)."""
    return _default.t(key, **params)


def set_language(language: str) -> None:
    _default.set_language(language)


def current_language() -> str:
    return _default.language
