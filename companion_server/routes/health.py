"""Liveness and database reachability, for load balancers and the operator."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Response

from companion_server.context import Ctx
from companion_server.errors import responses
from companion_server.wire_route import WireRoute
from companion_wire import HealthOut

router = APIRouter(tags=["health"], route_class=WireRoute)


@cache
def _ok_body() -> bytes:
    """Built once: reading package metadata took longer than the database check."""
    try:
        installed = version("companion")
    except PackageNotFoundError:
        installed = "unknown"
    return HealthOut(status="ok", database="ok", version=installed).model_dump_json().encode()


@router.get("/health", response_model=HealthOut, responses=responses(503))
def health(ctx: Ctx) -> Response:
    """No authentication: says whether this process can reach its database (a lost one
    answers 503 with Retry-After, through the error handlers)."""
    ctx.db.ping()
    return Response(_ok_body(), media_type="application/json")
