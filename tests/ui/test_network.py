"""My network screen: who sees what, honest offline behaviour, and inviting / stopping access
against the real server app in-process."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from companion.domain.models import CareLink
from companion.sync.api import ApiClient
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
