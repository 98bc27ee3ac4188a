"""Accounts, devices, recovery and account deletion as users rely on them."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from companion_server.app import create_app
from companion_server.db.models import (
    AccessLog,
    Account,
    Device,
    Invitation,
    Link,
    MutationLog,
    Record,
    Space,
)
from companion_server.errors import ApiError
from companion_server.services.accounts import create_caregiver_account
from companion_server.settings import RateLimit, Settings
from companion_wire import MeOut, RecoverOut, SessionOut, new_id
from tests.server.serverkit import Api, FakeClock, b64

pytestmark = pytest.mark.usefixtures("server_db")


def count(database, model, *where) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def strict_client(settings: Settings, database, clock: FakeClock, **limits: RateLimit):
    app = create_app(replace(settings, **limits), database=database, clock=clock)
    return TestClient(app)


def test_a_youth_signs_up_with_ids_chosen_offline(api: Api) -> None:
    account_id, space_id = new_id(), new_id()
    sam = api.youth("Sam", account_id=account_id, space_id=space_id)
    assert (sam.account_id, sam.space_id, sam.role) == (account_id, space_id, "youth")
    me = MeOut.model_validate(api.client.get("/v1/me", headers=sam.headers).json())
    assert (me.account_id, me.display_name, me.space_id, me.role) == (
        account_id,
        "Sam",
        space_id,
        "youth",
    )


def test_taken_or_malformed_client_ids_are_refused_and_nothing_is_created(
    api: Api, database
) -> None:
    sam = api.youth("Sam")
    before = count(database, Account)
    for extra, status in [
        ({"account_id": sam.account_id}, 409),
        ({"space_id": sam.space_id}, 409),
        ({"account_id": str(uuid.uuid4())}, 422),
        ({"space_id": "not-an-id"}, 422),
    ]:
        response = api.client.post("/v1/accounts", json=api.sign_up_body("Kim", **extra))
        assert response.status_code == status, response.text
        if status == 409:
            assert response.json()["code"] == "id_in_use"
    reused = api.sign_up_body("Kim", recovery=sam.recovery)
    assert api.client.post("/v1/accounts", json=reused).status_code == 409
    assert count(database, Account) == before


def test_a_network_person_needs_a_valid_invitation(api: Api, database) -> None:
    response = api.client.post("/v1/accounts", json=api.sign_up_body("Mia", "network"))
    assert response.status_code == 422
    body = api.sign_up_body("Mia", "network", invitation_code="ABCD-EFGH")
    response = api.client.post("/v1/accounts", json=body)
    assert (response.status_code, response.json()["code"]) == (404, "invitation_invalid")
    assert count(database, Account) == 0
    sam = api.youth()
    mia = api.network(sam)
    spaces = api.client.get("/v1/spaces", headers=mia.headers).json()
    assert [(s["owner_name"], s["my_role"], s["links"][0]["status"]) for s in spaces] == [
        ("Sam", "network", "active")
    ]


def test_tokens_are_random_256_bit_and_stored_only_hashed(api: Api, database) -> None:
    sam = api.youth()
    raw = base64.urlsafe_b64decode(sam.token + "=")
    assert len(raw) == 32
    with database.read() as session:
        stored = session.scalar(select(Device.token_hash).where(Device.id == sam.device_id))
    assert stored == hashlib.sha256(sam.token.encode()).digest()
    assert api.youth().token != sam.token


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer short", "Basic dXNlcjpwYXNz", "Bearer " + "A" * 43],
)
def test_requests_without_a_valid_token_get_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = api.client.get("/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_caregiver_activates_the_account_the_operator_made_once(api: Api, database) -> None:
    with database.write() as session:
        code = create_caregiver_account(
            session, "Els", "els@example.org", api.clock(), timedelta(days=14)
        )
    body = api.sign_up_body("ignored")
    body = {
        "email": "ELS@example.org",
        "activation_code": code.lower(),
        **{k: body[k] for k in ("public_keys", "recovery", "key_backup", "device_name")},
    }
    response = api.client.post("/v1/accounts/activate", json=body)
    assert response.status_code == 200, response.text
    session_out = SessionOut.model_validate(response.json())
    assert (session_out.role, session_out.space_id) == ("caregiver", None)
    again = api.client.post("/v1/accounts/activate", json=body)
    assert again.status_code == 401
    with database.write() as session, pytest.raises(ApiError, match="active account"):
        create_caregiver_account(session, "Els", "els@example.org", api.clock(), timedelta(1))


def test_activation_codes_expire_and_wrong_codes_are_rate_limited(
    settings: Settings, database, clock: FakeClock
) -> None:
    with database.write() as session:
        code = create_caregiver_account(session, "Els", "els@example.org", clock(), timedelta(1))
    limits = {"activation_failures_per_email": RateLimit(burst=3, per_hour=1)}
    with strict_client(settings, database, clock, **limits) as client:
        api = Api(client, database, clock)
        base = api.sign_up_body("x")
        body = {
            "email": "els@example.org",
            **{k: base[k] for k in ("public_keys", "recovery", "key_backup", "device_name")},
        }
        wrong = [
            client.post("/v1/accounts/activate", json={**body, "activation_code": "A" * 16})
            for _ in range(4)
        ]
        assert [r.status_code for r in wrong] == [401, 401, 401, 429]
        right = client.post("/v1/accounts/activate", json={**body, "activation_code": code})
        assert right.status_code == 429  # limited even with the right code
    with database.write() as session:
        code = create_caregiver_account(session, "Els", "els@example.org", clock(), timedelta(1))
    clock.advance(timedelta(days=1, seconds=1))
    with strict_client(settings, database, clock) as client:
        expired = client.post("/v1/accounts/activate", json={**body, "activation_code": code})
        assert expired.status_code == 401


def test_recovery_on_a_new_device_returns_the_backup_and_a_working_token(
    api: Api, database
) -> None:
    body = api.sign_up_body("Sam")
    response = api.client.post("/v1/accounts", json=body)
    sam_id = response.json()["account_id"]
    lookup, secret = body["recovery"]["lookup"], body["recovery"]["auth_secret"]
    params = api.client.post("/v1/auth/recovery/params", json={"lookup": lookup})
    assert params.json() == {"kdf": body["key_backup"]["kdf"]}
    unknown = api.client.post("/v1/auth/recovery/params", json={"lookup": b64(32)})
    assert unknown.status_code == 404
    wrong = api.client.post(
        "/v1/auth/recover",
        json={"lookup": lookup, "auth_secret": b64(32), "device_name": "new phone"},
    )
    assert wrong.status_code == 401
    right = api.client.post(
        "/v1/auth/recover",
        json={"lookup": lookup, "auth_secret": secret, "device_name": "new phone"},
    )
    assert right.status_code == 200, right.text
    out = RecoverOut.model_validate(right.json())
    assert out.account_id == sam_id
    assert out.key_backup.model_dump() == body["key_backup"]
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {out.token}"})
    assert me.json()["account_id"] == sam_id
    with database.read() as session:
        stored = session.scalar(select(Account.auth_hash).where(Account.id == sam_id))
    assert stored == hashlib.sha256(base64.b64decode(secret)).digest()


def test_wrong_recovery_secrets_are_locked_out_but_never_the_right_one(
    settings: Settings, database, clock: FakeClock
) -> None:
    limits = {"recovery_failures_per_account": RateLimit(burst=3, per_hour=1)}
    with strict_client(settings, database, clock, **limits) as client:
        api = Api(client, database, clock)
        sam = api.youth()
        attempt = {"lookup": sam.recovery["lookup"], "device_name": "phone"}

        def wrong() -> int:
            return client.post(
                "/v1/auth/recover", json={**attempt, "auth_secret": b64(32)}
            ).status_code

        assert [wrong() for _ in range(5)] == [401, 401, 401, 429, 429]
        limited = client.post("/v1/auth/recover", json={**attempt, "auth_secret": b64(32)})
        assert 3000 <= int(limited.headers["retry-after"]) <= 3600  # one attempt per hour
        right = {**attempt, "auth_secret": sam.recovery["auth_secret"]}
        assert client.post("/v1/auth/recover", json=right).status_code == 200
        clock.advance(timedelta(hours=1))
        assert wrong() == 401  # refilled with time


def test_sign_up_is_rate_limited_per_address(settings: Settings, database, clock) -> None:
    with strict_client(
        settings, database, clock, signup_per_address=RateLimit(burst=2, per_hour=1)
    ) as client:
        api = Api(client, database, clock)
        statuses = [
            client.post("/v1/accounts", json=api.sign_up_body(f"kid{i}")).status_code
            for i in range(3)
        ]
    assert statuses == [201, 201, 429]
    assert count(database, Account) == 2


def test_devices_are_listed_and_a_revoked_device_is_signed_out(api: Api) -> None:
    sam = api.youth()
    second = api.client.post(
        "/v1/auth/recover",
        json={**sam.recovery, "device_name": "tablet"},
    ).json()
    tablet = {"Authorization": f"Bearer {second['token']}"}
    devices = api.client.get("/v1/devices", headers=sam.headers).json()
    assert sorted((d["name"], d["current"]) for d in devices) == [
        ("Sam's phone", True),
        ("tablet", False),
    ]
    kim = api.youth("Kim")
    foreign = api.client.delete(f"/v1/devices/{second['device_id']}", headers=kim.headers)
    assert foreign.status_code == 404
    assert api.client.get("/v1/me", headers=tablet).status_code == 200
    revoked = api.client.delete(f"/v1/devices/{second['device_id']}", headers=sam.headers)
    assert revoked.status_code == 204
    assert api.client.get("/v1/me", headers=tablet).status_code == 401
    listed = {
        d["name"]: d["revoked_at"]
        for d in api.client.get("/v1/devices", headers=sam.headers).json()
    }
    assert listed["tablet"] is not None and listed["Sam's phone"] is None


def test_caregivers_publish_availability_that_their_youths_see(api: Api) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    hours = {
        "timezone": "Europe/Brussels",
        "slots": [{"weekday": 0, "start": "09:00", "end": "17:00"}],
    }
    assert api.client.put("/v1/me/availability", json=hours, headers=sam.headers).status_code == 403
    response = api.client.put("/v1/me/availability", json=hours, headers=els.headers)
    assert response.json() == hours
    [space] = api.client.get("/v1/spaces", headers=sam.headers).json()
    assert space["links"][0]["availability"] == hours
    for bad in (
        {**hours, "timezone": "Mars/Olympus"},
        {**hours, "slots": [{"weekday": 7, "start": "09:00", "end": "17:00"}]},
        {**hours, "slots": [{"weekday": 1, "start": "17:00", "end": "09:00"}]},
    ):
        assert (
            api.client.put("/v1/me/availability", json=bad, headers=els.headers).status_code == 422
        )


def test_public_keys_are_visible_only_across_an_active_link(api: Api) -> None:
    sam, els, kim = api.youth("Sam"), api.caregiver(), api.youth("Kim")
    link = api.link(sam, els)
    mia = api.network(sam)

    def keys(reader, owner) -> int:
        return api.client.get(f"/v1/accounts/{owner.account_id}/keys", headers=reader.headers)

    assert keys(sam, sam).status_code == 200
    assert keys(sam, els).json()["display_name"] == "Els"
    assert keys(els, sam).status_code == 200
    assert keys(mia, els).status_code == 200  # both in Sam's space: group chats need it
    assert keys(kim, sam).status_code == 404
    assert keys(kim, els).status_code == 404
    api.client.post(f"/v1/links/{link['id']}/revoke", headers=sam.headers)
    assert keys(els, sam).status_code == 404
    assert keys(sam, els).status_code == 404


def test_deleting_a_youth_erases_their_whole_space(api: Api, database) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    api.invite(sam, "network")
    api.put(sam, api.record(sam, sam, shared_with=[els]))
    api.put(els, api.record(els, sam, "document"))
    api.push(els, api.upsert(els, api.record(els, sam, "goal", base_version=9, record_id=new_id())))
    api.pull_all(els, sam.space_id)
    assert api.client.delete("/v1/me", headers=sam.headers).status_code == 204
    for model, where in [
        (Account, Account.id == sam.account_id),
        (Space, Space.id == sam.space_id),
        (Device, Device.account_id == sam.account_id),
        (Record, Record.space_id == sam.space_id),
        (Link, Link.space_id == sam.space_id),
        (Invitation, Invitation.inviter_id == sam.account_id),
        (AccessLog, AccessLog.space_id == sam.space_id),
        (MutationLog, MutationLog.space_id == sam.space_id),
    ]:
        assert count(database, model, where) == 0, model.__name__
    assert count(database, MutationLog) == 0  # Els's answers were about Sam's space
    assert api.client.get("/v1/me", headers=sam.headers).status_code == 401
    assert api.pull(els, sam.space_id).json()["code"] == "no_access"
    assert api.client.get("/v1/spaces", headers=els.headers).json() == []


def test_deleting_a_caregiver_keeps_what_they_wrote_in_the_youths_story(api: Api, database) -> None:
    sam, els = api.youth(), api.caregiver()
    api.link(sam, els)
    document = api.record(els, sam, "document")
    api.put(els, document)
    api.put(sam, api.record(sam, sam, shared_with=[els]))
    api.pull_all(els, sam.space_id)
    assert api.client.delete("/v1/me", headers=els.headers).status_code == 204
    assert count(database, Account, Account.id == els.account_id) == 0
    assert count(database, Link, Link.space_id == sam.space_id) == 0
    records, _, _ = api.pull_all(sam, sam.space_id)
    assert document["id"] in records
    log = api.client.get(f"/v1/spaces/{sam.space_id}/access-log", headers=sam.headers).json()
    assert [(e["account_id"], e["display_name"]) for e in log["entries"]] == [
        (els.account_id, None)
    ]


@pytest.mark.parametrize("field", ["display_name", "device_name"])
def test_control_characters_in_names_are_refused_before_the_database(api: Api, field) -> None:
    body = api.sign_up_body("Sam")
    body[field] = "Sam\x00"
    assert api.client.post("/v1/accounts", json=body).status_code == 422


def test_a_nul_in_an_email_is_a_validation_error_not_a_crash(api: Api) -> None:
    body = api.sign_up_body("x")
    payload = {
        "email": "els\x00@example.org",
        "activation_code": "ABCD-EFGH-JKLM-NPQR",
        **{k: body[k] for k in ("public_keys", "recovery", "key_backup", "device_name")},
    }
    assert api.client.post("/v1/accounts/activate", json=payload).status_code == 422
