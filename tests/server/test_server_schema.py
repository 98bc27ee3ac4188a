"""schemathesis against the app's own OpenAPI schema, in-process (ASGI), with a valid token:
no 5xx, and every answer (status, content type, body, headers) matches the schema."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks

from companion_server.app import create_app
from companion_server.db.engine import Database
from companion_server.settings import Settings
from tests.server.serverkit import Api, FakeClock, relaxed_settings

MAX_EXAMPLES = 15

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture
def schema_app(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[FastAPI, str]]:
    path = tmp_path / "server.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    database = Database(url)
    clock = FakeClock()
    app = create_app(relaxed_settings(url), database=database, clock=clock)
    with TestClient(app) as client:
        youth = Api(client, database, clock).youth("Schema Youth")
    yield app, youth.token
    database.dispose()


def _schema() -> dict:
    """The schema the app publishes (building the app opens no database connection)."""
    return create_app(Settings(database_url="sqlite://")).openapi()


schema = schemathesis.openapi.from_dict(_schema())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_own_schema(case, schema_app: tuple[FastAPI, str]) -> None:
    token = schema_app[1]
    case.call_and_validate(
        app=schema_app[0], headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )
