"""Dates as people in Belgium type and read them (31/12/2026), plus ISO for robustness."""

from __future__ import annotations

from datetime import date, datetime

from companion.core.errors import InvalidInput


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
