"""The per-item sharing dialog: names exactly who will be able to read the item.

Private is the default and is said in words ("Only you"). Only people with an active care
link can be chosen. The dialog says plainly that unsharing cannot recall what someone
already received (DESIGN §4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import flet as ft

from companion.core.views.actions import use_action
from companion.core.views.state import UiState
from companion.core.views.widgets import (
    body,
    checkbox,
    error_text,
    primary_button,
    tag,
    text_button,
)
from companion.domain.models import CareLink, Record
from companion.i18n import t
from companion.youth.session import YouthSession


def person_label(link: CareLink) -> str:
    return t("share.person", name=link.display_name, role=t(f"role.{link.role.value}"))


def audience_text(names: Sequence[str]) -> str:
    """'Only you', or 'You and A, B and C' - the exact readers of an item."""
    if not names:
        return t("share.only_you")
    if len(names) == 1:
        return t("share.you_and", names=names[0])
    listed = t("share.list_and", first=", ".join(names[:-1]), last=names[-1])
    return t("share.you_and", names=listed)


def audience_for(space: YouthSession, entry: Record) -> str:
    return audience_text(space.links.names(entry.shared_with))


def use_share_dialog(
    space: YouthSession,
    ui: UiState,
    share: Callable[[str, Sequence[str]], object] | None = None,
) -> Callable[[Record], None]:
    """Hook: returns `open(item)`; renders the dialog while an item is being shared.
    `share(item_id, people)` saves the choice (a diary entry's, unless told otherwise)."""
    entry: Record | None
    set_entry: Callable[[Record | None], None]
    entry, set_entry = ft.use_state(None)
    chosen: tuple[str, ...]
    set_chosen: Callable[[tuple[str, ...]], None]
    chosen, set_chosen = ft.use_state(())
    action = use_action()

    def open_for(target: Record) -> None:
        action.error = None
        set_chosen(tuple(target.shared_with))
        set_entry(target)

    def close() -> None:
        set_entry(None)

    def toggle(person_id: str, on: bool) -> None:
        current = [pid for pid in chosen if pid != person_id]
        set_chosen(tuple([*current, person_id] if on else current))

    def save() -> None:
        if entry is not None and action.run(share or space.diary.share, entry.id, chosen):
            set_entry(None)
            ui.data_changed()

    dialog = None
    if entry is not None:
        links = space.links.active()
        chosen_names = [link.display_name for link in links if link.person_id in chosen]
        rows: list[ft.Control] = []
        if not links:
            rows.append(body(t("share.no_links")))
        for link in links:
            rows.append(
                checkbox(
                    f"share-person-{link.person_id}",
                    person_label(link),
                    link.person_id in chosen,
                    partial(toggle, link.person_id),
                    scale=ui.text_scale,
                )
            )
        rows += [
            tag(
                "share-summary",
                ft.Text(
                    t("share.who_sees", audience=audience_text(chosen_names)),
                    theme_style=ft.TextThemeStyle.TITLE_SMALL,
                ),
            ),
            ft.Text(t("share.cannot_recall"), theme_style=ft.TextThemeStyle.BODY_SMALL),
            error_text(action.error),
        ]
        dialog = ft.AlertDialog(
            modal=True,
            semantics_label=t("share.title"),  # the dialog's name for screen readers
            title=ft.Text(t("share.title")),
            content=ft.Column(rows, tight=True, spacing=8, scroll=ft.ScrollMode.AUTO),
            actions=[
                text_button("share-cancel", t("common.cancel"), close),
                primary_button("share-save", t("common.save"), save),
            ],
            on_dismiss=lambda: set_entry(None),
        )
    ft.use_dialog(dialog)
    return open_for
