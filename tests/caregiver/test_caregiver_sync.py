"""The caregiver app's services against the REAL server (uvicorn on loopback, SQLite).

A youth made the way onboarding makes one (the youth app's AccountService) registers and
syncs through the sync layer; the caregiver is created by the operator and activates from
the caregiver app; everything in between is encrypted by the sync engine. Only the
server's clock is moved by hand (to let a care period run out).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher

from companion.caregiver.services import CaregiverServices
from companion.core.accounts import KEYS_SECRET
from companion.core.errors import InvalidInput, NotFound, ServiceError
from companion.crypto.fingerprint import invitation_payload
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import KdfParams, RecoveryCode
from companion.crypto.vault import MemoryVault
from companion.crypto.vault_base import DATABASE_KEY
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Conversation, Goal, Message, StepStatus
from companion.notify import RecordingNotifier
from companion.store import Store
from companion.sync.api import ApiClient
from companion.sync.engine import Identity, SyncEngine
from companion.sync.registration import register
from companion.youth.accounts import AccountService
from companion.youth.goals.service import GoalsService
from companion.youth.network.links import LinksService
from companion.youth.services import YouthServices
from companion_server.db.engine import Database
from companion_server.services.accounts import create_caregiver_account
from companion_wire import InvitationIn, Role
from tests.machine import require
from tests.server.serverkit import (
    FakeClock,
    FreshPostgres,
    pg_available,
    relaxed_settings,
    truncate_all,
)
from tests.serving import RunningServer, running_server

EMAIL = "els.peeters@voorziening.be"


class YouthPhone:
    """The youth's side: the youth app's own account and goals services, synced by the
    sync engine after registering the account made offline."""

    def __init__(self, folder, server_url: str) -> None:
        self.vault = MemoryVault()
        accounts = AccountService(
            folder,
            self.vault,
            lambda: datetime.now(UTC),
            open_store=Store.open,
            kdf=KdfParams.fast,
        )
        self.session = accounts.create("Sam")
        self.store = self.session.store
        self.account = self.session.account
        self.api = ApiClient(server_url)
        keys = AccountKeys.from_bytes(self.vault.get(KEYS_SECRET))
        self.keys = keys.public
        identity = Identity(self.account.account_id, keys, Role.YOUTH, self.account.space_id)
        self.engine = SyncEngine(self.store, self.api, identity)
        self.goals = GoalsService(self.store, self.account, LinksService(self.store, datetime.now))

    async def register(self) -> None:
        def keep(session) -> None:
            self.api.token = session.token

        await register(self.api, self.store.meta, device_name="Sam's phone", keep=keep)

    def write(self, model, **fields):
        record = model(
            space_id=self.account.space_id,
            author_id=self.account.account_id,
            updated_hlc=self.store.clock.now(),
            **fields,
        )
        return {
            Goal: self.store.goals,
            Conversation: self.store.conversations,
            Message: self.store.messages,
        }[model].create(record)

    async def access_log(self) -> list[dict]:
        async with httpx.AsyncClient(base_url=self.api.base_url) as http:
            answer = await http.get(
                f"/v1/spaces/{self.account.space_id}/access-log",
                headers={"Authorization": f"Bearer {self.api.token}"},
            )
        answer.raise_for_status()
        return answer.json()["entries"]

    def record_ids(self) -> set[str]:
        ids = set()
        for repository in (self.store.goals, self.store.steps, self.store.messages):
            ids |= {r.id for r in repository.list(space_id=self.account.space_id, limit=1000)}
        return ids

    async def close(self) -> None:
        await self.api.aclose()
        self.store.close()


@pytest.fixture
def server_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    require(pg_available(), "PostgreSQL")
    fresh = FreshPostgres()
    url = fresh.create()
    try:
        yield url
    finally:
        fresh.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path, server_clock) -> Iterator[RunningServer]:
    """The real server on the embedded SQLite file and on PostgreSQL (CI must have both)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        truncate_all(url)
    with running_server(url, settings=relaxed_settings(url), clock=server_clock) as running:
        yield running


def operator_creates_caregiver(server: RunningServer, now: datetime) -> str:
    """What `companion-server create-caregiver` does: returns the one-time code."""
    database = Database(server.database_url)
    try:
        with database.write() as session:
            return create_caregiver_account(session, "Els Peeters", EMAIL, now, timedelta(days=14))
    finally:
        database.dispose()


@pytest.fixture
async def caregiver(tmp_path, server, server_clock):
    folder = tmp_path / "caregiver"
    folder.mkdir()
    services = CaregiverServices(
        folder,
        MemoryVault(),
        server=server.url,
        os_notifier=RecordingNotifier(),
        kdf=KdfParams.fast,
        pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
    )
    code = operator_creates_caregiver(server, server_clock())
    credentials = services.accounts.prepare_credentials()
    await services.activate(EMAIL, code.lower(), credentials)
    yield services
    await services.aclose()


@pytest.fixture
async def youth(tmp_path, server):
    folder = tmp_path / "youth"
    folder.mkdir()
    phone = YouthPhone(folder, server.url)
    await phone.register()
    yield phone
    await phone.close()


async def link(youth: YouthPhone, caregiver: CaregiverServices) -> str:
    """As they would at their first meeting: the caregiver scans the youth's QR code (which
    checks the youth's keys), then both compare their safety number (the youth confirms)."""
    invitation = await youth.api.create_invitation(InvitationIn(role=Role.CAREGIVER))
    linked = await caregiver.accept_invitation(invitation_payload(invitation.code, youth.keys))
    await youth.engine.sync()  # learns of the link and the caregiver's keys
    caregiver_id = caregiver.require_session().me.account_id
    youth.session.verification.confirm(caregiver_id, youth.account.space_id)
    return linked.id


async def test_activation_keeps_nothing_when_the_code_is_wrong(tmp_path, server, server_clock):
    services = CaregiverServices(
        tmp_path,
        MemoryVault(),
        server=server.url,
        kdf=KdfParams.fast,
        os_notifier=RecordingNotifier(),
    )
    operator_creates_caregiver(server, server_clock())
    credentials = services.accounts.prepare_credentials()
    with pytest.raises(ServiceError) as caught:
        await services.activate(EMAIL, "ABCD-EFGH-JKMN-PQRS", credentials)
    assert caught.value.message_key == "caregiver.error_signin_unauthorized"
    assert not services.accounts.exists() and not (tmp_path / "companion.db").exists()


async def test_a_code_cannot_be_used_twice(tmp_path, server, server_clock, caregiver):
    again = CaregiverServices(
        tmp_path / "other",
        MemoryVault(),
        server=server.url,
        kdf=KdfParams.fast,
        os_notifier=RecordingNotifier(),
    )
    (tmp_path / "other").mkdir()
    session = caregiver.require_session()
    assert session.me.display_name == "Els Peeters" and session.me.role is Role.CAREGIVER
    with pytest.raises(ServiceError):
        await again.activate(EMAIL, "ABCD-EFGH-JKMN-PQRS", again.accounts.prepare_credentials())


async def test_the_whole_conversation_round_trip(youth, caregiver):
    session = caregiver.require_session()
    me = session.me.account_id
    await link(youth, caregiver)
    assert [y.youth_name for y in session.directory.active()] == ["Sam"]
    space = youth.account.space_id

    # the youth shares a goal and writes
    goal = youth.write(Goal, title="Een studio huren", domain=LifeDomain.HOUSING, shared_with=[me])
    private = youth.write(Goal, title="Iets alleen voor mij", domain=LifeDomain.HEALTH)
    chat = youth.write(
        Conversation, participant_ids=[youth.account.account_id, me], shared_with=[me]
    )
    youth.write(
        Message,
        conversation_id=chat.id,
        text="Mag ik je iets vragen over de huurwaarborg?",
        sent_at=datetime.now(UTC),
        shared_with=[me],
    )
    await youth.engine.sync()
    await caregiver.sync.sync_now()

    [entry] = session.caseload.entries()
    assert (entry.youth.youth_name, entry.unread) == ("Sam", 1)
    detail = session.youth.detail(space)
    assert [g.goal.title for g in detail.goals] == ["Een studio huren"]
    assert session.store.goals.get(private.id) is None  # never delivered

    # the caregiver suggests a step and replies
    step = session.suggestions.suggest_step(space, goal.id, "Huurwaarborg aanvragen bij het OCMW")
    session.chat.send(space, "Natuurlijk, vertel maar.")
    await caregiver.sync.sync_now()
    assert all(line.delivered for line in session.chat.messages(space) if line.mine)

    # the youth accepts the step and reads the reply
    await youth.engine.sync()
    _goals, steps = youth.goals.suggestions()
    assert [s.step.title for s in steps] == ["Huurwaarborg aanvragen bij het OCMW"]
    youth.goals.accept_step(step.id)
    replies = youth.store.messages.list(conversation_id=chat.id)
    assert [m.text for m in replies][-1] == "Natuurlijk, vertel maar."
    await youth.engine.sync()

    await caregiver.sync.sync_now()
    [shared] = session.youth.goals(session.directory.get(space))
    assert [(s.title, s.status, s.suggested_by) for s in shared.steps] == [
        ("Huurwaarborg aanvragen bij het OCMW", StepStatus.OPEN, me)
    ]
    assert session.youth.open_suggestions(session.directory.get(space)).count == 0

    # the youth's access log lists what the caregiver's device received
    log = await youth.access_log()
    read = {(e["account_id"], e["record_id"]) for e in log}
    assert (me, goal.id) in read and (me, chat.id) in read
    assert all(e["record_id"] != private.id for e in log)

    # the youth revokes the link: after its next sync the caregiver has nothing left
    before = youth.record_ids()
    [mine] = [link for link in (await youth.api.spaces())[0].links if link.person_id == me]
    await youth.api.revoke_link(mine.id)
    await caregiver.sync.sync_now()
    assert session.caseload.entries() == []
    with pytest.raises(NotFound):
        session.youth.detail(space)
    for repository in (session.store.goals, session.store.steps, session.store.messages):
        assert repository.list(space_id=space, include_deleted=True, limit=1000) == []
    await youth.engine.sync()
    assert youth.record_ids() == before  # the youth keeps everything


async def test_a_care_period_that_runs_out_ends_access_by_itself(youth, caregiver, server_clock):
    session = caregiver.require_session()
    me = session.me.account_id
    await link(youth, caregiver)
    space = youth.account.space_id
    youth.write(Goal, title="Budget maken", domain=LifeDomain.MONEY, shared_with=[me])
    await youth.engine.sync()
    await caregiver.sync.sync_now()
    last_day = (server_clock() + timedelta(days=3)).date()
    await caregiver.end_care_period(space, last_day)
    assert session.directory.get(space).ends_at is not None
    assert len(session.youth.detail(space).goals) == 1

    server_clock.advance(timedelta(days=5))  # nobody does anything: time passes
    before = youth.record_ids()
    await caregiver.sync.sync_now()
    assert session.caseload.entries() == []
    assert session.store.goals.list(space_id=space, include_deleted=True) == []
    await youth.engine.sync()
    assert youth.record_ids() == before and len(before) == 1


async def test_the_caregiver_cannot_extend_a_care_period(youth, caregiver, server_clock):
    await link(youth, caregiver)
    space = youth.account.space_id
    await caregiver.end_care_period(space, (server_clock() + timedelta(days=10)).date())
    with pytest.raises(InvalidInput) as caught:
        await caregiver.end_care_period(space, (server_clock() + timedelta(days=90)).date())
    assert caught.value.message_key == "error.end_only_earlier"


async def test_availability_hours_reach_the_youth(youth, caregiver):
    session = caregiver.require_session()
    await link(youth, caregiver)
    session.availability.set_hours([(0, "09:00", "12:00"), (3, "13:00", "17:00")])
    await caregiver.sync.sync_now()
    assert session.availability.pending() is None
    [space] = await youth.api.spaces()
    [linked] = space.links
    assert linked.availability is not None
    assert [(s.weekday, s.start, s.end) for s in linked.availability.slots] == [
        (0, "09:00", "12:00"),
        (3, "13:00", "17:00"),
    ]


async def test_a_mistyped_or_unknown_invitation_changes_nothing(caregiver):
    with pytest.raises(InvalidInput):
        await caregiver.accept_invitation("ABC")
    with pytest.raises(ServiceError) as caught:
        await caregiver.accept_invitation(secrets.choice(["ABCD-EFGH", "WXYZ-2345"]))
    assert caught.value.message_key == "error.invitation_unknown"
    assert caregiver.require_session().directory.all() == []


async def test_a_network_person_joins_with_the_youths_code_and_only_chats(tmp_path, server, youth):
    folder = tmp_path / "aunt"
    folder.mkdir()
    aunt = CaregiverServices(
        folder,
        MemoryVault(),
        server=server.url,
        kdf=KdfParams.fast,
        os_notifier=RecordingNotifier(),
    )
    invitation = await youth.api.create_invitation(InvitationIn(role=Role.NETWORK))
    credentials = aunt.accounts.prepare_credentials()
    qr = invitation_payload(invitation.code, youth.keys)  # scanned: Sam's keys are checked
    session = await aunt.join_network(qr, "Tante Mia", credentials)
    try:
        assert session.me.role is Role.NETWORK and not session.me.can_suggest
        await aunt.sync.sync_now()
        [linked] = session.directory.active()
        assert (linked.youth_name, linked.role) == ("Sam", Role.NETWORK)
        space = youth.account.space_id
        me = session.me.account_id
        session.chat.send(space, "Succes met je examen, Sam!")
        await aunt.sync.sync_now()
        await youth.engine.sync()
        # Sam has not compared numbers with her aunt yet: her message waits, unopened
        assert youth.store.messages.list(space_id=space) == []
        youth.session.verification.confirm(me, space)
        youth.write(Goal, title="Rijbewijs halen", domain=LifeDomain.PAPERWORK, shared_with=[me])
        youth.write(Goal, title="Niet voor tante", domain=LifeDomain.HEALTH)
        await youth.engine.sync()
        texts = [m.text for m in youth.store.messages.list(space_id=space)]
        assert texts == ["Succes met je examen, Sam!"]
        await aunt.sync.sync_now()
        assert [g.goal.title for g in session.youth.detail(space).goals] == ["Rijbewijs halen"]
        with pytest.raises(ServiceError):
            session.suggestions.suggest_goal(space, "Sparen", LifeDomain.MONEY)
    finally:
        await aunt.aclose()


async def test_a_used_invitation_cannot_make_a_second_network_account(tmp_path, server, youth):
    invitation = await youth.api.create_invitation(InvitationIn(role=Role.NETWORK))
    first = CaregiverServices(
        tmp_path / "a",
        MemoryVault(),
        server=server.url,
        kdf=KdfParams.fast,
        os_notifier=RecordingNotifier(),
    )
    second = CaregiverServices(
        tmp_path / "b",
        MemoryVault(),
        server=server.url,
        kdf=KdfParams.fast,
        os_notifier=RecordingNotifier(),
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    await first.join_network(invitation.code, "Tante Mia", first.accounts.prepare_credentials())
    with pytest.raises(ServiceError) as caught:
        await second.join_network(
            invitation.code, "Iemand anders", second.accounts.prepare_credentials()
        )
    assert caught.value.message_key == "caregiver.error_signin_invitation_invalid"
    assert not second.accounts.exists()
    await first.aclose()


async def test_the_recovery_code_brings_the_account_and_caseload_back(
    tmp_path, server, youth, caregiver
):
    """The caregiver's computer lost its keys (a wiped keystore, or a new computer): the
    recovery code brings the account back from the server's key backup, the old file is
    moved aside (never deleted), and the first sync brings back the youths."""
    await link(youth, caregiver)
    me = caregiver.require_session().me
    code = caregiver.accounts.recovery_code()
    await caregiver.aclose()
    caregiver.vault.delete(DATABASE_KEY)  # all the keystore lost is the database key
    folder = tmp_path / "caregiver"
    again = CaregiverServices(
        folder,
        caregiver.vault,
        server=server.url,
        kdf=KdfParams.fast,
        os_notifier=RecordingNotifier(),
    )
    again.start()
    assert again.problem is not None and again.problem.reason == "keys_gone"
    again.start_over()
    with pytest.raises(InvalidInput) as wrong:
        await again.restore(str(RecoveryCode.generate()))  # no account has this one
    assert wrong.value.code == "recovery_wrong"
    try:
        session = await again.restore(code.lower())
        assert (session.me.account_id, session.me.display_name, session.me.role) == (
            me.account_id,
            me.display_name,
            me.role,
        )
        assert again.accounts.recovery_confirmed(session)  # just typed: not asked again
        assert len(list(folder.glob("companion.orphan-*"))) == 1
        await again.require_sync().sync_now()
        assert [y.youth_name for y in session.directory.active()] == ["Sam"]
    finally:
        await again.aclose()


async def test_a_youths_recovery_code_does_not_make_a_caregiver(tmp_path, server):
    youth_phone = YouthServices(
        tmp_path / "youth", MemoryVault(), server=server.url, kdf=KdfParams.fast
    )
    (tmp_path / "youth").mkdir()
    youth_phone.create_account("Sam")
    await youth_phone.require_sync().sync_now()  # registers, with its key backup
    code = youth_phone.accounts.recovery_code()
    await youth_phone.aclose()
    (tmp_path / "els").mkdir()
    services = CaregiverServices(
        tmp_path / "els",
        MemoryVault(),
        server=server.url,
        kdf=KdfParams.fast,
        os_notifier=RecordingNotifier(),
    )
    with pytest.raises(InvalidInput) as refused:
        await services.restore(code)
    assert refused.value.code == "recovery_youth_account"
    assert not services.accounts.exists() and not (tmp_path / "els" / "companion.db").exists()


async def test_a_report_goes_to_the_youth_with_its_pdf(youth, caregiver, pilot_for):
    """The caregiver writes a plan, adds its PDF and shares both: the file is sealed with
    the document, shared with the youth only, and reaches the server before its record."""
    await link(youth, caregiver)
    session = caregiver.require_session()
    code = caregiver.accounts.recovery_code()
    caregiver.accounts.confirm_recovery(session, 2, code.split("-")[1])  # set up
    space = youth.account.space_id
    pdf = b"%PDF-1.7\n" + secrets.token_bytes(30_000)
    app = await pilot_for(caregiver, route=f"/youth/{space}/documents")
    await app.type("document-title", "Handelingsplan")
    await app.type("document-body", "Zie de bijlage.")
    app.connection.to_pick = ("handelingsplan.pdf", pdf)
    await app.click("document-attach")
    assert app.text_of("document-file") == "Gaat mee: handelingsplan.pdf"
    await app.click("document-share")
    [shared] = session.documents.list(space)
    files = caregiver.files
    assert files is not None
    [attached] = files.of(shared.document.id)
    assert attached.shared_with == [youth.account.account_id]
    assert (attached.name, attached.mime) == ("handelingsplan.pdf", "application/pdf")
    assert app.exists(f"file-{attached.id}") and not app.exists("document-file")
    await caregiver.require_sync().sync_now()
    assert files.waiting() == frozenset()  # the sealed file went up with the sync
    await youth.engine.sync()
    assert youth.session.store.record(attached.id) is not None  # the youth's phone has it
    await app.click(f"file-{attached.id}")
    assert app.connection.saved == [("handelingsplan.pdf", pdf)]
