"""My network & privacy: who is linked (since, until), what each person can see, the access
log, stopping access or setting an end date, and inviting someone with a code."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotConnected, ServiceError
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.shell import screen
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    primary_button,
    secondary_button,
    tag,
    text_button,
)
from companion.i18n import t
from companion.youth.chat.view import hours_text
from companion.youth.network.service import AccessPage, LinkedPerson, PendingInvitation
from companion_wire import LinkStatus, Role


def period_text(person: LinkedPerson) -> str:
    link = person.link
    since = t("network.since", date=format_date(link.starts_at.date()))
    if link.ends_at is None:
        return since + " · " + t("network.no_end")
    return since + " · " + t("network.until", date=format_date(link.ends_at.date()))


def status_text(person: LinkedPerson) -> str:
    if person.active:
        return t("network.status_active")
    if person.link.status is LinkStatus.REVOKED:
        return t("network.status_revoked")
    if person.link.status is LinkStatus.INVITED:
        return t("network.status_invited")
    return t("network.status_ended")


@ft.component
def PersonCard(person: LinkedPerson, on_changed: Callable[[], None]) -> ft.Control:
    session = use_session()
    link = person.link
    open_items, set_open_items = ft.use_state(False)
    end_day, set_end_day = ft.use_state(format_date(link.ends_at.date()) if link.ends_at else "")
    confirming, set_confirming = ft.use_state(False)
    error, set_error = ft.use_state(None)
    done, set_done = ft.use_state(None)

    async def save_end() -> None:
        try:
            day = parse_date(end_day, field="ends_at") if end_day.strip() else None
            await session.network.set_end_date(link.id, day)
        except ServiceError as failure:
            set_error(failure)
            return
        set_error(None)
        set_done(t("network.end_saved"))
        on_changed()

    async def revoke() -> None:
        set_confirming(False)
        try:
            await session.network.revoke(link.id)
        except ServiceError as failure:
            set_error(failure)
            return
        set_error(None)
        on_changed()

    rows: list[ft.Control] = [
        heading(
            t("share.person", name=link.display_name, role=t(f"role.{link.role.value}")),
            style=ft.TextThemeStyle.TITLE_MEDIUM,
        ),
        tag(f"person-status-{link.person_id}", body(status_text(person))),
        ft.Text(period_text(person), theme_style=ft.TextThemeStyle.BODY_MEDIUM),
    ]
    if person.availability is not None and person.availability.slots:
        rows.append(body(t("chat.hours", hours=hours_text(person.availability.slots))))
    count = len(person.shared)
    if person.active:
        sees = t("network.sees_count", count=count) if count else t("network.sees_nothing")
    else:
        sees = t("network.sees_no_more")
    rows.append(tag(f"person-sees-{link.person_id}", body(sees)))
    if person.active and count:
        rows.append(
            text_button(
                f"person-items-{link.person_id}",
                t("network.hide_items") if open_items else t("network.show_items"),
                lambda: set_open_items(not open_items),
            )
        )
        if open_items:
            rows += [
                ft.Text(
                    f"{format_date(item.when)} · {t(f'network.kind_{item.kind.value}')}"
                    + (f": {item.title}" if item.title else ""),
                    theme_style=ft.TextThemeStyle.BODY_MEDIUM,
                )
                for item in person.shared
            ]
    if person.active:
        rows += [
            tag(
                f"link-end-{link.id}",
                ft.TextField(
                    label=t("network.end_label"),
                    hint_text="31/12/2026",
                    value=end_day,
                    keyboard_type=ft.KeyboardType.DATETIME,
                    on_change=lambda e: set_end_day(e.control.value),
                ),
            ),
            ft.Row(
                [
                    secondary_button(
                        f"link-end-save-{link.id}",
                        t("network.end_save"),
                        save_end,
                        icon=ft.Icons.EVENT,
                    ),
                    secondary_button(
                        f"link-revoke-{link.id}",
                        t("network.revoke"),
                        lambda: set_confirming(True),
                        icon=ft.Icons.BLOCK,
                    ),
                ],
                wrap=True,
            ),
        ]
    rows.append(error_text(error, f"person-error-{link.person_id}"))
    if done:
        rows.append(tag(f"person-done-{link.person_id}", body(done)))
    dialog = None
    if confirming:
        dialog = ft.AlertDialog(
            modal=True,
            title=ft.Text(t("network.revoke_title", name=link.display_name)),
            content=ft.Text(t("network.revoke_explain", name=link.display_name)),
            actions=[
                text_button("revoke-cancel", t("common.cancel"), lambda: set_confirming(False)),
                tag("revoke-confirm", ft.FilledButton(t("network.revoke_yes"), on_click=revoke)),
            ],
            on_dismiss=lambda: set_confirming(False),
        )
    ft.use_dialog(dialog)
    return card(*rows)


def invitation_row(invitation: PendingInvitation, withdraw) -> ft.Control:
    expires = (
        t("network.invite_expires", date=format_date(invitation.expires_at.date()))
        if invitation.expires_at
        else ""
    )
    return ft.Row(
        [
            ft.Text(
                t("network.invited_role", role=t(f"role.{invitation.role.value}")) + " " + expires,
                expand=True,
                theme_style=ft.TextThemeStyle.BODY_MEDIUM,
            ),
            text_button(
                f"invitation-withdraw-{invitation.link_id}",
                t("network.withdraw"),
                lambda: withdraw(invitation.link_id),
            ),
        ]
    )


@ft.component
def InviteCard(on_changed: Callable[[], None]) -> ft.Control:
    session = use_session()
    role, set_role = ft.use_state(Role.CAREGIVER.value)
    until, set_until = ft.use_state("")
    code, set_code = ft.use_state(None)
    error, set_error = ft.use_state(None)

    async def create() -> None:
        try:
            last_day = parse_date(until, field="ends_at") if until.strip() else None
            invitation = await session.network.invite(role, last_day)
        except ServiceError as failure:
            set_error(failure)
            return
        set_error(None)
        set_code(invitation.code)
        on_changed()

    rows: list[ft.Control] = [
        heading(t("network.invite_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("network.invite_intro")),
        tag(
            "invite-role",
            ft.RadioGroup(
                value=role,
                on_change=lambda e: set_role(e.control.value),
                content=ft.Column(
                    [
                        ft.Radio(value=Role.CAREGIVER.value, label=t("network.invite_caregiver")),
                        ft.Radio(value=Role.NETWORK.value, label=t("network.invite_network")),
                    ],
                    spacing=0,
                ),
            ),
        ),
        tag(
            "invite-until",
            ft.TextField(
                label=t("network.invite_until"),
                hint_text="31/12/2026",
                value=until,
                keyboard_type=ft.KeyboardType.DATETIME,
                on_change=lambda e: set_until(e.control.value),
            ),
        ),
        error_text(error, "invite-error"),
        primary_button(
            "invite-create", t("network.invite_create"), create, icon=ft.Icons.PERSON_ADD
        ),
    ]
    if code:
        rows += [
            body(t("network.invite_code_intro")),
            tag(
                "invite-code",
                # plain text, not selectable: Flutter's selectable text hides it from screen readers
                ft.Text(code, theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM),
            ),
            body(t("network.invite_check")),
        ]
    return card(*rows)


@ft.component
def AccessLogCard() -> ft.Control:
    session = use_session()
    page, set_page = ft.use_state(None)
    problem, set_problem = ft.use_state(None)

    async def load() -> None:
        try:
            result: AccessPage = await session.network.access_log()
        except NotConnected:
            set_problem(t("network.access_offline"))
            return
        except ServiceError as failure:
            set_problem(t(failure.message_key, **failure.params))
            return
        set_problem(None)
        set_page(result)

    rows: list[ft.Control] = [
        heading(t("network.access_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("network.access_intro")),
        secondary_button("access-log-load", t("network.access_load"), load, icon=ft.Icons.HISTORY),
    ]
    if problem:
        rows.append(tag("access-log-problem", body(problem)))
    if page is not None:
        if not page.entries:
            rows.append(tag("access-log-empty", body(t("network.access_empty"))))
        rows += [
            ft.Text(
                t(
                    "network.access_entry",
                    when=entry.at.strftime("%d/%m/%Y %H:%M"),
                    who=entry.who or t("network.access_deleted"),
                    what=t(f"network.kind_{entry.kind.value}"),
                ),
                theme_style=ft.TextThemeStyle.BODY_MEDIUM,
            )
            for entry in page.entries
        ]
    return card(*rows)


@ft.component
def NetworkScreen() -> ft.View:
    services = use_services()
    session = use_session()
    ui = use_ui()
    # opening "my network" asks for a sync: who is linked may have changed on the server
    ft.use_effect(services.resume_sync, dependencies=[])
    people = ft.use_memo(session.network.people, [ui.revision])
    invitations = ft.use_memo(session.network.pending_invitations, [ui.revision])
    error, set_error = ft.use_state(None)

    async def withdraw(link_id: str) -> None:
        try:
            await session.network.revoke(link_id)
        except ServiceError as failure:
            set_error(failure)
            return
        ui.data_changed()

    controls: list[ft.Control] = [body(t("network.intro"))]
    if people:
        controls += [PersonCard(person, ui.data_changed, key=person.link.id) for person in people]
    else:
        controls.append(tag("network-empty", body(t("network.empty"))))
    if invitations:
        controls.append(
            card(
                heading(t("network.pending_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                *[invitation_row(i, withdraw) for i in invitations],
                error_text(error, "invitation-error"),
            )
        )
    controls += [
        InviteCard(ui.data_changed, key="invite"),
        AccessLogCard(key="access-log"),
        ft.Text(t("network.recall_note"), theme_style=ft.TextThemeStyle.BODY_SMALL),
    ]
    return screen(t("network.title"), controls)
