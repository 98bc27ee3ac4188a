"""My network & privacy: who is linked (since, until), what each person can see, the access
log, stopping access or setting an end date, and inviting someone with a code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import flet as ft

from companion.core.dates import format_date, parse_date
from companion.core.errors import NotConnected, ServiceError
from companion.core.views.actions import Form, use_action, use_model
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.keyed import keyed
from companion.core.views.pickers import DateField
from companion.core.views.shell import screen
from companion.core.views.verification import KeyCheck, safety_number_view
from companion.core.views.widgets import (
    body,
    card,
    choice_group,
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

LONGEST_ACCESS = timedelta(days=10 * 365)  # an end date can be set years ahead (until 25)


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


@ft.observable
@dataclass
class LinkEdit(Form):
    """One linked person's card: the shared items opened, the end date typed, a revoke
    being confirmed, and what was just done."""

    open_items: bool = False
    end_day: str = ""
    confirming: bool = False
    done: str | None = None

    def toggle_items(self) -> None:
        self.open_items = not self.open_items

    def confirm_revoke(self, asking: bool) -> None:
        self.confirming = asking

    async def save_end(self, network, link_id: str) -> bool:
        async def save() -> None:
            day = parse_date(self.end_day, field="ends_at") if self.end_day.strip() else None
            await network.set_end_date(link_id, day)

        if await self.run_async(save):
            self.done = t("network.end_saved")
            return True
        return False

    async def revoke(self, network, link_id: str) -> bool:
        self.confirming = False
        return bool(await self.run_async(network.revoke, link_id))


def shared_rows(person: LinkedPerson, form: LinkEdit) -> list[ft.Control]:
    """What this person can see: a count, and the items themselves on request."""
    link = person.link
    count = len(person.shared)
    if person.active:
        sees = t("network.sees_count", count=count) if count else t("network.sees_nothing")
    else:
        sees = t("network.sees_no_more")
    rows: list[ft.Control] = [tag(f"person-sees-{link.person_id}", body(sees))]
    if not (person.active and count):
        return rows
    items = t("network.hide_items") if form.open_items else t("network.show_items")
    rows.append(
        text_button(
            f"person-items-{link.person_id}",
            items,
            form.toggle_items,
            name=t("goals.named", action=items, title=link.display_name),
        )
    )
    if form.open_items:
        rows += [
            ft.Text(
                f"{format_date(item.when)} · {t(f'network.kind_{item.kind.value}')}"
                + (f": {item.title}" if item.title else ""),
                theme_style=ft.TextThemeStyle.BODY_MEDIUM,
            )
            for item in person.shared
        ]
    return rows


def end_rows(link, form: LinkEdit, save_end, today: date) -> list[ft.Control]:
    """Setting an end date, or stopping access now (after a confirmation)."""
    return [
        DateField(
            f"link-end-{link.id}",
            t("network.end_label"),
            form.end_day,
            form.setter("end_day"),
            first=today,
            last=today + LONGEST_ACCESS,
            optional=True,
        ),
        ft.Row(
            [
                secondary_button(
                    f"link-end-save-{link.id}",
                    t("network.end_save"),
                    save_end,
                    icon=ft.Icons.EVENT,
                    name=t("goals.named", action=t("network.end_save"), title=link.display_name),
                ),
                secondary_button(
                    f"link-revoke-{link.id}",
                    t("network.revoke"),
                    lambda: form.confirm_revoke(True),
                    icon=ft.Icons.BLOCK,
                    name=t("goals.named", action=t("network.revoke"), title=link.display_name),
                ),
            ],
            wrap=True,
        ),
    ]


def revoke_dialog(link, form: LinkEdit, revoke) -> ft.AlertDialog | None:
    if not form.confirming:
        return None
    return ft.AlertDialog(
        modal=True,
        semantics_label=t("network.revoke_title", name=link.display_name),
        title=ft.Text(t("network.revoke_title", name=link.display_name)),
        content=ft.Text(t("network.revoke_explain", name=link.display_name)),
        actions=[
            text_button("revoke-cancel", t("common.cancel"), lambda: form.confirm_revoke(False)),
            tag("revoke-confirm", ft.FilledButton(t("network.revoke_yes"), on_click=revoke)),
        ],
        on_dismiss=lambda: form.confirm_revoke(False),
    )


@ft.component
def PersonCard(person: LinkedPerson, on_changed: Callable[[], None]) -> ft.Control:
    session = use_session()
    today = use_services().now().date()  # a hook: called on every render, not in an `if`
    link = person.link
    form = use_model(
        lambda: LinkEdit(end_day=format_date(link.ends_at.date()) if link.ends_at else "")
    )

    async def save_end() -> None:
        if await form.save_end(session.network, link.id):
            on_changed()

    async def revoke() -> None:
        if await form.revoke(session.network, link.id):
            on_changed()

    rows: list[ft.Control] = [
        heading(
            t("share.person", name=link.display_name, role=t(f"role.{link.role.value}")),
            style=ft.TextThemeStyle.TITLE_MEDIUM,
        ),
        tag(f"person-status-{link.person_id}", body(status_text(person))),
        ft.Text(period_text(person), theme_style=ft.TextThemeStyle.BODY_MEDIUM),
    ]
    if person.active and link.person_id:
        rows.append(
            KeyCheck(
                session.verification,
                link.person_id,
                link.display_name,
                session.account.space_id,
            )
        )
    if person.availability is not None and person.availability.slots:
        rows.append(body(t("chat.hours", hours=hours_text(person.availability.slots))))
    rows += shared_rows(person, form)
    if person.active:
        rows += end_rows(link, form, save_end, today)
    rows.append(error_text(form.error, f"person-error-{link.person_id}"))
    if form.done:
        rows.append(tag(f"person-done-{link.person_id}", body(form.done)))
    ft.use_dialog(revoke_dialog(link, form, revoke))
    return card(*rows)


def invitation_row(invitation: PendingInvitation, withdraw) -> ft.Control:
    expires = (
        t("network.invite_expires", date=format_date(invitation.expires_at.date()))
        if invitation.expires_at
        else ""
    )
    what = t("network.invited_role", role=t(f"role.{invitation.role.value}")) + " " + expires
    return ft.Row(
        [
            ft.Text(what, expand=True, theme_style=ft.TextThemeStyle.BODY_MEDIUM),
            text_button(
                f"invitation-withdraw-{invitation.link_id}",
                t("network.withdraw"),
                lambda: withdraw(invitation.link_id),
                name=t("goals.named", action=t("network.withdraw"), title=what),
            ),
        ]
    )


@ft.observable
@dataclass
class InviteForm(Form):
    role: str = Role.CAREGIVER.value
    until: str = ""
    code: str | None = None  # the code just made, to read out to the person

    async def create(self, network) -> bool:
        async def invite():
            last_day = parse_date(self.until, field="ends_at") if self.until.strip() else None
            return await network.invite(self.role, last_day)

        if made := await self.run_async(invite):
            self.code = made.value.code
            return True
        return False


@ft.component
def InviteCard(on_changed: Callable[[], None]) -> ft.Control:
    session = use_session()
    ui = use_ui()
    form = use_model(InviteForm)
    today = use_services().now().date()

    async def create() -> None:
        if await form.create(session.network):
            on_changed()

    roles = [
        (Role.CAREGIVER.value, t("network.invite_caregiver")),
        (Role.NETWORK.value, t("network.invite_network")),
    ]
    rows: list[ft.Control] = [
        heading(t("network.invite_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("network.invite_intro")),
        choice_group("invite-role", form.role, roles, form.setter("role"), scale=ui.text_scale),
        DateField(
            "invite-until",
            t("network.invite_until"),
            form.until,
            form.setter("until"),
            first=today,
            last=today + LONGEST_ACCESS,
            optional=True,
        ),
        error_text(form.error, "invite-error"),
        primary_button(
            "invite-create", t("network.invite_create"), create, icon=ft.Icons.PERSON_ADD
        ),
    ]
    if form.code:
        rows += [
            body(t("network.invite_code_intro")),
            tag(
                "invite-code",
                # plain text, not selectable: Flutter's selectable text hides it from screen readers
                ft.Text(form.code, theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM),
            ),
            body(t("network.invite_number_intro")),
            safety_number_view("invite-safety-number", session.verification.my_number()),
            body(t("network.invite_check")),
        ]
    return card(*rows)


def access_problem(error: ServiceError) -> str:
    if isinstance(error, NotConnected):
        return t("network.access_offline")
    return t(error.message_key, **error.params)


@ft.component
def AccessLogCard() -> ft.Control:
    session = use_session()
    page: AccessPage | None
    set_page: Callable[[AccessPage | None], None]
    page, set_page = ft.use_state(None)
    action = use_action()

    async def load() -> None:
        if result := await action.run_async(session.network.access_log):
            set_page(result.value)

    rows: list[ft.Control] = [
        heading(t("network.access_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
        body(t("network.access_intro")),
        secondary_button("access-log-load", t("network.access_load"), load, icon=ft.Icons.HISTORY),
    ]
    if action.error is not None:
        rows.append(tag("access-log-problem", body(access_problem(action.error))))
    if page is not None:
        if not page.entries:
            rows.append(tag("access-log-empty", body(t("network.access_empty"))))
        rows += [
            ft.Text(
                t(
                    "network.access_entry_named" if entry.item else "network.access_entry",
                    when=entry.at.strftime("%d/%m/%Y %H:%M"),
                    who=entry.who or t("network.access_deleted"),
                    what=t(f"network.kind_{entry.kind.value}"),
                    item=entry.item or "",
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
    action = use_action()

    async def withdraw(link_id: str) -> None:
        if await action.run_async(session.network.revoke, link_id):
            ui.data_changed()

    controls: list[ft.Control] = [body(t("network.intro"))]
    if people:
        controls += [
            keyed(PersonCard, person.link.id)(person, ui.data_changed) for person in people
        ]
    else:
        controls.append(tag("network-empty", body(t("network.empty"))))
    if invitations:
        controls.append(
            card(
                heading(t("network.pending_title"), style=ft.TextThemeStyle.TITLE_MEDIUM),
                *[invitation_row(i, withdraw) for i in invitations],
                error_text(action.error, "invitation-error"),
            )
        )
    controls += [
        keyed(InviteCard, "invite")(ui.data_changed),
        keyed(AccessLogCard, "access-log")(),
        ft.Text(t("network.recall_note"), theme_style=ft.TextThemeStyle.BODY_SMALL),
    ]
    return screen(t("network.title"), controls)
