"""Onboarding with a server (the real one, uvicorn on loopback): an invited youth sees who
invites and their safety number before saying yes, a QR with another number is refused, and
a new phone restores everything with the recovery code."""

from __future__ import annotations

import io
from datetime import date

import flet as ft
import pytest
from argon2 import PasswordHasher

from companion.core.accounts import KEYS_SECRET
from companion.core.errors import InvalidInput
from companion.crypto.fingerprint import safety_number
from companion.crypto.keys import AccountKeys
from companion.crypto.recovery import KdfParams
from companion.domain.models import DiaryEntry
from companion.youth.accounts import META_PENDING_INVITATION
from companion.youth.services import YouthServices
from companion_wire import Role, new_id
from tests.phone_edge import device_vault
from tests.server.serverkit import relaxed_settings
from tests.services.test_youth_sync import until
from tests.serving import running_server
from tests.sync.test_attachments import photo_with_gps
from tests.ui.conftest import sign_up
from tests.ui.test_chat import NOOR, links


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with running_server(url, settings=relaxed_settings(url)) as running:
        yield running


@pytest.fixture
async def connected(tmp_path, clock, server):
    """`connected(name)`: YouthServices on its own folder, talking to the server."""
    built: list[YouthServices] = []

    def build(name: str) -> YouthServices:
        services = YouthServices(
            tmp_path / name,
            device_vault(),
            now=clock,
            kdf=KdfParams.fast,
            pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
            server=server.url,
            live=False,
        )
        (tmp_path / name).mkdir()
        services.start()
        built.append(services)
        return services

    yield build
    for services in built:
        await services.aclose()


async def registered(services: YouthServices, name: str) -> None:
    services.create_account(name)
    services.start_sync()
    await until(lambda: services.accounts.is_registered(services.require_session()), "registered")


async def test_the_invited_youth_checks_who_invites_before_saying_yes(connected, pilot_for):
    noor = connected("noor")
    await registered(noor, "Noor")
    invitation = await noor.require_session().network.invite(Role.NETWORK)
    qr_payload = noor.require_session().verification.invitation_payload(invitation.code)
    number = safety_number(AccountKeys.from_bytes(noor.vault.get(KEYS_SECRET)).public)

    services = connected("sam")
    app = await pilot_for(services)
    await app.click("start-invite")
    await app.type("invite-code", qr_payload)
    await app.click("invite-next")
    assert app.has_text("Noor")
    assert app.text_of("inviter-safety-number") == number
    assert app.exists("fingerprint-match")
    await app.click("inviter-accept")
    await app.type("display-name", "Sam")
    await app.click("create-account")
    code = app.text_of("recovery-code")
    assert code
    normalised = invitation.code.replace("-", "")
    assert services.require_session().store.meta.get(META_PENDING_INVITATION) == normalised


async def test_a_qr_with_another_safety_number_is_not_accepted(connected, pilot_for):
    noor = connected("noor")
    await registered(noor, "Noor")
    invitation = await noor.require_session().network.invite(Role.NETWORK)
    qr_payload = noor.require_session().verification.invitation_payload(invitation.code)
    forged = qr_payload.split("fp=")[0] + "fp=" + "7" * 25

    services = connected("sam")
    app = await pilot_for(services)
    await app.click("start-invite")
    await app.type("invite-code", forged)
    await app.click("invite-next")
    assert app.exists("fingerprint-mismatch")
    assert not app.exists("inviter-accept")
    await app.click("back")
    assert app.exists("start-new") and services.session is None

    await app.click("start-invite")
    await app.type("invite-code", "ZZZZ-ZZZZ")
    await app.click("invite-next")
    assert app.has_text("bestaat niet")


async def test_a_new_phone_restores_through_the_screens(connected, pilot_for):
    sam = connected("sam")
    await registered(sam, "Sam")
    entry = sam.require_session().diary.write("Mijn eerste dag alleen.")
    await until(lambda: not sam.require_session().store.sync_info(entry.id).dirty, "pushed")

    phone = connected("new-phone")
    app = await pilot_for(phone)
    await app.click("start-restore")
    await app.type("restore-code", "2222-2222-2222-2222-2222-2222-2222-2222")
    await app.click("restore-next")
    assert app.exists("error") and phone.session is None

    await app.type("restore-code", sam.accounts.recovery_code())
    await app.click("restore-next")
    await until(lambda: app.exists("pin-later"), "the PIN offer after restoring")
    await app.click("pin-later")
    assert app.has_text("Hoi Sam!")
    assert [e.id for e in phone.require_session().diary.search("eerste")] == [entry.id]


async def test_a_refused_change_is_shown_on_today_and_can_be_retried_or_hidden(
    connected, pilot_for
):
    """A change the server will not take is kept on the phone and shown with its reason;
    the youth can try again (refused again, it comes back), hide the notice, or change the
    record, after which it is sent and the notice goes by itself."""
    services = connected("sam")
    await registered(services, "Sam")
    space = services.require_session()
    code = services.accounts.recovery_code()
    services.accounts.confirm_recovery(space, 3, code.split("-")[2])  # onboarding done
    app = await pilot_for(services)
    nobody = new_id()  # no such account: the app cannot seal it for them
    entry = space.store.diary.create(
        DiaryEntry(
            space_id=space.account.space_id,
            author_id=space.account.account_id,
            updated_hlc=space.store.clock.now(),
            text="Voor iemand die niet bestaat",
            entry_date=date(2026, 11, 22),
            shared_with=[nobody],
        )
    )
    await until(lambda: services.sync_state.state.parked, "parked")
    await app.settle()
    assert app.text_of("unsent-changes") == "1 wijziging(en) niet verstuurd"
    assert app.has_text("dagboek: de sleutels van iemand met wie je het deelt zijn niet op")

    first = services.sync_state.state.parked[0].at
    await app.click("retry-unsent")
    await until(
        lambda: services.sync_state.state.parked and services.sync_state.state.parked[0].at > first,
        "parked again",
    )
    await app.click("dismiss-unsent")
    await until(lambda: not services.sync_state.state.parked, "hidden")
    await app.settle()
    assert not app.exists("unsent-changes")
    assert space.store.diary.get(entry.id).shared_with == [nobody]  # still on the phone

    space.store.diary.update(entry.model_copy(update={"shared_with": []}))
    await until(lambda: space.store.outbox.count() == 0, "sent")
    assert not services.sync_state.state.parked


async def test_a_photo_in_the_chat_goes_without_its_location(connected, pilot_for, clock):
    """The youth sends a photo with GPS in its EXIF: the chat shows its thumbnail and a
    named button, opening it shows the picture, and what was sealed has no EXIF left. A
    file that is not a photo but says it is never leaves a message behind."""
    image_mod = pytest.importorskip("PIL.Image", reason="Pillow has no phone wheel")
    services = connected("sam")
    session = sign_up(services)  # not syncing: the server's empty list would replace...
    links(session, clock)  # ...Noor, her caregiver
    app = await pilot_for(services, route=f"/chat/{NOOR}")
    app.connection.to_pick = ("kapot.jpg", b"not a picture")
    await app.click("chat-attach")
    assert app.text_of("error") == "Dit lijkt geen foto. Kies een foto of een ander bestand."
    assert session.chat.messages(NOOR) == []
    app.connection.to_pick = ("IMG_0042.jpeg", photo_with_gps(image_mod))
    await app.click("chat-attach")
    [line] = session.chat.messages(NOOR)
    assert line.message.text == "IMG_0042.jpg"  # re-encoded: a JPEG under its own name
    [sent] = services.files.of(line.message.id)
    assert sent.shared_with == [NOOR] and sent.thumbnail
    button = f"file-{sent.id}"
    assert app.text_of(button).startswith("IMG_0042.jpg openen")
    await app.click(button)
    [dialog] = [d for d in app.session.page._dialogs.controls if getattr(d, "open", False)]
    assert isinstance(dialog, ft.AlertDialog) and isinstance(dialog.content, ft.Image)
    opened = image_mod.open(io.BytesIO(dialog.content.src))
    assert opened.size == (640, 480) and not opened.getexif()  # GPS, maker: gone
    await app.click("file-close")
    assert not [d for d in app.session.page._dialogs.controls if getattr(d, "open", False)]


async def test_a_paper_is_filed_private_then_shared_and_unshared(connected, pilot_for, clock):
    """'Mijn papieren': a rental contract filed in its drawer is private; shared with Noor
    it names her; taken back it is private again. Only linked people can be chosen."""
    services = connected("sam")
    session = sign_up(services)  # not syncing: the server's empty list would replace...
    links(session, clock)  # ...Noor, her caregiver
    app = await pilot_for(services, route="/more/papers")
    assert app.exists("papers-empty")
    await app.choose("paper-drawer", "housing")
    await app.type("paper-title", "Huurcontract De Brug")
    app.connection.to_pick = ("huurcontract.pdf", b"%PDF-1.7\n" + bytes(2000))
    await app.click("paper-add")
    papers = services.papers
    assert papers is not None
    [(drawer, [paper])] = papers.drawers()
    assert drawer.value == "housing" and paper.title == "Huurcontract De Brug"
    assert paper.shared_with == [] and paper.mime == "application/pdf"
    assert app.has_text("Wonen") and app.has_text("Alleen jij")
    await app.click(f"paper-share-{paper.id}")
    await app.toggle(f"share-person-{NOOR}")
    await app.click("share-save")
    [(_, [shared])] = papers.drawers()
    assert shared.shared_with == [NOOR] and app.has_text("Jij en Noor")
    await app.click(f"paper-share-{paper.id}")
    await app.toggle(f"share-person-{NOOR}")
    await app.click("share-save")
    [(_, [private])] = papers.drawers()
    assert private.shared_with == []
    with pytest.raises(InvalidInput):
        papers.share(paper.id, [new_id()])  # nobody linked by that id
    await app.click(f"file-{paper.id}")
    assert app.connection.saved == [("huurcontract.pdf", b"%PDF-1.7\n" + bytes(2000))]
