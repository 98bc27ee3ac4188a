"""The sync engine's state as the views see it (views reach sync only through services).

The engine (companion.sync) publishes immutable `SyncState` snapshots to the app's
`SyncStateBox`; the Today screen subscribes. Until the device has registered with a server
the phase is NOT_REGISTERED, and the UI says so plainly.
"""

from companion.sync.state import ParkedChange, SyncPhase, SyncState, SyncStateBox

__all__ = ["ParkedChange", "SyncPhase", "SyncState", "SyncStateBox"]
