"""Every bad input the issue listed gets a 4xx with a reason, never a 5xx: numbers JSON
cannot mean, lone surrogates, times that overflow in UTC, a time sent as a number, and
display names that hide or reorder text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.server.serverkit import Api

JSON = {"content-type": "application/json"}


def _reason(response: Any) -> str:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    detail = response.json()["detail"]
    if isinstance(detail, list):
        return " ".join(f"{item['msg']} {item.get('ctx', {}).get('error', '')}" for item in detail)
    return detail


@pytest.mark.parametrize("number", ["1e999999", "-1e999999", "NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_in_any_body_are_refused_with_a_reason(api: Api, number: str) -> None:
    sam = api.youth()
    mutation = api.upsert(sam, api.record(sam, sam))
    push = json.dumps({"mutations": [mutation]}).replace(
        f'"mutation_id": {mutation["mutation_id"]}', f'"mutation_id": {number}'
    )
    sign_up = json.dumps(api.sign_up_body("Ana")).replace('"opslimit": 3', f'"opslimit": {number}')
    for path, body in (("/v1/sync/push", push), ("/v1/accounts", sign_up)):
        assert number in body
        response = api.client.post(path, content=body, headers={**JSON, **sam.headers})
        assert response.status_code == 422
        assert "not a JSON number" in _reason(response) or "finite" in _reason(response)


def test_integers_wider_than_64_bits_are_refused(api: Api) -> None:
    sam = api.youth()
    body = json.dumps({"mutations": [api.upsert(sam, api.record(sam, sam))]})
    body = body.replace('"mutation_id": 1', '"mutation_id": ' + "9" * 5000)
    response = api.client.post("/v1/sync/push", content=body, headers={**JSON, **sam.headers})
    assert response.status_code == 422
    assert "64 bits" in _reason(response)


def test_lone_surrogates_in_any_string_are_refused(api: Api) -> None:
    sam = api.youth()
    sign_up = json.dumps(api.sign_up_body("Ana")).replace('"Ana"', '"An\\ud800a"')
    record = api.record(sam, sam)
    push = json.dumps({"mutations": [api.upsert(sam, record)]}).replace(
        record["id"], record["id"][:-1] + "\\udfff"
    )
    for path, body in (("/v1/accounts", sign_up), ("/v1/sync/push", push)):
        response = api.client.post(path, content=body, headers={**JSON, **sam.headers})
        assert response.status_code == 422
        assert "lone surrogate" in _reason(response)
    paired = json.dumps(api.sign_up_body("Ana")).replace('"Ana"', '"Ana \\ud83d\\ude00"')
    response = api.client.post("/v1/accounts", content=paired, headers=JSON)
    assert response.status_code == 201, response.text  # an escaped emoji is fine


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_times_that_overflow_once_converted_to_utc_are_refused(api: Api, when: str) -> None:
    sam = api.youth()
    for field in ("created_at", "updated_at"):
        record = {**api.record(sam, sam), field: when}
        response = api.client.post(
            "/v1/sync/push", json={"mutations": [api.upsert(sam, record)]}, headers=sam.headers
        )
        assert response.status_code == 422
        assert "converted to UTC" in _reason(response)
    response = api.client.post(
        "/v1/invitations", json={"role": "network", "link_ends_at": when}, headers=sam.headers
    )
    assert response.status_code == 422
    assert "converted to UTC" in _reason(response)


def test_a_link_end_sent_as_a_number_is_refused_and_ends_nothing(api: Api) -> None:
    sam = api.youth()
    els = api.caregiver()
    link = api.link(sam, els)
    for value in (-6382, 1_900_000_000, 0.5):
        response = api.client.patch(
            f"/v1/links/{link['id']}", json={"ends_at": value}, headers=sam.headers
        )
        assert response.status_code == 422
        assert "not a number" in _reason(response)
    assert api.link_of(sam, els)["status"] == "active"


@pytest.mark.parametrize(
    "name",
    [
        "Sam\u202e",  # right-to-left override
        "\u2066Sam\u2069",  # isolates
        "\u200b\u200c\u200d",  # zero-width only
        "\ufeffSam",  # byte-order mark
        "Sam\u2028Jo",  # line separator
        "Sam\u2029",  # paragraph separator
        " \u00a0\u3000 ",  # spaces only
        "Sam\x85",  # C1 control (next line)
    ],
)
def test_names_that_hide_or_reorder_text_are_refused(api: Api, name: str) -> None:
    response = api.client.post("/v1/accounts", json=api.sign_up_body(name))
    assert response.status_code == 422
    assert _reason(response)
    sam = api.youth()
    response = api.client.post(
        "/v1/accounts", json={**api.sign_up_body("Ana"), "device_name": name}
    )
    assert response.status_code == 422
    assert sam.token  # the refusals changed nothing for others


def test_names_in_any_script_with_emoji_are_kept(api: Api) -> None:
    for name in ("Zoë", "محمد", "李小龍", "👩\u200d👧 Mia", " Jo "):
        response = api.client.post("/v1/accounts", json=api.sign_up_body(name))
        assert response.status_code == 201, (name, response.text)
        me = api.client.get(
            "/v1/me", headers={"Authorization": f"Bearer {response.json()['token']}"}
        )
        assert me.json()["display_name"] == name.strip()
