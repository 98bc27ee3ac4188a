"""The help lines shown on the Help screen, read from companion/assets/data/helplines.json.

They are data so an organisation can update numbers or hours without touching views.
A malformed file is a startup error with the reason, never a silently empty help screen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from companion.i18n import LANGUAGES

HELPLINES_FILE = Path(__file__).resolve().parent.parent / "assets" / "data" / "helplines.json"
_NUMBER = re.compile(r"\+?\d{3,15}")


class HelplineDataError(ValueError):
    """helplines.json is missing a field or has a malformed value."""


@dataclass(frozen=True)
class Helpline:
    id: str
    number: str
    emergency: bool
    name: dict[str, str]
    hours: dict[str, str]
    description: dict[str, str]

    @property
    def tel_url(self) -> str:
        return f"tel:{self.number}"

    def text(self, field: str, language: str) -> str:
        texts: dict[str, str] = getattr(self, field)
        return texts.get(language) or texts["nl"]


def _texts(entry: dict, field: str, line_id: str) -> dict[str, str]:
    texts = entry.get(field)
    if not isinstance(texts, dict) or not all(
        isinstance(texts.get(lang), str) and texts[lang] for lang in LANGUAGES
    ):
        raise HelplineDataError(f"help line {line_id!r}: {field} needs text for {LANGUAGES}")
    return {lang: texts[lang] for lang in LANGUAGES}


def load_helplines(path: Path = HELPLINES_FILE) -> list[Helpline]:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("helplines") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise HelplineDataError(f"{path} must hold a non-empty 'helplines' list")
    lines = []
    for entry in entries:
        line_id = str(entry.get("id", "?"))
        number = entry.get("number")
        if not isinstance(number, str) or not _NUMBER.fullmatch(number):
            raise HelplineDataError(f"help line {line_id!r}: number must be digits")
        lines.append(
            Helpline(
                id=line_id,
                number=number,
                emergency=bool(entry.get("emergency", False)),
                name=_texts(entry, "name", line_id),
                hours=_texts(entry, "hours", line_id),
                description=_texts(entry, "description", line_id),
            )
        )
    return lines
