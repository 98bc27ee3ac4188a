"""The youth app's services wired to the sync engine, against the REAL server (uvicorn on
loopback, SQLite): a diary entry written through DiaryService reaches the server with no
sync call of its own; the network screen's server actions and the links after a sync work;
the restore and invitation-preview paths of onboarding."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher

from companion.core.accounts import KEYS_SECRET
from companion.core.errors import InvalidInput, NotConnected, Offline
from companion.crypto.fingerprint import safety_number
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import KdfParams, RecoveryCode, enrol
from companion.sync.api import ApiClient
from companion.sync.errors import SignInRequiredError
from companion.sync.keyring import KeyStatus
from companion.sync.state import SyncPhase
from companion.youth.services import YouthServices
from companion_wire import Refusal, Role, SignUpIn
from tests.phone_edge import device_vault
from tests.server.serverkit import relaxed_settings
from tests.serving import running_server


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with running_server(url, settings=relaxed_settings(url)) as running:
        yield running


def youth_app(folder, server_url: str | None) -> YouthServices:
    folder.mkdir(exist_ok=True)
    return YouthServices(
        folder,
        device_vault(),
        kdf=KdfParams.fast,
        pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
        server=server_url,
        live=False,
    )


async def until(check: Callable[[], bool], what: str) -> None:
    for _ in range(400):
        if check():
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"never happened: {what}")


async def until_async(check, what: str) -> None:
    for _ in range(400):
        if await check():
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
async def sam(tmp_path, server):
    services = youth_app(tmp_path / "sam", server.url)
    services.create_account("Sam")
    services.start_sync()
    await until(lambda: services.sync_state.state.phase is SyncPhase.UP_TO_DATE, "registered")
    yield services
    await services.aclose()


async def test_a_diary_entry_reaches_the_server_without_any_sync_call(sam) -> None:
    space = sam.require_session()
    assert sam.sync_state.state.pending == 0
    entry = space.diary.write("Vandaag naar het OCMW geweest.", mood=3)
    await until(lambda: space.store.sync_info(entry.id).server_version is not None, "pushed")
    await until(lambda: sam.sync_state.state.pending == 0, "the outbox empty")
    # the server holds it: a fresh pull of Sam's own space returns its envelope
    api = sam.sync.api
    assert api is not None
    pulled = await api.pull(space.account.space_id, 0, 100)
    assert entry.id in {envelope.id for envelope in pulled.records}


async def test_writes_from_a_worker_thread_are_sent_too(sam) -> None:
    space = sam.require_session()
    goal = await asyncio.to_thread(space.goals.create, "Een studio huren", "housing")
    await until(lambda: space.store.sync_info(goal.id).server_version is not None, "pushed")


async def test_links_and_hours_arrive_after_a_sync_and_sharing_works(sam, server) -> None:
    space = sam.require_session()
    redraws: list[int] = []
    assert sam.sync is not None
    sam.sync.subscribe(lambda: redraws.append(len(space.links.all())))
    invitation = await space.network.invite(Role.NETWORK)
    [pending] = space.network.pending_invitations()
    assert pending.role is Role.NETWORK
    els = await join_as_network_person(server.url, invitation.code)
    sam.resume_sync()
    await until(lambda: space.links.active() != [], "Els is linked on Sam's phone")
    [person] = space.network.people()
    assert (person.link.display_name, person.active) == ("Els", True)
    await until(lambda: redraws and redraws[-1] == 1, "the screens told that Els arrived")
    assert space.network.pending_invitations() == []

    # Els's keys came from the server: nothing is sealed for them until Sam checked them
    els_id = person.link.person_id
    assert space.verification.of(els_id).status is KeyStatus.UNVERIFIED
    goal = space.goals.create("Een studio huren", "housing")
    space.goals.share(goal.id, [els_id])
    await sam.sync.sync_now()
    [waiting] = sam.sync.engine.parked()
    assert (waiting.record_id, waiting.refusal) == (goal.id, Refusal.UNVERIFIED)
    assert goal.id not in {e.id for e in (await els.pull(space.account.space_id, 0, 100)).records}

    space.verification.confirm(els_id, space.account.space_id)  # the numbers matched
    assert space.verification.of(els_id).status is KeyStatus.VERIFIED
    sam.request_sync()
    await until(lambda: not space.store.sync_info(goal.id).dirty, "the shared goal pushed")
    pulled = await els.pull(space.account.space_id, 0, 100)
    assert goal.id in {envelope.id for envelope in pulled.records}
    page = await space.network.access_log()
    # the line names the goal: the server logged an id, the phone knows its title
    assert [(e.who, e.record_id, e.item) for e in page.entries if e.record_id == goal.id] == [
        ("Els", goal.id, "Een studio huren")
    ]

    await space.network.revoke(person.link.id)
    assert not space.network.person(person.link.person_id).active
    await els.aclose()


async def join_as_network_person(server_url: str, code: str) -> ApiClient:
    """Els, a network person who joins with Sam's code (the API call her app makes)."""
    keys = AccountKeys.generate()
    enrolment = enrol(keys, RecoveryCode.generate(), KdfParams.fast())
    api = ApiClient(server_url)
    session = await api.sign_up(
        SignUpIn.model_validate(
            {
                "display_name": "Els",
                "role": Role.NETWORK,
                "public_keys": keys.public.to_wire(),
                "recovery": enrolment.credentials.to_wire(),
                "key_backup": enrolment.backup.to_wire(),
                "device_name": "Els' laptop",
                "invitation_code": code,
            }
        )
    )
    api.token = session.token
    return api


async def test_a_new_phone_gets_everything_back_with_the_recovery_code(sam, tmp_path, server):
    space = sam.require_session()
    entry = space.diary.write("Mijn eerste dag alleen.", mood=4)
    await until(lambda: not space.store.sync_info(entry.id).dirty, "pushed")
    code = sam.accounts.recovery_code()

    phone = youth_app(tmp_path / "new-phone", server.url)
    try:
        restored = await phone.restore(code.lower())
        assert restored.account == space.account
        assert [e.text for e in restored.diary.search("eerste")] == ["Mijn eerste dag alleen."]
        assert phone.accounts.recovery_confirmed(restored)
        again = restored.diary.write("Terug op een nieuwe telefoon.")
        await until(lambda: not restored.store.sync_info(again.id).dirty, "the new phone syncs")
    finally:
        await phone.aclose()


async def test_a_wrong_or_mistyped_code_restores_nothing(sam, tmp_path, server) -> None:
    phone = youth_app(tmp_path / "new-phone", server.url)
    with pytest.raises(InvalidInput) as wrong:
        await phone.restore(str(RecoveryCode.generate()))
    assert wrong.value.code == "recovery_wrong"
    code = sam.accounts.recovery_code()
    mistyped = code[:-1] + ("Z" if code[-1] != "Z" else "Y")  # one symbol off, never the same
    with pytest.raises(InvalidInput) as typo:
        await phone.restore(mistyped)
    assert typo.value.code.startswith("recovery_")
    assert not phone.accounts.exists() and phone.session is None


async def test_restoring_offline_or_without_a_server_says_so(sam, tmp_path) -> None:
    code = sam.accounts.recovery_code()
    offline = youth_app(tmp_path / "offline", "http://127.0.0.1:9")
    with pytest.raises(Offline):
        await offline.restore(code)
    assert not offline.accounts.exists()
    with pytest.raises(NotConnected):
        await youth_app(tmp_path / "no-server", None).restore(code)


async def test_the_invited_youth_sees_who_invites_and_their_safety_number(
    sam, tmp_path, server
) -> None:
    invitation = await sam.require_session().network.invite(Role.CAREGIVER)
    qr_payload = sam.require_session().verification.invitation_payload(invitation.code)
    sams_number = safety_number(AccountKeys.from_bytes(sam.vault.get(KEYS_SECRET)).public)
    newcomer = youth_app(tmp_path / "newcomer", server.url)

    from_qr = await newcomer.preview_invitation(qr_payload)
    assert (from_qr.name, from_qr.role, from_qr.invited_as) == ("Sam", Role.YOUTH, Role.CAREGIVER)
    assert from_qr.safety_number == sams_number
    assert from_qr.fingerprint_matches is True

    typed = await newcomer.preview_invitation(invitation.code.lower())
    assert typed.safety_number == sams_number and typed.fingerprint_matches is None

    swapped = qr_payload.split("fp=")[0] + "fp=" + "1" * 25  # keys swapped
    assert (await newcomer.preview_invitation(swapped)).fingerprint_matches is False

    with pytest.raises(InvalidInput) as unknown:
        await newcomer.preview_invitation("ZZZZ-ZZZZ")
    assert unknown.value.code == "invitation_unknown"
    with pytest.raises(InvalidInput):
        await newcomer.preview_invitation("??")
    assert not newcomer.accounts.exists()


async def test_stopping_leaves_no_background_work(sam) -> None:
    sync = sam.sync
    assert sync is not None and sync.started
    await sam.stop_sync()
    assert sam.sync is None and not sync.started
    space = sam.require_session()
    space.diary.write("Na het stoppen.")  # waits in the outbox; no listener calls a dead loop
    await asyncio.sleep(0.05)
    assert space.store.outbox.count() == 1


async def test_deleting_a_registered_account_erases_it_on_the_server_then_the_phone(
    sam, tmp_path
) -> None:
    space = sam.require_session()
    entry = space.diary.write("Iets wat niemand meer mag lezen.", mood=2)
    await until(lambda: space.store.sync_info(entry.id).server_version is not None, "pushed")
    api = sam.sync.api
    token = api.token
    db = sam.accounts.db_path

    with pytest.raises(InvalidInput):
        await sam.delete_account("nee", "WISSEN")
    assert sam.session is not None and db.exists()

    await sam.delete_account("wissen", "WISSEN")
    assert sam.session is None and not db.exists()
    assert sam.vault.get(KEYS_SECRET) is None
    # the server forgot the account: its old device token opens nothing any more
    async with ApiClient(api.base_url, token=token) as stale:
        with pytest.raises(SignInRequiredError):
            await stale.me()


async def test_deleting_while_the_server_is_unreachable_deletes_nothing(tmp_path) -> None:
    services = youth_app(tmp_path / "noor", "http://127.0.0.1:9")  # nothing listens on port 9
    space = services.create_account("Noor")
    space.store.meta.set("pending_registration", "0")  # as if it had registered earlier
    services.start_sync()
    try:
        with pytest.raises((Offline, NotConnected)):
            await services.delete_account("WISSEN", "WISSEN")
        assert services.session is not None and services.accounts.db_path.exists()
        assert services.vault.get(KEYS_SECRET) is not None
    finally:
        await services.aclose()


async def test_the_background_pauses_polling_and_the_foreground_syncs_again(sam) -> None:
    """A phone app in the background polls nothing; coming back syncs what was written."""
    sync = sam.sync
    assert sync is not None and sync._poller is not None
    await sam.to_background()
    assert sync._poller is None
    space = sam.require_session()
    entry = space.diary.write("Geschreven net voor het scherm uitging.", mood=4)
    sam.to_foreground()
    assert sync._poller is not None and not sync._poller.done()
    await until(lambda: space.store.sync_info(entry.id).server_version is not None, "pushed")
