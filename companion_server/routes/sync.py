"""Push and pull of opaque records (DESIGN §6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from companion_server.auth import DeviceToken, caller_of
from companion_server.context import Ctx
from companion_server.errors import responses
from companion_server.metrics import PULLS, PUSHED_MUTATIONS, PUSHES
from companion_server.services import pull as pull_service
from companion_server.services import push as push_service
from companion_server.wire_route import WireRoute
from companion_wire import (
    DEFAULT_PULL_LIMIT,
    MAX_INT64,
    MAX_PULL_LIMIT,
    UUID7_PATTERN,
    PullOut,
    PushIn,
    PushOut,
)

router = APIRouter(tags=["sync"], route_class=WireRoute)


@router.post(
    "/sync/push",
    response_model=PushOut,
    response_model_exclude_none=True,
    responses=responses(401, 409, 400, 413),
)
def push(body: PushIn, token: DeviceToken, ctx: Ctx) -> Response:
    """Apply a batch of mutations; each gets applied/conflict/rejected. Safe to retry: a
    repeated (device, mutation_id) gets its stored answer and changes nothing."""
    caller = caller_of(ctx, token)
    body_json = push_service.push(ctx, caller, body)  # PushOut, written by the service
    PUSHES.inc()
    PUSHED_MUTATIONS.inc(len(body.mutations))
    return Response(content=body_json, media_type="application/json")


@router.get("/sync/pull", response_model=PullOut, responses=responses(401, 403))
def pull(
    token: DeviceToken,
    ctx: Ctx,
    space_id: Annotated[str, Query(pattern=UUID7_PATTERN)],
    cursor: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
) -> Response:
    """The next page of changes after `cursor`. 403 `link_ended`: drop this space."""
    caller = caller_of(ctx, token)
    body = pull_service.pull(ctx, caller, space_id, cursor, limit)
    PULLS.inc()
    return Response(content=body, media_type="application/json")
