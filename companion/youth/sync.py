"""The youth app's connection: the open account's `SyncService`, fed by every local write.

One hook instead of calls sprinkled through the services: the store reports every commit
that queued outbox rows (`Store.on_local_change`), and this class hands those ids to the
sync engine on the app's event loop (writes happen on Flet's worker threads too). After each
full cycle it re-reads the space's links, so "my network" knows who is linked, their hours
and whom the youth can share with (an accepted invitation or a revoked link nudges the
space, which asks for such a cycle); a slow poll covers what no nudge announces (an end
date passing by itself, nudges missed while offline).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import httpx

from companion.core.errors import ServiceError
from companion.crypto.vault_base import KeyVault
from companion.sync.api import ApiClient
from companion.sync.state import SyncPhase, SyncState, SyncStateBox
from companion.youth.network.links import META_KEY as LINKS_KEY
from companion.youth.network.service import AVAILABILITY_KEY, INVITATIONS_KEY
from companion.youth.session import YouthSession
from companion.youth.sync_service import SyncService

POLL_SECONDS = 60.0
# meta keys NetworkService.apply_links writes from the server's answer
SERVER_META_KEYS = (LINKS_KEY, AVAILABILITY_KEY, INVITATIONS_KEY)
Listener = Callable[[], None]


class YouthSync:
    def __init__(
        self,
        space: YouthSession,
        vault: KeyVault,
        base_url: str,
        state: SyncStateBox,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        live: bool = True,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._space = space
        self.state = state
        self.service = SyncService.for_account(
            space.store, vault, space.account, base_url, state=state, transport=transport, live=live
        )
        self._api = ApiClient(base_url, transport=transport)
        self._poll = poll_seconds
        self._listeners: list[Listener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task] = set()
        self._poller: asyncio.Task | None = None
        self._unhooks: list[Callable[[], None]] = []
        self._last = state.state
        self._seen: tuple[object, ...] = ()

    @property
    def api(self) -> ApiClient | None:
        """The client for the calls outside syncing, once this device has a sign-in."""
        token = self.service.api.token
        if token is None:
            return None
        self._api.token = token  # registration or recovery may have just given a new one
        return self._api

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop it runs on, once started."""
        return self._loop

    @property
    def started(self) -> bool:
        return self._loop is not None

    def start(self) -> None:
        """Begin syncing on the running event loop; idempotent."""
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._unhooks = [
            self._space.store.on_local_change(self._changed_here),
            self.state.subscribe(self._published),
        ]
        self.service.start()
        self._poller = self._loop.create_task(self._poll_forever(), name="youth-sync-poll")

    def resume(self) -> None:
        """Back in the foreground, or a new window opened: sync now."""
        if self._loop is not None:
            self.service.resume()

    async def sync_now(self) -> None:
        """One full cycle, awaited, then the links (the first sync after a restore).
        Raises companion.sync.errors on failure."""
        await self.service.sync_now()
        await self._refresh_links()

    async def retry_parked(self) -> int:
        return await self.service.retry_parked()

    async def dismiss_parked(self) -> None:
        await self.service.dismiss_parked()

    async def stop(self) -> None:
        for unhook in self._unhooks:
            unhook()
        self._unhooks = []
        tasks = [*self._tasks, *([self._poller] if self._poller else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.service.stop()
        await self._api.aclose()
        self._loop = None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """`listener()` after synced data or links changed (it runs on the event loop)."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    # --- hooks ----------------------------------------------------------------------------

    def _changed_here(self, record_ids: tuple[str, ...]) -> None:
        """A committed local write (any thread): stamp and send it from the event loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._send, record_ids)

    def _send(self, record_ids: tuple[str, ...]) -> None:
        for record_id in record_ids:
            self.service.local_change(record_id)

    def _published(self, state: SyncState) -> None:
        """Sync state changed (any thread): a finished cycle refreshes the links; new data
        re-renders the screens."""
        before, self._last = self._last, state
        cycle_done = (
            state.phase is SyncPhase.UP_TO_DATE and before.phase is not SyncPhase.UP_TO_DATE
        )
        new_data = state.last_synced != before.last_synced
        loop = self._loop
        if loop is None or loop.is_closed() or not (cycle_done or new_data):
            return
        loop.call_soon_threadsafe(self._after_sync, cycle_done)

    def _after_sync(self, cycle_done: bool) -> None:
        self._notify_if_changed()
        if cycle_done:
            task = asyncio.get_running_loop().create_task(self._refresh_links())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _refresh_links(self) -> None:
        try:
            await self._space.network.refresh()
        except ServiceError:
            return  # the next cycle tries again; the sync state already shows why
        self._notify_if_changed()

    def _mark(self) -> tuple[object, ...]:
        """What screens show from the server: the pull cursor moves with every record that
        arrived, the meta keys change with the links, their hours and open invitations."""
        meta = self._space.store.meta
        return (
            self._space.store.cursors.get(self._space.account.space_id),
            *(meta.get(key) for key in SERVER_META_KEYS),
        )

    def _notify_if_changed(self) -> None:
        """Re-render only when something arrived: a poll that brought nothing costs the
        phone no redraw."""
        mark = self._mark()
        if mark == self._seen:
            return
        self._seen = mark
        for listener in list(self._listeners):
            listener()

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            self.service.runner.request()
