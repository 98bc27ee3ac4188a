"""An appointment as an iCalendar (.ics) file, for the phone's or computer's own calendar.

Written with the `icalendar` library (RFC 5545: escaping, line folding, a VTIMEZONE for the
zone), never by hand. Times carry their IANA zone (TZID=Europe/Brussels), so a calendar app
shows the wall-clock time that was agreed, across daylight-saving changes. The file lands
in the app's own exports folder, readable by the owner only, like every export.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

EXPORTS_FOLDER = "exports"
PRODUCT = "-//Companion//Afspraken//NL"
UID_DOMAIN = "companion.app"
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # the appointment's id: importing again updates the same calendar entry
    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: str = ""
    url: str = ""
    note: str = ""
    stamp: datetime | None = None  # when the file was made (DTSTAMP)


def calendar_bytes(event: CalendarEvent) -> bytes:
    """The event as a complete VCALENDAR with its time zone."""
    zone = ZoneInfo(event.time_zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"{event.uid}@{UID_DOMAIN}")
    entry.add("summary", event.title)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("dtstamp", (event.stamp or datetime.now(UTC)).astimezone(UTC))
    if event.place:
        entry.add("location", event.place)
    if event.url:
        entry.add("url", event.url)
    description = "\n\n".join(part for part in (event.note, event.url) if part)
    if description:
        entry.add("description", description)
    calendar.add_component(entry)
    # the zone's rules around the event only: a small file, still right across DST
    first = event.starts_at.date() - timedelta(days=366)
    calendar.add_missing_timezones(first_date=first, last_date=event.ends_at.date())
    return calendar.to_ical()


def write_calendar_file(event: CalendarEvent, data_dir: Path) -> Path:
    """Write `<data_dir>/exports/afspraak-<date>-<id>.ics` (owner-only) and return its path."""
    folder = data_dir / EXPORTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    day = event.starts_at.astimezone(ZoneInfo(event.time_zone)).strftime("%Y%m%d")
    path = folder / f"afspraak-{day}-{_UNSAFE.sub('', event.uid)[-12:]}.ics"
    tmp = path.with_suffix(".ics.tmp")
    tmp.write_bytes(calendar_bytes(event))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path
