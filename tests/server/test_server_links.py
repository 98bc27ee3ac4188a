"""Invitations and care links: codes, fingerprints, end dates that end access by themselves."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from companion.crypto.fingerprint import invitation_payload, verify_fingerprint
from companion.crypto.keys import PublicKeys
from companion_wire import InvitationOut, InvitationPreview, LinkOut
from tests.server.serverkit import Api

pytestmark = pytest.mark.usefixtures("server_db")


def test_an_invitation_is_a_short_code_the_inviters_app_pairs_with_its_own_fingerprint(
    api: Api,
) -> None:
    sam = api.youth()
    answer = api.invite(sam, "caregiver")
    assert "qr_payload" not in answer  # the server does not vouch for anyone's keys
    invitation = InvitationOut.model_validate(answer)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", invitation.code)
    assert invitation.expires_at == api.clock() + timedelta(days=7)
    sams_keys = PublicKeys.from_wire(sam.public_keys)
    qr = urlparse(invitation_payload(invitation.code, sams_keys))  # made on Sam's phone
    assert (qr.scheme, qr.netloc) == ("companion", "join")
    query = parse_qs(qr.query)
    assert query["code"] == [invitation.code]
    preview = InvitationPreview.model_validate(
        api.client.get(f"/v1/invitations/{invitation.code.lower()}").json()  # no sign-in
    )
    assert (preview.inviter_id, preview.inviter_name, preview.role) == (
        sam.account_id,
        "Sam",
        "caregiver",
    )
    keys = PublicKeys.from_wire(preview.inviter_public_keys.model_dump())
    verify_fingerprint(query["fp"][0], keys)  # raises if it is not Sam's


def test_accepting_makes_an_active_link_and_the_code_works_only_once(api: Api) -> None:
    sam, els, an = api.youth(), api.caregiver("Els"), api.caregiver("An")
    invitation = api.invite(sam, "caregiver")
    [pending] = api.client.get(f"/v1/spaces/{sam.space_id}/links", headers=sam.headers).json()
    assert (pending["id"], pending["status"], pending["person_id"]) == (
        invitation["link_id"],
        "invited",
        None,
    )
    accepted = api.client.post(f"/v1/invitations/{invitation['code']}/accept", headers=els.headers)
    link = LinkOut.model_validate(accepted.json())
    assert (link.id, link.status, link.person_id, link.role) == (
        invitation["link_id"],
        "active",
        els.account_id,
        "caregiver",
    )
    again = api.client.post(f"/v1/invitations/{invitation['code']}/accept", headers=an.headers)
    assert (again.status_code, again.json()["code"]) == (404, "invitation_invalid")
    assert api.client.get(f"/v1/invitations/{invitation['code']}").status_code == 404


def test_invitations_expire_after_seven_days(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    invitation = api.invite(sam, "caregiver")
    api.clock.advance(timedelta(days=7, seconds=1))
    assert api.client.get(f"/v1/invitations/{invitation['code']}").status_code == 404
    response = api.client.post(f"/v1/invitations/{invitation['code']}/accept", headers=els.headers)
    assert response.status_code == 404
    [lapsed] = api.client.get(f"/v1/spaces/{sam.space_id}/links", headers=sam.headers).json()
    assert lapsed["status"] == "ended"


def test_the_invitation_must_match_the_accepting_role(api: Api) -> None:
    sam, kim, els = api.youth("Sam"), api.youth("Kim"), api.caregiver()
    invitation = api.invite(sam, "caregiver")
    wrong = api.client.post(f"/v1/invitations/{invitation['code']}/accept", headers=kim.headers)
    assert (wrong.status_code, wrong.json()["code"]) == (409, "role_mismatch")
    right = api.client.post(f"/v1/invitations/{invitation['code']}/accept", headers=els.headers)
    assert right.status_code == 200


@pytest.mark.parametrize(
    ("inviter", "role"),
    [
        ("youth", "youth"),
        ("caregiver", "caregiver"),
        ("caregiver", "network"),
        ("network", "youth"),
        ("network", "caregiver"),
    ],
)
def test_who_may_invite_whom(api: Api, inviter: str, role: str) -> None:
    sam = api.youth()
    person = {"youth": sam, "caregiver": api.caregiver(), "network": api.network(sam)}[inviter]
    response = api.client.post("/v1/invitations", json={"role": role}, headers=person.headers)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_a_caregiver_invites_a_youth_who_accepts_or_signs_up_with_the_code(api: Api) -> None:
    els = api.caregiver()
    ends = api.clock() + timedelta(days=365)
    sam = api.youth("Sam")
    code = api.invite(els, "youth", link_ends_at=ends)["code"]
    link = api.client.post(f"/v1/invitations/{code}/accept", headers=sam.headers).json()
    assert (link["space_id"], link["person_id"], link["role"], link["status"]) == (
        sam.space_id,
        els.account_id,
        "caregiver",
        "active",
    )
    assert link["ends_at"] == ends.isoformat().replace("+00:00", "Z")
    kim = api.youth("Kim", invitation_code=api.invite(els, "youth")["code"])
    [space] = [
        s
        for s in api.client.get("/v1/spaces", headers=els.headers).json()
        if s["space_id"] == kim.space_id
    ]
    assert space["owner_name"] == "Kim"
    twice = api.client.post(
        f"/v1/invitations/{api.invite(els, 'youth')['code']}/accept", headers=sam.headers
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "already_linked")


def test_an_end_date_in_the_past_is_refused(api: Api) -> None:
    sam = api.youth()
    past = (api.clock() - timedelta(minutes=1)).isoformat()
    response = api.client.post(
        "/v1/invitations", json={"role": "caregiver", "link_ends_at": past}, headers=sam.headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "link_ends_at"]


def test_the_youth_withdraws_a_pending_invitation(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    invitation = api.invite(sam, "caregiver")
    revoked = api.client.post(f"/v1/links/{invitation['link_id']}/revoke", headers=sam.headers)
    assert revoked.json()["status"] == "revoked"
    response = api.client.post(f"/v1/invitations/{invitation['code']}/accept", headers=els.headers)
    assert response.status_code == 404


def test_a_link_past_its_end_date_ends_by_itself(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    link = api.link(sam, els, ends_at=api.clock() + timedelta(hours=1))
    api.put(sam, api.record(sam, sam, shared_with=[els]))
    assert api.pull(els, sam.space_id).status_code == 200
    api.clock.advance(timedelta(hours=1))
    response = api.pull(els, sam.space_id)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "link ended", "code": "link_ended"},
    )
    [result] = api.push(els, api.upsert(els, api.record(els, sam, "goal")))
    assert (result["status"], result["reason"]) == ("rejected", "link ended")
    [space] = api.client.get("/v1/spaces", headers=els.headers).json()
    assert (space["version"], space["links"][0]["status"]) == (None, "ended")
    assert api.link_of(sam, els)["status"] == "ended"
    assert api.link_of(sam, els)["id"] == link["id"]


def test_the_youth_ends_or_revokes_a_link_and_access_stops_at_once(api: Api) -> None:
    sam, els, an = api.youth(), api.caregiver("Els"), api.caregiver("An")
    ended = api.link(sam, els)
    revoked = api.link(sam, an)
    now = api.clock().isoformat()
    response = api.client.patch(
        f"/v1/links/{ended['id']}", json={"ends_at": now}, headers=sam.headers
    )
    assert response.json()["status"] == "ended"
    response = api.client.post(f"/v1/links/{revoked['id']}/revoke", headers=sam.headers)
    assert response.json()["status"] == "revoked"
    for person in (els, an):
        assert api.pull(person, sam.space_id).json()["code"] == "link_ended"
    reopen = api.client.patch(
        f"/v1/links/{ended['id']}", json={"ends_at": None}, headers=sam.headers
    )
    assert (reopen.status_code, reopen.json()["code"]) == (409, "conflict")


def test_the_youth_moves_the_end_date_and_the_caregiver_may_only_bring_it_closer(
    api: Api,
) -> None:
    sam, els = api.youth(), api.caregiver()
    link = api.link(sam, els, ends_at=api.clock() + timedelta(days=30))

    def patch(person, ends_at):
        value = None if ends_at is None else (api.clock() + ends_at).isoformat()
        return api.client.patch(
            f"/v1/links/{link['id']}", json={"ends_at": value}, headers=person.headers
        )

    assert patch(els, timedelta(days=10)).status_code == 200
    assert patch(els, timedelta(days=20)).status_code == 403  # later: not hers to decide
    assert patch(els, None).status_code == 403
    assert patch(sam, timedelta(days=60)).json()["ends_at"] is not None
    assert patch(sam, None).json()["ends_at"] is None
    revoke = api.client.post(f"/v1/links/{link['id']}/revoke", headers=els.headers)
    assert revoke.status_code == 403
    kim = api.youth("Kim")
    assert patch(kim, timedelta(days=1)).status_code == 404


def test_a_lapsed_link_can_be_extended_by_the_youth(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    link = api.link(sam, els, ends_at=api.clock() + timedelta(days=1))
    api.clock.advance(timedelta(days=2))
    assert api.pull(els, sam.space_id).status_code == 403
    later = (api.clock() + timedelta(days=90)).isoformat()
    response = api.client.patch(
        f"/v1/links/{link['id']}", json={"ends_at": later}, headers=sam.headers
    )
    assert response.json()["status"] == "active"
    assert api.pull(els, sam.space_id).status_code == 200


def test_a_person_sees_only_their_own_links_of_a_space(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    api.network(sam)
    mine = api.client.get(f"/v1/spaces/{sam.space_id}/links", headers=els.headers).json()
    assert [link["person_id"] for link in mine] == [els.account_id]
    everything = api.client.get(f"/v1/spaces/{sam.space_id}/links", headers=sam.headers).json()
    assert {link["role"] for link in everything} == {"caregiver", "network"}
