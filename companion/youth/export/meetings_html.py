"""The readable export's sections for appointments (with what was brought up and agreed),
the plan for hard moments and the network alarms. Every user text is escaped."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from companion.domain.meetings import AgreementReply, appointment_state
from companion.domain.safety import SafetyPlan
from companion_wire import RecordKind

PLAN_SECTIONS = ("warning_signs", "my_coping", "places", "people", "professionals")


class Page(Protocol):
    """What these sections need of the export page (export.service._Page)."""

    tr: Callable[..., str]

    def of(self, kind: RecordKind) -> list: ...

    def who(self, person_id: str) -> str: ...


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _moment(value: datetime, zone: str | None = None) -> str:
    if zone is not None:
        value = value.astimezone(ZoneInfo(zone))
    return value.strftime("%d/%m/%Y %H:%M")


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def appointments(page: Page, youth_id: str) -> list[str]:
    answers = {
        a.appointment_id: a
        for a in page.of(RecordKind.APPOINTMENT_ANSWER)
        if a.author_id == youth_id
    }
    points = page.of(RecordKind.DISCUSSION_POINT)
    agreements = page.of(RecordKind.AGREEMENT)
    replies = {a.agreement_id: a for a in page.of(RecordKind.AGREEMENT_ANSWER)}
    items = []
    for appointment in sorted(page.of(RecordKind.APPOINTMENT), key=lambda a: a.starts_at):
        state = appointment_state(appointment, answers.get(appointment.id), youth_id)
        meta = [
            _moment(state.starts_at, appointment.time_zone),
            page.who(appointment.person_id),
            page.tr(f"appointments.status_{state.status.value}"),
        ]
        if appointment.place:
            meta.append(appointment.place)
        talk = "".join(
            f"<li><b>{_e(page.who(p.author_id))}</b>: {_e(p.text)}</li>"
            for p in sorted(points, key=lambda p: p.created_at)
            if p.appointment_id == appointment.id
        )
        agreed = "".join(
            _agreement(page, agreement, replies.get(agreement.id))
            for agreement in sorted(agreements, key=lambda a: a.created_at)
            if agreement.appointment_id == appointment.id
        )
        items.append(
            f"<article><h3>{_e(appointment.title)}</h3>"
            f'<p class="meta">{_e(" · ".join(meta))}</p>'
            + (f'<p class="text">{_e(appointment.note)}</p>' if appointment.note else "")
            + (
                f"<h4>{_e(page.tr('appointments.points_heading'))}</h4><ul>{talk}</ul>"
                if talk
                else ""
            )
            + (
                f"<h4>{_e(page.tr('appointments.agreements_heading'))}</h4><ul>{agreed}</ul>"
                if agreed
                else ""
            )
            + "</article>"
        )
    return items


def _agreement(page: Page, agreement, answer) -> str:
    said = ""
    if answer is not None:
        if answer.reply is not AgreementReply.OPEN:
            said += f" — {_e(page.tr(f'appointments.reply_{answer.reply.value}'))}"
        if answer.comment:
            said += f' — <span class="text">{_e(answer.comment)}</span>'
    due = f" ({_e(_day(agreement.due))})" if agreement.due else ""
    who = page.tr(f"appointments.who_{agreement.who.value}")
    return f"<li><b>{_e(who)}</b>: {_e(agreement.text)}{due}{said}</li>"


def safety_plan(page: Page) -> list[str]:
    plans: list[SafetyPlan] = page.of(RecordKind.SAFETY_PLAN)
    items = []
    for plan in plans:
        parts = []
        for name in PLAN_SECTIONS:
            lines = getattr(plan, name)
            if lines:
                listed = "".join(f"<li>{_e(line)}</li>" for line in lines)
                parts.append(f"<h4>{_e(page.tr(f'safety.section_{name}'))}</h4><ul>{listed}</ul>")
        if plan.note:
            parts.append(f'<p class="text">{_e(plan.note)}</p>')
        if plan.alarm_to:
            names = ", ".join(page.who(pid) for pid in plan.alarm_to)
            parts.append(f"<p>{_e(page.tr('safety.export_alarm_to', names=names))}</p>")
        items.append(f"<article>{''.join(parts)}</article>")
    return items


def alarms(page: Page) -> list[str]:
    return [
        f"<li>{_e(_moment(alarm.sent_at))}: "
        f"{_e(page.tr('safety.export_alarm', names=', '.join(map(page.who, alarm.shared_with))))}"
        + (f' — <span class="text">{_e(alarm.text)}</span>' if alarm.text else "")
        + "</li>"
        for alarm in sorted(page.of(RecordKind.NETWORK_ALARM), key=lambda a: a.sent_at)
    ]
