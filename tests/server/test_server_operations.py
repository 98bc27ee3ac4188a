"""Operating the server: migrations, settings, the CLI, health, the real-server helper, and
the small in-process parts (rate limiter, live notifier)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from companion.demo.run import bring_schema_up_to_date
from companion_server import cli, migrate
from companion_server.app import create_app
from companion_server.db.engine import Database, make_engine
from companion_server.db.models import Base
from companion_server.nudges.notifier import InProcessNotifier
from companion_server.nudges.postgres import MAX_NOTIFY_BYTES, PostgresNotifier
from companion_server.settings import Settings
from companion_wire import LiveNudge, RecordEnvelope, new_id
from tests.server.serverkit import Api, FakeClock, key_backup, public_keys, recovery
from tests.serving import running_server_process


def test_the_migrations_build_exactly_the_schema_the_models_describe(server_db: str) -> None:
    engine = make_engine(server_db)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_migrations_go_down_and_up_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate.upgrade(engine)
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_settings_come_from_the_environment_and_flags_win(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("COMPANION_DATABASE_URL", raising=False)
    assert Settings.from_env().database_url == (
        f"sqlite:///{tmp_path / 'companion-server' / 'server.db'}"
    )
    monkeypatch.setenv("COMPANION_DATABASE_URL", "sqlite:////srv/env.db")
    monkeypatch.setenv("COMPANION_PORT", "9000")
    settings = Settings.from_env(database_url=None, port=8123)
    assert (settings.database_url, settings.port, settings.host) == (
        "sqlite:////srv/env.db",
        8123,
        "127.0.0.1",
    )


def test_cli_migrates_and_creates_a_caregiver_who_can_activate(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    assert cli.main(["migrate", "--database-url", url]) == 0
    assert (
        cli.main(
            [
                "create-caregiver",
                "--database-url",
                url,
                "--name",
                "Els Peeters",
                "--email",
                "Els@Example.org",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    code = re.search(r"([A-Z2-9]{4}-){3}[A-Z2-9]{4}", printed).group(0)
    database = Database(url)
    app = create_app(Settings(database_url=url), database=database)
    with TestClient(app) as client:
        response = client.post(
            "/v1/accounts/activate",
            json={
                "email": "els@example.org",
                "activation_code": code,
                "public_keys": public_keys(),
                "recovery": recovery(),
                "key_backup": key_backup(),
                "device_name": "desk",
            },
        )
        assert response.status_code == 200, response.text
    database.dispose()
    again = [
        "create-caregiver",
        "--database-url",
        url,
        "--name",
        "Els",
        "--email",
        "els@example.org",
    ]
    assert cli.main(again) == 1
    invalid = ["create-caregiver", "--database-url", url, "--name", " ", "--email", "nope"]
    assert cli.main(invalid) == 2


def test_serve_creates_the_schema_in_an_empty_database_but_refuses_an_outdated_one(
    tmp_path: Path, caplog
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'server.db'}")
    with caplog.at_level("INFO", logger="companion_server"):
        assert cli.prepare(database) is None
    assert "database is empty" in caplog.text
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    with database.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    assert "run `companion-server migrate`" in cli.prepare(database)
    database.dispose()


def test_health_says_when_the_database_is_unreachable() -> None:
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"
    with TestClient(create_app(Settings(database_url=unreachable))) as client:
        response = client.get("/v1/health")
    assert (response.status_code, response.json()["code"]) == (503, "unavailable")


def test_health_is_ok_on_a_working_database(client: TestClient) -> None:
    body = client.get("/v1/health").json()
    assert (body["status"], body["database"]) == ("ok", "ok")


def test_a_real_server_process_starts_on_an_empty_database_and_serves(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with running_server_process(url) as server:
        assert httpx.get(f"{server.url}/v1/health").json()["status"] == "ok"
        clock = FakeClock()
        database = Database(url)
        with httpx.Client(base_url=server.url) as http:
            sam = Api(http, database, clock).youth()
            me = http.get("/v1/me", headers=sam.headers).json()
        database.dispose()
    assert me["display_name"] == "Sam"


async def test_live_nudges_coalesce_per_space_and_reach_only_subscribers() -> None:
    space_a, space_b = new_id(), new_id()
    notifier = InProcessNotifier()
    subscription = notifier.subscribe([space_a])
    notifier.publish(LiveNudge(space_id=space_a, version=3, kinds=["goal"]))
    notifier.publish(LiveNudge(space_id=space_b, version=9, kinds=["goal"]))
    notifier.publish(LiveNudge(space_id=space_a, version=4, kinds=["message"]))
    await asyncio.sleep(0)  # deliveries are scheduled on this loop
    [nudge] = await asyncio.wait_for(subscription.next(), timeout=5)
    assert (nudge.space_id, nudge.version, nudge.kinds) == (space_a, 4, ["goal", "message"])
    notifier.unsubscribe(subscription)
    notifier.publish(LiveNudge(space_id=space_a, version=5, kinds=["goal"]))
    await asyncio.sleep(0)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(subscription.next(), timeout=0.05)


def _goal_envelope(space_id: str, version: int) -> RecordEnvelope:
    return RecordEnvelope.model_validate(
        {
            "id": new_id(),
            "space_id": space_id,
            "kind": "goal",
            "author_id": new_id(),
            "signer_id": new_id(),
            "revision": 1,
            "version": version,
            "ciphertext": "AAAA",
            "nonce": "A" * 32,
            "content_hash": "A" * 43 + "=",
            "wraps": [{"recipient_id": new_id(), "wrapped_key": "AAAA"}],
            "created_at": "2026-11-22T10:00:00+00:00",
            "updated_at": "2026-11-22T10:00:00+00:00",
        }
    )


async def test_only_the_space_owner_gets_the_record_in_a_nudge_and_only_alone() -> None:
    """The record in a nudge skips the pull, so it skips the pull's access check and log:
    only the youth who owns the space may get it, and two coalesced commits carry none
    (the client must pull to see both)."""
    space = new_id()
    notifier = InProcessNotifier()
    owner = notifier.subscribe([space], owner_of=space)
    carer = notifier.subscribe([space])
    notifier.publish(
        LiveNudge(space_id=space, version=3, kinds=["goal"], record=_goal_envelope(space, 3))
    )
    await asyncio.sleep(0)
    [to_owner] = await asyncio.wait_for(owner.next(), timeout=5)
    [to_carer] = await asyncio.wait_for(carer.next(), timeout=5)
    assert to_owner.record is not None and to_owner.record.version == 3
    assert to_carer.record is None and to_carer.version == 3
    for version in (4, 5):
        notifier.publish(
            LiveNudge(
                space_id=space,
                version=version,
                kinds=["goal"],
                record=_goal_envelope(space, version),
            )
        )
    await asyncio.sleep(0)
    [both] = await asyncio.wait_for(owner.next(), timeout=5)
    assert both.version == 5 and both.record is None


def test_a_nudge_record_must_be_the_nudged_version() -> None:
    space = new_id()
    with pytest.raises(ValueError, match="at the nudge's version"):
        LiveNudge(space_id=space, version=4, kinds=["goal"], record=_goal_envelope(space, 3))
    with pytest.raises(ValueError, match="at the nudge's version"):
        LiveNudge(space_id=space, version=3, kinds=["goal"], record=_goal_envelope(new_id(), 3))


async def test_nudges_keep_their_audience_across_processes_and_fit_notify() -> None:
    """Through NOTIFY a nudge keeps who may hear it and up to which version (what each
    reader holds, not the space's version); one too big for NOTIFY first loses its record
    (the youth pulls it), never the nudge itself."""
    space, els, stranger = new_id(), new_id(), new_id()
    sender = PostgresNotifier("postgresql+psycopg://nobody@127.0.0.1/none")  # never started
    receiver = PostgresNotifier("postgresql+psycopg://nobody@127.0.0.1/none")
    heard = receiver._local.subscribe([space], account_id=els)
    unheard = receiver._local.subscribe([space], account_id=stranger)
    big = _goal_envelope(space, 7).model_copy(update={"ciphertext": "A" * 12_000})
    nudge = LiveNudge(space_id=space, version=7, kinds=["goal"], record=big)
    payloads = sender._payloads(nudge, {els: 5})
    assert all(len(payload.encode()) <= MAX_NOTIFY_BYTES for payload in payloads)
    for payload in payloads:
        receiver._deliver(payload)
    await asyncio.sleep(0)
    [got] = await asyncio.wait_for(heard.next(), timeout=5)
    assert got.version == 5 and got.record is None
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(unheard.next(), timeout=0.05)


def test_a_demo_folder_made_by_an_older_version_starts_on_the_newest_schema(
    tmp_path: Path,
) -> None:
    """`serve` refuses an outdated schema (production runs `migrate`); the demo migrates its
    own database first, so restarting an old demo folder keeps working."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    engine = make_engine(url)
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    assert migrate.current_revision(engine) != migrate.head_revision()
    bring_schema_up_to_date(url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()
