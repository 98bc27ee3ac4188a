"""Helpers for the server suite: database backends, a fake clock, and `Api`, which builds
youths, caregivers, network persons, links and records through the real HTTP routes.

Keys, ciphertext, digests and wraps are random bytes of the right sizes: the server treats
them as opaque, so nothing here needs real cryptography. Revisions follow what the server
acknowledged, as a client's would.
"""

from __future__ import annotations

import base64
import itertools
import os
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from companion_server import migrate
from companion_server.db.engine import Database, make_engine
from companion_server.db.models import Base
from companion_server.services.accounts import create_caregiver_account
from companion_server.settings import RateLimit, Settings
from companion_wire import new_id

PG_ADMIN_URL = os.environ.get(
    "COMPANION_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
GENEROUS = RateLimit(burst=100_000, per_hour=100_000)


def relaxed_settings(database_url: str) -> Settings:
    """Rate limits out of the way, for tests that are not about them."""
    limits = {
        name: GENEROUS for name, value in vars(Settings()).items() if isinstance(value, RateLimit)
    }
    return Settings(database_url=database_url, **limits)


# --- PostgreSQL: one fresh database per test run --------------------------------------------


def _psycopg_dsn(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def pg_available(admin_url: str = PG_ADMIN_URL) -> bool:
    try:
        with psycopg.connect(_psycopg_dsn(admin_url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


class FreshPostgres:
    """Creates `companion_test_<random>` from the admin connection and drops it afterwards."""

    def __init__(self, admin_url: str = PG_ADMIN_URL) -> None:
        self.admin_url = admin_url
        self.name = f"companion_test_{secrets.token_hex(6)}"
        self.url = make_url(admin_url).set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        with psycopg.connect(_psycopg_dsn(self.admin_url), autocommit=True) as connection:
            connection.execute(sql)

    def create(self) -> str:
        self._admin(f'CREATE DATABASE "{self.name}"')
        engine = make_engine(self.url)
        migrate.upgrade(engine)
        engine.dispose()
        return self.url

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def truncate_all(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


# --- time ------------------------------------------------------------------------------------


class FakeClock:
    """The server's only source of "now" in tests: move it to expire links and codes."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


# --- fake key material -------------------------------------------------------------------------


def b64(n_bytes: int) -> str:
    return base64.b64encode(os.urandom(n_bytes)).decode()


def public_keys() -> dict[str, str]:
    return {"x25519": b64(32), "ed25519": b64(32)}


def recovery() -> dict[str, str]:
    return {"lookup": b64(32), "auth_secret": b64(32)}


def key_backup() -> dict[str, Any]:
    kdf = {"alg": "argon2id13", "salt": b64(16), "opslimit": 3, "memlimit": 268435456}
    return {"kdf": kdf, "nonce": b64(24), "ciphertext": b64(120)}


def uuid4_text() -> str:
    return str(uuid.uuid4())


# --- people and records through the API --------------------------------------------------------


@dataclass
class Person:
    account_id: str
    device_id: str
    token: str
    role: str
    name: str
    space_id: str | None = None
    recovery: dict[str, str] = field(default_factory=dict)
    public_keys: dict[str, str] = field(default_factory=dict)  # as the device sent them

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    """Drives the app like the client would; every helper asserts the happy path."""

    def __init__(self, client: TestClient, database: Database, clock: FakeClock) -> None:
        self.client = client
        self.database = database
        self.clock = clock
        self._mutation_ids: dict[str, itertools.count] = {}
        self._emails = itertools.count(1)
        self.revisions: dict[str, int] = {}  # record id -> last applied revision
        self.versions: dict[str, int] = {}  # record id -> its version then

    # accounts

    def sign_up_body(self, name: str, role: str = "youth", **extra: Any) -> dict[str, Any]:
        return {
            "display_name": name,
            "role": role,
            "public_keys": public_keys(),
            "recovery": recovery(),
            "key_backup": key_backup(),
            "device_name": f"{name}'s phone",
            **extra,
        }

    def _person(self, answer: dict[str, Any], name: str, body: dict[str, Any]) -> Person:
        return Person(
            account_id=answer["account_id"],
            device_id=answer["device_id"],
            token=answer["token"],
            role=answer["role"],
            name=name,
            space_id=answer.get("space_id"),
            recovery=body["recovery"],
            public_keys=body["public_keys"],
        )

    def youth(self, name: str = "Sam", **extra: Any) -> Person:
        body = self.sign_up_body(name, "youth", **extra)
        response = self.client.post("/v1/accounts", json=body)
        assert response.status_code == 201, response.text
        return self._person(response.json(), name, body)

    def caregiver(self, name: str = "Els") -> Person:
        email = f"caregiver{next(self._emails)}@example.org"
        with self.database.write() as session:
            code = create_caregiver_account(session, name, email, self.clock(), timedelta(days=14))
        body = {
            "email": email,
            "activation_code": code,
            "public_keys": public_keys(),
            "recovery": recovery(),
            "key_backup": key_backup(),
            "device_name": "office desktop",
        }
        response = self.client.post("/v1/accounts/activate", json=body)
        assert response.status_code == 200, response.text
        return self._person(response.json(), name, body)

    def invite(self, inviter: Person, role: str, link_ends_at: datetime | None = None) -> dict:
        body: dict[str, Any] = {"role": role}
        if link_ends_at is not None:
            body["link_ends_at"] = link_ends_at.isoformat()
        response = self.client.post("/v1/invitations", json=body, headers=inviter.headers)
        assert response.status_code == 201, response.text
        return response.json()

    def network(self, youth: Person, name: str = "Aunt Mia") -> Person:
        code = self.invite(youth, "network")["code"]
        body = self.sign_up_body(name, "network", invitation_code=code)
        response = self.client.post("/v1/accounts", json=body)
        assert response.status_code == 201, response.text
        return self._person(response.json(), name, body)

    def link(self, youth: Person, person: Person, ends_at: datetime | None = None) -> dict:
        """The youth invites `person` (by their role) and they accept: an active link."""
        code = self.invite(youth, person.role, ends_at)["code"]
        response = self.client.post(f"/v1/invitations/{code}/accept", headers=person.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def link_of(self, youth: Person, person: Person) -> dict:
        response = self.client.get(f"/v1/spaces/{youth.space_id}/links", headers=youth.headers)
        assert response.status_code == 200, response.text
        return next(link for link in response.json() if link["person_id"] == person.account_id)

    # records

    def record(
        self,
        author: Person,
        owner: Person,
        kind: str = "diary_entry",
        shared_with: Iterable[Person | str] = (),
        *,
        record_id: str | None = None,
        conversation_id: str | None = None,
        base_version: int | None = None,
        ciphertext_bytes: int = 64,
        notices: Iterable[Person | str] = (),
    ) -> dict[str, Any]:
        """A RecordIn with wraps for exactly the youth, the author and shared_with (and
        notices for `notices`), one revision after the last one the server applied."""
        shares = [p if isinstance(p, str) else p.account_id for p in shared_with]
        recipients = dict.fromkeys([owner.account_id, author.account_id, *shares])
        told = [p if isinstance(p, str) else p.account_id for p in notices]
        record_id = record_id or new_id()
        revision = self.revisions.get(record_id, 0) + 1 if base_version is not None else 1
        now = self.clock().isoformat()
        record: dict[str, Any] = {
            "id": record_id,
            "space_id": owner.space_id,
            "kind": kind,
            "author_id": author.account_id,
            "signer_id": author.account_id,
            "revision": revision,
            "prev": b64(32) if revision > 1 else "",
            "deleted": False,
            "shared_with": shares,
            "ciphertext": b64(ciphertext_bytes),
            "nonce": b64(24),
            "content_hash": b64(32),
            "wraps": [{"recipient_id": r, "wrapped_key": b64(104)} for r in recipients]
            + [{"recipient_id": r, "wrapped_key": b64(72)} for r in told if r not in recipients],
            "created_at": now,
            "updated_at": now,
        }
        if conversation_id is not None:
            record["conversation_id"] = conversation_id
        if base_version is not None:
            record["base_version"] = base_version
        return record

    def mutation_id(self, person: Person) -> int:
        return next(self._mutation_ids.setdefault(person.device_id, itertools.count(1)))

    def upsert(self, person: Person, record: dict[str, Any]) -> dict[str, Any]:
        """A version made on `record["base_version"]` takes the next revision, as the
        client's would; `record_raw` sends a record exactly as given."""
        if record.get("base_version") is not None:
            revision = self.revisions.get(record["id"], 0) + 1
            record = {**record, "revision": revision, "prev": b64(32) if revision > 1 else ""}
        return self.record_raw(person, record)

    def record_raw(self, person: Person, record: dict[str, Any]) -> dict[str, Any]:
        return {"mutation_id": self.mutation_id(person), "op": "upsert", "record": record}

    def delete(self, person: Person, record: dict[str, Any]) -> dict[str, Any]:
        """A deletion made by `person` on the last applied version, with a notice for
        everyone `record` had a wrap for."""
        revision = self.revisions.get(record["id"], 0) + 1
        tombstone = {
            **record,
            "deleted": True,
            "signer_id": person.account_id,
            "revision": revision,
            "prev": b64(32) if revision > 1 else "",
            "ciphertext": "",
            "nonce": "",
            "content_hash": "",
            "wraps": [{**w, "wrapped_key": b64(72)} for w in record["wraps"]],
            "updated_at": self.clock().isoformat(),
            "base_version": self.versions.get(record["id"]),
        }
        return {"mutation_id": self.mutation_id(person), "op": "delete", "record": tombstone}

    def push(self, person: Person, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.client.post(
            "/v1/sync/push", json={"mutations": list(mutations)}, headers=person.headers
        )
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        for mutation, result in zip(mutations, results, strict=True):
            if result["status"] == "applied" and "version" in result:
                record = mutation["record"]
                self.revisions[record["id"]] = record["revision"]
                self.versions[record["id"]] = result["version"]
        return results

    def put(self, person: Person, record: dict[str, Any]) -> int:
        """Push one upsert that must apply; returns its version."""
        [result] = self.push(person, self.upsert(person, record))
        assert result["status"] == "applied", result
        return result["version"]

    def pull(self, person: Person, space_id: str, cursor: int = 0, limit: int = 200):
        return self.client.get(
            "/v1/sync/pull",
            params={"space_id": space_id, "cursor": cursor, "limit": limit},
            headers=person.headers,
        )

    def pull_all(self, person: Person, space_id: str, cursor: int = 0, limit: int = 200):
        """Every page after `cursor`: (records by id, ids served as a notice that the reader
        lost them, final cursor)."""
        records: dict[str, dict] = {}
        removed: list[str] = []
        while True:
            response = self.pull(person, space_id, cursor, limit)
            assert response.status_code == 200, response.text
            page = response.json()
            for record in page["records"]:
                if record["deleted"] or record["ciphertext"]:
                    records[record["id"]] = record
                else:  # a notice: it was taken away from this reader
                    records.pop(record["id"], None)
                    removed.append(record["id"])
            assert page["cursor"] >= cursor
            cursor = page["cursor"]
            if not page["has_more"]:
                return records, removed, cursor
