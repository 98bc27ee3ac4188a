"""Afspraken: what was agreed at an appointment, and the youth's say about it.

Either side writes agreements once the appointment has begun (who does what, by when).
The youth answers the other person's agreements with a reply of their own: "akkoord" or
"dat heb ik anders begrepen", and a comment if they like; the writer sees it. An agreement
the youth accepted (or wrote) becomes a step of one of their goals, or a reminder, in one
tap; the answer remembers which, so it is not made twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from companion.core.errors import InvalidInput, NotFound
from companion.core.validation import user_input
from companion.domain.meetings import (
    Agreement,
    AgreementAnswer,
    AgreementReply,
    Who,
)
from companion.domain.models import MAX_TITLE, GoalStep, Reminder
from companion.store import Repository, Store
from companion.youth.account import Account
from companion.youth.appointments.service import AppointmentsService, AppointmentView
from companion.youth.goals.service import GoalsService
from companion.youth.reminders.service import RemindersService
from companion_wire import RecordKind

REMIND_AT = time(9, 0)


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    mine: bool
    author_name: str | None
    answer: AgreementAnswer | None

    @property
    def reply(self) -> AgreementReply:
        """The youth's own agreements count as accepted."""
        if self.mine:
            return AgreementReply.ACCEPTED
        return self.answer.reply if self.answer is not None else AgreementReply.OPEN

    @property
    def accepted(self) -> bool:
        return self.reply is AgreementReply.ACCEPTED


def short_title(text: str, limit: int = MAX_TITLE) -> str:
    """An agreement as a step or reminder title (those are shorter), cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


class AgreementsService:
    def __init__(
        self,
        store: Store,
        account: Account,
        now: Callable[[], datetime],
        appointments: AppointmentsService,
        goals: GoalsService,
        reminders: RemindersService,
    ) -> None:
        self._store = store
        self._account = account
        self._now = now
        self._appointments = appointments
        self._goals = goals
        self._reminders = reminders
        self._agreements: Repository[Agreement] = store.repository_for(RecordKind.AGREEMENT)
        self._answers: Repository[AgreementAnswer] = store.repository_for(
            RecordKind.AGREEMENT_ANSWER
        )

    def agreements(self, appointment_id: str) -> list[AgreementView]:
        """What was agreed at an appointment, in the order it was written."""
        view = self._appointments.get(appointment_id)
        found = [
            a
            for a in self._agreements.every(appointment_id=appointment_id)
            if a.author_id in (self._account.account_id, view.appointment.person_id)
        ]
        found.sort(key=lambda a: (a.created_at, a.id))
        return [self._view(agreement, view) for agreement in found]

    def can_write(self, appointment_id: str) -> bool:
        """Agreements follow an appointment that is on and has begun."""
        view = self._appointments.get(appointment_id)
        return view.state.is_on and view.state.starts_at <= self._now()

    def write(
        self, appointment_id: str, text: str, who: Who | str = Who.TOGETHER, due: date | None = None
    ) -> Agreement:
        view = self._appointments.get(appointment_id)
        if not self.can_write(appointment_id):
            raise InvalidInput("not_yet", field="appointment")
        with user_input():
            return self._agreements.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                shared_with=[view.appointment.person_id],
                appointment_id=appointment_id,
                text=text,
                who=who,
                due=due,
            )

    def reply(self, agreement_id: str, reply: AgreementReply | str) -> AgreementAnswer:
        """Akkoord, or "dat heb ik anders begrepen" (the comment stays as it was)."""
        try:
            reply = AgreementReply(reply)
        except ValueError:
            raise InvalidInput("invalid_choice", field="reply") from None
        return self._answer(self._theirs(agreement_id), reply=reply)

    def comment(self, agreement_id: str, text: str) -> AgreementAnswer:
        """The youth's comment on the other person's agreement (the reply stays)."""
        return self._answer(self._theirs(agreement_id), comment=text)

    def to_step(self, agreement_id: str, goal_id: str) -> GoalStep:
        """The agreement as the next step of one of the youth's goals (accepting it)."""
        view = self._accepting(agreement_id)
        if view.answer is not None and view.answer.step_id is not None:
            raise InvalidInput("already_done", field="agreement")
        with self._store.transaction():
            step = self._goals.add_step(goal_id, short_title(view.agreement.text))
            self._answer(view, reply=AgreementReply.ACCEPTED, step_id=step.id)
        return step

    def to_reminder(self, agreement_id: str) -> Reminder:
        """The agreement as a reminder at 09:00 on its day (tomorrow if it has none or it
        passed); the youth can change the time afterwards."""
        view = self._accepting(agreement_id)
        if view.answer is not None and view.answer.reminder_id is not None:
            raise InvalidInput("already_done", field="agreement")
        today = self._now().astimezone(self._reminders.zone).date()
        due = view.agreement.due
        day = due if due is not None and due > today else today + timedelta(days=1)
        with self._store.transaction():
            reminder = self._reminders.create(short_title(view.agreement.text), day, REMIND_AT)
            self._answer(view, reply=AgreementReply.ACCEPTED, reminder_id=reminder.id)
        return reminder

    # --- helpers ------------------------------------------------------------------------

    def _answer(self, view: AgreementView, **changes: object) -> AgreementAnswer:
        """Create or change the youth's one answer to this agreement."""
        with user_input():
            if view.answer is not None:
                return self._answers.change(view.answer, **changes)
            readers = [] if view.mine else [view.agreement.author_id]
            fields = {"reply": AgreementReply.ACCEPTED if view.mine else AgreementReply.OPEN}
            return self._answers.add(
                space_id=self._account.space_id,
                created_at=self._now(),
                shared_with=readers,
                agreement_id=view.agreement.id,
                **{**fields, **changes},
            )

    def _get(self, agreement_id: str) -> AgreementView:
        agreement = self._agreements.get(agreement_id)
        if agreement is None or agreement.deleted:
            raise NotFound(agreement_id)
        view = self._appointments.get(agreement.appointment_id)
        if agreement.author_id not in (self._account.account_id, view.appointment.person_id):
            raise NotFound(agreement_id)
        return self._view(agreement, view)

    def _theirs(self, agreement_id: str) -> AgreementView:
        view = self._get(agreement_id)
        if view.mine:
            raise InvalidInput("own_agreement", field="agreement")
        return view

    def _accepting(self, agreement_id: str) -> AgreementView:
        """An agreement the youth may turn into something: not one they disagreed with."""
        view = self._get(agreement_id)
        if view.reply is AgreementReply.UNDERSTOOD_DIFFERENTLY:
            raise InvalidInput("not_accepted", field="agreement")
        return view

    def _view(self, agreement: Agreement, appointment: AppointmentView) -> AgreementView:
        mine = agreement.author_id == self._account.account_id
        answers = [
            a
            for a in self._answers.every(agreement_id=agreement.id)
            if a.author_id == self._account.account_id
        ]
        answer = max(answers, key=lambda a: a.updated_hlc, default=None)
        return AgreementView(agreement, mine, None if mine else appointment.person_name, answer)
