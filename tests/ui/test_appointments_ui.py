"""Appointment and plan screens in the youth app: answer a caregiver's proposal, bring
points, reply to agreements and act on them, the .ics, and the plan one tap from help."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import icalendar

from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.meetings import Agreement, Appointment
from companion.domain.models import CareLink
from companion_wire import LinkStatus, Role, new_id

ELS = new_id()


def link_els(space, clock) -> None:
    space.links.replace_all(
        [
            CareLink(
                id=new_id(),
                space_id=space.account.space_id,
                person_id=ELS,
                display_name="Els",
                role=Role.CAREGIVER,
                status=LinkStatus.ACTIVE,
                starts_at=clock() - timedelta(days=10),
            )
        ]
    )


def from_els(space, record_type, version: int, **fields):
    record = record_type(
        space_id=space.account.space_id,
        author_id=ELS,
        updated_hlc=HybridClock("office").now(),
        shared_with=[space.account.account_id],
        **fields,
    )
    space.store.apply_remote(record, version)
    return record


async def test_answer_bring_points_agree_and_calendar(app, space, clock, services):
    link_els(space, clock)
    goal = space.goals.create("Een studio huren", LifeDomain.HOUSING)
    entry = space.diary.write("Ik slaap slecht door de buren.")
    start = (clock() + timedelta(days=2)).replace(hour=14, minute=30)
    proposal = from_els(
        space,
        Appointment,
        1,
        person_id=ELS,
        title="Gesprek over wonen",
        starts_at=start,
        time_zone="Europe/Brussels",
        place="Kantoor De Brug",
    )
    await app.navigate("/diary")  # Today reads what arrived when it is shown again
    await app.tab("Vandaag")
    assert app.exists(f"today-appointment-{proposal.id}")
    await app.click(f"today-appointment-{proposal.id}")
    assert app.route == f"/more/appointments/{proposal.id}"
    assert app.has_text("Els stelt dit voor")
    await app.click("appointment-accept")
    assert app.text_of("appointment-status") == "Afgesproken"

    await app.type("point-text", "Hoeveel is de huurwaarborg?")
    await app.toggle("point-share")
    await app.click("point-add")
    await app.choose("point-about", f"diary_entry:{entry.id}")
    await app.toggle("point-share")
    await app.click("point-add")
    points = space.points.points(proposal.id)
    assert [(p.point.text, p.shared) for p in points] == [
        ("Hoeveel is de huurwaarborg?", True),
        ("Ik slaap slecht door de buren.", True),
    ]
    assert space.diary.get(entry.id).shared_with == [ELS]

    await app.click("appointment-ics")
    path = app.text_of("ics-path").split(": ", 1)[1]
    event = icalendar.Calendar.from_ical(Path(path).read_bytes()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert event.decoded("dtstart").tzinfo.key == "Europe/Brussels"

    clock.advance(days=2, hours=5)
    agreement = from_els(
        space,
        Agreement,
        2,
        appointment_id=proposal.id,
        text="Sam vraagt de huurwaarborg aan",
        who="youth",
    )
    await app.navigate("/more/appointments")
    await app.click(f"appointment-{proposal.id}")
    await app.click(f"agreement-step-{agreement.id}-{goal.id}")
    assert app.exists(f"agreement-step-made-{agreement.id}")
    assert [s.title for s in space.goals.view(goal.id).steps] == ["Sam vraagt de huurwaarborg aan"]


async def test_the_plan_opens_from_help_and_sends_the_alarm(app, space, clock):
    link_els(space, clock)
    await app.navigate("/diary")
    await app.click("help-button")
    await app.click("help-plan")
    assert app.exists("plan-empty")
    await app.click("plan-start")
    await app.type("plan-warning_signs", "Ik slaap slecht\nIk trek me terug")
    await app.type("plan-people", "Mia 0470 12 34 56")
    await app.toggle(f"plan-alarm_to-{ELS}")
    await app.click("plan-save")
    assert app.route == "/help/plan"
    assert app.exists("plan-call-people-0-0")
    assert app.has_text("Gaat naar: Els")
    await app.type("alarm-text", "Bel me aub")
    await app.click("alarm-send")
    assert app.exists("alarm-sent")
    assert app.has_text("Els: wacht op internet")
    [sent] = space.alarms.sent()
    assert (sent.alarm.text, sent.alarm.shared_with) == ("Bel me aub", [ELS])
    assert space.safety_plan.plan().shared_with == []
