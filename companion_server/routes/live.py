"""The `/v1/live` WebSocket: each connection hears of changes in the spaces it may read.

It subscribes the connection to its account's spaces (its own and those of active links)
through the notifier (`companion_server/nudges/`), which decides what each listener hears,
and forwards the nudges; clients then pull. Who is connecting, and later whether the
device is still signed in and which links are active, is checked in batches by one task
per process (`companion_server/live_checks.py`), not by a task or thread per connection:
an idle listener costs its socket, its subscription and one waiting task.
"""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from companion_server.context import AppContext
from companion_server.errors import ApiError
from companion_server.live_checks import UNAUTHORIZED_CLOSE, LiveChecks, Watched
from companion_server.metrics import LIVE_CONNECTIONS
from companion_server.nudges.subscription import Subscription
from companion_server.security import token_hash
from companion_server.wire_route import WireRoute

TRY_AGAIN_CLOSE = 1013  # the database is away for now: the client reconnects later
REFRESH_SECONDS = 30.0  # re-check the token and the caller's spaces this often

router = APIRouter(tags=["live"], route_class=WireRoute)


def _bearer(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def live_checks(websocket: WebSocket) -> LiveChecks:
    """This process's checker (made on first use, on the serving event loop)."""
    state = websocket.app.state
    if getattr(state, "live_checks", None) is None:
        state.live_checks = LiveChecks(state.ctx, REFRESH_SECONDS)
    state.live_checks.refresh_seconds = REFRESH_SECONDS
    return state.live_checks


@router.websocket("/live")
async def live(websocket: WebSocket) -> None:
    """Authenticate with `Authorization: Bearer <device token>`; then receive one JSON
    `LiveNudge` per change of a space you can read. Close code 4401: sign in again;
    1013: the server cannot check right now, reconnect later."""
    ctx: AppContext = websocket.app.state.ctx
    checks = live_checks(websocket)
    token = _bearer(websocket.headers.get("authorization"))
    try:
        caller, spaces = await checks.resolve(token)
    except ApiError as exc:
        await websocket.accept()
        await websocket.close(code=UNAUTHORIZED_CLOSE, reason=exc.detail[:120])
        return
    except Exception:
        await websocket.accept()
        await websocket.close(code=TRY_AGAIN_CLOSE, reason="try again later")
        return
    # Listening before the handshake completes: a client that pulls once connected cannot
    # miss a commit made between its pull and our subscription.
    subscription = ctx.notifier.subscribe(
        spaces, owner_of=caller.space_id, account_id=caller.account_id, device_id=caller.device_id
    )
    try:
        await ctx.notifier.ready()
        await websocket.accept()
    except BaseException:
        ctx.notifier.unsubscribe(subscription)
        raise
    watched = Watched(token_hash(token), subscription, websocket)
    checks.watch(watched)
    LIVE_CONNECTIONS.inc()
    forwarding = asyncio.create_task(_forward(websocket, subscription))
    try:
        await _until_disconnect(websocket)
    finally:
        forwarding.cancel()
        await asyncio.gather(forwarding, return_exceptions=True)
        checks.forget(watched)
        ctx.notifier.unsubscribe(subscription)
        LIVE_CONNECTIONS.dec()


async def _forward(websocket: WebSocket, subscription: Subscription) -> None:
    while True:
        for nudge in await subscription.next():
            await websocket.send_text(nudge.model_dump_json())


async def _until_disconnect(websocket: WebSocket) -> None:
    """Clients do not talk on this channel; reading only notices when they leave (or when
    the checker closed the connection and the client answered)."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while (await websocket.receive())["type"] != "websocket.disconnect":
            continue
