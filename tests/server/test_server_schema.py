"""schemathesis against the app's own OpenAPI schema, in-process (ASGI) on PostgreSQL, with
a valid token, in every phase: the schema's examples, coverage (boundaries and each way to
break every constraint), fuzzing, and stateful sequences that feed one answer's ids into the
next request. No 5xx, and every answer (status, content type, body, headers) matches the
schema; data the schema forbids is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks

from companion_server.app import create_app
from companion_server.db.engine import Database
from companion_server.settings import Settings
from tests.server.serverkit import Api, FakeClock, relaxed_settings, truncate_all

pytestmark = pytest.mark.postgres

MAX_EXAMPLES = 15
STATEFUL_EXAMPLES = 10

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture
def schema_app(postgres_url: str) -> Iterator[tuple[FastAPI, str]]:
    truncate_all(postgres_url)
    database = Database(postgres_url)
    clock = FakeClock()
    app = create_app(relaxed_settings(postgres_url), database=database, clock=clock)
    with TestClient(app) as client:
        youth = Api(client, database, clock).youth("Schema Youth")
        yield app, youth.token
    database.dispose()


def _schema() -> dict:
    """The schema the app publishes (building the app opens no database connection)."""
    return create_app(Settings(database_url="sqlite://")).openapi()


schema = schemathesis.openapi.from_dict(_schema())
phases = schema.config.phases
assert phases.examples.enabled and phases.coverage.enabled and phases.fuzzing.enabled


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


def test_stateful_sequences_keep_the_schema(schema_app: tuple[FastAPI, str]) -> None:
    assert phases.stateful.enabled
    app, token = schema_app

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"app": app, "headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            stateful_step_count=6,
        )
    )
