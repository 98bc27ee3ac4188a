"""The plan for hard moments and the network alarm on the youth's phone: private until
shared, only linked people chosen, written offline at once, and who received it (from the
server's access log, through a stand-in for the server client)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from companion.core.errors import InvalidInput, NotFound, Offline
from companion.crypto.keys import AccountKeys
from companion.domain.models import CareLink
from companion.store import ACCOUNT_KEY, Store
from companion.sync.errors import OfflineError
from companion.youth.account import Account
from companion.youth.safety.service import Delivery, lines_of, phone_numbers
from companion.youth.session import YouthSession
from companion_wire import AccessLogEntry, AccessLogOut, LinkStatus, RecordKind, Role, new_id

NOW = datetime(2026, 3, 16, 21, 30, tzinfo=UTC)
MIA, ELS, FORMER = new_id(), new_id(), new_id()


class AccessLogServer:
    """What the server's access log answers (the youth's own log), or that it is away."""

    def __init__(self) -> None:
        self.entries: list[AccessLogEntry] = []
        self.reachable = True

    async def access_log(self, space_id, before, limit) -> AccessLogOut:
        if not self.reachable:
            raise OfflineError("no connection")
        return AccessLogOut(entries=list(reversed(self.entries)), next_before=None)


@pytest.fixture
def server() -> AccessLogServer:
    return AccessLogServer()


@pytest.fixture
def space(tmp_path, server):
    store = Store.open(tmp_path / "companion.db", key=os.urandom(32))
    account = Account(new_id(), new_id(), "Sam")
    store.meta.set(ACCOUNT_KEY, account.account_id)
    session = YouthSession(
        store, account, AccountKeys.generate().public, lambda: NOW, remote=lambda: server
    )
    session.links.replace_all(
        [
            link(account, MIA, "Mia", Role.NETWORK),
            link(account, ELS, "Els", Role.CAREGIVER),
            link(account, FORMER, "Jan", Role.NETWORK, ended=True),
        ]
    )
    yield session
    store.close()


def link(account, person, name, role, ended=False) -> CareLink:
    return CareLink(
        id=new_id(),
        space_id=account.space_id,
        person_id=person,
        display_name=name,
        role=role,
        status=LinkStatus.ACTIVE,
        starts_at=NOW - timedelta(days=90),
        ends_at=NOW - timedelta(days=1) if ended else None,
    )


def test_the_plan_is_private_until_shared_with_linked_people_only(space):
    assert space.safety_plan.plan() is None
    plan = space.safety_plan.save(
        {
            "warning_signs": "Ik slaap slecht\n\n  Ik trek me   terug  ",
            "people": "Mia 0470 12 34 56",
        },
        "Eerst Mia",
    )
    assert plan.warning_signs == ["Ik slaap slecht", "Ik trek me terug"]
    assert plan.shared_with == [] and plan.alarm_to == []
    assert space.safety_plan.share([ELS]).shared_with == [ELS]
    for people, field in (([FORMER], "shared_with"), ([new_id()], "shared_with")):
        with pytest.raises(InvalidInput) as refused:
            space.safety_plan.share(people)
        assert (refused.value.code, refused.value.field) == ("not_linked", field)
    with pytest.raises(InvalidInput):
        space.safety_plan.set_alarm_people([FORMER])
    again = space.safety_plan.save({"my_coping": "Muziek"})  # one plan, changed
    assert again.id == plan.id and again.my_coping == ["Muziek"] and again.shared_with == [ELS]
    with pytest.raises(InvalidInput):
        space.safety_plan.save({"horoscope": "x"})


def test_phone_numbers_in_a_line_become_call_buttons():
    assert phone_numbers("Mia 0470 12 34 56") == ["0470123456"]
    assert phone_numbers("Huisarts 09/123.45.67 of +32 470 12 34 56") == [
        "091234567",
        "+32470123456",
    ]
    assert phone_numbers("Om 14u30 bij 12 Kerkstraat") == []
    assert lines_of("a\n\n b  c \n") == ["a", "b c"]


async def test_the_alarm_goes_to_the_chosen_people_and_says_who_received_it(space, server):
    with pytest.raises(InvalidInput) as nobody:
        space.alarms.send()
    assert nobody.value.code == "no_alarm_people"
    space.safety_plan.set_alarm_people([MIA, ELS])
    alarm = space.alarms.send("  Bel me aub  ")
    assert alarm.shared_with == [MIA, ELS] and alarm.text == "Bel me aub"
    assert alarm.kind is RecordKind.NETWORK_ALARM
    [sent] = space.alarms.sent()
    assert [(r.name, r.delivery) for r in sent.recipients] == [
        ("Mia", Delivery.WAITING),
        ("Els", Delivery.WAITING),
    ]
    space.store.mark_synced(alarm.id, 7, alarm.updated_hlc)  # the server has it
    server.entries.append(
        AccessLogEntry(
            id=1,
            account_id=MIA,
            display_name="Mia",
            record_id=alarm.id,
            kind=RecordKind.NETWORK_ALARM,
            route="pull",
            at=NOW + timedelta(seconds=4),
        )
    )
    [sent] = await space.alarms.check_receipts()
    assert [(r.name, r.delivery) for r in sent.recipients] == [
        ("Mia", Delivery.RECEIVED),
        ("Els", Delivery.SENT),
    ]
    assert sent.recipients[0].at == NOW + timedelta(seconds=4)
    server.reachable = False
    with pytest.raises(Offline):
        await space.alarms.check_receipts()
    assert space.alarms.sent()[0].recipients[0].delivery is Delivery.RECEIVED  # remembered


def test_an_ended_link_gets_no_alarm_and_a_withdrawn_alarm_is_gone(space):
    space.safety_plan.set_alarm_people([MIA])
    space.links.replace_all([link(space.account, MIA, "Mia", Role.NETWORK, ended=True)])
    assert space.alarms.recipients() == []
    with pytest.raises(InvalidInput):
        space.alarms.send()
    space.links.replace_all([link(space.account, MIA, "Mia", Role.NETWORK)])
    alarm = space.alarms.send()
    space.alarms.withdraw(alarm.id)
    assert space.alarms.sent() == []
    with pytest.raises(NotFound):
        space.alarms.withdraw(alarm.id)
