"""My network & privacy: what each linked person can see (from the local store), and the
server-side actions (invite, revoke, end date, access log) against the REAL server app
in-process; without a connection every such action says so and changes nothing."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from companion.core.errors import InvalidInput, NotConnected, NotFound, ServerRefused
from companion.domain.life_domains import LifeDomain
from companion.domain.models import CareLink
from companion.store import ACCOUNT_KEY, Store
from companion.sync.api import ApiClient
from companion.youth.account import Account
from companion.youth.diary.service import DiaryService
from companion.youth.goals.service import GoalsService
from companion.youth.network.links import LinksService
from companion.youth.network.service import NetworkService, first_words
from companion.youth.today.moods import MoodService
from companion_server import migrate
from companion_server.app import create_app
from companion_server.db.engine import Database, make_engine
from companion_wire import LinkStatus, RecordKind, Role, new_id
from tests.server.serverkit import Api, FakeClock, relaxed_settings

START = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
CAREGIVER, AUNT, FORMER = new_id(), new_id(), new_id()


class Now:
    def __init__(self) -> None:
        self.current = START

    def __call__(self) -> datetime:
        return self.current


@pytest.fixture
def now() -> Now:
    return Now()


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "companion.db", key=os.urandom(32))
    yield store
    store.close()


@pytest.fixture
def account(store) -> Account:
    """The youth whose phone this store is (the store stamps what they write)."""
    account = Account(new_id(), new_id(), "Sam")
    store.meta.set(ACCOUNT_KEY, account.account_id)
    return account


def link(account: Account, person_id: str, name: str, role: Role = Role.CAREGIVER, **kw):
    return CareLink(
        id=new_id(),
        space_id=account.space_id,
        person_id=person_id,
        display_name=name,
        role=role,
        status=kw.pop("status", LinkStatus.ACTIVE),
        starts_at=kw.pop("starts_at", START - timedelta(days=30)),
        **kw,
    )


@pytest.fixture
def links(store, account, now) -> LinksService:
    links = LinksService(store, now)
    links.replace_all(
        [
            link(account, CAREGIVER, "Noor"),
            link(account, AUNT, "Tante Mia", Role.NETWORK, starts_at=START - timedelta(days=3)),
            link(account, FORMER, "Jan", ends_at=START - timedelta(days=1)),
        ]
    )
    return links


@pytest.fixture
def network(store, account, links, now) -> NetworkService:
    return NetworkService(store, account, links, now)


def test_each_person_sees_exactly_what_was_shared_with_them(
    store, account, links, network, now
) -> None:
    diary = DiaryService(store, account, links, lambda: START.date())
    goals = GoalsService(store, account, links)
    moods = MoodService(store, account, now)
    entry = diary.write("Vandaag naar het OCMW geweest.\nLang gewacht.", mood=3)
    diary.write("Dit blijft privé.")
    diary.share(entry.id, [CAREGIVER, AUNT])
    goal = goals.create("Werk zoeken", LifeDomain.WORK_SCHOOL)
    goals.add_step(goal.id, "CV maken")
    goals.share(goal.id, [CAREGIVER])
    moods.check_in(4)

    people = {p.link.display_name: p for p in network.people()}
    assert [p.link.display_name for p in network.people()] == ["Tante Mia", "Noor", "Jan"]
    noor = people["Noor"]
    assert noor.active
    assert {(i.kind, i.title) for i in noor.shared} == {
        (RecordKind.DIARY_ENTRY, "Vandaag naar het OCMW geweest."),
        (RecordKind.GOAL, "Werk zoeken"),
    }
    assert [(i.kind, i.when) for i in people["Tante Mia"].shared] == [
        (RecordKind.DIARY_ENTRY, START.date())
    ]
    assert not people["Jan"].active and people["Jan"].shared == []
    diary.share(entry.id, [])
    assert network.person(CAREGIVER).shared[0].kind is RecordKind.GOAL
    with pytest.raises(NotFound):
        network.person(new_id())


async def test_without_a_connection_server_actions_say_so_and_change_nothing(
    network, links, store
) -> None:
    noor = network.person(CAREGIVER).link
    before = links.all()
    for action in (
        lambda: network.invite(Role.NETWORK),
        lambda: network.revoke(noor.id),
        lambda: network.set_end_date(noor.id, date(2026, 6, 30)),
        lambda: network.access_log(),
        lambda: network.refresh(),
    ):
        with pytest.raises(NotConnected):
            await action()
    assert links.all() == before
    assert network.pending_invitations() == []
    assert store.outbox.count() == 0


async def test_bad_invitation_input_is_refused_before_any_call(network) -> None:
    for role in ("youth", "boss"):
        with pytest.raises(InvalidInput) as error:
            await network.invite(role)
        assert (error.value.code, error.value.field) == ("invalid_choice", "role")
    with pytest.raises(InvalidInput) as past:
        await network.invite(Role.CAREGIVER, date(2026, 5, 1))
    assert past.value.code == "in_the_past"
    with pytest.raises(NotFound):
        await network.revoke(new_id())


# --- against the real server ---------------------------------------------------------------


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    database = Database(url)
    clock = FakeClock(START)
    app = create_app(relaxed_settings(url), database=database, clock=clock)
    with TestClient(app) as client:
        yield app, Api(client, database, clock)
    database.dispose()


@pytest.fixture
async def online(server, tmp_path, now):
    """A youth registered on the server, her store, and a network service with a client."""
    app, api = server
    youth = api.youth("Sam")
    store = Store.open(tmp_path / "youth.db", key=os.urandom(32))
    account = Account(youth.account_id, youth.space_id, "Sam")
    client = ApiClient(
        "http://testserver", token=youth.token, transport=httpx.ASGITransport(app=app)
    )
    links = LinksService(store, now)
    service = NetworkService(store, account, links, now, remote=lambda: client)
    yield api, youth, service, links
    await client.aclose()
    store.close()


async def test_invite_revoke_and_end_date_go_through_the_server(online, now) -> None:
    api, _youth, network, links = online
    invitation = await network.invite(Role.CAREGIVER, date(2026, 12, 31))
    assert len(invitation.code) == 9 and invitation.role is Role.CAREGIVER
    [pending] = network.pending_invitations()
    assert pending.role is Role.CAREGIVER
    assert pending.ends_at == datetime(2027, 1, 1, tzinfo=UTC)

    caregiver = api.caregiver("Els")
    accepted = api.client.post(
        f"/v1/invitations/{invitation.code}/accept", headers=caregiver.headers
    )
    assert accepted.status_code == 200, accepted.text
    await network.refresh()
    assert network.pending_invitations() == []
    [els] = network.people()
    assert (els.link.display_name, els.active) == ("Els", True)

    await network.set_end_date(els.link.id, date(2026, 6, 30))
    assert network.person(caregiver.account_id).link.ends_at == datetime(2026, 7, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        await network.set_end_date(els.link.id, date(2026, 1, 1))

    await network.revoke(els.link.id)
    gone = network.person(caregiver.account_id)
    assert gone.link.status is LinkStatus.REVOKED and not gone.active
    assert links.active() == []
    with pytest.raises(ServerRefused):
        await network.set_end_date(els.link.id, date(2026, 8, 1))  # already ended


async def test_the_access_log_comes_from_the_server(online) -> None:
    api, youth, network, _ = online
    page = await network.access_log()
    assert page.entries == [] and page.next_before is None
    caregiver = api.caregiver("Els")
    api.link(youth, caregiver)
    record = api.record(youth, youth, "diary_entry", shared_with=[caregiver])
    api.put(youth, record)
    pulled = api.pull(caregiver, youth.space_id)
    assert pulled.status_code == 200
    [entry] = (await network.access_log()).entries
    assert (entry.who, entry.kind, entry.record_id) == ("Els", RecordKind.DIARY_ENTRY, record["id"])


def test_the_access_log_names_the_item_as_this_phone_knows_it(
    store, account, links, network, now
) -> None:
    """Issue 15: "Els ontving een dagboek" did not say which. The server cannot read the
    item, so the phone names it: a title, or the first words of a text."""
    diary = DiaryService(store, account, links, lambda: START.date())
    goals = GoalsService(store, account, links)
    moods = MoodService(store, account, now)
    entry = diary.write("Vandaag naar het OCMW geweest en heel lang gewacht aan het loket.")
    short = diary.write("Moe.")
    goal = goals.create("Werk zoeken", LifeDomain.WORK_SCHOOL)
    mood = moods.check_in(4)
    named = network.item_name(RecordKind.DIARY_ENTRY, entry.id)
    assert named == "Vandaag naar het OCMW geweest en…"
    assert network.item_name(RecordKind.DIARY_ENTRY, short.id) == "Moe."
    assert network.item_name(RecordKind.GOAL, goal.id) == "Werk zoeken"
    assert network.item_name(RecordKind.MOOD_CHECKIN, mood.id) is None  # no words to show
    assert network.item_name(RecordKind.DIARY_ENTRY, new_id()) is None  # not on this phone
    diary.delete(short.id)
    assert network.item_name(RecordKind.DIARY_ENTRY, short.id) is None
    assert first_words("Een heel erg lange zinnetjesachtigeverzameling van woorden") == (
        "Een heel erg lange zinnetjesachtigeverz…"
    )
