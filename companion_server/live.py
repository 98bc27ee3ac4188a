"""Live nudges: after a push commits, tell listeners "space S is at version V".

The `/v1/live` WebSocket subscribes each connection to the spaces its account may read and
forwards nudges; clients then pull. A linked person hears of a commit only if it changed
a record they could read before or after it (so a private diary entry wakes nobody else:
not even when the youth was active is theirs to know); links that change nudge everyone
subscribed. Only the youth who owns a space may get the changed record itself in the nudge
(one-record commits; still sealed end to end), which spares their devices the pull: pulls
by anyone else check access and log the delivery.
`InProcessNotifier` serves a single API process. With several processes on PostgreSQL,
`PostgresNotifier` sends every nudge through LISTEN/NOTIFY, so a message pushed to one
process reaches a client connected to another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import secrets
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

import psycopg
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from companion_server.db.engine import is_sqlite
from companion_server.db.models import Link, Space
from companion_server.errors import ApiError
from companion_wire import LiveNudge

if TYPE_CHECKING:  # context imports this module for `Notifier`
    from companion_server.auth import Caller
    from companion_server.context import AppContext

log = logging.getLogger(__name__)

CHANNEL = "companion_live"
UNAUTHORIZED_CLOSE = 4401  # the client stops and asks the user to sign in again
REFRESH_SECONDS = 30.0  # re-check the token and the caller's spaces this often
LISTEN_TIMEOUT = 5.0  # how long a new connection waits for LISTEN to be active
MAX_NOTIFY_BYTES = 7900  # PostgreSQL refuses NOTIFY payloads from 8000 bytes on


Audience = frozenset[str] | None  # who may hear a nudge besides the youth; None: everyone


class Notifier(Protocol):
    def publish(self, nudge: LiveNudge, audience: Audience = None) -> None:
        """Called after a commit, from any thread; must not block. `audience`: the accounts
        who could read a changed record before or after the commit; the youth who owns the
        space always hears."""

    def subscribe(
        self, space_ids: Iterable[str], owner_of: str | None = None, account_id: str = ""
    ) -> Subscription:
        """`owner_of`: the listener's own space (a youth), where nudges may carry records."""

    def unsubscribe(self, subscription: Subscription) -> None: ...

    async def ready(self) -> None:
        """Return once nudges published from now on will reach this process's subscribers."""

    def close(self) -> None: ...


class Subscription:
    """One listener's pending nudges, coalesced per space (only the newest version matters)."""

    def __init__(
        self,
        space_ids: Iterable[str],
        loop: asyncio.AbstractEventLoop,
        owner_of: str | None = None,
        account_id: str = "",
    ) -> None:
        self.space_ids = frozenset(space_ids)
        self.owner_of = owner_of
        self.account_id = account_id
        self._loop = loop
        self._pending: dict[str, LiveNudge] = {}
        self._ready = asyncio.Event()
        self.links_changed = asyncio.Event()  # re-check this listener's spaces now

    def _offer(self, nudge: LiveNudge, audience: Audience = None) -> None:  # subscriber's loop
        if nudge.space_id not in self.space_ids:  # access changed after the publish
            return
        if not nudge.kinds:
            self.links_changed.set()
        owner = nudge.space_id == self.owner_of
        if audience is not None and not owner and self.account_id not in audience:
            return  # nothing in that commit is, or was, theirs to see: not even when it was
        if nudge.record is not None and not owner:
            nudge = nudge.model_copy(update={"record": None})  # others pull: checked, logged
        earlier = self._pending.get(nudge.space_id)
        if earlier is not None:  # two commits: the client pulls both, no record
            kinds = list(dict.fromkeys([*earlier.kinds, *nudge.kinds]))
            nudge = nudge.model_copy(
                update={
                    "version": max(earlier.version, nudge.version),
                    "kinds": kinds,
                    "record": None,
                }
            )
        self._pending[nudge.space_id] = nudge
        self._ready.set()

    def change_spaces(self, space_ids: Iterable[str]) -> None:
        """A link started or ended while connected (call from the subscriber's loop)."""
        self.space_ids = frozenset(space_ids)
        self._pending = {k: v for k, v in self._pending.items() if k in self.space_ids}

    async def next(self) -> list[LiveNudge]:
        """Wait for at least one nudge; return all pending ones."""
        await self._ready.wait()
        self._ready.clear()
        pending, self._pending = list(self._pending.values()), {}
        return pending


class InProcessNotifier:
    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()

    def subscribe(
        self, space_ids: Iterable[str], owner_of: str | None = None, account_id: str = ""
    ) -> Subscription:
        """Call from the event loop that will await `Subscription.next()`."""
        subscription = Subscription(space_ids, asyncio.get_running_loop(), owner_of, account_id)
        with self._lock:
            self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscriptions.discard(subscription)

    def publish(self, nudge: LiveNudge, audience: Audience = None) -> None:
        with self._lock:
            targets = [s for s in self._subscriptions if nudge.space_id in s.space_ids]
        for subscription in targets:
            with contextlib.suppress(RuntimeError):  # that subscriber's loop already closed
                subscription._loop.call_soon_threadsafe(subscription._offer, nudge, audience)

    async def ready(self) -> None:
        return  # publishing and delivering happen in this process: always ready

    def close(self) -> None:
        with self._lock:
            self._subscriptions.clear()


def _conninfo(database_url: str) -> str:
    """A libpq URL for psycopg from the SQLAlchemy one (postgresql+psycopg://...)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


class PostgresNotifier:
    """Publishes with NOTIFY and delivers what LISTEN hears, to this process's subscribers.

    Two daemon threads with their own connections: one listens, one publishes from a queue
    (so `publish` never blocks a request). Both start on first use. Nudges sent while the
    listener reconnects are missed; clients pull everything when they reconnect, and the
    next commit in a space nudges again.
    """

    def __init__(self, database_url: str) -> None:
        self._conninfo = _conninfo(database_url)
        self._origin = secrets.token_hex(8)  # tells this process's own NOTIFYs apart
        self._local = InProcessNotifier()
        self._outgoing: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._start_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.listening = threading.Event()  # LISTEN is active (tests and health wait on it)

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._threads or self._stop.is_set():
                return
            for target, name in ((self._listen, "live-listen"), (self._send, "live-notify")):
                thread = threading.Thread(target=target, name=name, daemon=True)
                thread.start()
                self._threads.append(thread)

    def subscribe(
        self, space_ids: Iterable[str], owner_of: str | None = None, account_id: str = ""
    ) -> Subscription:
        self._ensure_started()
        return self._local.subscribe(space_ids, owner_of, account_id)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._local.unsubscribe(subscription)

    def publish(self, nudge: LiveNudge, audience: Audience = None) -> None:
        """This process's listeners at once; the other processes through NOTIFY."""
        self._ensure_started()
        self._local.publish(nudge, audience)
        self._outgoing.put(self._payload(nudge, audience))

    def _payload(self, nudge: LiveNudge, audience: Audience) -> str:
        """What NOTIFY carries: under its size limit, first without the record (the youth
        then pulls it), then without the audience (everyone hears; no nudge is lost)."""
        bare = nudge.model_copy(update={"record": None})
        heard_by = sorted(audience) if audience is not None else None
        for sent, listeners in ((nudge, heard_by), (bare, heard_by), (bare, None)):
            payload = json.dumps(
                {"origin": self._origin, "nudge": sent.model_dump_json(), "audience": listeners}
            )
            if len(payload.encode()) <= MAX_NOTIFY_BYTES:
                break
        return payload

    async def ready(self) -> None:
        self._ensure_started()
        if not await asyncio.to_thread(self.listening.wait, LISTEN_TIMEOUT):
            log.warning("LISTEN is not active yet; live nudges may be late")

    def close(self) -> None:
        self._stop.set()
        self._outgoing.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
        self._local.close()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=0.5):
                            self._deliver(notify.payload)
            except psycopg.Error as exc:
                log.warning("live listener lost its connection (%s); reconnecting", exc)
            self.listening.clear()
            self._stop.wait(1.0)

    def _deliver(self, payload: str) -> None:
        try:
            message = json.loads(payload)
            if message["origin"] == self._origin:
                return  # published here, and already delivered here
            nudge = LiveNudge.model_validate_json(message["nudge"])
            listeners = message.get("audience")
            audience = None if listeners is None else frozenset(map(str, listeners))
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed nudge on %s", CHANNEL)
            return
        self._local.publish(nudge, audience)

    def _send(self) -> None:
        conn: psycopg.Connection | None = None
        while (payload := self._outgoing.get()) is not None:
            for _attempt in range(2):
                try:
                    if conn is None or conn.closed:
                        conn = psycopg.connect(self._conninfo, autocommit=True)
                    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                    break
                except psycopg.Error as exc:
                    log.warning("could not send a live nudge (%s)", exc)
                    conn = None
        if conn is not None:
            conn.close()


def links_changed(session: Session, space_id: str) -> LiveNudge:
    """The nudge for a change of a space's links (publish it after the commit): the youth's
    app refreshes who is linked at once, and a person whose link just ended pulls, is told
    `link_ended` and drops what they had of that space."""
    space = session.get(Space, space_id)
    return LiveNudge(space_id=space_id, version=space.version if space else 0, kinds=[])


def notifier_for(database_url: str) -> Notifier:
    """LISTEN/NOTIFY on PostgreSQL (several API processes); in-process on SQLite."""
    if is_sqlite(database_url):
        return InProcessNotifier()
    return PostgresNotifier(database_url)


# --- the WebSocket -------------------------------------------------------------------------

router = APIRouter(tags=["live"])


def _bearer(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _resolve(ctx: AppContext, token: str) -> tuple[Caller, set[str]]:
    """Who is connecting and which spaces they may hear about: their own and active links.
    Raises ApiError (401) for a missing, unknown or revoked token."""
    # Imported here: auth and access import the context, which imports this module.
    from companion_server.access import is_active
    from companion_server.auth import current_caller

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
