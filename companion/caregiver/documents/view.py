"""Documents and reports shared with one youth ("what is known about me"), their comments,
and writing a new one, optionally starting from a draft of what the youth shared, with a
file (a PDF report or plan) that goes with it, sealed like everything else."""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from companion.caregiver.documents.service import SharedDocument
from companion.caregiver.frame_view import frame, youth_gone
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.chat_files import attach_to
from companion.core.dates import format_date
from companion.core.errors import NotFound
from companion.core.files import FileService
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_ui
from companion.core.views.files_view import pick_file, use_attached_files
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    icon_button,
    primary_button,
    secondary_button,
    tag,
    text_input,
)
from companion.domain.models import Document
from companion.i18n import t


def document_card(shared: SharedDocument, youth_name: str, files: list[ft.Control]) -> ft.Control:
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
            *files,
            *comments,
        ),
    )


def file_choice(chosen: tuple[bytes, str] | None, pick, clear) -> list[ft.Control]:
    """The button that picks a file to go with the document, and the file picked."""
    controls: list[ft.Control] = [
        secondary_button(
            "document-attach", t("caregiver.document_attach"), pick, icon=ft.Icons.ATTACH_FILE
        )
    ]
    if chosen is not None:
        name = chosen[1]
        controls.append(
            ft.Row(
                [
                    tag(
                        "document-file", body(t("caregiver.document_file", name=name), expand=True)
                    ),
                    icon_button(
                        "document-file-clear",
                        ft.Icons.CLEAR,
                        t("caregiver.document_file_clear", name=name),
                        clear,
                    ),
                ]
            )
        )
    return controls


@ft.observable
@dataclass
class NewDocument(Form):
    """The document being written, and the file (a PDF report) that goes with it."""

    title: str = ""
    text: str = ""
    chosen: tuple[bytes, str] | None = None

    def draft(self, documents, space_id: str) -> None:
        self.title, self.text = documents.draft_report(space_id)

    async def pick(self) -> None:
        picked = await pick_file()
        if picked is not None:
            self.chosen = picked

    async def share(self, documents, files: FileService | None, space_id: str) -> bool:
        def write(_file: object = None) -> Document:
            return documents.share(space_id, self.title, self.text)

        if self.chosen is None or files is None:
            done = self.run(write) is not None
        else:
            done = await self.run_async(attach_to, files, write, *self.chosen) is not None
        if done:
            self.title, self.text, self.chosen = "", "", None
        return done


@ft.component
def DocumentsScreen() -> ft.View:
    services = use_caregiver()
    session = use_session()
    ui = use_ui()
    space_id = ft.use_route_params().get("space_id", "")
    form = use_model(NewDocument)

    def load():
        try:
            return session.directory.get(space_id), session.documents.list(space_id)
        except NotFound:
            return None

    found = ft.use_memo(load, [space_id, ui.revision])
    files = services.files
    shown = use_attached_files(
        files,
        form,
        [shared.document.id for shared in found[1]] if found is not None else [],
        ui.revision,
    )
    if found is None:
        return youth_gone()
    youth, documents = found

    async def share() -> None:
        if await form.share(session.documents, files, space_id):
            ui.data_changed()

    pick = form.pick if files is not None else None
    listing = [
        document_card(shared, youth.youth_name, shown.rows(shared.document.id))
        for shared in documents
    ] or [tag("documents-empty", body(t("caregiver.documents_none")))]
    return frame(
        t("caregiver.documents_title", name=youth.youth_name),
        [
            body(t("caregiver.documents_intro", name=youth.youth_name)),
            card(
                heading(t("caregiver.document_new"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                text_input(
                    "document-title",
                    t("caregiver.document_title"),
                    form.title,
                    form.setter("title"),
                ),
                text_input(
                    "document-body",
                    t("caregiver.document_body"),
                    form.text,
                    form.setter("text"),
                    multiline=True,
                    min_lines=6,
                    max_lines=16,
                ),
                *file_choice(form.chosen, pick, lambda: setattr(form, "chosen", None)),
                error_text(form.error, "document-error"),
                ft.Row(
                    [
                        secondary_button(
                            "document-draft",
                            t("caregiver.document_draft"),
                            lambda: form.draft(session.documents, space_id),
                            icon=ft.Icons.AUTO_AWESOME_OUTLINED,
                        ),
                        primary_button(
                            "document-share",
                            t("caregiver.document_share", name=youth.youth_name),
                            form.when_idle(share),
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
