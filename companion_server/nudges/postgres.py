"""Nudges between API processes that share one PostgreSQL database: LISTEN/NOTIFY.

A message pushed to one process reaches a client connected to another: every nudge is sent
with NOTIFY, and what LISTEN hears from the other processes is handed to this process's hub.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import secrets
import threading
from collections.abc import Iterable

import psycopg
from sqlalchemy.engine import make_url

from companion_server.nudges.notifier import InProcessNotifier
from companion_server.nudges.subscription import Audience, Subscription
from companion_wire import LiveNudge

log = logging.getLogger(__name__)

CHANNEL = "companion_live"
LISTEN_TIMEOUT = 5.0  # how long a new connection waits for LISTEN to be active
AUDIENCE_PER_NOTIFY = 100  # (account id, version) pairs: ~5 KB, under the limit
MAX_NOTIFY_BYTES = 7900  # PostgreSQL refuses NOTIFY payloads from 8000 bytes on


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
        self,
        space_ids: Iterable[str],
        owner_of: str | None = None,
        account_id: str = "",
        device_id: str = "",
    ) -> Subscription:
        self._ensure_started()
        return self._local.subscribe(space_ids, owner_of, account_id, device_id)

    def unsubscribe(self, subscription: Subscription) -> None:
        self._local.unsubscribe(subscription)

    def device_revoked(self, device_id: str) -> None:
        """This process's connections of that device at once; the others' through NOTIFY."""
        self._ensure_started()
        self._local.device_revoked(device_id)
        self._outgoing.put(json.dumps({"origin": self._origin, "device_revoked": device_id}))

    def publish(self, nudge: LiveNudge, audience: Audience = None) -> None:
        """This process's listeners at once; the other processes through NOTIFY."""
        self._ensure_started()
        self._local.publish(nudge, audience)
        for payload in self._payloads(nudge, audience):
            self._outgoing.put(payload)

    def _payloads(self, nudge: LiveNudge, audience: Audience) -> list[str]:
        """What NOTIFY carries, under its size limit: without the record if need be (the
        youth then pulls it), and a big audience split over several notifications (each
        names only its part: nobody hears a version they hold nothing of)."""
        listeners = sorted(audience.items()) if audience is not None else None
        for sent in (nudge, nudge.model_copy(update={"record": None})):
            payload = self._payload(sent, listeners)
            if len(payload.encode()) <= MAX_NOTIFY_BYTES:
                return [payload]
        bare = nudge.model_copy(update={"record": None})
        assert listeners is not None  # a bare nudge for everyone always fits
        step = AUDIENCE_PER_NOTIFY
        return [
            self._payload(bare, listeners[start : start + step])
            for start in range(0, len(listeners), step)
        ]

    def _payload(self, nudge: LiveNudge, listeners: list[tuple[str, int]] | None) -> str:
        return json.dumps(
            {"origin": self._origin, "nudge": nudge.model_dump_json(), "audience": listeners}
        )

    async def ready(self) -> None:
        self._ensure_started()
        if self.listening.is_set():  # the usual case: no thread to wait in
            return
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
            if "device_revoked" in message:
                self._local.device_revoked(str(message["device_revoked"]))
                return
            nudge = LiveNudge.model_validate_json(message["nudge"])
            listeners = message.get("audience")
            audience = (
                None
                if listeners is None
                else {str(account): int(version) for account, version in listeners}
            )
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
