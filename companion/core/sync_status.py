"""The sync engine's state as the views see it (views reach sync only through services).

The engine (companion.sync) publishes immutable `SyncState` snapshots to the app's
`SyncStateBox`; the Today screen subscribes. Until the device has registered with a server
the phase is NOT_REGISTERED, and the UI says so plainly.
"""

from dataclasses import dataclass

from companion.sync.state import ParkedChange, SyncPhase, SyncState, SyncStateBox

__all__ = ["ParkedChange", "SyncPhase", "SyncState", "SyncStateBox", "Unsent"]


@dataclass(frozen=True)
class Unsent:
    """Items not sent yet, by id: `waiting` leave with the next connection, `held` wait for
    the youth (the sync card says why)."""

    waiting: frozenset[str]
    held: frozenset[str]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.waiting or item_id in self.held
