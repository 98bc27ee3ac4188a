"""Appointments and the network alarm end to end through the REAL server (uvicorn on
loopback, SQLite and PostgreSQL): the youth app's own services on one side, the caregiver
and a network person's apps on the other, everything encrypted by their devices.

Els proposes, Sam accepts and brings a private note, a question and a diary entry; Els'
device receives exactly the shared ones. After the appointment Els writes two agreements;
Sam accepts one as a goal step and comments on the other; Els reads both answers. Sam's
alarm reaches Mia, whom Sam chose, and not Els; Sam sees that Mia's device received it.
Only the apps' clock is moved by hand (two days on), past the appointment.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher

from companion.caregiver.appointments.service import Proposal
from companion.caregiver.services import CaregiverServices
from companion.core.accounts import KEYS_SECRET
from companion.crypto.fingerprint import invitation_payload
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import KdfParams
from companion.crypto.vault import MemoryVault
from companion.domain.life_domains import LifeDomain
from companion.domain.meetings import AgreementReply, AppointmentStatus
from companion.notify import RecordingNotifier
from companion.store import Store
from companion.sync.api import ApiClient
from companion.sync.engine import Identity, SyncEngine
from companion.sync.registration import register
from companion.youth.accounts import AccountService
from companion.youth.safety.service import Delivery
from companion_wire import InvitationIn, RecordKind, Role
from tests.caregiver.test_caregiver_sync import (  # noqa: F401  (fixtures)
    EMAIL,
    operator_creates_caregiver,
    postgres_url,
    server,
    server_clock,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


class AppClock:
    """The apps' clock: the real time, moved on by hand (the server keeps the real time)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(BRUSSELS) + self.offset


class Sam:
    """The youth app's account and feature services, synced by the sync engine."""

    def __init__(self, folder, server_url: str, clock: AppClock) -> None:
        self.vault = MemoryVault()
        self.api = ApiClient(server_url)
        accounts = AccountService(
            folder,
            self.vault,
            clock,
            open_store=Store.open,
            kdf=KdfParams.fast,
            remote=lambda: self.api,
        )
        self.session = accounts.create("Sam")
        keys = AccountKeys.from_bytes(self.vault.get(KEYS_SECRET))
        self.keys = keys.public
        account = self.session.account
        identity = Identity(account.account_id, keys, Role.YOUTH, account.space_id)
        self.engine = SyncEngine(self.session.store, self.api, identity)

    async def register(self) -> None:
        def keep(session) -> None:
            self.api.token = session.token

        await register(self.api, self.session.store.meta, device_name="Sam's phone", keep=keep)

    async def sync(self) -> None:
        await self.engine.sync()
        await self.session.network.refresh()

    async def close(self) -> None:
        await self.api.aclose()
        self.session.close()


def device(
    folder, server_url: str, clock: AppClock, desktop: RecordingNotifier | None = None
) -> CaregiverServices:
    """A caregiver app; `desktop` records what the computer's or phone's own
    notifications showed."""
    folder.mkdir()
    return CaregiverServices(
        folder,
        MemoryVault(),
        server=server_url,
        now=clock,
        os_notifier=desktop or RecordingNotifier(),
        kdf=KdfParams.fast,
        pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
    )


@pytest.fixture
async def world(tmp_path, server, server_clock):  # noqa: F811
    clock = AppClock()
    sam = Sam(tmp_path / "sam", server.url, clock)
    await sam.register()
    els = device(tmp_path / "els", server.url, clock)
    code = operator_creates_caregiver(server, server_clock())
    await els.activate(EMAIL, code, els.accounts.prepare_credentials())
    # as at a first meeting: each scans Sam's QR code (which checks Sam's keys), and Sam
    # compares the safety number on both screens
    invitation = await sam.api.create_invitation(InvitationIn(role=Role.CAREGIVER))
    await els.accept_invitation(invitation_payload(invitation.code, sam.keys))
    desktop = RecordingNotifier()
    mia = device(tmp_path / "mia", server.url, clock, desktop)
    invitation = await sam.api.create_invitation(InvitationIn(role=Role.NETWORK))
    qr = invitation_payload(invitation.code, sam.keys)
    await mia.join_network(qr, "Mia", mia.accounts.prepare_credentials())
    await mia.sync.sync_now()
    await sam.sync()
    space = sam.session.account.space_id
    for person in (els, mia):
        sam.session.verification.confirm(person.require_session().me.account_id, space)
    yield sam, els, mia, clock, desktop
    await els.aclose()
    await mia.aclose()
    await sam.close()


async def test_an_appointment_from_proposal_to_agreements(world):
    sam, els, mia, clock, _desktop = world
    youth = sam.session
    care = els.require_session()
    space = youth.account.space_id
    goal = youth.goals.create("Een studio huren", LifeDomain.HOUSING)
    entry = youth.diary.write("De buren maken elke nacht lawaai.")

    tomorrow = (clock() + timedelta(days=1)).date()
    proposal = care.meetings.propose(
        space, Proposal("Gesprek over wonen", tomorrow, time(14, 30), place="De Brug")
    )
    await els.sync.sync_now()
    await sam.sync()
    [view] = youth.appointments.upcoming()
    assert view.waiting and view.person_name == "Els Peeters"
    youth.appointments.accept(proposal.id)
    youth.points.add(proposal.id, "Alleen voor mezelf: niet vergeten te vragen")
    youth.points.add(proposal.id, "Hoeveel is de huurwaarborg?", share=True)
    youth.points.add(proposal.id, "", share=True, about=(RecordKind.DIARY_ENTRY, entry.id))
    await sam.sync()
    await els.sync.sync_now()

    meeting = care.meetings.meeting(space, proposal.id)
    assert meeting.state.status is AppointmentStatus.ACCEPTED
    points = care.meetings.points(space, proposal.id)
    assert [p.point.text for p in points] == [
        "Hoeveel is de huurwaarborg?",
        "De buren maken elke nacht lawaai.",
    ]
    assert points[1].about is not None and points[1].about.id == entry.id
    assert care.caseload.entries()[0].next_meeting.appointment.id == proposal.id
    await mia.sync.sync_now()
    assert mia.require_session().store.repository_for(RecordKind.APPOINTMENT).list() == []

    clock.offset = timedelta(days=2)  # the appointment took place
    first = care.meetings.write_agreement(space, proposal.id, "Sam vraagt de waarborg aan", "youth")
    second = care.meetings.write_agreement(space, proposal.id, "Els belt de huisbaas", "other")
    await els.sync.sync_now()
    await sam.sync()
    step = youth.agreements.to_step(first.id, goal.id)
    youth.agreements.comment(second.id, "Ik bel liever zelf.")
    await sam.sync()
    await els.sync.sync_now()
    answers = {a.agreement.id: a.answer for a in care.meetings.agreements(space, proposal.id)}
    assert answers[first.id].reply is AgreementReply.ACCEPTED
    assert answers[first.id].step_id == step.id
    assert (answers[second.id].reply, answers[second.id].comment) == (
        AgreementReply.OPEN,
        "Ik bel liever zelf.",
    )
    assert [s.title for s in youth.goals.view(goal.id).steps] == ["Sam vraagt de waarborg aan"]


async def test_the_alarm_reaches_only_the_chosen_person_who_sees_it_stand_out(world):
    sam, els, mia, _clock, desktop = world
    youth = sam.session
    helper = mia.require_session()
    youth.safety_plan.save({"people": "Mia 0470 12 34 56"}, alarm_to=[helper.me.account_id])
    alarm = youth.alarms.send("Kun je bellen?")
    await sam.sync()
    await mia.sync.sync_now()
    await els.sync.sync_now()
    [open_alarm] = helper.alarms.open()
    assert (open_alarm.alarm.id, open_alarm.alarm.text, open_alarm.youth_name) == (
        alarm.id,
        "Kun je bellen?",
        "Sam",
    )
    assert ("Sam heeft je nu nodig", "Open Companion.") in desktop.shown
    assert helper.caseload.entries()[0].alarms == 1
    caregiver = els.require_session()
    assert caregiver.alarms.open() == []
    assert caregiver.store.repository_for(RecordKind.NETWORK_ALARM).list() == []
    [sent] = await youth.alarms.check_receipts()
    assert [(r.name, r.delivery) for r in sent.recipients] == [("Mia", Delivery.RECEIVED)]
