"""My network screen: who sees what, honest offline behaviour, and inviting / stopping access
against the real server app in-process."""

from __future__ import annotations

from datetime import timedelta

import flet as ft
import httpx
import pytest

from companion.core.accounts import KEYS_SECRET
from companion.crypto.fingerprint import combined_safety_number
from companion.crypto.keys import AccountKeys
from companion.domain.models import CareLink
from companion.sync.api import ApiClient
from companion.sync.keyring import KeyRing, KeyStatus
from companion.youth.network.service import NetworkService
from companion_wire import LinkStatus, Role, new_id
from tests.services.test_network import server  # noqa: F401  (fixture)

NOOR = new_id()


def link_noor(space, clock) -> CareLink:
    link = CareLink(
        id=new_id(),
        space_id=space.account.space_id,
        person_id=NOOR,
        display_name="Noor",
        role=Role.CAREGIVER,
        status=LinkStatus.ACTIVE,
        starts_at=clock() - timedelta(days=30),
        ends_at=clock() + timedelta(days=100),
    )
    space.links.replace_all([link])
    return link


async def test_each_person_shows_period_and_exactly_what_they_see(app, space, clock):
    link_noor(space, clock)
    shared = space.diary.write("Gesprek met de huisbaas")
    space.diary.share(shared.id, [NOOR])
    space.diary.write("Privé")
    await app.tab("Meer")
    await app.click("menu-more-network")
    assert app.text_of(f"person-status-{NOOR}") == "Heeft nu toegang"
    assert app.has_text("Sinds 12/02/2026 · tot en met 22/06/2026")
    assert app.text_of(f"person-sees-{NOOR}") == "Ziet 1 dingen die jij deelde."
    await app.click(f"person-items-{NOOR}")
    assert app.has_text("14/03/2026 · dagboek: Gesprek met de huisbaas")
    assert not app.has_text("Privé")


async def test_checking_a_persons_keys_by_comparing_the_number(app, services, space, clock):
    """The card says the person is not checked, shows the number both screens show, keeps
    nothing trusted when the youth says it differs, and trusts the keys once it matches."""
    link_noor(space, clock)
    mine = AccountKeys.from_bytes(services.vault.get(KEYS_SECRET)).public
    noor = AccountKeys.generate().public
    me = space.account.account_id
    KeyRing.of(space.store, me_id=me, my_keys=mine).offer(NOOR, noor)  # as a sync does
    await app.navigate("/more/network")
    assert app.text_of(f"key-status-{NOOR}").startswith("Nog niet gecontroleerd")
    assert not app.exists(f"safety-number-{NOOR}")
    await app.click(f"key-compare-{NOOR}")
    number = combined_safety_number(mine, noor)
    assert app.text_of(f"safety-number-{NOOR}") == number
    assert len(number.replace(" ", "")) == 50
    await app.click(f"key-no-match-{NOOR}")
    assert "misschien doet iemand zich voor als Noor" in app.text_of(f"key-different-{NOOR}")
    assert not app.exists(f"key-match-{NOOR}")
    assert space.verification.of(NOOR).status is KeyStatus.UNVERIFIED
    await app.click(f"key-compare-{NOOR}")
    await app.click(f"key-match-{NOOR}")
    assert app.text_of(f"key-status-{NOOR}").startswith("Sleutels gecontroleerd")
    assert not app.exists(f"key-compare-{NOOR}")
    assert space.verification.of(NOOR).status is KeyStatus.VERIFIED


async def test_the_safety_number_is_spoken_digit_by_digit(app, services, space, clock):
    link_noor(space, clock)
    mine = AccountKeys.from_bytes(services.vault.get(KEYS_SECRET)).public
    me = space.account.account_id
    KeyRing.of(space.store, me_id=me, my_keys=mine).offer(NOOR, AccountKeys.generate().public)
    await app.navigate("/more/network")
    await app.click(f"key-compare-{NOOR}")
    number = space.verification.of(NOOR).safety_number
    node = next(
        c
        for c in app.visible()
        if isinstance(c, ft.Semantics) and c.identifier == f"safety-number-{NOOR}"
    )
    first = number.split()[0]
    assert node.label.startswith("Veiligheidsnummer: " + " ".join(first) + ", ")
    assert node.exclude_semantics  # the groups themselves are not read a second time


async def test_offline_the_screen_says_what_needs_a_connection(app, space, clock):
    link = link_noor(space, clock)
    await app.navigate("/more/network")
    await app.click("access-log-load")
    assert app.text_of("access-log-problem").startswith("Niet beschikbaar zonder verbinding")
    await app.click("invite-create")
    assert "niet verbonden met een server" in app.text_of("invite-error")
    assert not app.exists("invite-code")
    await app.click(f"link-revoke-{link.id}")
    assert app.has_text("kunnen we niet terughalen")  # the confirmation explains recall
    await app.click("revoke-confirm")
    assert app.exists(f"person-error-{NOOR}")
    assert space.links.active() == [link]


@pytest.fixture
async def online_space(server, space):  # noqa: F811
    """The app's youth registered on the real server, with her network service connected."""
    asgi, api = server
    youth = api.youth("Sam", account_id=space.account.account_id, space_id=space.account.space_id)
    client = ApiClient(
        "http://testserver", token=youth.token, transport=httpx.ASGITransport(app=asgi)
    )
    space.network = NetworkService(
        space.store, space.account, space.links, lambda: api.clock(), remote=lambda: client
    )
    yield api, youth
    await client.aclose()


async def test_inviting_and_stopping_access_through_the_server(app, space, online_space):
    api, _youth = online_space
    await app.navigate("/more/network")
    await app.choose("invite-role", "network")
    await app.click("invite-create")
    code = app.text_of("invite-code")
    assert len(code) == 9 and code[4] == "-"
    assert app.text_of("invite-safety-number") == space.verification.my_number()
    aunt_body = api.sign_up_body("Tante Mia", "network", invitation_code=code)
    assert api.client.post("/v1/accounts", json=aunt_body).status_code == 201
    await space.network.refresh()
    await app.navigate("/more")
    await app.navigate("/more/network")
    [mia] = space.network.people()
    assert mia.link.display_name == "Tante Mia" and mia.active
    await app.click(f"link-revoke-{mia.link.id}")
    await app.click("revoke-confirm")
    assert space.network.people()[0].link.status is LinkStatus.REVOKED
    assert app.text_of(f"person-status-{mia.link.person_id}") == "Toegang gestopt door jou"
