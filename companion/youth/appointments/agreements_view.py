"""Afspraken: what was agreed at one appointment, the youth's say, and one tap to act on it."""

from __future__ import annotations

import flet as ft

from companion.core.dates import format_date
from companion.core.views.actions import use_action, use_model
from companion.core.views.appointment_fields import AgreementDraft, agreement_inputs
from companion.core.views.context import use_services, use_session, use_ui
from companion.core.views.keyed import keyed
from companion.core.views.widgets import (
    body,
    card,
    error_text,
    heading,
    secondary_button,
    tag,
    text_button,
    text_input,
)
from companion.domain.meetings import AgreementReply, Who
from companion.i18n import t
from companion.youth.appointments.agreements import AgreementView
from companion.youth.appointments.service import AppointmentView

GOALS_OFFERED = 3  # one button per goal: a step in one tap


def agreement_words(view: AgreementView, name: str) -> str:
    agreement = view.agreement
    who = t(f"appointments.who_{agreement.who.value}", name=name)
    line = f"{who}: {agreement.text}"
    if agreement.due is not None:
        line += " " + t("appointments.due", date=format_date(agreement.due))
    author = (
        t("appointments.written_by_you") if view.mine else t("appointments.written_by", name=name)
    )
    return f"{line}\n{author}"


@ft.component
def AgreementLine(view: AgreementView, name: str, goals: dict[str, str]) -> ft.Control:
    """One agreement: the youth's answer to it, and what they can make of it."""
    session = use_session()
    ui = use_ui()
    action = use_action()
    comment, set_comment = ft.use_state(view.answer.comment if view.answer else "")
    agreement_id = view.agreement.id

    def run(fn, *args) -> None:
        if action.run(fn, agreement_id, *args):
            ui.data_changed()

    controls: list[ft.Control] = [
        ft.Text(agreement_words(view, name), theme_style=ft.TextThemeStyle.BODY_LARGE)
    ]
    if not view.mine:
        controls.append(
            tag(
                f"agreement-reply-{agreement_id}", body(t(f"appointments.reply_{view.reply.value}"))
            )
        )
        controls.append(
            ft.Row(
                [
                    secondary_button(
                        f"agreement-accept-{agreement_id}",
                        t("appointments.agree"),
                        lambda: run(session.agreements.reply, AgreementReply.ACCEPTED),
                        icon=ft.Icons.THUMB_UP_OUTLINED,
                    ),
                    secondary_button(
                        f"agreement-differently-{agreement_id}",
                        t("appointments.differently"),
                        lambda: run(
                            session.agreements.reply, AgreementReply.UNDERSTOOD_DIFFERENTLY
                        ),
                    ),
                ],
                wrap=True,
            )
        )
        controls += [
            text_input(
                f"agreement-comment-{agreement_id}",
                t("appointments.comment_label"),
                comment,
                set_comment,
                multiline=True,
            ),
            text_button(
                f"agreement-comment-save-{agreement_id}",
                t("appointments.comment_save"),
                lambda: run(session.agreements.comment, comment),
            ),
        ]
    controls += follow_ups(view, goals, run, session)
    controls.append(error_text(action.error, f"agreement-error-{agreement_id}"))
    return tag(f"agreement-{agreement_id}", ft.Column(controls, spacing=6))


def follow_ups(view: AgreementView, goals: dict[str, str], run, session) -> list[ft.Control]:
    """A goal step or a reminder, one tap each (once; not for what the youth disagreed with)."""
    if view.reply is AgreementReply.UNDERSTOOD_DIFFERENTLY:
        return []
    answer = view.answer
    agreement_id = view.agreement.id
    done: list[ft.Control] = []
    buttons: list[ft.Control] = []
    if answer is not None and answer.step_id is not None:
        done.append(tag(f"agreement-step-made-{agreement_id}", body(t("appointments.step_made"))))
    else:
        for goal_id, title in list(goals.items())[:GOALS_OFFERED]:
            buttons.append(
                text_button(
                    f"agreement-step-{agreement_id}-{goal_id}",
                    t("appointments.to_step", goal=title),
                    lambda _e, goal_id=goal_id: run(session.agreements.to_step, goal_id),
                )
            )
    if answer is not None and answer.reminder_id is not None:
        done.append(
            tag(f"agreement-reminder-made-{agreement_id}", body(t("appointments.reminder_made")))
        )
    else:
        buttons.append(
            text_button(
                f"agreement-reminder-{agreement_id}",
                t("appointments.to_reminder"),
                lambda: run(session.agreements.to_reminder),
            )
        )
    return [*done, ft.Row(buttons, wrap=True)] if buttons else done


@ft.component
def AgreementsCard(view: AppointmentView) -> ft.Control:
    session = use_session()
    ui = use_ui()
    form = use_model(AgreementDraft)
    today = use_services().now().date()
    agreements = ft.use_memo(lambda: session.agreements.agreements(view.id), [view.id, ui.revision])
    can_write = ft.use_memo(lambda: session.agreements.can_write(view.id), [view.id, ui.revision])
    goals = ft.use_memo(session.goals.titles, [ui.revision])
    name = view.person_name or t("goals.someone")

    def add() -> None:
        if form.add(lambda text, who, due: session.agreements.write(view.id, text, who, due)):
            ui.data_changed()

    rows: list[ft.Control] = [
        heading(t("appointments.agreements_heading"), style=ft.TextThemeStyle.TITLE_MEDIUM),
    ]
    if not agreements:
        rows.append(tag("agreements-none", body(t("appointments.agreements_none"))))
    rows += [keyed(AgreementLine, item.agreement.id)(item, name, goals) for item in agreements]
    if can_write:
        who = [(w.value, t(f"appointments.who_{w.value}", name=name)) for w in Who]
        rows += agreement_inputs(form, who, add, today, ui.text_scale)
    else:
        rows.append(body(t("appointments.agreements_later")))
    return tag("agreements", card(*rows))
