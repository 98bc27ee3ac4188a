"""Diary: the youth's entries (newest first) with mood and who can read each, plus search."""

from __future__ import annotations

import flet as ft

from companion.core.dates import format_date
from companion.core.views.context import use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    icon_button,
    mood_icon,
    mood_label,
    primary_button,
    tag,
)
from companion.domain.models import DiaryEntry
from companion.i18n import t
from companion.youth.share_view import audience_for, use_share_dialog

PREVIEW_CHARS = 80


def preview(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= PREVIEW_CHARS else first[: PREVIEW_CHARS - 1] + "…"


def entry_tile(entry: DiaryEntry, audience: str, on_share) -> ft.Control:
    mood_words = mood_label(entry.mood) if entry.mood else t("diary.no_mood")
    return tag(
        f"entry-{entry.id}",
        ft.ListTile(
            leading=mood_icon(entry.mood) if entry.mood else ft.Icon(ft.Icons.NOTES, size=32),
            title=ft.Text(preview(entry.text), max_lines=2),
            subtitle=ft.Text(
                t("diary.entry_meta", date=format_date(entry.entry_date), mood=mood_words)
                + "\n"
                + audience
            ),
            is_three_line=True,
            trailing=icon_button(
                f"share-{entry.id}",
                ft.Icons.LOCK_OUTLINE if not entry.shared_with else ft.Icons.PEOPLE_OUTLINE,
                t("diary.share_tooltip"),
                lambda: on_share(entry),
            ),
            on_click=lambda: go(f"/diary/{entry.id}"),
        ),
    )


@ft.component
def DiaryScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    query, set_query = ft.use_state("")
    entries = ft.use_memo(lambda: session.diary.search(query), [query, ui.revision])
    open_share = use_share_dialog(session, ui)

    listing: list[ft.Control]
    if entries:
        listing = [entry_tile(e, audience_for(session, e), open_share) for e in entries]
    elif query.strip():
        listing = [tag("diary-empty", body(t("diary.no_results", query=query.strip())))]
    else:
        listing = [tag("diary-empty", body(t("diary.empty")))]

    return screen(
        t("diary.title"),
        [
            primary_button(
                "diary-new", t("diary.new"), lambda: go("/diary/new"), icon=ft.Icons.ADD
            ),
            tag(
                "diary-search",
                ft.TextField(
                    label=t("diary.search"),
                    value=query,
                    prefix_icon=ft.Icons.SEARCH,
                    on_change=lambda e: set_query(e.control.value),
                ),
            ),
            ft.Column(listing, spacing=4),
        ],
    )
