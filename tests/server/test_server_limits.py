"""Rate limits and lockouts live in the database: shared by every API process, per address,
per network and overall, so guesses spread over many addresses run dry too."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from companion_server.app import create_app
from companion_server.db.engine import Database
from companion_server.db.models import RateBucket
from companion_server.nudges.notifier import InProcessNotifier
from companion_server.ratelimit import Bucket, RateLimiter, network_of
from companion_server.settings import RateLimit, Settings
from tests.server.serverkit import Api, FakeClock

WRONG_CODES = [f"ZZZZ-{i:04d}".replace("0", "A").replace("1", "B") for i in range(200)]


def _client(settings: Settings, database: Database, clock: FakeClock, address: str) -> TestClient:
    """A client from `address` (the peer address the server sees)."""
    app = create_app(settings, database=database, clock=clock, notifier=InProcessNotifier())
    return TestClient(app, client=(address, 40000))


def test_buckets_refill_over_time_and_are_pruned_when_full(database: Database) -> None:
    now = [1_000_000.0]
    limiter = RateLimiter(database, now=lambda: now[0])
    one_per_second = [Bucket("signup/address", "1.2.3.4", RateLimit(burst=2, per_hour=3600))]
    assert [limiter.take(one_per_second) for _ in range(3)] == [True, True, False]
    assert limiter.take([Bucket("signup/address", "5.6.7.8", RateLimit(2, 3600))])
    assert limiter.wait_seconds(one_per_second) == 1.0
    now[0] += 1.0
    assert limiter.take(one_per_second)
    assert limiter.prune() == 1  # 5.6.7.8 has refilled; 1.2.3.4 has not
    now[0] += 10.0
    assert limiter.prune() == 1
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(RateBucket)) == 0


def test_a_refused_request_takes_nothing_from_an_empty_bucket(database: Database) -> None:
    limiter = RateLimiter(database, now=lambda: 5_000.0)
    empty = Bucket("x/address", "a", RateLimit(burst=1, per_hour=1))
    full = Bucket("x/overall", "", RateLimit(burst=100, per_hour=1))
    assert limiter.take([empty, full])
    assert not limiter.take([empty, full])
    limiter.spend([empty])  # a failure counted against an empty bucket stays at zero
    assert 0 < limiter.wait_seconds([empty]) <= 3600


def test_networks_group_neighbouring_addresses() -> None:
    assert network_of("203.0.113.7") == network_of("203.0.113.200") == "203.0.113.0/24"
    assert network_of("2001:db8:1:2::5") == "2001:db8:1::/48"
    assert network_of("testclient") == "testclient"


def test_invitation_guesses_spread_over_many_addresses_are_limited(
    settings: Settings, database: Database, clock: FakeClock, api: Api
) -> None:
    """100 wrong codes, each from another address in another network: the overall bucket
    of wrong codes runs dry, and then even a valid code is not looked up from anywhere."""
    strict = replace(
        settings,
        invitation_lookups_per_address=RateLimit(burst=20, per_hour=60),
        invitation_lookups_per_network=RateLimit(burst=60, per_hour=200),
        invitation_failures_per_address=RateLimit(burst=10, per_hour=30),
        invitation_failures_per_network=RateLimit(burst=20, per_hour=60),
        invitation_failures_overall=RateLimit(burst=30, per_hour=60),
    )
    sam = api.youth()
    valid = api.invite(sam, "network")["code"]
    statuses = []
    for i in range(100):
        with _client(strict, database, clock, f"198.{i // 50}.{i % 50}.9") as client:
            statuses.append(client.get(f"/v1/invitations/{WRONG_CODES[i]}").status_code)
    assert statuses[:30] == [404] * 30
    assert set(statuses[30:]) == {429}
    with _client(strict, database, clock, "192.0.2.1") as client:
        blocked = client.get(f"/v1/invitations/{valid}")
        assert blocked.status_code == 429
        assert 0 < int(blocked.headers["retry-after"]) <= 60  # one wrong code a minute
        clock.advance(timedelta(minutes=1))
        assert client.get(f"/v1/invitations/{valid}").status_code == 200


def test_guesses_from_one_network_are_limited_before_the_overall_bucket(
    settings: Settings, database: Database, clock: FakeClock
) -> None:
    strict = replace(
        settings,
        invitation_failures_per_address=RateLimit(burst=10, per_hour=30),
        invitation_failures_per_network=RateLimit(burst=20, per_hour=60),
        invitation_failures_overall=RateLimit(burst=1000, per_hour=1000),
    )
    statuses = []
    for i in range(25):
        with _client(strict, database, clock, f"127.0.0.{i + 1}") as client:
            statuses.append(client.get(f"/v1/invitations/{WRONG_CODES[i]}").status_code)
    assert statuses == [404] * 20 + [429] * 5
    with _client(strict, database, clock, "127.0.1.1") as elsewhere:  # another network
        assert elsewhere.get(f"/v1/invitations/{WRONG_CODES[99]}").status_code == 404


def test_two_processes_share_one_limit(
    settings: Settings, database: Database, clock: FakeClock
) -> None:
    """Two apps on one database stand for two API processes behind a load balancer."""
    strict = replace(settings, signup_per_address=RateLimit(burst=3, per_hour=1))
    first = _client(strict, database, clock, "203.0.113.5")
    second = _client(strict, database, clock, "203.0.113.5")
    with first, second:
        api = Api(first, database, clock)
        statuses = [
            (first if i % 2 else second)
            .post("/v1/accounts", json=api.sign_up_body(f"kid{i}"))
            .status_code
            for i in range(5)
        ]
    assert statuses == [201, 201, 201, 429, 429]
