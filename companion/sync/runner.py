"""Runs sync in the app's event loop: when asked, with backoff, never raising into the UI.

Triggers: app start and resume, a local change, a live nudge, the network coming back. A
request that arrives during a cycle is remembered and served right after it. A nudge that
carries its record is taken as it is when it is the space's next version; otherwise that
space is pulled. Failures become a `SyncState` the user can act on; offline and server
trouble retry with backoff, a refused sign-in waits until the user signs in again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from companion.store import DiskFullError, StoreError
from companion.sync.backoff import Backoff
from companion.sync.errors import (
    OfflineError,
    ProtocolError,
    RateLimitedError,
    RefusedError,
    ServerError,
    SignInRequiredError,
)
from companion.sync.state import Problem, SyncPhase, SyncStateBox
from companion_wire import LiveNudge

log = logging.getLogger(__name__)

FullCycle = Callable[[], Awaitable[object]]
SpaceCycle = Callable[[str], Awaitable[object]]
LiveTake = Callable[[LiveNudge], Awaitable[bool]]  # True: taken, no pull needed
MAX_WAITING_LIVE = 64  # more nudges than this before the loop runs: pull instead


class SyncRunner:
    def __init__(
        self,
        full: FullCycle,
        space: SpaceCycle,
        state: SyncStateBox,
        *,
        live: LiveTake | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self._full = full
        self._space = space
        self._live = live
        self._state = state
        self._backoff = backoff or Backoff()
        self._wake = asyncio.Event()
        self._want_full = False
        self._want_spaces: set[str] = set()
        self._want_live: list[LiveNudge] = []
        self._task: asyncio.Task[None] | None = None
        self._blocked = False  # sign-in required: only an explicit resume unblocks

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop in the running event loop and ask for a full sync."""
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="sync")
        self.request()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def request(self, space_id: str | None = None) -> None:
        """Ask for a sync: of one space (a live nudge) or everything (default)."""
        if space_id is None:
            self._want_full = True
        else:
            self._want_spaces.add(space_id)
        self._wake.set()

    def nudged(self, nudge: LiveNudge) -> None:
        """What the live channel said: links changed (a full cycle refreshes them, and a
        link that ended is dropped), a record came along (take it, or pull its space if
        that cannot be), or a space changed (pull it)."""
        if not nudge.kinds:
            self.request()
            return
        if self._live is None or nudge.record is None or len(self._want_live) >= MAX_WAITING_LIVE:
            self.request(nudge.space_id)
            return
        self._want_live.append(nudge)  # in order: several may come before the loop runs
        self._wake.set()

    def signed_out(self, detail: str = "") -> None:
        """The server refused this device's sign-in elsewhere (the live channel was closed
        for it): no cycle runs until an explicit resume, as after a refused request."""
        self._blocked = True
        self._state.update(phase=SyncPhase.SIGN_IN_REQUIRED, problem=Problem.SIGN_IN, detail=detail)

    def resume(self) -> None:
        """The user signed in again or the app came back to the foreground."""
        self._blocked = False
        self._backoff.reset()
        self.request()

    async def _loop(self) -> None:
        delay: float | None = None
        while True:
            if delay is None or self._blocked:
                await self._wake.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
                self._want_full = True  # a retry is always a full cycle
            self._wake.clear()
            if self._blocked:
                continue
            delay = await self._run_once()

    async def _run_once(self) -> float | None:
        """One cycle; returns the retry delay after a failure, None after success."""
        full, spaces, live = self._want_full, self._want_spaces, self._want_live
        self._want_full, self._want_spaces, self._want_live = False, set(), []
        try:
            if full or not (spaces or live):
                await self._full()
            else:
                for nudge in live:  # once one of a space is not taken, that space is pulled
                    if nudge.space_id in spaces:
                        continue
                    if self._live is None or not await self._live(nudge):
                        spaces.add(nudge.space_id)
                for space_id in sorted(spaces):
                    await self._space(space_id)
        except OfflineError as exc:
            self._state.update(phase=SyncPhase.OFFLINE, problem=None, detail=str(exc))
            return self._backoff.next_delay()
        except SignInRequiredError as exc:
            self._blocked = True
            self._state.update(
                phase=SyncPhase.SIGN_IN_REQUIRED, problem=Problem.SIGN_IN, detail=str(exc)
            )
            return None
        except RateLimitedError as exc:
            self._fail(Problem.RATE_LIMITED, str(exc))
            return self._backoff.next_delay(exc.retry_after or 0.0)
        except ServerError as exc:
            self._fail(Problem.SERVER_UNAVAILABLE, str(exc))
            return self._backoff.next_delay(exc.retry_after or 0.0)
        except (RefusedError, ProtocolError) as exc:
            self._fail(Problem.REFUSED, str(exc))
            return self._backoff.next_delay()
        except DiskFullError as exc:
            self._fail(Problem.LOCAL_STORAGE, str(exc))
            return self._backoff.next_delay()
        except StoreError as exc:
            log.exception("sync stopped on a local storage error")
            self._fail(Problem.LOCAL_STORAGE, str(exc))
            return self._backoff.next_delay()
        except Exception as exc:  # a bug must not end syncing for good: show it, retry later
            log.exception("sync failed unexpectedly")
            self._fail(Problem.INTERNAL, f"{type(exc).__name__}: {exc}")
            return self._backoff.next_delay()
        self._backoff.reset()
        return None

    def _fail(self, problem: Problem, detail: str) -> None:
        self._state.update(phase=SyncPhase.ERROR, problem=problem, detail=detail)
