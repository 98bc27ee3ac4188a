"""'Mijn papieren': file a paper (a photo or a file) in a drawer, open it, and share it with
exactly the people you choose, or with no one."""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from companion.core.chat_files import contents
from companion.core.views.actions import Form, use_model
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.files_view import file_rows, pick_file, use_file_viewer
from companion.core.views.shell import screen
from companion.core.views.widgets import (
    body,
    card,
    choice_group,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
    text_input,
)
from companion.domain.files import Attachment, PaperCategory
from companion.i18n import t
from companion.youth.share_view import audience_for, use_share_dialog


@ft.observable
@dataclass
class PaperForm(Form):
    drawer: str = PaperCategory.IDENTITY.value
    title: str = ""


def paper_card(
    paper: Attachment, audience: str, waiting: frozenset[str], on_open, on_share
) -> ft.Control:
    name = paper.title or paper.name
    return card(
        tag(f"paper-{paper.id}", ft.Text(name, theme_style=ft.TextThemeStyle.TITLE_SMALL)),
        body(audience),
        *file_rows([paper], waiting, on_open),
        secondary_button(
            f"paper-share-{paper.id}",
            t("papers.share"),
            lambda: on_share(paper),
            icon=ft.Icons.PEOPLE_OUTLINE,
            name=t("goals.named", action=t("papers.share"), title=name),
        ),
    )


@ft.component
def PapersScreen() -> ft.View:
    services = use_services()
    session = use_session()
    ui = use_ui()
    form = use_model(PaperForm)
    papers = services.papers
    drawers = ft.use_memo(lambda: papers.drawers() if papers is not None else [], [ui.revision])

    async def read(paper: Attachment) -> bytes:
        files = services.files
        if files is None:  # no papers are shown without files
            raise RuntimeError("no files on this device")
        return await contents(files, paper)

    open_file = use_file_viewer(form, read)
    open_share = use_share_dialog(session, ui, papers.share if papers is not None else None)

    if papers is None:
        return screen(
            t("papers.title"), [tag("papers-unavailable", body(t("papers.needs_server")))]
        )

    async def add() -> None:
        chosen = await pick_file()
        if chosen is None:
            return
        if await form.run_async(papers.add, form.drawer, form.title, *chosen):
            form.title = ""
            ui.data_changed()

    drawer_names = [(c.value, t(f"papers.drawer_{c.value}")) for c in PaperCategory]
    controls: list[ft.Control] = [
        body(t("papers.intro")),
        card(
            heading(t("papers.add_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
            choice_group(
                "paper-drawer",
                form.drawer,
                drawer_names,
                form.setter("drawer"),
                scale=ui.text_scale,
            ),
            text_input(
                "paper-title",
                t("papers.title_label"),
                form.title,
                form.setter("title"),
                helper=t("common.optional"),
            ),
            error_text(form.error),
            primary_button(
                "paper-add", t("papers.add"), form.when_idle(add), icon=ft.Icons.UPLOAD_FILE
            ),
        ),
    ]
    if not drawers:
        controls.append(tag("papers-empty", body(t("papers.empty"))))
    waiting = papers.waiting()
    for drawer, found in drawers:
        controls.append(
            heading(t(f"papers.drawer_{drawer.value}"), style=ft.TextThemeStyle.TITLE_MEDIUM)
        )
        controls += [
            paper_card(paper, audience_for(session, paper), waiting, open_file, open_share)
            for paper in found
        ]
    return screen(t("papers.title"), controls)
