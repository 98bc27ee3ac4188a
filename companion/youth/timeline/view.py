"""Mijn verhaal: the youth's story by date (filterable by life domain), a mood chart, the
documents caregivers shared with the youth's own comment, and export (HTML and JSON)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import flet as ft
import flet_charts as fch

from companion.core.dates import format_date
from companion.core.errors import NotFound, ServiceError
from companion.core.views.actions import use_action
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.files_view import use_attached_files
from companion.core.views.keyed import keyed
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    MOOD_FACES,
    body,
    card,
    decorative,
    error_text,
    heading,
    mood_label,
    primary_button,
    secondary_button,
    tag,
)
from companion.i18n import t
from companion.youth.goals.view import domain_filter
from companion.youth.timeline.service import MOOD_DAYS, EventKind, MoodPoint, TimelineEvent

PAGE = 40
ICONS = {
    EventKind.DIARY: ft.Icons.BOOK_OUTLINED,
    EventKind.GOAL_STARTED: ft.Icons.FLAG_OUTLINED,
    EventKind.GOAL_DONE: ft.Icons.EMOJI_EVENTS,
    EventKind.STEP_DONE: ft.Icons.CHECK_CIRCLE_OUTLINE,
    EventKind.DOCUMENT: ft.Icons.DESCRIPTION_OUTLINED,
    EventKind.FIRST_MESSAGE: ft.Icons.CHAT_BUBBLE_OUTLINE,
    EventKind.APPOINTMENT: ft.Icons.EVENT,
    EventKind.AGREEMENT: ft.Icons.HANDSHAKE_OUTLINED,
}


def mood_chart(points: list[MoodPoint], today, scale: float = 1.0) -> ft.Control:
    """Daily mood over the last weeks, with the same numbers in words (what a screen reader
    reads: the chart itself is a picture to it); axis room grows with the text size."""
    if not points:
        return card(
            heading(t("timeline.mood_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            tag("mood-chart-empty", body(t("timeline.mood_empty"))),
        )
    first = today - timedelta(days=MOOD_DAYS - 1)
    spots = [
        fch.LineChartDataPoint(
            (p.day - first).days,
            round(p.mood, 2),
            tooltip=fch.LineChartDataPointTooltip(
                text=f"{format_date(p.day)}: {p.mood:.1f}",
                text_style=ft.TextStyle(color=ft.Colors.ON_INVERSE_SURFACE),
            ),
        )
        for p in points
    ]
    average = sum(p.mood * p.count for p in points) / sum(p.count for p in points)
    chart = fch.LineChart(
        data_series=[
            fch.LineChartData(
                points=spots,
                color=ft.Colors.PRIMARY,
                stroke_width=3,
                curved=True,
                prevent_curve_over_shooting=True,
                point=True,
            )
        ],
        min_x=0,
        max_x=MOOD_DAYS - 1,
        min_y=0.5,
        max_y=5.5,
        height=200,
        left_axis=fch.ChartAxis(
            labels=[
                fch.ChartAxisLabel(value=level, label=ft.Icon(MOOD_FACES[level], size=18))
                for level in range(1, 6)
            ],
            label_size=32,
        ),
        bottom_axis=fch.ChartAxis(
            labels=[
                fch.ChartAxisLabel(
                    value=offset,
                    label=ft.Text(
                        (first + timedelta(days=offset)).strftime("%d/%m"),
                        theme_style=ft.TextThemeStyle.LABEL_SMALL,
                    ),
                )
                for offset in (0, 14, MOOD_DAYS - 1)
            ],
            label_size=round(32 * scale),
        ),
        horizontal_grid_lines=fch.ChartGridLines(interval=1, color=ft.Colors.OUTLINE_VARIANT),
        right_axis=fch.ChartAxis(show_labels=False),
        top_axis=fch.ChartAxis(show_labels=False),
        interactive=True,
        tooltip=fch.LineChartTooltip(
            bgcolor=ft.Colors.INVERSE_SURFACE,
            fit_inside_horizontally=True,
            fit_inside_vertically=True,
        ),
    )
    summary = t(
        "timeline.mood_summary",
        days=MOOD_DAYS,
        average=f"{average:.1f}".replace(".", ","),
        count=sum(p.count for p in points),
    )
    return card(
        heading(t("timeline.mood_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        decorative(chart),
        tag("mood-summary", ft.Text(summary, theme_style=ft.TextThemeStyle.BODY_MEDIUM)),
    )


def event_subtitle(event: TimelineEvent) -> str:
    parts = [format_date(event.day), t(f"timeline.kind_{event.kind.value}")]
    if event.kind is EventKind.STEP_DONE and event.detail:
        parts.append(t("timeline.for_goal", goal=event.detail))
    if event.kind in (EventKind.DOCUMENT, EventKind.APPOINTMENT) and event.detail:
        parts.append(t("timeline.from_person", name=event.detail))
    if event.kind is EventKind.AGREEMENT and event.detail:
        parts.append(t("timeline.at_appointment", title=event.detail))
    if event.mood:
        parts.append(mood_label(event.mood))
    return " · ".join(parts)


def event_title(event: TimelineEvent) -> str:
    if event.kind is EventKind.FIRST_MESSAGE:
        return t("timeline.first_message", name=event.title or t("goals.someone"))
    return event.title


def event_tile(event: TimelineEvent) -> ft.Control:
    target = {
        EventKind.DIARY: f"/diary/{event.record_id}",
        EventKind.DOCUMENT: f"/more/timeline/documents/{event.record_id}",
        EventKind.APPOINTMENT: f"/more/appointments/{event.record_id}",
        EventKind.AGREEMENT: f"/more/appointments/{event.opens}",
    }.get(event.kind)
    return tag(
        f"event-{event.kind.value}-{event.record_id}",
        ft.ListTile(
            leading=ft.Icon(ICONS[event.kind]),
            title=ft.Text(event_title(event), max_lines=3),
            subtitle=ft.Text(event_subtitle(event)),
            on_click=(lambda: go(target)) if target else None,
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT) if target else None,
        ),
    )


@ft.component
def ExportCard() -> ft.Control:
    services = use_services()
    session = use_session()
    page = ft.context.page
    written: Path | None
    set_written: Callable[[Path | None], None]
    written, set_written = ft.use_state(None)
    action = use_action()

    def write(fmt: str) -> Path:
        try:
            return session.export.write(fmt, services.data_dir)
        except OSError as failure:
            raise ServiceError("the export could not be written") from failure

    def export(fmt: str) -> None:
        if path := action.run(write, fmt):
            set_written(path.value)

    async def download() -> None:
        if written is None:  # its button is shown only once a file is written
            return
        await ft.FilePicker().save_file(file_name=written.name, src_bytes=written.read_bytes())

    rows: list[ft.Control] = [
        heading(t("timeline.export_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("timeline.export_intro")),
        ft.Row(
            [
                primary_button(
                    "export-html",
                    t("timeline.export_html"),
                    lambda: export("html"),
                    icon=ft.Icons.ARTICLE_OUTLINED,
                ),
                secondary_button(
                    "export-json",
                    t("timeline.export_json"),
                    lambda: export("json"),
                    icon=ft.Icons.DATA_OBJECT,
                ),
            ],
            wrap=True,
        ),
        error_text(action.error, "export-error"),
    ]
    if written is not None:
        rows.append(tag("export-path", body(t("timeline.export_done", path=str(written)))))
        if page.web:
            rows.append(
                secondary_button(
                    "export-download",
                    t("timeline.export_download"),
                    download,
                    icon=ft.Icons.DOWNLOAD,
                )
            )
        rows.append(ft.Text(t("timeline.export_private"), theme_style=ft.TextThemeStyle.BODY_SMALL))
    return card(*rows)


@ft.component
def TimelineScreen() -> ft.View:
    services = use_services()
    session = use_session()
    ui = use_ui()
    domain: str | None
    set_domain: Callable[[str | None], None]
    domain, set_domain = ft.use_state(None)
    shown, set_shown = ft.use_state(PAGE)
    events = ft.use_memo(lambda: session.timeline.events(domain), [domain, ui.revision])
    moods = ft.use_memo(session.timeline.mood_series, [ui.revision])

    def pick_domain(picked: str | None) -> None:
        set_domain(picked)
        set_shown(PAGE)

    controls: list[ft.Control] = [
        body(t("timeline.intro")),
        mood_chart(moods, services.now().date(), ui.text_scale),
        heading(t("timeline.story_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        domain_filter(domain, pick_domain, prefix="timeline-filter"),
    ]
    if events:
        controls.append(ft.Column([event_tile(e) for e in events[:shown]], spacing=0))
        if len(events) > shown:
            controls.append(
                secondary_button(
                    "timeline-more", t("timeline.more"), lambda: set_shown(shown + PAGE)
                )
            )
    else:
        key = "timeline.empty_domain" if domain else "timeline.empty"
        controls.append(tag("timeline-empty", body(t(key))))
    controls.append(keyed(ExportCard, "export")())
    return screen(t("timeline.title"), controls)


@ft.component
def DocumentScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    document_id = ft.use_route_params().get("document_id", "")
    view = ft.use_memo(lambda: _document(session, document_id), [document_id, ui.revision])
    draft, set_draft = ft.use_state(view.comment.text if view and view.comment else "")
    action = use_action()
    saved, set_saved = ft.use_state(False)
    shown = use_attached_files(use_services().files, action, [document_id], ui.revision)

    if view is None:
        return screen(
            t("timeline.document"), [tag("document-missing", body(t("timeline.document_missing")))]
        )
    document = view.document
    author = view.author_name or t("goals.someone")

    def save() -> None:
        if action.run(session.timeline.set_comment, document.id, draft):
            set_saved(True)
            ui.data_changed()

    def remove() -> None:
        if action.run(session.timeline.delete_comment, document.id):
            set_draft("")
            set_saved(False)
            ui.data_changed()

    controls: list[ft.Control] = [
        heading(document.title),
        ft.Text(
            t("timeline.document_meta", name=author, date=format_date(document.created_at.date())),
            theme_style=ft.TextThemeStyle.BODY_MEDIUM,
        ),
        card(
            tag(
                "document-body",
                # selectable text is a read-only text field to a screen reader: name it
                ft.Text(
                    document.body,
                    selectable=True,
                    semantics_label=document.body,
                    theme_style=ft.TextThemeStyle.BODY_LARGE,
                ),
            )
        ),
        *shown.rows(document.id),  # a report or plan that came with it
        heading(t("timeline.comment_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("timeline.comment_intro", name=author)),
        tag(
            "document-comment",
            ft.TextField(
                label=t("timeline.comment_label"),
                value=draft,
                multiline=True,
                min_lines=3,
                max_lines=8,
                on_change=lambda e: (set_draft(e.control.value), set_saved(False)),
            ),
        ),
        error_text(action.error),
        primary_button("document-comment-save", t("common.save"), save, icon=ft.Icons.CHECK),
    ]
    if saved:
        controls.append(
            tag("document-comment-saved", body(t("timeline.comment_saved", name=author)))
        )
    if view.comment is not None:
        controls.append(
            secondary_button(
                "document-comment-delete",
                t("timeline.comment_delete"),
                remove,
                icon=ft.Icons.DELETE_OUTLINE,
            )
        )
    return screen(t("timeline.document"), controls)


def _document(session, document_id: str):
    try:
        return session.timeline.document(document_id)
    except NotFound:
        return None
