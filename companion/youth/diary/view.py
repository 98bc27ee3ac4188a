"""Diary: the youth's entries (newest first) with mood and who can read each, plus search."""

from __future__ import annotations

import flet as ft

from companion.core.dates import format_date
from companion.core.views.context import use_session, use_ui
from companion.core.views.hooks import use_unsent
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
SPOKEN_CHARS = 30  # enough to tell one entry's share button from the next


def preview(text: str, chars: int = PREVIEW_CHARS) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= chars else first[: chars - 1] + "…"


def entry_tile(entry: DiaryEntry, audience: str, on_share, unsent: bool = False) -> ft.Control:
    """The entry (opens it) with, beside it rather than inside it, who may read it, and
    whether it still waits to be sent."""
    mood_words = mood_label(entry.mood) if entry.mood else t("diary.no_mood")
    date = format_date(entry.entry_date)
    if unsent:
        audience += " · " + t("sync.not_sent")
    return ft.Row(
        [
            ft.Container(
                expand=True,
                content=tag(
                    f"entry-{entry.id}",
                    ft.ListTile(
                        leading=mood_icon(entry.mood)
                        if entry.mood
                        else ft.Icon(ft.Icons.NOTES, size=32),
                        title=ft.Text(preview(entry.text), max_lines=2),
                        subtitle=ft.Text(
                            t("diary.entry_meta", date=date, mood=mood_words) + "\n" + audience
                        ),
                        is_three_line=True,
                        content_padding=ft.Padding.only(left=8),
                        on_click=lambda: go(f"/diary/{entry.id}"),
                    ),
                ),
            ),
            icon_button(
                f"share-{entry.id}",
                ft.Icons.LOCK_OUTLINE if not entry.shared_with else ft.Icons.PEOPLE_OUTLINE,
                t("diary.share_entry", date=date, text=preview(entry.text, SPOKEN_CHARS)),
                lambda: on_share(entry),
            ),
        ],
        spacing=0,
    )


@ft.component
def DiaryScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    query, set_query = ft.use_state("")
    entries = ft.use_memo(lambda: session.diary.search(query), [query, ui.revision])
    open_share = use_share_dialog(session, ui)
    unsent = use_unsent()

    listing: list[ft.Control]
    if entries:
        listing = [
            entry_tile(e, audience_for(session, e), open_share, e.id in unsent) for e in entries
        ]
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
