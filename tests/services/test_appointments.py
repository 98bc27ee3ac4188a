"""Appointments on the youth's phone: who may propose, answer, move and see, the points
the youth brings, agreements and what they become, the alerts before each appointment
and the .ics. A real encrypted store; what a caregiver wrote arrives as the sync engine
stores it. The clock is moved by hand."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from companion.core.errors import InvalidInput, NotFound
from companion.crypto.keys import AccountKeys
from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.meetings import (
    Agreement,
    AgreementReply,
    Appointment,
    AppointmentStatus,
    DiscussionPoint,
)
from companion.domain.models import CareLink, Document
from companion.store import ACCOUNT_KEY, Store
from companion.youth.account import Account
from companion.youth.appointments.alerts import alert_time
from companion.youth.appointments.service import AppointmentDraft
from companion.youth.reminders.service import QuietHours
from companion.youth.session import YouthSession
from companion.youth.timeline.service import EventKind
from companion_wire import LinkStatus, RecordKind, Role, new_id

BRUSSELS = ZoneInfo("Europe/Brussels")
ELS, MIA, FORMER = new_id(), new_id(), new_id()


class HandClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 3, 16, 10, 0, tzinfo=BRUSSELS)  # a Monday

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
def space(tmp_path, clock):
    store = Store.open(tmp_path / "companion.db", key=os.urandom(32), clock=stamps(clock, "phone"))
    account = Account(new_id(), new_id(), "Sam")
    store.meta.set(ACCOUNT_KEY, account.account_id)
    session = YouthSession(store, account, AccountKeys.generate().public, clock)
    session.links.replace_all(
        [
            link(account, ELS, "Els", Role.CAREGIVER, clock),
            link(account, MIA, "Mia", Role.NETWORK, clock),
            link(account, FORMER, "Jan", Role.CAREGIVER, clock, ended=True),
        ]
    )
    yield session
    store.close()


def link(account, person, name, role, clock, ended=False) -> CareLink:
    return CareLink(
        id=new_id(),
        space_id=account.space_id,
        person_id=person,
        display_name=name,
        role=role,
        status=LinkStatus.ACTIVE,
        starts_at=clock() - timedelta(days=60),
        ends_at=clock() - timedelta(days=1) if ended else None,
    )


_versions = iter(range(1, 10_000))


def stamps(clock: HandClock, node: str) -> HybridClock:
    """A device clock that follows the hand-moved time (as a real one follows the wall)."""
    return HybridClock(node, lambda: int(clock().timestamp() * 1000))


def arrives(space: YouthSession, clock: HandClock, model, author: str = ELS, **fields):
    """A record someone else wrote, as the sync engine stores it on the youth's phone."""
    record = model(
        space_id=space.account.space_id,
        author_id=author,
        created_at=clock(),
        updated_hlc=stamps(clock, "other" + author[-4:].replace("-", "0")).now(),
        shared_with=[space.account.account_id],
        **fields,
    )
    space.store.apply_remote(record, next(_versions))
    return record


def proposal(space, clock, author=ELS, days=2, **changes) -> Appointment:
    fields = {
        "person_id": author,
        "title": "Gesprek over wonen",
        "starts_at": (clock() + timedelta(days=days)).replace(hour=14, minute=30),
        "time_zone": "Europe/Brussels",
    }
    fields.update(changes)
    return arrives(space, clock, Appointment, author, **fields)


def draft(person=ELS, day=date(2026, 3, 20), at=time(9, 30), **changes) -> AppointmentDraft:
    return AppointmentDraft(person, changes.pop("title", "Samen naar het OCMW"), day, at, **changes)


# --- proposing, answering, moving ------------------------------------------------------------


def test_the_youth_proposes_to_a_linked_person_only_and_only_they_see_it(space):
    appointment = space.appointments.propose(draft(minutes=45, place="OCMW Gent"))
    assert appointment.shared_with == [ELS] and appointment.person_id == ELS
    assert appointment.time_zone == "Europe/Brussels"
    assert appointment.local_start().strftime("%d/%m %H:%M") == "20/03 09:30"
    [view] = space.appointments.all()
    assert view.mine and view.state.status is AppointmentStatus.ACCEPTED and not view.waiting
    for person, code in ((FORMER, "not_linked"), (new_id(), "not_linked")):
        with pytest.raises(InvalidInput) as refused:
            space.appointments.propose(draft(person))
        assert refused.value.code == code
    with pytest.raises(InvalidInput) as past:
        space.appointments.propose(draft(day=date(2026, 3, 16), at=time(9, 0)))
    assert past.value.code == "in_the_past"
    with pytest.raises(InvalidInput) as bad_link:
        space.appointments.propose(draft(video_url="http://niet-veilig.example"))
    assert bad_link.value.field == "video_url"


def test_a_proposal_waits_for_the_youth_who_accepts_declines_or_moves_it(space, clock):
    appointment = proposal(space, clock)
    [view] = space.appointments.upcoming()
    assert view.waiting and view.person_name == "Els"
    answer = space.appointments.accept(appointment.id)
    assert answer.shared_with == [ELS] and answer.for_start == appointment.starts_at
    assert space.appointments.get(appointment.id).state.status is AppointmentStatus.ACCEPTED
    space.appointments.decline(appointment.id)
    assert space.appointments.get(appointment.id).state.status is AppointmentStatus.DECLINED
    assert space.appointments.upcoming() == []
    space.appointments.move(appointment.id, date(2026, 3, 19), time(16, 0))
    view = space.appointments.get(appointment.id)
    assert view.state.status is AppointmentStatus.MOVED
    assert view.state.starts_at == datetime(2026, 3, 19, 16, 0, tzinfo=BRUSSELS)
    mine = [a for a in space.store.repository_for(RecordKind.APPOINTMENT_ANSWER).every()]
    assert len(mine) == 1  # one answer, changed each time


def test_a_move_by_the_proposer_asks_the_youth_again(space, clock):
    appointment = proposal(space, clock)
    space.appointments.accept(appointment.id)
    later = appointment.model_copy(
        update={
            "starts_at": appointment.starts_at + timedelta(hours=2),
            "updated_hlc": stamps(clock, "other").now(),
        }
    )
    space.store.apply_remote(later, next(_versions))
    assert space.appointments.get(appointment.id).waiting


def test_the_youth_moves_and_cancels_their_own_but_answers_only_others(space, clock):
    mine = space.appointments.propose(draft())
    with pytest.raises(InvalidInput) as own:
        space.appointments.accept(mine.id)
    assert own.value.code == "own_appointment"
    moved = space.appointments.move(mine.id, date(2026, 3, 21), time(10, 0))
    assert isinstance(moved, Appointment) and moved.local_start().day == 21
    space.appointments.cancel(mine.id)
    assert space.appointments.get(mine.id).state.status is AppointmentStatus.CANCELLED
    theirs = proposal(space, clock)
    with pytest.raises(InvalidInput) as not_yours:
        space.appointments.edit(theirs.id, draft(title="Anders"))
    assert not_yours.value.code == "not_yours"
    with pytest.raises(InvalidInput):
        space.appointments.cancel(theirs.id)


def test_an_appointment_claiming_to_be_with_someone_else_is_not_shown(space, clock):
    forged = proposal(space, clock, person_id=MIA)  # written by Els, "with Mia"
    assert space.appointments.all() == []
    with pytest.raises(NotFound):
        space.appointments.get(forged.id)


# --- wil ik bespreken ------------------------------------------------------------------------


def test_points_are_private_until_shared_and_bring_their_item_along(space, clock):
    appointment = proposal(space, clock)
    entry = space.diary.write("Ik slaap slecht door de buren.")
    goal = space.goals.create("Een studio huren", LifeDomain.HOUSING)
    question = space.points.add(appointment.id, "Hoeveel is de waarborg?")
    assert question.shared_with == []
    brought = space.points.add(appointment.id, "", about=(RecordKind.DIARY_ENTRY, entry.id))
    assert brought.text == "Ik slaap slecht door de buren." and brought.shared_with == []
    assert space.diary.get(entry.id).shared_with == []
    space.points.set_shared(brought.id, True)
    assert space.diary.get(entry.id).shared_with == [ELS]  # the item goes with the point
    space.points.add(appointment.id, "Dit doel", share=True, about=(RecordKind.GOAL, goal.id))
    assert space.goals.get(goal.id).shared_with == [ELS]
    space.points.set_shared(brought.id, False)
    assert space.store.repository_for(RecordKind.DISCUSSION_POINT).get(brought.id).shared_with == []
    assert space.diary.get(entry.id).shared_with == [ELS]  # unsharing the point leaves the item
    shown = space.points.points(appointment.id)
    assert [(p.point.text, p.shared) for p in shown] == [
        ("Hoeveel is de waarborg?", False),
        ("Ik slaap slecht door de buren.", False),
        ("Dit doel", True),
    ]


def test_a_document_of_someone_else_cannot_be_passed_on(space, clock):
    appointment = proposal(space, clock, author=MIA, person_id=MIA)
    report = arrives(space, clock, Document, ELS, title="Verslag", body="...")
    point = space.points.add(appointment.id, "", about=(RecordKind.DOCUMENT, report.id))
    with pytest.raises(InvalidInput) as refused:
        space.points.set_shared(point.id, True)
    assert refused.value.code == "not_shareable"
    with pytest.raises(InvalidInput):
        space.points.add(appointment.id, "x", about=(RecordKind.REMINDER, new_id()))


def test_the_other_persons_points_show_a_third_persons_do_not(space, clock):
    appointment = proposal(space, clock)
    arrives(
        space, clock, DiscussionPoint, ELS, appointment_id=appointment.id, text="Je huurcontract"
    )
    arrives(space, clock, DiscussionPoint, MIA, appointment_id=appointment.id, text="Niet van Els")
    [point] = space.points.points(appointment.id)
    assert (point.point.text, point.mine, point.author_name) == ("Je huurcontract", False, "Els")
    with pytest.raises(NotFound):
        space.points.remove(point.point.id)


# --- afspraken -------------------------------------------------------------------------------


def started(space, clock) -> Appointment:
    appointment = proposal(space, clock, days=0, starts_at=clock() + timedelta(hours=1))
    space.appointments.accept(appointment.id)
    clock.advance(hours=1, minutes=30)
    return appointment


def test_agreements_come_after_an_appointment_that_is_on(space, clock):
    appointment = proposal(space, clock)
    with pytest.raises(InvalidInput) as early:
        space.agreements.write(appointment.id, "Ik bel het OCMW")
    assert early.value.code == "not_yet"
    space.appointments.accept(appointment.id)
    with pytest.raises(InvalidInput):
        space.agreements.write(appointment.id, "Ik bel het OCMW")
    clock.advance(days=3)
    mine = space.agreements.write(appointment.id, "Ik bel het OCMW", "youth", date(2026, 3, 25))
    assert mine.shared_with == [ELS]
    [view] = space.agreements.agreements(appointment.id)
    assert view.mine and view.accepted
    with pytest.raises(InvalidInput) as own:
        space.agreements.reply(mine.id, AgreementReply.ACCEPTED)
    assert own.value.code == "own_agreement"


def test_the_youth_replies_comments_and_turns_an_agreement_into_a_step(space, clock):
    appointment = started(space, clock)
    goal = space.goals.create("Een studio huren", LifeDomain.HOUSING)
    agreed = arrives(
        space, clock, Agreement, appointment_id=appointment.id, text="Sam vraagt de waarborg aan"
    )
    other = arrives(
        space, clock, Agreement, appointment_id=appointment.id, text="Els belt de huisbaas"
    )
    comment = space.agreements.comment(other.id, "Ik dacht dat ik dat zou doen.")
    assert comment.shared_with == [ELS] and comment.reply is AgreementReply.OPEN
    space.agreements.reply(other.id, AgreementReply.UNDERSTOOD_DIFFERENTLY)
    with pytest.raises(InvalidInput) as disagreed:
        space.agreements.to_step(other.id, goal.id)
    assert disagreed.value.code == "not_accepted"
    step = space.agreements.to_step(agreed.id, goal.id)  # accepting it in the same tap
    assert step.title == "Sam vraagt de waarborg aan" and step.goal_id == goal.id
    views = {v.agreement.id: v for v in space.agreements.agreements(appointment.id)}
    assert views[agreed.id].accepted and views[agreed.id].answer.step_id == step.id
    assert views[other.id].answer.comment == "Ik dacht dat ik dat zou doen."
    with pytest.raises(InvalidInput) as twice:
        space.agreements.to_step(agreed.id, goal.id)
    assert twice.value.code == "already_done"


def test_an_agreement_becomes_a_reminder_on_its_day_at_nine(space, clock):
    appointment = started(space, clock)
    agreed = arrives(
        space,
        clock,
        Agreement,
        appointment_id=appointment.id,
        text="Papieren binnenbrengen",
        due=date(2026, 3, 27),
    )
    reminder = space.agreements.to_reminder(agreed.id)
    assert reminder.first_due == datetime(2026, 3, 27, 9, 0, tzinfo=BRUSSELS)
    no_day = arrives(space, clock, Agreement, appointment_id=appointment.id, text="Even bellen")
    assert space.agreements.to_reminder(no_day.id).first_due.date() == date(2026, 3, 17)


def test_agreements_by_a_third_person_are_not_shown(space, clock):
    appointment = started(space, clock)
    arrives(space, clock, Agreement, MIA, appointment_id=appointment.id, text="Niet van Els")
    assert space.agreements.agreements(appointment.id) == []


# --- alerts before each appointment ----------------------------------------------------------


def test_alerts_ring_a_day_and_an_hour_before_and_only_once(space, clock):
    appointment = proposal(space, clock)
    assert space.appointment_alerts.plan() == {}  # a proposal is not on yet
    space.appointments.accept(appointment.id)
    plan = space.appointment_alerts.plan()
    assert sorted(at for at, _ in plan.values()) == [
        datetime(2026, 3, 17, 14, 30, tzinfo=BRUSSELS),
        datetime(2026, 3, 18, 13, 30, tzinfo=BRUSSELS),
    ]
    assert {title for _, title in plan.values()} == {"Afspraak 18/03 om 14:30: Gesprek over wonen"}
    first = min(plan, key=lambda key: plan[key][0])
    space.appointment_alerts.record_deliveries([first])
    assert len(space.appointment_alerts.plan()) == 1
    space.appointments.move(appointment.id, date(2026, 3, 19), time(15, 0))
    assert len(space.appointment_alerts.plan()) == 2  # a new moment: both again


def test_alerts_keep_quiet_hours_and_still_come_before(space, clock):
    quiet = QuietHours(time(22, 0), time(8, 0))
    start = datetime(2026, 3, 20, 7, 30, tzinfo=BRUSSELS)
    assert alert_time(quiet, start - timedelta(hours=1), start) == datetime(
        2026, 3, 19, 21, 59, tzinfo=BRUSSELS
    )
    noon = datetime(2026, 3, 20, 9, 0, tzinfo=BRUSSELS)
    assert alert_time(quiet, noon - timedelta(hours=1), noon) == datetime(
        2026, 3, 20, 8, 0, tzinfo=BRUSSELS
    )
    assert alert_time(quiet, noon - timedelta(days=1), noon) == noon - timedelta(days=1)


def test_no_alert_for_a_moment_before_the_appointment_was_agreed(space, clock):
    appointment = space.appointments.propose(
        draft(day=date(2026, 3, 16), at=time(17, 0))  # today, in seven hours
    )
    plan = space.appointment_alerts.plan()
    assert [at for at, _ in plan.values()] == [datetime(2026, 3, 16, 16, 0, tzinfo=BRUSSELS)]
    assert appointment.id in next(iter(plan))


def test_the_scheduler_delivers_appointment_alerts_beside_reminders(tmp_path, clock):
    from companion.notify import InAppScheduler, RecordingNotifier
    from companion.youth.reminders.scheduler import ReminderScheduler

    store = Store.open(tmp_path / "s.db", key=os.urandom(32), clock=stamps(clock, "phone"))
    account = Account(new_id(), new_id(), "Sam")
    store.meta.set(ACCOUNT_KEY, account.account_id)
    session = YouthSession(store, account, AccountKeys.generate().public, clock)
    session.links.replace_all([link(account, ELS, "Els", Role.CAREGIVER, clock)])
    notifier = RecordingNotifier()
    scheduler = ReminderScheduler(
        InAppScheduler(notifier, lambda at: at.strftime("%H:%M")),
        clock,
        lambda: session.reminders,
        lambda: session.appointment_alerts,
    )
    try:
        session.appointments.propose(draft(day=date(2026, 3, 17), at=time(11, 0)))
        assert scheduler.tick() == []
        clock.advance(hours=1)  # a day before, to the minute
        delivered = scheduler.tick()
        assert [d.title for d in delivered] == ["Afspraak 17/03 om 11:00: Samen naar het OCMW"]
        assert scheduler.tick() == []
        clock.advance(hours=23)  # an hour before
        assert len(scheduler.tick()) == 1
        assert len(notifier.shown) == 2
    finally:
        store.close()


# --- the .ics, Today and the timeline --------------------------------------------------------


def test_the_calendar_file_parses_with_the_brussels_time(space, clock, tmp_path):
    appointment = proposal(space, clock, place="Kantoor; De Brug", video_url="https://m.example/x")
    with pytest.raises(InvalidInput) as not_on:
        space.appointments.write_calendar_file(appointment.id, tmp_path)
    assert not_on.value.code == "not_agreed"
    space.appointments.accept(appointment.id)
    path = space.appointments.write_calendar_file(appointment.id, tmp_path)
    assert path.parent == tmp_path / "exports" and path.suffix == ".ics"
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.tzinfo.key == "Europe/Brussels"
    assert (start.date(), start.hour, start.minute) == (date(2026, 3, 18), 14, 30)
    assert event.decoded("dtend") - start == timedelta(minutes=60)
    assert str(event["summary"]) == "Gesprek over wonen"
    assert str(event["location"]) == "Kantoor; De Brug"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]


def test_today_and_the_timeline_show_appointments_and_agreements(space, clock):
    appointment = proposal(space, clock)
    assert [v.id for v in space.appointments.upcoming()] == [appointment.id]
    assert space.timeline.events() == []  # not on yet
    space.appointments.accept(appointment.id)
    clock.advance(days=3)
    agreed = arrives(space, clock, Agreement, appointment_id=appointment.id, text="Sam belt")
    kinds = {(e.kind, e.record_id) for e in space.timeline.events()}
    assert kinds == {(EventKind.APPOINTMENT, appointment.id), (EventKind.AGREEMENT, agreed.id)}
    assert space.appointments.upcoming() == []  # it is over
