"""Rate limits and lockouts in the database: every API process shares them.

Token buckets, one row each in `rate_buckets`, taken and refilled by one SQL statement (an
upsert with a condition), so several processes behind a load balancer count together and
a restart forgets nothing. Keys are stored as SHA-256 (no addresses, e-mails or lookups in
the table). Each guarded request names several buckets at once, per address, per network
(/24 for IPv4, /48 for IPv6) and overall, so that spreading guesses over many addresses
does not help; lockouts count failures per target (an e-mail, a recovery lookup).
Housekeeping drops buckets that have refilled (`RateLimiter.prune`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import text

from companion_server.db.engine import Database
from companion_server.settings import RateLimit

NETWORK_PREFIX = {4: 24, 6: 48}


@dataclass(frozen=True)
class Bucket:
    name: str  # what is limited, e.g. "invitation-failures/network"
    key: str  # whose bucket: an address, a network, a target, or "" for overall
    limit: RateLimit


def network_of(address: str) -> str:
    """The address's network (/24, /48): one attacker rarely holds more than one."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = NETWORK_PREFIX[parsed.version]
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


def per_source(name: str, address: str, per_address: RateLimit, per_network: RateLimit):
    """The buckets of one request from `address`: its own and its network's."""
    return [
        Bucket(f"{name}/address", address, per_address),
        Bucket(f"{name}/network", network_of(address), per_network),
    ]


def _key(bucket: Bucket) -> bytes:
    return hashlib.sha256(bucket.key.encode("utf-8", "replace")).digest()


def _sql(is_sqlite: bool, template: str) -> str:
    least, greatest = ("min", "max") if is_sqlite else ("LEAST", "GREATEST")
    return template.replace("LEAST", least).replace("GREATEST", greatest)


_REFILLED = "LEAST(excluded.burst, b.tokens + GREATEST(0, excluded.at - b.at) * excluded.rate)"
_UPSERT = """
INSERT INTO rate_buckets AS b (name, key, tokens, at, burst, rate) VALUES {rows}
ON CONFLICT (name, key) DO UPDATE SET
    tokens = {tokens}, at = excluded.at, burst = excluded.burst, rate = excluded.rate
{where} RETURNING name
"""
_LEVELS = "SELECT name, key, LEAST(burst, tokens + GREATEST(0, :now - at) * rate), rate FROM rate_buckets WHERE {which}"  # noqa: E501


class RateLimiter:
    def __init__(self, db: Database, now: Callable[[], float]) -> None:
        self._db = db
        self._now = now  # seconds (the app's clock: tests move it to refill buckets)

    def _params(self, buckets: Sequence[Bucket], initial: Callable[[float], float]):
        now = self._now()
        params: dict[str, object] = {"now": now}
        rows = []
        for i, bucket in enumerate(buckets):
            burst = float(bucket.limit.burst)
            params |= {
                f"n{i}": bucket.name,
                f"k{i}": _key(bucket),
                f"t{i}": initial(burst),
                f"b{i}": burst,
                f"r{i}": bucket.limit.per_hour / 3600.0,
            }
            rows.append(f"(:n{i}, :k{i}, :t{i}, :now, :b{i}, :r{i})")
        return ", ".join(rows), params

    def take(self, buckets: Sequence[Bucket]) -> bool:
        """One token from each bucket; False when any is empty (that one is left alone)."""
        rows, params = self._params(buckets, lambda burst: burst - 1)
        statement = _sql(
            self._db.is_sqlite,
            _UPSERT.format(rows=rows, tokens=f"{_REFILLED} - 1", where=f"WHERE {_REFILLED} >= 1"),
        )
        with self._db.write_connection() as connection:
            taken = connection.execute(text(statement), params).all()
        return len(taken) == len(buckets)

    def spend(self, buckets: Sequence[Bucket]) -> None:
        """Count one failure against each bucket, down to empty (a lockout's counter)."""
        rows, params = self._params(buckets, lambda burst: max(0.0, burst - 1))
        tokens = f"GREATEST(0, {_REFILLED} - 1)"
        statement = _sql(self._db.is_sqlite, _UPSERT.format(rows=rows, tokens=tokens, where=""))
        with self._db.write_connection() as connection:
            connection.execute(text(statement), params)

    def wait_seconds(self, buckets: Sequence[Bucket]) -> float:
        """0 when every bucket has a token, else how long until each has one again."""
        wanted = {(b.name, _key(b)) for b in buckets}
        which = " OR ".join(f"(name = :n{i} AND key = :k{i})" for i in range(len(wanted)))
        params: dict[str, object] = {"now": self._now()}
        for i, (name, key) in enumerate(wanted):
            params |= {f"n{i}": name, f"k{i}": key}
        statement = _sql(self._db.is_sqlite, _LEVELS.format(which=which))
        with self._db.read_connection() as connection:
            levels = connection.execute(text(statement), params).all()
        waits = [(1.0 - tokens) / rate if rate > 0 else math.inf for *_, tokens, rate in levels]
        return max([0.0, *[w for w in waits if w > 0]])

    def prune(self) -> int:
        """Forget buckets that have refilled completely (they are as good as new)."""
        statement = "DELETE FROM rate_buckets WHERE tokens + (:now - at) * rate >= burst"
        with self._db.write_connection() as connection:
            return connection.execute(text(statement), {"now": self._now()}).rowcount or 0
