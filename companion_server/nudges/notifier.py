"""The notifier every request reaches (`AppContext.notifier`), and its in-process hub.

`InProcessNotifier` holds this process's listeners and hands each nudge to those subscribed
to its space, on their own event loop; it serves a single API process on its own, and is
the local half of `PostgresNotifier` (postgres.py) when several processes share a database.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterable
from typing import Protocol

from companion_server.nudges.subscription import Audience, Subscription
from companion_wire import LiveNudge


class Notifier(Protocol):
    def publish(self, nudge: LiveNudge, audience: Audience = None) -> None:
        """Called after a commit, from any thread; must not block. `audience`: the accounts
        who could read a changed record before or after the commit; the youth who owns the
        space always hears."""

    def subscribe(
        self,
        space_ids: Iterable[str],
        owner_of: str | None = None,
        account_id: str = "",
        device_id: str = "",
    ) -> Subscription:
        """`owner_of`: the listener's own space (a youth), where nudges may carry records."""

    def unsubscribe(self, subscription: Subscription) -> None: ...

    def device_revoked(self, device_id: str) -> None:
        """A device was revoked: its live connections check their token now (and close)."""
        ...

    async def ready(self) -> None:
        """Return once nudges published from now on will reach this process's subscribers."""

    def close(self) -> None: ...


class InProcessNotifier:
    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._lock = threading.Lock()

    def subscribe(
        self,
        space_ids: Iterable[str],
        owner_of: str | None = None,
        account_id: str = "",
        device_id: str = "",
    ) -> Subscription:
        """Call from the event loop that will await `Subscription.next()`."""
        loop = asyncio.get_running_loop()
        subscription = Subscription(space_ids, loop, owner_of, account_id, device_id)
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
                subscription.loop.call_soon_threadsafe(subscription.offer, nudge, audience)

    def device_revoked(self, device_id: str) -> None:
        with self._lock:
            targets = [s for s in self._subscriptions if s.device_id == device_id]
        for subscription in targets:
            with contextlib.suppress(RuntimeError):  # that subscriber's loop already closed
                subscription.loop.call_soon_threadsafe(subscription.recheck)

    async def ready(self) -> None:
        return  # publishing and delivering happen in this process: always ready

    def close(self) -> None:
        with self._lock:
            self._subscriptions.clear()
