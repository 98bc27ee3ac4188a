"""Checking someone's keys together, and what the device refused from the server.

Content is sealed only for people whose keys this account checked (docs/security.md), so
each linked person shows where that stands: checked, not yet, or changed. Checking is two
people comparing one number on their two screens; the youth app and the caregiver app
show the same card.
"""

from __future__ import annotations

import flet as ft

from companion.core.sync_status import SyncState
from companion.core.verification import Verification
from companion.core.views.actions import use_action
from companion.core.views.context import use_ui
from companion.core.views.widgets import (
    body,
    error_text,
    primary_button,
    secondary_button,
    tag,
)
from companion.i18n import t

_ICONS = {
    "verified": ft.Icons.VERIFIED_USER,
    "unverified": ft.Icons.GPP_MAYBE,
    "changed": ft.Icons.GPP_BAD,
    "unknown": ft.Icons.HOURGLASS_EMPTY,
}
_COLORS = {
    "verified": ft.Colors.PRIMARY,
    "unverified": None,
    "changed": ft.Colors.ERROR,
    "unknown": None,
}


def spoken_number(number: str) -> str:
    """A safety number as a screen reader should say it: digit by digit, a pause between
    groups (read as written, "04217" would be heard as a count)."""
    return ", ".join(" ".join(group) for group in number.split())


def safety_number_view(identifier: str, number: str) -> ft.Control:
    """A safety number in groups of five that wrap between groups, never inside one, on a
    phone as narrow as 320 px and at any text size; spoken digit by digit."""
    groups: list[ft.Control] = [
        ft.Text(
            group,
            theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
            font_family="monospace",
            weight=ft.FontWeight.BOLD,
        )
        for group in number.split()
    ]
    return ft.Semantics(
        identifier=identifier,
        label=t("verify.number_label", number=spoken_number(number)),
        container=True,
        exclude_semantics=True,
        content=ft.Row(groups, wrap=True, spacing=16, run_spacing=4),
    )


@ft.component
def KeyCheck(verification: Verification, person_id: str, name: str, space_id: str) -> ft.Control:
    """Where this account stands with `name`'s keys; when not checked, the number to
    compare and the buttons that say whether both screens showed it (either app's session
    passes its `verification`)."""
    ui = use_ui()
    action = use_action()
    # "idle", "comparing" (the number on screen) or "different" (they said it was not)
    step, set_step = ft.use_state("idle")
    checked, set_checked = ft.use_state(0)
    keys = ft.use_memo(lambda: verification.of(person_id), [ui.revision, checked])
    status = keys.status.value

    def confirm() -> None:
        if action.run(verification.confirm, person_id, space_id):
            set_step("idle")
            set_checked(checked + 1)
            ui.data_changed()

    rows: list[ft.Control] = [
        ft.Row(
            [
                ft.Icon(_ICONS[status], color=_COLORS[status]),
                ft.Semantics(
                    identifier=f"key-status-{person_id}",
                    container=True,
                    live_region=True,  # said aloud when it turns to checked
                    content=ft.Text(
                        t(f"verify.status_{status}", name=name),
                        theme_style=ft.TextThemeStyle.BODY_LARGE,
                    ),
                    expand=True,
                ),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
        )
    ]
    if status == "verified" or keys.safety_number is None:
        return ft.Column(rows, spacing=8)
    if step == "different":
        rows.append(tag(f"key-different-{person_id}", body(t("verify.no_match_help", name=name))))
    if step != "comparing":
        rows.append(
            secondary_button(
                f"key-compare-{person_id}",
                t("verify.compare", name=name),
                lambda: set_step("comparing"),
                icon=ft.Icons.PIN_OUTLINED,
            )
        )
        return ft.Column(rows, spacing=8)
    rows += [
        body(t("verify.how", name=name)),
        safety_number_view(f"safety-number-{person_id}", keys.safety_number),
        ft.Row(
            [
                primary_button(f"key-match-{person_id}", t("verify.match"), confirm),
                secondary_button(
                    f"key-no-match-{person_id}", t("verify.no_match"), lambda: set_step("different")
                ),
            ],
            wrap=True,
        ),
        error_text(action.error, f"key-error-{person_id}"),
    ]
    return ft.Column(rows, spacing=12)


def trust_rows(snapshot: SyncState) -> list[ft.Control]:
    """What this device refused or could not open from the server, said plainly: the user
    should know when the server serves something it should not."""
    rows: list[ft.Control] = []
    if snapshot.rejected:
        rows.append(tag("sync-rejected", body(t("verify.rejected", count=snapshot.rejected))))
    if snapshot.unreadable:
        rows.append(tag("sync-unreadable", body(t("verify.unreadable", count=snapshot.unreadable))))
    return rows
