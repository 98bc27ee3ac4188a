"""Export everything in the youth's space: a readable HTML page and machine-readable JSON.

Continuity after care (BRIEF principle 6): the youth keeps their story when professional
access ends, and can take it elsewhere. The JSON is a versioned object whose records
validate against the domain models (`load_export` checks a file the same way tests do);
the HTML is one self-contained file (no scripts, no external links) with every user text
escaped, readable in any browser.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from companion.core.errors import InvalidInput, ServiceError
from companion.domain.models import RECORD_TYPES, CareLink, Record
from companion.i18n import current_language, t
from companion.store import Store
from companion.youth.account import Account
from companion.youth.export import meetings_html
from companion.youth.network.links import LinksService
from companion_wire import RecordKind

FORMAT = "companion-export"
VERSION = 1
EXPORTS_FOLDER = "exports"
KIND_ORDER = (
    RecordKind.DIARY_ENTRY,
    RecordKind.MOOD_CHECKIN,
    RecordKind.GOAL,
    RecordKind.GOAL_STEP,
    RecordKind.REMINDER,
    RecordKind.CONVERSATION,
    RecordKind.MESSAGE,
    RecordKind.DOCUMENT,
    RecordKind.DOCUMENT_COMMENT,
    RecordKind.APPOINTMENT,
    RecordKind.APPOINTMENT_ANSWER,
    RecordKind.DISCUSSION_POINT,
    RecordKind.AGREEMENT,
    RecordKind.AGREEMENT_ANSWER,
    RecordKind.SAFETY_PLAN,
    RecordKind.NETWORK_ALARM,
)


class ExportFormat(StrEnum):
    HTML = "html"
    JSON = "json"


class InvalidExport(ServiceError):
    """A file that is not a Companion export this version can read (the detail says why)."""

    code = "invalid_export"


@dataclass(frozen=True)
class ExportBundle:
    """A loaded and validated export."""

    exported_at: datetime
    account: dict[str, str]
    links: list[CareLink]
    records: dict[RecordKind, list[Record]]


def load_export(data: str | bytes | dict) -> ExportBundle:
    """Read an export back, validating every record against the domain models."""
    try:
        document = json.loads(data) if isinstance(data, str | bytes) else data
    except ValueError as error:
        raise InvalidExport(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise InvalidExport("the top level must be an object")
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise InvalidExport(f"not a {FORMAT} version {VERSION} file")
    try:
        exported_at = datetime.fromisoformat(document["exported_at"])
        account = {k: str(document["account"][k]) for k in ("account_id", "space_id", "name")}
        links = [CareLink.model_validate(link) for link in document.get("links", [])]
        raw_records = document["records"]
        if not isinstance(raw_records, dict):
            raise InvalidExport("records must be an object of kind -> list")
        records: dict[RecordKind, list[Record]] = {}
        for kind_name, items in raw_records.items():
            kind = RecordKind(kind_name)
            if not isinstance(items, list):
                raise InvalidExport(f"records.{kind_name} must be a list")
            records[kind] = [RECORD_TYPES[kind].model_validate(item) for item in items]
    except InvalidExport:
        raise
    except (KeyError, TypeError, ValueError) as error:  # pydantic errors are ValueErrors
        raise InvalidExport(f"{type(error).__name__}: {error}") from None
    return ExportBundle(exported_at, account, links, records)


class ExportService:
    def __init__(
        self,
        store: Store,
        account: Account,
        links: LinksService,
        now: Callable[[], datetime],
        *,
        translate: Callable[..., str] = t,
        language: Callable[[], str] = current_language,
    ) -> None:
        self._store = store
        self._account = account
        self._links = links
        self._now = now
        self._t = translate
        self._language = language

    def snapshot(self) -> dict[str, Any]:
        """Everything in the space as one JSON-ready object (the machine-readable export)."""
        records = {
            kind.value: [
                record.model_dump(mode="json")
                for record in self._store.repository_for(kind).every(
                    space_id=self._account.space_id
                )
            ]
            for kind in KIND_ORDER
        }
        return {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": self._now().isoformat(),
            "account": {
                "account_id": self._account.account_id,
                "space_id": self._account.space_id,
                "name": self._account.display_name,
            },
            "links": [link.model_dump(mode="json") for link in self._links.all()],
            "records": records,
        }

    def write(self, fmt: ExportFormat | str, data_dir: Path) -> Path:
        """Write the export into `<data_dir>/exports/` (owner-only) and return its path."""
        try:
            fmt = ExportFormat(fmt)
        except ValueError:
            raise InvalidInput("invalid_choice", field="format") from None
        snapshot = self.snapshot()
        if fmt is ExportFormat.JSON:
            content = json.dumps(snapshot, ensure_ascii=False, indent=2).encode("utf-8")
        else:
            content = render_html(load_export(snapshot), self._t, self._language()).encode("utf-8")
        folder = data_dir / EXPORTS_FOLDER
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = self._now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"companion-{stamp}.{fmt.value}"
        counter = 1
        while path.exists():  # two exports in the same second keep both
            counter += 1
            path = folder / f"companion-{stamp}-{counter}.{fmt.value}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(content)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        return path


# --- the readable export -------------------------------------------------------------------

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1b1b1b;background:#fff}h1{color:#1f4f55}"
    "h2{border-bottom:2px solid #1f6f78;padding-bottom:.2rem;margin-top:2.2rem}"
    "article{border:1px solid #ccc;border-radius:8px;padding:.6rem 1rem;margin:.8rem 0}"
    ".meta{color:#4a4a4a;font-size:.9rem}.text{white-space:pre-wrap}"
    "ul.steps{list-style:none;padding-left:.2rem}"
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _day(value: date | datetime) -> str:
    return value.strftime("%d/%m/%Y")


def _moment(value: datetime) -> str:
    return value.strftime("%d/%m/%Y %H:%M")


def _group(items: list, attribute: str) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for item in items:
        grouped.setdefault(getattr(item, attribute), []).append(item)
    return grouped


class _Page:
    """Builds the readable export's sections; `tr` gives headings in the app's language."""

    def __init__(self, bundle: ExportBundle, tr: Callable[..., str]) -> None:
        self.records = bundle.records
        self.tr = tr
        self.names = {link.person_id: link.display_name for link in bundle.links}
        self.names[bundle.account["account_id"]] = bundle.account["name"]

    def of(self, kind: RecordKind) -> list:
        return self.records.get(kind, [])

    def who(self, person_id: str) -> str:
        return self.names.get(person_id) or self.tr("timeline.export_unknown_person")

    def section(self, key: str, items: list[str], *, as_list: bool = False) -> str:
        if not items:
            inner = f"<p>{_e(self.tr('timeline.export_none'))}</p>"
        elif as_list:
            inner = f"<ul>{''.join(items)}</ul>"
        else:
            inner = "".join(items)
        return f"<section><h2>{_e(self.tr(key))}</h2>{inner}</section>"

    def diary(self) -> list[str]:
        entries = sorted(self.of(RecordKind.DIARY_ENTRY), key=lambda e: e.entry_date, reverse=True)
        items = []
        for entry in entries:
            meta = [self.tr(f"mood.level_{entry.mood}")] if entry.mood else []
            meta += [self.tr(domain.label_key) for domain in entry.domains]
            items.append(
                f"<article><h3>{_e(_day(entry.entry_date))}</h3>"
                f'<p class="meta">{_e(" · ".join(meta))}</p>'
                f'<p class="text">{_e(entry.text)}</p></article>'
            )
        return items

    def moods(self) -> list[str]:
        return [
            f"<li>{_e(_moment(c.checked_at))}: {_e(self.tr(f'mood.level_{c.mood}'))}"
            + (f" — {_e(c.note)}" if c.note else "")
            + "</li>"
            for c in sorted(self.of(RecordKind.MOOD_CHECKIN), key=lambda c: c.checked_at)
        ]

    def goals(self) -> list[str]:
        steps_by_goal = _group(self.of(RecordKind.GOAL_STEP), "goal_id")
        items = []
        for goal in self.of(RecordKind.GOAL):
            steps = sorted(steps_by_goal.get(goal.id, []), key=lambda s: s.position)
            checklist = "".join(
                f"<li>{'☑' if s.status == 'done' else '☐'} {_e(s.title)}</li>" for s in steps
            )
            meta = [self.tr(goal.domain.label_key), self.tr(f"goals.status_{goal.status.value}")]
            if goal.target_date:
                meta.append(self.tr("timeline.export_target", date=_day(goal.target_date)))
            items.append(
                f'<article><h3>{_e(goal.title)}</h3><p class="meta">{_e(" · ".join(meta))}</p>'
                + (f'<p class="text">{_e(goal.why)}</p>' if goal.why else "")
                + (f'<ul class="steps">{checklist}</ul>' if checklist else "")
                + "</article>"
            )
        return items

    def reminders(self) -> list[str]:
        return [
            f"<li>{_e(r.title)} — {_e(_moment(r.first_due))}"
            f" ({_e(self.tr(f'reminders.repeat_{r.recurrence.value}'))})</li>"
            for r in self.of(RecordKind.REMINDER)
        ]

    def chats(self) -> list[str]:
        messages = _group(self.of(RecordKind.MESSAGE), "conversation_id")
        items = []
        for conversation in self.of(RecordKind.CONVERSATION):
            people = ", ".join(self.who(p) for p in conversation.participant_ids)
            lines = "".join(
                f'<li><span class="meta">{_e(_moment(m.sent_at))}</span> '
                f'<b>{_e(self.who(m.author_id))}</b>: <span class="text">{_e(m.text)}</span></li>'
                for m in sorted(messages.get(conversation.id, []), key=lambda m: m.sent_at)
            )
            items.append(f"<article><h3>{_e(people)}</h3><ul>{lines}</ul></article>")
        return items

    def documents(self) -> list[str]:
        comments = _group(self.of(RecordKind.DOCUMENT_COMMENT), "document_id")
        items = []
        for document in self.of(RecordKind.DOCUMENT):
            said = "".join(
                f"<p><b>{_e(self.tr('timeline.export_comment', name=self.who(c.author_id)))}</b>"
                f' <span class="text">{_e(c.text)}</span></p>'
                for c in comments.get(document.id, [])
            )
            items.append(
                f"<article><h3>{_e(document.title)}</h3>"
                f'<p class="meta">{_e(self.who(document.author_id))} · '
                f"{_e(_day(document.created_at))}</p>"
                f'<p class="text">{_e(document.body)}</p>{said}</article>'
            )
        return items

    def network(self, links: list[CareLink]) -> list[str]:
        items = []
        for link in links:
            period = self.tr("timeline.export_since", date=_day(link.starts_at))
            if link.ends_at:
                period += " " + self.tr("timeline.export_until", date=_day(link.ends_at))
            role = self.tr(f"role.{link.role.value}")
            items.append(f"<li>{_e(link.display_name)} ({_e(role)}): {_e(period)}</li>")
        return items


def render_html(bundle: ExportBundle, tr: Callable[..., str], language: str) -> str:
    """One self-contained, readable page: headings in the app's language, all text escaped."""
    page = _Page(bundle, tr)
    title = tr("timeline.export_title", name=bundle.account["name"])
    made = tr("timeline.export_made", when=_moment(bundle.exported_at))
    body = "".join(
        [
            f"<h1>{_e(title)}</h1>",
            f'<p class="meta">{_e(made)}</p>',
            page.section("timeline.export_diary", page.diary()),
            page.section("timeline.export_moods", page.moods(), as_list=True),
            page.section("timeline.export_goals", page.goals()),
            page.section("timeline.export_reminders", page.reminders(), as_list=True),
            page.section("timeline.export_chats", page.chats()),
            page.section("timeline.export_documents", page.documents()),
            page.section(
                "timeline.export_appointments",
                meetings_html.appointments(page, bundle.account["account_id"]),
            ),
            page.section("timeline.export_safety_plan", meetings_html.safety_plan(page)),
            page.section("timeline.export_alarms", meetings_html.alarms(page), as_list=True),
            page.section("timeline.export_network", page.network(bundle.links), as_list=True),
        ]
    )
    return (
        f'<!DOCTYPE html><html lang="{_e(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>"
    )
