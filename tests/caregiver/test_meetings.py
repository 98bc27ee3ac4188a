"""The caregiver's (and network person's) side of appointments, points, agreements and the
network alarm, on what a caregiver's device holds (records arrive as the sync engine
stores them). Who may propose, move, see and comment, and what stands out on screen."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from companion.caregiver.appointments.service import Proposal
from companion.caregiver.profile import Professional
from companion.caregiver.session import CaregiverSession
from companion.core.errors import InvalidInput, NotFound
from companion.domain.meetings import (
    AgreementAnswer,
    AgreementReply,
    AnswerKind,
    Appointment,
    AppointmentAnswer,
    AppointmentStatus,
    DiscussionPoint,
)
from companion.domain.models import DiaryEntry
from companion.domain.safety import NetworkAlarm
from companion_wire import RecordKind, Role, new_id
from tests.caregiver.conftest import Youth, link_for
from tests.caregiver.uikit import signed_in

TUESDAY = date(2026, 3, 24)  # a week after the hand clock's start


def propose(session: CaregiverSession, youth: Youth, **changes) -> Appointment:
    fields = {"title": "Gesprek over wonen", "day": TUESDAY, "at": time(14, 30)}
    fields.update(changes)
    return session.meetings.propose(youth.space_id, Proposal(**fields))


def answer(youth: Youth, appointment: Appointment, kind=AnswerKind.ACCEPTED, moved_to=None):
    return youth.record(
        AppointmentAnswer,
        appointment_id=appointment.id,
        answer=kind,
        for_start=appointment.starts_at,
        moved_to=moved_to,
        shared_with=[appointment.author_id],
    )


def test_a_proposal_is_shared_with_the_youth_only_in_brussels_time(session, youth, me):
    appointment = propose(session, youth)
    assert appointment.shared_with == [youth.id] and appointment.person_id == me.account_id
    assert appointment.time_zone == "Europe/Brussels"
    assert appointment.local_start().strftime("%d/%m %H:%M") == "24/03 14:30"
    [meeting] = session.meetings.meetings(youth.space_id)
    assert meeting.mine and meeting.state.status is AppointmentStatus.PROPOSED
    with pytest.raises(InvalidInput) as past:
        propose(session, youth, day=date(2026, 3, 17), at=time(9, 0))
    assert past.value.code == "in_the_past"


def test_the_youths_answer_and_a_move_by_the_proposer(session, youth, clock):
    appointment = propose(session, youth)
    answer(youth, appointment)
    assert session.meetings.meeting(youth.space_id, appointment.id).state.is_on
    moved = session.meetings.move(youth.space_id, appointment.id, TUESDAY, time(16, 0))
    meeting = session.meetings.meeting(youth.space_id, appointment.id)
    assert meeting.state.status is AppointmentStatus.PROPOSED  # asked again
    later = moved.starts_at + timedelta(days=1)
    answer(youth, moved, moved_to=later)
    meeting = session.meetings.meeting(youth.space_id, appointment.id)
    assert (meeting.state.status, meeting.state.starts_at) == (AppointmentStatus.MOVED, later)
    taken = session.meetings.move(youth.space_id, appointment.id, later.date(), time(16, 0))
    assert taken.starts_at == later
    assert session.meetings.meeting(youth.space_id, appointment.id).state.status is (
        AppointmentStatus.ACCEPTED
    )


def test_only_my_own_proposals_are_mine_to_move_or_cancel(session, youth, me):
    own = youth.record(
        Appointment,
        person_id=me.account_id,
        title="Ik kom langs",
        starts_at=propose(session, youth).starts_at,
        time_zone="Europe/Brussels",
        shared_with=[me.account_id],
    )
    meeting = session.meetings.meeting(youth.space_id, own.id)
    assert not meeting.mine and meeting.state.status is AppointmentStatus.ACCEPTED
    with pytest.raises(InvalidInput) as refused:
        session.meetings.move(youth.space_id, own.id, TUESDAY, time(10, 0))
    assert refused.value.code == "not_yours"
    with pytest.raises(InvalidInput):
        session.meetings.cancel(youth.space_id, own.id)


def test_an_appointment_with_someone_else_never_shows(session, youth, clock):
    other = youth.record(
        Appointment,
        person_id=new_id(),
        title="Met de huisarts",
        starts_at=clock() + timedelta(days=2),
        time_zone="Europe/Brussels",
        shared_with=[],
    )
    assert session.meetings.meetings(youth.space_id) == []
    with pytest.raises(NotFound):
        session.meetings.meeting(youth.space_id, other.id)


def test_points_mine_and_the_youths_shared_ones(session, youth, me, clock):
    appointment = propose(session, youth)
    entry = youth.record(
        DiaryEntry, text="Ik slaap slecht.", entry_date=TUESDAY, shared_with=[me.account_id]
    )
    youth.record(
        DiscussionPoint,
        appointment_id=appointment.id,
        text="Ik slaap slecht.",
        about_kind=RecordKind.DIARY_ENTRY,
        about_id=entry.id,
        shared_with=[me.account_id],
        created_at=clock() - timedelta(minutes=5),
    )
    mine = session.meetings.add_point(youth.space_id, appointment.id, "Je huurcontract")
    assert mine.shared_with == [youth.id]
    points = session.meetings.points(youth.space_id, appointment.id)
    assert [(p.point.text, p.mine) for p in points] == [
        ("Ik slaap slecht.", False),
        ("Je huurcontract", True),
    ]
    assert points[0].about == entry
    youths_point = points[0].point.id
    with pytest.raises(NotFound):
        session.meetings.remove_point(youth.space_id, youths_point)
    session.meetings.remove_point(youth.space_id, mine.id)
    assert len(session.meetings.points(youth.space_id, appointment.id)) == 1


def test_agreements_follow_an_appointment_that_is_on_and_began(session, youth, clock):
    appointment = propose(session, youth, day=date(2026, 3, 17), at=time(11, 0))
    with pytest.raises(InvalidInput) as early:
        session.meetings.write_agreement(youth.space_id, appointment.id, "Sam belt het OCMW")
    assert early.value.code == "not_yet"  # not answered yet
    answer(youth, appointment)
    with pytest.raises(InvalidInput):
        session.meetings.write_agreement(youth.space_id, appointment.id, "Sam belt het OCMW")
    clock.advance(hours=1)
    agreement = session.meetings.write_agreement(
        youth.space_id, appointment.id, "Sam belt het OCMW", "youth", date(2026, 3, 20)
    )
    assert agreement.shared_with == [youth.id]
    youth.record(
        AgreementAnswer,
        agreement_id=agreement.id,
        reply=AgreementReply.UNDERSTOOD_DIFFERENTLY,
        comment="Ik dacht dat jij zou bellen.",
        shared_with=[agreement.author_id],
    )
    [item] = session.meetings.agreements(youth.space_id, appointment.id)
    assert item.mine and item.answer.reply is AgreementReply.UNDERSTOOD_DIFFERENTLY
    assert item.answer.comment == "Ik dacht dat jij zou bellen."


def test_the_caseload_shows_the_next_appointment_and_puts_an_alarm_first(
    session, youth, store, clock, me, notifier
):
    quiet = Youth(store, "Amira", clock)
    session.directory.replace_all([link_for(youth, clock), link_for(quiet, clock)])
    appointment = propose(session, youth)
    meetings = {e.youth.youth_name: e.next_meeting for e in session.caseload.entries()}
    assert meetings["Amira"] is None and meetings["Sam"].appointment == appointment
    alarm = quiet.record(NetworkAlarm, text="Bel me", sent_at=clock(), shared_with=[me.account_id])
    entries = session.caseload.entries()
    assert [(e.youth.youth_name, e.alarms) for e in entries] == [("Amira", 1), ("Sam", 0)]
    assert session.alarms.check() == ["Amira"]
    assert (
        notifier.shown[-1][0] == "Amira heeft je nu nodig" and "Bel me" not in notifier.shown[-1][1]
    )
    assert session.alarms.check() == []  # announced once
    session.alarms.mark_seen(alarm.id)
    assert session.alarms.open() == []


def test_an_alarm_shows_only_to_the_people_it_was_sent_to(session, youth, clock):
    youth.record(NetworkAlarm, sent_at=clock(), shared_with=[new_id()])
    assert session.alarms.open() == [] and session.alarms.check() == []


def test_a_network_person_plans_appointments_too(tmp_path, clock):
    services = signed_in(tmp_path, clock, "Tante Mia", Role.NETWORK)
    try:
        session = services.session
        sam = Youth(session.store, "Sam", clock)
        session.directory.replace_all([link_for(sam, clock, role=Role.NETWORK)])
        appointment = propose(session, sam, title="Samen koken")
        assert appointment.person_id == session.me.account_id
        assert isinstance(session.me, Professional) and not session.me.can_suggest
    finally:
        services.close()


async def test_the_alarm_stands_out_on_every_screen_until_seen(tmp_path, clock, pilot_for):
    services = signed_in(tmp_path, clock)
    try:
        session = services.session
        sam = Youth(session.store, "Sam", clock)
        session.directory.replace_all([link_for(sam, clock)])
        me = session.me.account_id
        alarm = sam.record(NetworkAlarm, text="Bel me aub", sent_at=clock(), shared_with=[me])
        app = await pilot_for(services)
        assert app.exists(f"alarm-{alarm.id}")
        assert app.has_text("Sam heeft je nu nodig") and app.has_text("“Bel me aub”")
        assert app.exists(f"alarm-chip-{sam.space_id}")
        await app.navigate("/availability")
        assert app.exists(f"alarm-{alarm.id}")
        await app.click(f"alarm-seen-{alarm.id}")
        assert not app.exists(f"alarm-{alarm.id}")
    finally:
        services.close()


async def test_propose_then_read_points_and_write_agreements_on_screen(tmp_path, clock, pilot_for):
    services = signed_in(tmp_path, clock)
    try:
        session = services.session
        sam = Youth(session.store, "Sam", clock)
        session.directory.replace_all([link_for(sam, clock)])
        app = await pilot_for(services, route=f"/youth/{sam.space_id}")
        await app.click("open-appointments")
        assert app.exists("meetings-none")
        await app.type("appt-title", "Gesprek over wonen")
        await app.pick("appt-day", date(2026, 3, 17))
        await app.pick("appt-time", time(11, 0))
        await app.type("appt-place", "Kantoor De Brug")
        await app.click("appt-propose")
        [meeting] = session.meetings.meetings(sam.space_id)
        appointment = meeting.appointment
        assert app.has_text("wacht op antwoord van Sam")
        answer(sam, appointment)
        clock.advance(hours=1)
        await app.navigate(f"/youth/{sam.space_id}")
        await app.navigate(f"/youth/{sam.space_id}/appointments/{appointment.id}")
        assert app.text_of("meeting-status") == "Afgesproken"
        await app.type("point-text", "Huurcontract meebrengen")
        await app.click("point-add")
        await app.type("agreement-text", "Sam vraagt de huurwaarborg aan")
        await app.choose("agreement-who", "youth")
        await app.pick("agreement-due", date(2026, 3, 31))
        await app.click("agreement-add")
        [item] = session.meetings.agreements(sam.space_id, appointment.id)
        assert (item.agreement.text, item.agreement.who.value, item.agreement.due) == (
            "Sam vraagt de huurwaarborg aan",
            "youth",
            date(2026, 3, 31),
        )
        cleared = "Tegen wanneer? (niet verplicht): nog niet gekozen"
        assert app.text_of("agreement-due") == cleared  # ready for the next agreement
        assert app.has_text("Sam: Sam vraagt de huurwaarborg aan")  # who does it, then what
        assert app.has_text("Sam antwoordde nog niet")
    finally:
        services.close()
