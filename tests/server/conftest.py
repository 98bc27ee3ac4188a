"""Server suite fixtures: every test using `server_db` runs on SQLite and on PostgreSQL.

PostgreSQL: a fresh database per test run (created from COMPANION_TEST_PG_URL, dropped
afterwards), truncated between tests. Missing PostgreSQL skips that half, except in CI
(CI=true), where it fails.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from companion_server import migrate
from companion_server.app import create_app
from companion_server.db.engine import Database, make_engine
from companion_server.nudges.notifier import InProcessNotifier
from companion_server.settings import Settings
from tests.machine import require
from tests.server.serverkit import (
    Api,
    FakeClock,
    FreshPostgres,
    pg_available,
    relaxed_settings,
    truncate_all,
)

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test gets a copy (faster than migrating per test)."""
    path = tmp_path_factory.mktemp("template") / "server.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    require(pg_available(), "PostgreSQL")
    fresh = FreshPostgres()
    url = fresh.create()
    try:
        yield url
    finally:
        fresh.drop()


@pytest.fixture(params=BACKENDS)
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database URL on the parametrized backend."""
    if request.param == "sqlite":
        path = tmp_path / "server.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    truncate_all(url)
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(server_db: str, tmp_path: Path) -> Settings:
    return replace(relaxed_settings(server_db), blob_dir=str(tmp_path / "blobs"))


@pytest.fixture
def database(server_db: str) -> Iterator[Database]:
    database = Database(server_db)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings, database: Database, clock: FakeClock) -> FastAPI:
    """In-process live notifier on both backends: the PostgreSQL LISTEN/NOTIFY notifier is
    tested on its own; here it would only add its threads to every test."""
    return create_app(settings, database=database, clock=clock, notifier=InProcessNotifier())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def api(client: TestClient, database: Database, clock: FakeClock) -> Api:
    return Api(client, database, clock)
