"""Prometheus metrics at `/metrics` (prometheus-client), and one structured line per request.

Per process: behind a load balancer, scrape each API process on its own port (the proxy
keeps `/metrics` to itself; docs/operations.md). Request latency per route template (never
a concrete path: ids would make a series per record), pushes, pulls, live connections,
rate-limit refusals and 503s. Nothing here sees a body, a header or a query string.
"""

from __future__ import annotations

import logging
import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from companion_wire import API_PREFIX

REQUEST_SECONDS = Histogram(
    "companion_request_seconds",
    "Time to answer an HTTP request, per route template and status class.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PUSHED_MUTATIONS = Counter("companion_pushed_mutations", "Mutations received by push.")
PUSHES = Counter("companion_pushes", "Push requests answered.")
PULLS = Counter("companion_pulls", "Pull requests answered.")
LIVE_CONNECTIONS = Gauge("companion_live_connections", "Open /v1/live WebSockets.")
RATE_LIMITED = Counter("companion_rate_limited", "Requests refused by a rate limit.", ["limit"])
UNAVAILABLE = Counter("companion_unavailable", "Requests answered 503 (database away).")

request_log = logging.getLogger("companion_server.requests")


def metrics_endpoint(_request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _template(scope: Scope) -> str:
    """The matched route's template with its router prefix (an included router's route may
    carry its own path only, e.g. `/health` for `/v1/health`)."""
    template = getattr(scope.get("route"), "path", None)
    if template is None:
        return "unmatched"
    if not template.startswith(API_PREFIX) and scope["path"].startswith(API_PREFIX + "/"):
        return API_PREFIX + template
    return template


class RequestMetrics:
    """Pure ASGI (no per-request task): times each HTTP request, labels it by route template;
    with `log_requests`, also logs method, route, status and milliseconds, nothing else."""

    def __init__(self, app: ASGIApp, log_requests: bool = False) -> None:
        self.app = app
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - start
            route = _template(scope)
            REQUEST_SECONDS.labels(scope["method"], route, f"{status // 100}xx").observe(elapsed)
            if status == 503:
                UNAVAILABLE.inc()
            if self.log_requests:
                request_log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                    },
                )
