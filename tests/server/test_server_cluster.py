"""Several API processes behind a real load balancer (HAProxy from Debian), on PostgreSQL:
live nudges reach listeners on every process, rate limits count once for all of them, and
writes through the balancer are all there, once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from companion_server.db.engine import Database
from tests.machine import require
from tests.server.serverkit import Api, FakeClock, Person, truncate_all
from tests.serving import RunningCluster, haproxy_binary, running_cluster

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def cluster(postgres_url: str) -> Iterator[RunningCluster]:
    require(haproxy_binary() is not None, "HAProxy")
    truncate_all(postgres_url)
    with running_cluster(postgres_url, processes=2) as running:
        yield running


@pytest.fixture
def lb_api(cluster: RunningCluster, postgres_url: str) -> Iterator[Api]:
    database = Database(postgres_url)
    with httpx.Client(base_url=cluster.url, timeout=30) as http:
        yield Api(http, database, FakeClock())  # type: ignore[arg-type]
    database.dispose()


def _listen(base_url: str, person: Person) -> ClientConnection:
    url = base_url.replace("http://", "ws://") + "/v1/live"
    return connect(url, additional_headers=person.headers, open_timeout=10, legacy=True)


def _served(backend_url: str, route: str) -> float:
    """How many requests this process answered on `route` (from its own /metrics)."""
    text = httpx.get(f"{backend_url}/metrics").text
    pattern = rf'companion_request_seconds_count{{[^}}]*route="{re.escape(route)}"[^}}]*}} (\S+)'
    return sum(float(count) for count in re.findall(pattern, text))


def test_nudges_reach_listeners_on_every_process_and_through_the_balancer(
    cluster: RunningCluster, lb_api: Api
) -> None:
    sam, els = lb_api.youth("Sam"), lb_api.caregiver("Els")
    lb_api.link(sam, els)
    urls = [backend.url for backend in cluster.backends] + [cluster.url]
    listeners = [_listen(url, els) for url in urls]
    try:
        versions = [lb_api.put(sam, lb_api.record(sam, sam, shared_with=[els])) for _ in range(4)]
        for listener in listeners:
            heard = 0
            while heard < versions[-1]:
                nudge = json.loads(listener.recv(timeout=10))
                assert nudge["space_id"] == sam.space_id
                heard = nudge["version"]
    finally:
        for listener in listeners:
            listener.close()
    assert all(_served(backend.url, "/v1/sync/push") > 0 for backend in cluster.backends)


def test_wrong_codes_through_the_balancer_count_once_for_all_processes(
    cluster: RunningCluster,
) -> None:
    """40 wrong codes from 40 addresses of one network, spread over both processes: the
    network's 20 (the default) hold for the cluster, not 20 per process."""
    statuses = []
    for i in range(40):
        transport = httpx.HTTPTransport(local_address=f"127.0.9.{i + 2}")
        with httpx.Client(base_url=cluster.url, transport=transport) as client:
            code = "ZZZZ-ZZ" + "ABCDEFGH"[i // 8] + "ABCDEFGH"[i % 8]
            statuses.append(client.get(f"/v1/invitations/{code}").status_code)
    assert statuses[:20] == [404] * 20
    assert set(statuses[20:]) == {429}
    assert all(_served(b.url, "/v1/invitations/{code}") >= 10 for b in cluster.backends)


def test_metrics_stay_behind_the_balancer(cluster: RunningCluster) -> None:
    assert httpx.get(f"{cluster.url}/metrics").status_code == 403
    assert "companion_request_seconds" in httpx.get(f"{cluster.backends[0].url}/metrics").text


def test_writes_through_the_balancer_are_all_there_once(lb_api: Api) -> None:
    kim = lb_api.youth("Kim")
    pushed = {}
    for _ in range(10):
        records = [lb_api.record(kim, kim) for _ in range(20)]
        results = lb_api.push(kim, *[lb_api.upsert(kim, record) for record in records])
        assert {r["status"] for r in results} == {"applied"}
        pushed |= {
            record["id"]: result["version"] for record, result in zip(records, results, strict=True)
        }
    stored, _removed, cursor = lb_api.pull_all(kim, kim.space_id or "")
    assert {rid: record["version"] for rid, record in stored.items()} == pushed
    assert sorted(pushed.values()) == list(range(1, 201)) and cursor == 200
