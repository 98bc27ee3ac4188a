"""Keeping the open account in step with its server while the app is in the foreground.

Both apps sync the same way (DESIGN §6, §7): a cycle when the app starts or comes back, right
after every local write (the store reports each commit that queued outbox rows), on a live
nudge, and on a slow poll that covers what no nudge announces (an end date passing on the
server's clock, nudges missed while offline). `SyncRunner` runs the cycles on the app's event
loop with backoff and publishes the state the screens show; store work and cryptography go
to worker threads inside the engine, so the loop never waits on a disk or on cryptography.

Each app adds only what its cycle does around the engine (`YouthSync`: register a new
account, refresh the links; `CaregiverSync`: refresh the caseload, take back alerts, publish
availability hours). After every cycle, pull or taken nudge, listeners hear about it when
something the screens show came in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from companion.core.files import FileService
from companion.crypto.vault_base import KeyVault
from companion.store import Store
from companion.sync.api import ApiClient
from companion.sync.engine import Identity, SyncEngine
from companion.sync.files import BlobCache, FileTransfers
from companion.sync.live import LiveChannel
from companion.sync.runner import SyncRunner
from companion.sync.session import DeviceSession
from companion.sync.state import SyncPhase, SyncStateBox
from companion_wire import LiveNudge

log = logging.getLogger(__name__)

POLL_SECONDS = 60.0
Listener = Callable[[], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


class AccountSync:
    # meta keys the app's cycle fills from the server (what screens show besides records)
    server_meta_keys: tuple[str, ...] = ()

    def __init__(
        self,
        store: Store,
        vault: KeyVault,
        identity: Identity,
        base_url: str,
        state: SyncStateBox | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        live: bool = True,
        poll_seconds: float = POLL_SECONDS,
        now: Callable[[], datetime] = utc_now,
        files_dir: Path | None = None,
    ) -> None:
        """`files_dir`: where this account keeps sealed files waiting to go up and opened
        copies (`files` is then the FileService; without it, no files)."""
        self.store = store
        self.state = state = state or SyncStateBox()
        self.device = DeviceSession(vault, store.meta)
        self.api = ApiClient(base_url, token=self.device.token, transport=transport)
        transfers = None
        self.files: FileService | None = None
        if files_dir is not None:
            transfers = FileTransfers(store, self.api, BlobCache(files_dir / "sealed"))
            self.files = FileService(store, transfers, files_dir / "open")
        self.engine = SyncEngine(store, self.api, identity, state=state, now=now, files=transfers)
        self.runner = SyncRunner(self.sync_now, self.pull_space, state, live=self._take)
        self.live: LiveChannel | None = None
        if live:
            self.live = LiveChannel(
                base_url,
                lambda: self.api.token,
                on_nudge=self.runner.nudged,
                on_connect=self.runner.request,
                on_unauthorized=self._signed_out,
                on_disconnect=self._connection_lost,
            )
        self.now = now
        self._poll = poll_seconds
        self._listeners: list[Listener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._poller: asyncio.Task[None] | None = None
        self._unhook: Callable[[], None] | None = None
        self._seen: tuple[object, ...] = ()
        registered = not self.needs_registration()
        state.update(
            phase=SyncPhase.OFFLINE if registered else SyncPhase.NOT_REGISTERED,
            pending=store.outbox.count(),
            parked=tuple(self.engine.parked()),
        )

    # --- what an app adds -----------------------------------------------------------------

    def needs_registration(self) -> bool:
        """Whether this account still has to introduce itself to the server."""
        return False

    async def cycle_steps(self) -> None:
        """One full cycle; the app adds its own steps around the engine's."""
        await self.engine.sync()

    async def pull_steps(self, space_id: str) -> None:
        """What a live nudge for one space asks for."""
        await self.engine.pull(space_id)

    # --- running in the foreground --------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop it runs on, once started."""
        return self._loop

    @property
    def started(self) -> bool:
        return self._loop is not None

    def start(self) -> None:
        """Begin syncing on the running event loop (never blocks it); idempotent."""
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._seen = self._mark()
        self._unhook = self.store.on_local_change(self._changed_here)
        self.runner.start()
        self._start_live()
        self._poller = self._loop.create_task(self._poll_forever(), name="sync-poll")

    def resume(self) -> None:
        """Back in the foreground, a new window, or signed in again: sync now."""
        if self._loop is None:
            return
        if self._poller is None or self._poller.done():
            self._poller = self._loop.create_task(self._poll_forever(), name="sync-poll")
        self.runner.resume()
        self._start_live()

    async def pause(self) -> None:
        """The app went to the background: no more polling and no open socket (a phone
        suspends the app soon anyway). A cycle already running finishes: stopping it half
        way would gain nothing, and every step of it is safe to end by a kill. `resume()`
        starts again."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self.live is not None:
            await self.live.stop()

    def request(self) -> None:
        """Ask for a full cycle soon (pull to refresh)."""
        self.runner.request()

    async def sync_now(self) -> None:
        """One full cycle, awaited (the first sync after a restore, pull to refresh).
        Raises companion.sync.errors on failure; the background runner is unaffected."""
        try:
            await self.cycle_steps()
        finally:
            self._notify_if_changed()

    async def pull_space(self, space_id: str) -> None:
        """Pull one space now (what a live nudge asks for). Raises like `sync_now`."""
        try:
            await self.pull_steps(space_id)
        finally:
            self._notify_if_changed()

    async def retry_parked(self) -> int:
        """Send the changes the server refused once more; returns how many were queued."""
        queued = await self.engine.retry_parked()
        if queued:
            self.runner.request()
        return queued

    async def dismiss_parked(self) -> None:
        await self.engine.dismiss_parked()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """`listener()` after synced data changed (it runs on the event loop)."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    async def stop(self) -> None:
        if self._unhook is not None:
            self._unhook()
            self._unhook = None
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        await self.runner.stop()
        if self.live is not None:
            await self.live.stop()
        await self.api.aclose()
        self._loop = None

    # --- inside -----------------------------------------------------------------------------

    def _start_live(self) -> None:
        if self.live is not None and self.api.token is not None:
            self.live.start()

    async def _take(self, nudge: LiveNudge) -> bool:
        taken = await self.engine.take_live(nudge)
        if taken:
            self._notify_if_changed()
        return taken

    def _changed_here(self, record_ids: tuple[str, ...]) -> None:
        """A committed local write (any thread): stamp and send it from the event loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._send, record_ids)

    def _send(self, record_ids: Iterable[str]) -> None:
        """Stamp the written records' changed fields now (so a later merge knows which edit
        changed what; the whole outbox is stamped again at the next cycle) and send them."""
        self.engine.stamp_pending(list(record_ids))
        self.state.update(pending=self.store.outbox.count())
        self.runner.request()

    def _mark(self) -> tuple[object, ...]:
        """What the screens show from the server: cursors move with every record that came
        in, the meta keys change with what the app's cycle stores besides records."""
        meta = self.store.meta
        return (self.store.cursors.all(), *(meta.get(key) for key in self.server_meta_keys))

    def _notify_if_changed(self) -> None:
        """Re-render only when something arrived: a poll that brought nothing costs the
        phone no redraw."""
        try:
            mark = self._mark()
        except Exception:  # a closed or failing store: the cycle's own error says why
            log.debug("could not read what changed", exc_info=True)
            return
        if mark == self._seen:
            return
        self._seen = mark
        for listener in list(self._listeners):
            listener()

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            self.runner.request()

    def _connection_lost(self) -> None:
        """The live connection dropped: a cycle now finds out whether the server is gone
        (the screens then say "offline" within seconds) or it was a blip (nothing shows)."""
        self.runner.request()

    def _signed_out(self) -> None:
        # The token is dead: a cycle still under way must not send it again (its next
        # request fails here, without the network), and none starts until a sign-in.
        self.api.token = None
        self.runner.signed_out("the server closed the live channel: sign in again")
