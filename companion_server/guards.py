"""Which rate limits and lockouts guard which request (the buckets: ratelimit.py).

Sign-up, activation and recovery requests are limited per address, per network and
overall; wrong activation codes per e-mail; wrong recovery secrets per account; invitation
lookups per address and network, and wrong invitation codes per address, per network and
overall: a 40-bit code must not be found by spreading guesses over many addresses.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from fastapi import Request

from companion_server.context import AppContext
from companion_server.errors import ApiError
from companion_server.metrics import RATE_LIMITED
from companion_server.ratelimit import Bucket, per_source
from companion_wire import ErrorCode


def client_ip(request: Request) -> str:
    """The peer address; behind a proxy, the one it forwarded (uvicorn --proxy-headers,
    trusted only from `forwarded_allow_ips`)."""
    return request.client.host if request.client else "unknown"


def too_many(ctx: AppContext, name: str, buckets: Sequence[Bucket]) -> ApiError:
    RATE_LIMITED.labels(name).inc()
    wait = max(1, math.ceil(min(ctx.limiter.wait_seconds(buckets), 24 * 3600)))
    return ApiError(
        429,
        ErrorCode.RATE_LIMITED,
        "too many attempts; try again later",
        {"Retry-After": str(wait)},
    )


def _requests(ctx: AppContext, name: str, request: Request) -> list[Bucket]:
    s = ctx.settings
    per_address, per_network, overall = {
        "signup": (s.signup_per_address, s.signup_per_network, s.signup_overall),
        "recovery": (s.recovery_per_address, s.recovery_per_network, s.recovery_overall),
        "invitation": (s.invitation_lookups_per_address, s.invitation_lookups_per_network, None),
    }[name]
    buckets = per_source(name, client_ip(request), per_address, per_network)
    if overall is not None:
        buckets.append(Bucket(f"{name}/overall", "", overall))
    return buckets


def limit_requests(ctx: AppContext, name: str, request: Request) -> None:
    """Take one request from `name`'s buckets ("signup", "recovery", "invitation")."""
    buckets = _requests(ctx, name, request)
    if not ctx.limiter.take(buckets):
        raise too_many(ctx, name, buckets)


def invitation_failures(ctx: AppContext, request: Request) -> list[Bucket]:
    s = ctx.settings
    buckets = per_source(
        "invitation-failures",
        client_ip(request),
        s.invitation_failures_per_address,
        s.invitation_failures_per_network,
    )
    return [*buckets, Bucket("invitation-failures/overall", "", s.invitation_failures_overall)]


def refuse_while_locked(ctx: AppContext, name: str, buckets: Sequence[Bucket]) -> None:
    """429 while any failure bucket is empty: the request is not even looked at."""
    if ctx.limiter.wait_seconds(buckets) > 0:
        raise too_many(ctx, name, buckets)


@contextmanager
def counting_failures(
    ctx: AppContext, name: str, failures: Sequence[Bucket], code: ErrorCode
) -> Iterator[None]:
    """Count an `ApiError` with `code` raised inside (after its transaction has closed: on
    SQLite a second writer would wait for the first) against `failures`; once they are
    empty, that refusal becomes a 429. Use around the transaction, not inside it."""
    try:
        yield
    except ApiError as exc:
        if exc.code is not code:
            raise
        locked = ctx.limiter.wait_seconds(failures) > 0
        ctx.limiter.spend(failures)
        if locked:
            raise too_many(ctx, name, failures) from None
        raise
