"""Write or edit one diary entry: text, mood, life domains, date; share or delete it."""

from __future__ import annotations

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotFound, ServiceError
from companion.core.views.context import use_session, use_ui
from companion.core.views.shell import go, screen
from companion.core.views.widgets import (
    body,
    error_text,
    heading,
    mood_picker,
    primary_button,
    secondary_button,
    tag,
)
from companion.domain.life_domains import LifeDomain
from companion.i18n import t
from companion.youth.share_view import audience_for, use_share_dialog


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


@ft.component
def DiaryEditScreen() -> ft.View:
    session = use_session()
    ui = use_ui()
    entry_id = ft.use_route_params().get("entry_id")
    original = ft.use_memo(lambda: _load(session, entry_id), [entry_id, ui.revision])
    text, set_text = ft.use_state(original.text if original else "")
    mood, set_mood = ft.use_state(original.mood if original else None)
    domains, set_domains = ft.use_state(
        tuple(d.value for d in original.domains) if original else ()
    )
    day, set_day = ft.use_state(
        format_date(original.entry_date if original else session.diary.default_date())
    )
    error, set_error = ft.use_state(None)
    confirming_delete, set_confirming_delete = ft.use_state(False)
    open_share = use_share_dialog(session, ui)

    if entry_id is not None and original is None:
        return screen(t("diary.edit_title"), [tag("diary-missing", body(t("diary.missing")))])

    def toggle_domain(domain: str, on: bool) -> None:
        rest = tuple(d for d in domains if d != domain)
        set_domains((*rest, domain) if on else rest)

    def save() -> None:
        try:
            entry_date = parse_date(day, field="entry_date")
            if original is None:
                session.diary.write(text, mood=mood, domains=domains, entry_date=entry_date)
            else:
                session.diary.edit(
                    original.id, text=text, mood=mood, domains=domains, entry_date=entry_date
                )
        except ServiceError as failure:
            set_error(failure)
            return
        ui.data_changed()
        go("/diary")

    def delete() -> None:
        session.diary.delete(original.id)
        ui.data_changed()
        go("/diary")

    controls: list[ft.Control] = [
        tag(
            "diary-text",
            ft.TextField(
                label=t("diary.text_label"),
                value=text,
                multiline=True,
                min_lines=5,
                max_lines=12,
                on_change=lambda e: set_text(e.control.value),
            ),
        ),
        heading(t("diary.mood_question"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        mood_picker(
            mood,
            lambda m: set_mood(None if m == mood else m),
            prefix="entry-mood",
            scale=ui.text_scale,
        ),
        heading(t("diary.domains_question"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        domain_chips(domains, toggle_domain),
        tag(
            "diary-date",
            ft.TextField(
                label=t("diary.date_label"),
                value=day,
                keyboard_type=ft.KeyboardType.DATETIME,
                on_change=lambda e: set_day(e.control.value),
            ),
        ),
        error_text(error),
        primary_button("diary-save", t("common.save"), save, icon=ft.Icons.CHECK),
    ]
    if original is not None:
        controls += [
            tag(
                "entry-audience",
                body(t("share.who_sees", audience=audience_for(session, original))),
            ),
            secondary_button(
                "diary-share", t("diary.share"), lambda: open_share(original), icon=ft.Icons.SHARE
            ),
        ]
        if confirming_delete:
            controls += [
                body(t("diary.delete_confirm")),
                ft.Row(
                    [
                        secondary_button(
                            "diary-delete-cancel",
                            t("common.cancel"),
                            lambda: set_confirming_delete(False),
                        ),
                        primary_button("diary-delete-yes", t("diary.delete_yes"), delete),
                    ],
                    wrap=True,
                ),
            ]
        else:
            controls.append(
                secondary_button(
                    "diary-delete",
                    t("diary.delete"),
                    lambda: set_confirming_delete(True),
                    icon=ft.Icons.DELETE_OUTLINE,
                )
            )
    title = t("diary.new_title") if original is None else t("diary.edit_title")
    return screen(title, controls)


def _load(session, entry_id: str | None):
    if entry_id is None:
        return None
    try:
        return session.diary.get(entry_id)
    except NotFound:
        return None
