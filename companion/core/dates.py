"""Dates and times as people in Belgium type and read them (31/12/2026, 9u30), plus ISO."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from companion.core.errors import InvalidInput

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.hu]([0-5]\d)\s*$")


def parse_time(text: str, *, field: str = "time") -> time:
    """Read 9:00, 09:00, 9.00 or 9u00 (how people in Belgium write times)."""
    match = _TIME.match(text or "")
    if not match:
        raise InvalidInput("invalid_time", field=field)
    return time(int(match[1]), int(match[2]))


def parse_date(text: str, *, field: str = "date") -> date:
    """Read DD/MM/YYYY (also with - or .) or YYYY-MM-DD; anything else is InvalidInput."""
    text = (text or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    normalised = text.replace("-", "/").replace(".", "/")
    try:
        return datetime.strptime(normalised, "%d/%m/%Y").date()
    except ValueError:
        raise InvalidInput("invalid_date", field=field) from None


def format_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")
