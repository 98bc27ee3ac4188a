"""The live channel, client side: a WebSocket that says "space S changed", so the app pulls
right away instead of polling. It reconnects with backoff; after every (re)connection it asks
for a full sync, because nudges sent while it was away are not replayed. When an open
connection drops it says so at once (`on_disconnect`), so the app can find out whether the
server is gone instead of showing an old state until its next poll. Pings every
`PING_S` seconds notice a connection that died silently (a phone that lost its network).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from pydantic import ValidationError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from companion.sync.backoff import Backoff
from companion_wire import API_PREFIX, LiveNudge

log = logging.getLogger(__name__)

UNAUTHORIZED_CLOSE = 4401  # the server's close code for a refused or revoked token
LIVE_PATH = "/live"
PING_S = 10.0  # a silent loss shows within PING_S + PING_TIMEOUT_S
PING_TIMEOUT_S = 10.0


def live_url(base_url: str) -> str:
    """http://host:port -> ws://host:port/v1/live (https -> wss)."""
    base = base_url.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base[len("https://") :] + API_PREFIX + LIVE_PATH
    if base.startswith("http://"):
        return "ws://" + base[len("http://") :] + API_PREFIX + LIVE_PATH
    raise ValueError(f"server URL must start with http:// or https://, got {base_url!r}")


class LiveChannel:
    def __init__(
        self,
        base_url: str,
        token: Callable[[], str | None],
        *,
        on_nudge: Callable[[LiveNudge], None],
        on_connect: Callable[[], None],
        on_unauthorized: Callable[[], None],
        on_disconnect: Callable[[], None] | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.url = live_url(base_url)
        self._token = token
        self._on_nudge = on_nudge
        self._on_connect = on_connect
        self._on_unauthorized = on_unauthorized
        self._on_disconnect = on_disconnect
        # capped at 30 s: back within seconds after a short loss, a try per half minute
        # (jittered) after a long one
        self._backoff = backoff or Backoff(base=0.5, cap=30.0)
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="live")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.connected.clear()

    async def _run(self) -> None:
        while True:
            token = self._token()
            if token is None:
                self._on_unauthorized()
                return
            if await self._session(token):
                return
            if self.connected.is_set():  # an open connection dropped: not just a failed try
                self.connected.clear()
                if self._on_disconnect is not None:
                    self._on_disconnect()
            await asyncio.sleep(self._backoff.next_delay())

    async def _session(self, token: str) -> bool:
        """One connection; True when the server refused the token (stop for good)."""
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with connect(
                self.url,
                additional_headers=headers,
                open_timeout=10,
                ping_interval=PING_S,
                ping_timeout=PING_TIMEOUT_S,
            ) as ws:
                self._backoff.reset()
                self.connected.set()
                self._on_connect()
                async for message in ws:
                    self._deliver(message)
        except ConnectionClosed as exc:
            if exc.rcvd is not None and exc.rcvd.code == UNAUTHORIZED_CLOSE:
                self._on_unauthorized()
                return True
        except InvalidStatus as exc:
            if exc.response.status_code in (401, 403):
                self._on_unauthorized()
                return True
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            log.debug("live channel unavailable: %s", exc)
        return False

    def _deliver(self, message: str | bytes) -> None:
        try:
            nudge = LiveNudge.model_validate_json(message)
        except ValidationError:
            log.warning("ignoring a live message that is not a nudge")
            return
        self._on_nudge(nudge)
