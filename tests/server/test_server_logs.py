"""Structured logs never hold a token, a secret or record content: a whole session of
requests, refusals and a database failure, logged as JSON lines with request logging on."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from companion_server.app import create_app
from companion_server.logs import JsonFormatter
from companion_server.nudges.notifier import InProcessNotifier
from companion_server.settings import Settings
from tests.server.serverkit import Api, FakeClock


def test_a_session_logs_routes_and_statuses_but_no_secret_or_content(
    settings: Settings, database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.setFormatter(JsonFormatter())
    caplog.set_level(logging.INFO)
    app = create_app(
        replace(settings, log_requests=True),
        database=database,
        clock=clock,
        notifier=InProcessNotifier(),
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(client, database, clock)
        sam, els = api.youth("Sam Secretname"), api.caregiver("Els")
        api.link(sam, els)
        record = api.record(sam, sam, shared_with=[els])
        api.put(sam, record)
        api.pull(els, sam.space_id or "")
        client.get("/v1/me", headers={"Authorization": "Bearer " + "x" * 43})
        client.post("/v1/auth/recover", json={**sam.recovery, "device_name": "new"})
    logged = [json.loads(line) for line in caplog.text.splitlines() if line.startswith("{")]
    lines = [line for line in logged if line["logger"].startswith(("companion_server", "uvicorn"))]
    assert any(line.get("route") == "/v1/sync/push" for line in lines)
    assert any(line.get("route") == "/v1/sync/pull" and line["status"] == 200 for line in lines)
    assert any(line.get("route") == "/v1/me" and line["status"] == 401 for line in lines)
    text = json.dumps(lines)
    secrets = [
        sam.token,
        els.token,
        sam.recovery["auth_secret"],
        sam.recovery["lookup"],
        record["ciphertext"][:40],
        record["nonce"],
        "Secretname",
        sam.space_id,
    ]
    for secret in secrets:
        assert secret not in text


def test_an_exception_is_logged_by_type_and_frames_without_its_message() -> None:
    try:
        raise ValueError("INSERT ... VALUES ('secret-token-value')")
    except ValueError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, __file__, 1, "unexpected %s", ("ValueError",), None
        )
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["error"] == "ValueError" and line["trace"]
    assert "secret-token-value" not in json.dumps(line)
