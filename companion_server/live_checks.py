"""Who each `/v1/live` connection is, and which spaces it may hear: checked in batches.

A connection is resolved when it opens (its token: 401 closes it) and re-checked every
`refresh_seconds` (a revoked device is cut off, a link that started or ended changes what
it hears, an end date passes by itself), and at once when a link of one of its spaces
changed. One task per API process does every check: each tick it takes the connections
that are due, resolves all their tokens and links in two statements and one thread hop,
and applies the answers. First checks are spread over the interval, so 500 devices that
connect together are not re-checked together, and no thread is held per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket

from companion_server.access import LinkTerms, is_active
from companion_server.auth import Caller
from companion_server.context import AppContext
from companion_server.db.models import Account, Device, Link, Space
from companion_server.errors import unauthorized
from companion_server.nudges.subscription import Subscription
from companion_server.security import token_hash
from companion_wire import Role

log = logging.getLogger(__name__)

UNAUTHORIZED_CLOSE = 4401  # the client stops and asks the user to sign in again
TICK_SECONDS = 0.5  # how often the checker looks for due connections
MAX_BATCH = 500  # tokens per statement
LAST_SEEN_RESOLUTION = timedelta(hours=1)

Resolved = tuple[Caller, set[str]]


@dataclass(eq=False, slots=True)
class Watched:
    """One open connection: re-checked at `due` (monotonic), or when its links changed."""

    hashed: bytes
    subscription: Subscription
    websocket: WebSocket  # closed with 4401 when its device is signed out
    due: float = field(default=0.0)


async def _cut_off(websocket: WebSocket, reason: str) -> None:
    with contextlib.suppress(Exception):
        await websocket.close(code=UNAUTHORIZED_CLOSE, reason=reason[:120])


def resolve_many(ctx: AppContext, hashes: Sequence[bytes]) -> dict[bytes, Resolved]:
    """Callers and their audible spaces (own and actively linked) for these token hashes,
    in two statements; unknown or revoked tokens are absent. Runs in a worker thread."""
    now = ctx.clock()
    query = (
        select(
            Device.token_hash,
            Device.id,
            Device.last_seen_at,
            Account.id,
            Account.role,
            Account.display_name,
            Space.id,
        )
        .join(Account, Account.id == Device.account_id)
        .outerjoin(Space, Space.owner_id == Account.id)
        .where(Device.token_hash.in_(hashes), Device.revoked_at.is_(None))
    )
    with ctx.db.read_connection() as connection:
        rows = connection.execute(query).all()
        accounts = {row[3] for row in rows}
        links = connection.execute(
            select(
                Link.person_id,
                Link.space_id,
                Link.role,
                Link.status,
                Link.starts_at,
                Link.ends_at,
                Link.invitation_expires_at,
            ).where(Link.person_id.in_(accounts))
        ).all()
    linked: dict[str, set[str]] = {}
    for person_id, space_id, role, status, starts_at, ends_at, expires_at in links:
        terms = LinkTerms(person_id, role, status, starts_at, ends_at, expires_at)
        # person_id is one of `accounts` (the query selects on it), never NULL
        if person_id is not None and is_active(terms, now):
            linked.setdefault(person_id, set()).add(space_id)
    out: dict[bytes, Resolved] = {}
    stale = []
    for hashed, device_id, last_seen, account_id, role, name, space_id in rows:
        spaces = set(linked.get(account_id, ()))
        if space_id is not None:
            spaces.add(space_id)
        out[hashed] = (Caller(account_id, Role(role), name, device_id, space_id), spaces)
        if now - last_seen > LAST_SEEN_RESOLUTION:
            stale.append(device_id)
    if stale:
        with ctx.db.write_connection() as connection:
            connection.execute(update(Device).where(Device.id.in_(stale)).values(last_seen_at=now))
    return out


class LiveChecks:
    def __init__(self, ctx: AppContext, refresh_seconds: float) -> None:
        self._ctx = ctx
        self.refresh_seconds = refresh_seconds
        self._waiting: list[tuple[bytes, asyncio.Future[Resolved | None]]] = []
        self._watched: dict[Watched, None] = {}
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Future[None]] = set()  # closes in flight (kept alive)

    async def resolve(self, token: str) -> Resolved:
        """The caller behind a token and the spaces it may hear (batched with others)."""
        hashed = token_hash(token)
        future: asyncio.Future[Resolved | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((hashed, future))
        self._ensure_running().set()
        resolved = await future
        if resolved is None:
            raise unauthorized("unknown or signed-out device")
        return resolved

    def watch(self, watched: Watched) -> None:
        """Re-check from now on; the first check at a random point of the interval."""
        watched.due = time.monotonic() + self.refresh_seconds * random.uniform(0.5, 1.0)
        self._watched[watched] = None
        watched.subscription.wake = self._ensure_running().set

    def forget(self, watched: Watched) -> None:
        self._watched.pop(watched, None)

    def _ensure_running(self) -> asyncio.Event:
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="live-checks")
        assert self._wake is not None
        return self._wake

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), TICK_SECONDS)
            self._wake.clear()
            try:
                await self._check_once()
            except Exception:  # the database away for a moment: try again next tick
                log.warning("live checks failed; retrying", exc_info=True)
                await asyncio.sleep(TICK_SECONDS)

    async def _check_once(self) -> None:
        now = time.monotonic()
        waiting, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
        due = [w for w in self._watched if w.due <= now or w.subscription.links_changed.is_set()][
            : MAX_BATCH - len(waiting)
        ]
        if not waiting and not due:
            return
        for watched in due:
            watched.subscription.links_changed.clear()
            watched.due = now + self.refresh_seconds
        hashes = list({hashed for hashed, _ in waiting} | {w.hashed for w in due})
        try:
            resolved = await run_in_threadpool(resolve_many, self._ctx, hashes)
        except Exception as exc:
            for _, future in waiting:
                if not future.done():
                    future.set_exception(exc)
            raise
        for hashed, future in waiting:
            if not future.done():
                future.set_result(resolved.get(hashed))
        for watched in due:
            if watched not in self._watched:
                continue  # left meanwhile
            answer = resolved.get(watched.hashed)
            if answer is None:
                self.forget(watched)
                reason = "unknown or signed-out device"
                closing = asyncio.ensure_future(_cut_off(watched.websocket, reason))
                self._closing.add(closing)
                closing.add_done_callback(self._closing.discard)
            else:
                watched.subscription.change_spaces(answer[1])
        if self._waiting and self._wake is not None:
            self._wake.set()  # more connections than one batch: go on at once
