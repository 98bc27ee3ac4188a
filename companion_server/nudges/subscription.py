"""One listener's pending nudges, and who among the listeners may hear a nudge (the audience).

A linked person hears of a commit only if it wrote a version they hold a wrap or a notice
of, and then with the version of that, not the space's (so a private diary entry wakes
nobody else: not even when the youth was active is theirs to know); nudges with no kinds
("links changed") reach everyone subscribed. Only the
youth who owns a space may get the changed record itself in the nudge (one-record commits;
still sealed end to end), which spares their devices the pull: pulls by anyone else check
access and log the delivery.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping

from companion_wire import LiveNudge

# Who may hear a nudge besides the youth, each with the newest version of that commit they
# hold; None: everyone (a "links changed" nudge, which names no version worth hiding).
Audience = Mapping[str, int] | None


class Subscription:
    """One listener's pending nudges, coalesced per space (only the newest version matters)."""

    def __init__(
        self,
        space_ids: Iterable[str],
        loop: asyncio.AbstractEventLoop,
        owner_of: str | None = None,
        account_id: str = "",
        device_id: str = "",
    ) -> None:
        self.space_ids = frozenset(space_ids)
        self.owner_of = owner_of
        self.account_id = account_id
        self.device_id = device_id
        self.loop = loop  # the listener's event loop: `offer` runs there
        self._pending: dict[str, LiveNudge] = {}
        self._ready = asyncio.Event()
        self.links_changed = asyncio.Event()  # re-check this listener's spaces now
        # wakes whoever does the re-checks (live_checks.LiveChecks), so "now" is not the
        # next tick: a revoked link stops what the listener hears at once
        self.wake: Callable[[], None] = lambda: None

    def offer(self, nudge: LiveNudge, audience: Audience = None) -> None:
        """Queue a nudge if this listener may hear it (call from the subscriber's loop)."""
        if nudge.space_id not in self.space_ids:  # access changed after the publish
            return
        if not nudge.kinds:
            self.links_changed.set()
            self.wake()
        owner = nudge.space_id == self.owner_of
        if audience is not None and not owner:
            held = audience.get(self.account_id)
            if held is None:
                return  # nothing in that commit is, or was, theirs to see: not even when it was
            # others pull (checked, logged), up to what they hold, not the space's version
            nudge = nudge.model_copy(update={"record": None, "version": held})
        elif nudge.record is not None and not owner:
            nudge = nudge.model_copy(update={"record": None})
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

    def recheck(self) -> None:
        """Check this listener's token and spaces now: its device may have been revoked
        (call from the subscriber's loop)."""
        self.links_changed.set()
        self.wake()

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
