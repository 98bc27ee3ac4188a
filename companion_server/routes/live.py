"""The `/v1/live` WebSocket: each connection hears of changes in the spaces it may read.

It subscribes the connection to its account's spaces (its own and those of active links)
through the notifier (`companion_server/nudges/`), which decides what each listener hears,
and forwards the nudges; clients then pull. Revoked devices are cut off and link changes
change the subscription while connected.
"""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from companion_server.access import is_active
from companion_server.auth import Caller, current_caller
from companion_server.context import AppContext
from companion_server.db.models import Link
from companion_server.errors import ApiError
from companion_server.nudges.subscription import Subscription

UNAUTHORIZED_CLOSE = 4401  # the client stops and asks the user to sign in again
REFRESH_SECONDS = 30.0  # re-check the token and the caller's spaces this often

router = APIRouter(tags=["live"])


def _bearer(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _resolve(ctx: AppContext, token: str) -> tuple[Caller, set[str]]:
    """Who is connecting and which spaces they may hear about: their own and active links.
    Raises ApiError (401) for a missing, unknown or revoked token."""
    caller = current_caller(ctx, HTTPAuthorizationCredentials(scheme="Bearer", credentials=token))
    now = ctx.clock()
    with ctx.db.read() as session:
        links = session.scalars(select(Link).where(Link.person_id == caller.account_id))
        spaces = {link.space_id for link in links if is_active(link, now)}
    if caller.space_id is not None:
        spaces.add(caller.space_id)
    return caller, spaces


@router.websocket("/live")
async def live(websocket: WebSocket) -> None:
    """Authenticate with `Authorization: Bearer <device token>`; then receive one JSON
    `LiveNudge` per change of a space you can read. Close code 4401: sign in again."""
    ctx: AppContext = websocket.app.state.ctx
    token = _bearer(websocket.headers.get("authorization"))
    try:
        caller, spaces = await run_in_threadpool(_resolve, ctx, token)
    except ApiError as exc:
        await websocket.accept()
        await websocket.close(code=UNAUTHORIZED_CLOSE, reason=exc.detail[:120])
        return
    # Listening before the handshake completes: a client that pulls once connected cannot
    # miss a commit made between its pull and our subscription.
    subscription = ctx.notifier.subscribe(
        spaces, owner_of=caller.space_id, account_id=caller.account_id
    )
    try:
        await ctx.notifier.ready()
        await websocket.accept()
    except BaseException:
        ctx.notifier.unsubscribe(subscription)
        raise
    tasks = [
        asyncio.create_task(_forward(websocket, subscription)),
        asyncio.create_task(_until_disconnect(websocket)),
        asyncio.create_task(_refresh(websocket, ctx, token, subscription)),
    ]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        ctx.notifier.unsubscribe(subscription)


async def _forward(websocket: WebSocket, subscription: Subscription) -> None:
    while True:
        for nudge in await subscription.next():
            await websocket.send_text(nudge.model_dump_json())


async def _until_disconnect(websocket: WebSocket) -> None:
    """Clients do not talk on this channel; reading only notices when they leave."""
    with contextlib.suppress(WebSocketDisconnect):
        while (await websocket.receive())["type"] != "websocket.disconnect":
            continue


async def _refresh(
    websocket: WebSocket, ctx: AppContext, token: str, subscription: Subscription
) -> None:
    """A revoked device is cut off; links that start or end change what it hears: at
    once when a link of one of its spaces changed, else every REFRESH_SECONDS (an end
    date passes by itself)."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(subscription.links_changed.wait(), REFRESH_SECONDS)
        subscription.links_changed.clear()
        try:
            _caller, spaces = await run_in_threadpool(_resolve, ctx, token)
        except ApiError as exc:
            await websocket.close(code=UNAUTHORIZED_CLOSE, reason=exc.detail[:120])
            return
        subscription.change_spaces(spaces)
