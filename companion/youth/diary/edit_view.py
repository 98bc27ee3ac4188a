"""Write or edit one diary entry: text, mood, life domains, date; share or delete it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotFound
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_session, use_ui
from companion.core.views.hooks import use_unsent
from companion.core.views.pickers import DateField
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    checkbox,
    delete_with_confirmation,
    error_text,
    heading,
    mood_picker,
    primary_button,
    secondary_button,
    tag,
    text_input,
    unsent_mark,
)
from companion.domain.life_domains import LifeDomain
from companion.domain.models import CareLink, DiaryEntry
from companion.i18n import t
from companion.youth.share_view import (
    audience_for,
    audience_text,
    person_label,
    use_share_dialog,
)

OLDEST_ENTRY = timedelta(days=20 * 365)  # a care leaver may write about long ago


def domain_chips(selected: tuple[str, ...], on_toggle) -> ft.Control:
    return ft.Row(
        [
            tag(
                f"domain-{domain.value}",
                ft.Chip(
                    label=ft.Text(t(domain.label_key)),
                    selected=domain.value in selected,
                    on_select=lambda e, d=domain.value: on_toggle(d, bool(e.control.selected)),
                ),
            )
            for domain in LifeDomain
        ],
        wrap=True,
        spacing=8,
        run_spacing=8,
    )


@ft.observable
@dataclass
class DiaryDraft(Form):
    """The entry as typed: text, mood, life domains and date."""

    text: str = ""
    mood: int | None = None
    domains: tuple[str, ...] = ()
    day: str = ""
    readers: tuple[str, ...] = ()  # a new entry's readers, chosen while writing
    confirming_delete: bool = False

    @classmethod
    def of(cls, original: DiaryEntry | None, default_day: date) -> DiaryDraft:
        if original is None:
            return cls(day=format_date(default_day))
        return cls(
            text=original.text,
            mood=original.mood,
            domains=tuple(d.value for d in original.domains),
            day=format_date(original.entry_date),
        )

    def toggle_domain(self, domain: str, on: bool) -> None:
        rest = tuple(d for d in self.domains if d != domain)
        self.domains = (*rest, domain) if on else rest

    def toggle_reader(self, person_id: str, on: bool) -> None:
        rest = tuple(p for p in self.readers if p != person_id)
        self.readers = (*rest, person_id) if on else rest

    def pick_mood(self, mood: int) -> None:
        self.mood = None if mood == self.mood else mood  # a second tap takes it back

    def save(self, diary, original: DiaryEntry | None) -> bool:
        def write() -> None:
            entry_date = parse_date(self.day, field="entry_date")
            fields = {"mood": self.mood, "domains": self.domains, "entry_date": entry_date}
            if original is None:
                diary.write(self.text, shared_with=self.readers, **fields)
            else:
                diary.edit(original.id, text=self.text, **fields)

        return bool(self.run(write))


def readers_section(form: DiaryDraft, links: list[CareLink], scale: float) -> list[ft.Control]:
    """Who may read a new entry, chosen while writing it (private unless ticked)."""
    rows: list[ft.Control] = [heading(t("share.title"), style=ft.TextThemeStyle.TITLE_MEDIUM)]
    if not links:
        return [*rows, body(t("share.no_links"))]

    def ticked(person_id: str) -> Callable[[bool], None]:
        return lambda on: form.toggle_reader(person_id, on)

    rows += [
        checkbox(
            f"new-share-{link.person_id}",
            person_label(link),
            link.person_id in form.readers,
            ticked(link.person_id),
            scale=scale,
        )
        for link in links
    ]
    chosen = [link.display_name for link in links if link.person_id in form.readers]
    rows.append(tag("new-share-summary", body(t("share.who_sees", audience=audience_text(chosen)))))
    return rows


def entry_form(form: DiaryDraft, scale: float, save, today: date) -> list[ft.Control]:
    return [
        text_input(
            "diary-text",
            t("diary.text_label"),
            form.text,
            form.setter("text"),
            multiline=True,
            min_lines=5,
            max_lines=12,
        ),
        heading(t("diary.mood_question"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        mood_picker(form.mood, form.pick_mood, prefix="entry-mood", scale=scale),
        heading(t("diary.domains_question"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        domain_chips(form.domains, form.toggle_domain),
        DateField(
            "diary-date",
            t("diary.date_label"),
            form.day,
            form.setter("day"),
            first=today - OLDEST_ENTRY,
            last=today,  # an entry is about a day that came
        ),
        error_text(form.error),
        primary_button("diary-save", t("common.save"), save, icon=ft.Icons.CHECK),
    ]


@ft.component
def DiaryEditScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    entry_id = ft.use_route_params().get("entry_id")
    original = ft.use_memo(lambda: _load(session, entry_id), [entry_id, ui.revision])
    form = use_model(lambda: DiaryDraft.of(original, session.diary.default_date()))
    open_share = use_share_dialog(session, ui)
    unsent = use_unsent()
    links = ft.use_memo(session.links.active, [ui.revision])

    if entry_id is not None and original is None:
        return screen(t("diary.edit_title"), [tag("diary-missing", body(t("diary.missing")))])

    def save() -> None:
        if form.save(session.diary, original):
            ui.data_changed()
            go("/diary")

    def delete() -> None:
        session.diary.delete(original.id)
        ui.data_changed()
        go("/diary")

    controls = entry_form(form, ui.text_scale, save, session.diary.default_date())
    if original is None:
        readers = readers_section(form, links, ui.text_scale)
        return screen(t("diary.new_title"), [*controls[:-2], *readers, *controls[-2:]])
    controls += [
        tag("entry-audience", body(t("share.who_sees", audience=audience_for(session, original)))),
        *([unsent_mark("entry-unsent", t("sync.not_sent_entry"))] if original.id in unsent else []),
        secondary_button(
            "diary-share", t("diary.share"), lambda: open_share(original), icon=ft.Icons.SHARE
        ),
        *delete_with_confirmation(
            "diary",
            form.confirming_delete,
            form.setter("confirming_delete"),
            delete,
            (t("diary.delete"), t("diary.delete_confirm"), t("diary.delete_yes")),
        ),
    ]
    return screen(t("diary.edit_title"), controls)


def _load(session, entry_id: str | None):
    if entry_id is None:
        return None
    try:
        return session.diary.get(entry_id)
    except NotFound:
        return None
