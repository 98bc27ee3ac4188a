"""The database goes away under load: every connection of the server is terminated again
and again while clients push and pull. No answer is a 5xx other than 503 (with a JSON code
and Retry-After), every request gets an answer, and after retrying with the same mutation
ids every acknowledged write is stored exactly once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from companion_server.db.engine import Database
from tests.server.serverkit import Api, FakeClock, Person, truncate_all
from tests.serving import RunningServer, running_server_process

pytestmark = pytest.mark.postgres

CLIENTS = 4
LOAD_SECONDS = 12.0
KILL_EVERY = 0.3
BATCH = 10


@pytest.fixture
def server(postgres_url: str) -> Iterator[RunningServer]:
    truncate_all(postgres_url)
    with running_server_process(postgres_url) as running:
        yield running


def _terminate_connections(postgres_url: str, stop: threading.Event, killed: list[int]) -> None:
    """Every KILL_EVERY seconds: pg_terminate_backend on every other connection to the test
    database (the server's pool, its LISTEN and NOTIFY connections)."""
    url = make_url(postgres_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        while not stop.wait(KILL_EVERY):
            rows = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
            killed.append(len(rows))


class Client:
    """One youth pushing batches of new records (retrying each with the same mutation ids
    until it is answered) and pulling in between."""

    def __init__(self, api: Api, person: Person, base_url: str) -> None:
        self.api = api
        self.person = person
        self.http = httpx.Client(base_url=base_url, headers=person.headers, timeout=60)
        self.statuses: Counter[int] = Counter()
        self.unanswered = 0
        self.acknowledged: dict[str, int] = {}

    def _send(self, method: str, path: str, **kwargs: object) -> httpx.Response | None:
        try:
            response = self.http.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError:
            self.unanswered += 1
            return None
        self.statuses[response.status_code] += 1
        if response.status_code == 503:
            assert response.json()["code"] == "unavailable"
            assert int(response.headers["retry-after"]) >= 1
        return response

    def run(self, until: float) -> None:
        while time.monotonic() < until:
            records = [self.api.record(self.person, self.person) for _ in range(BATCH)]
            body = {"mutations": [self.api.upsert(self.person, r) for r in records]}
            while (response := self._send("POST", "/v1/sync/push", json=body)) is None or (
                response.status_code == 503
            ):
                time.sleep(0.02)  # a real client waits Retry-After; the test need not
            assert response.status_code == 200, response.text
            for record, result in zip(records, response.json()["results"], strict=True):
                assert result["status"] == "applied", result
                self.acknowledged[record["id"]] = result["version"]
            self._send("GET", "/v1/sync/pull", params={"space_id": self.person.space_id})


def test_terminated_database_connections_under_load_give_503s_and_lose_nothing(
    server: RunningServer, postgres_url: str
) -> None:
    database = Database(postgres_url)
    with httpx.Client(base_url=server.url) as http:
        api = Api(http, database, FakeClock())  # type: ignore[arg-type]
        clients = [Client(api, api.youth(f"Youth {i}"), server.url) for i in range(CLIENTS)]
    stop, killed = threading.Event(), []
    killer = threading.Thread(target=_terminate_connections, args=(postgres_url, stop, killed))
    killer.start()
    until = time.monotonic() + LOAD_SECONDS
    failures: list[BaseException] = []

    def run(client: Client) -> None:
        try:
            client.run(until)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    workers = [threading.Thread(target=run, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=LOAD_SECONDS + 120)
    stop.set()
    killer.join()
    assert not failures, failures
    statuses = sum((client.statuses for client in clients), Counter())
    assert sum(killed) >= 20, killed  # the database really went away, many times
    assert statuses[503] > 0, statuses
    assert set(statuses) <= {200, 503}, statuses
    assert sum(client.unanswered for client in clients) == 0
    with httpx.Client(base_url=server.url) as http:
        reader = Api(http, database, FakeClock())  # type: ignore[arg-type]
        for client in clients:
            stored, _removed, cursor = reader.pull_all(client.person, client.person.space_id or "")
            assert {rid: r["version"] for rid, r in stored.items()} == client.acknowledged
            assert cursor == len(client.acknowledged)  # one version per write: none twice
    database.dispose()
