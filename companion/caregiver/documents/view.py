"""Documents and reports shared with one youth ("what is known about me"), their comments,
and writing a new one, optionally starting from a draft of what the youth shared."""

from __future__ import annotations

import flet as ft

from companion.caregiver.documents.service import SharedDocument
from companion.caregiver.frame_view import frame, youth_gone
from companion.caregiver.hooks import use_session
from companion.core.dates import format_date
from companion.core.errors import NotFound
from companion.core.views.actions import use_action
from companion.core.views.context import use_ui
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
    text_input,
)
from companion.i18n import t


def document_card(shared: SharedDocument, youth_name: str) -> ft.Control:
    document = shared.document
    comments: list[ft.Control] = [
        tag(
            f"comment-{comment.id}",
            ft.Container(
                ft.Text(t("caregiver.comment_line", name=youth_name, text=comment.text)),
                padding=10,
                border_radius=8,
                bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH,
            ),
        )
        for comment in shared.comments
    ] or [ft.Text(t("caregiver.no_comment", name=youth_name))]
    return tag(
        f"document-{document.id}",
        card(
            heading(document.title, style=ft.TextThemeStyle.TITLE_MEDIUM),
            ft.Text(
                t("caregiver.shared_on", date=format_date(document.created_at.astimezone().date())),
                theme_style=ft.TextThemeStyle.LABEL_LARGE,
            ),
            ft.Text(document.body),
            *comments,
        ),
    )


@ft.component
def DocumentsScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    space_id = ft.use_route_params().get("space_id", "")
    title, set_title = ft.use_state("")
    text, set_text = ft.use_state("")
    action = use_action()

    def load():
        try:
            return session.directory.get(space_id), session.documents.list(space_id)
        except NotFound:
            return None

    found = ft.use_memo(load, [space_id, ui.revision])
    if found is None:
        return youth_gone()
    youth, documents = found

    def draft() -> None:
        drafted_title, drafted_body = session.documents.draft_report(space_id)
        set_title(drafted_title)
        set_text(drafted_body)

    def share() -> None:
        if action.run(session.documents.share, space_id, title, text):
            set_title("")
            set_text("")
            ui.data_changed()

    listing = [document_card(shared, youth.youth_name) for shared in documents] or [
        tag("documents-empty", body(t("caregiver.documents_none")))
    ]
    return frame(
        t("caregiver.documents_title", name=youth.youth_name),
        [
            body(t("caregiver.documents_intro", name=youth.youth_name)),
            card(
                heading(t("caregiver.document_new"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                text_input("document-title", t("caregiver.document_title"), title, set_title),
                text_input(
                    "document-body",
                    t("caregiver.document_body"),
                    text,
                    set_text,
                    multiline=True,
                    min_lines=6,
                    max_lines=16,
                ),
                error_text(action.error, "document-error"),
                ft.Row(
                    [
                        secondary_button(
                            "document-draft",
                            t("caregiver.document_draft"),
                            draft,
                            icon=ft.Icons.AUTO_AWESOME_OUTLINED,
                        ),
                        primary_button(
                            "document-share",
                            t("caregiver.document_share", name=youth.youth_name),
                            share,
                            icon=ft.Icons.SEND,
                        ),
                    ],
                    spacing=12,
                    wrap=True,
                ),
                stretch=True,
            ),
            tag(
                "documents",
                ft.Column(listing, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            ),
        ],
        back=f"/youth/{space_id}",
    )
