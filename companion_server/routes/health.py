"""Liveness and database reachability, for load balancers and the operator."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from companion_server.context import Ctx
from companion_server.errors import ApiError, responses
from companion_wire import ErrorCode, HealthOut

router = APIRouter(tags=["health"])


def _version() -> str:
    try:
        return version("companion")
    except PackageNotFoundError:
        return "unknown"


@router.get("/health", response_model=HealthOut, responses=responses(503))
def health(ctx: Ctx) -> HealthOut:
    """No authentication: says whether this process can reach its database."""
    try:
        with ctx.db.read() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        raise ApiError(503, ErrorCode.UNAVAILABLE, "database unavailable") from None
    return HealthOut(status="ok", database="ok", version=_version())
