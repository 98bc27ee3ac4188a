"""Settings: language, theme and text size, the PIN lock, the recovery code, the account and
how syncing goes (with the server's reasons for anything it refused)."""

from __future__ import annotations

import flet as ft

from companion.caregiver.frame_view import frame
from companion.caregiver.hooks import use_caregiver, use_session
from companion.core.sync_status import SyncState
from companion.core.views.context import use_ui
from companion.core.views.hooks import use_sync_state
from companion.core.views.settings_sections import AppLockSection, RecoverySection, appearance_cards
from companion.core.views.verification import trust_rows
from companion.core.views.widgets import body, card, heading, refused_words, tag
from companion.i18n import t
from companion_wire import Role


def sync_details(state: SyncState, server_url: str) -> ft.Control:
    rows: list[ft.Control] = [
        heading(t("caregiver.sync_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        tag("sync-phase", body(t(f"caregiver.sync_{state.phase.value}"))),
        body(t("caregiver.sync_pending", count=state.pending)),
        body(t("caregiver.server", url=server_url)),
    ]
    if state.detail:  # technical, for whoever helps: it says so in the user's language
        rows.append(
            ft.Text(
                t("caregiver.sync_detail", detail=state.detail),
                theme_style=ft.TextThemeStyle.BODY_SMALL,
            )
        )
    for parked in state.parked:
        kind, reason = refused_words(parked)
        rows.append(
            ft.Text(t("caregiver.sync_parked", kind=kind, reason=reason), color=ft.Colors.ERROR)
        )
    rows += trust_rows(state)
    return tag("sync-details", card(*rows))


@ft.component
def CaregiverSettingsScreen() -> ft.View:
    services = use_caregiver()
    session = use_session()
    ui = use_ui()
    state = use_sync_state()
    role = (
        t("caregiver.role_caregiver")
        if session.me.role is Role.CAREGIVER
        else t("caregiver.role_network_person")
    )
    return frame(
        t("settings.title"),
        [
            card(
                heading(t("caregiver.account_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                tag(
                    "account-name",
                    body(t("caregiver.account_line", name=session.me.display_name, role=role)),
                ),
            ),
            *appearance_cards(ui, services.settings),
            AppLockSection(),
            RecoverySection(),
            sync_details(state, services.server_url),
        ],
    )
