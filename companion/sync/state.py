"""What the UI shows about syncing: phase, progress, last success, and problems to act on.

The engine publishes immutable `SyncState` snapshots to a `SyncStateBox`; views subscribe.
Every problem carries a `Problem` code the view translates into an instruction ("sign in
again", "free up space", "try again later") instead of a raw error message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from companion_wire import Refusal

logger = logging.getLogger(__name__)


class SyncPhase(StrEnum):
    NOT_REGISTERED = "not_registered"  # made offline, never reached a server yet
    OFFLINE = "offline"  # the server cannot be reached now; changes wait safely
    SYNCING = "syncing"  # `done` of `total` steps
    UP_TO_DATE = "up_to_date"  # as of `last_synced`
    ERROR = "error"  # see `problem`
    SIGN_IN_REQUIRED = "sign_in_required"  # token expired or revoked; syncing stopped


class Problem(StrEnum):
    """Why syncing is not up to date, phrased as what the user can do about it."""

    SIGN_IN = "sign_in"  # sign in again (recovery code) on this device
    SERVER_UNAVAILABLE = "server_unavailable"  # the server has trouble; it retries by itself
    RATE_LIMITED = "rate_limited"  # too many attempts; wait a little
    LOCAL_STORAGE = "local_storage"  # the phone's storage failed (full?); free up space
    REFUSED = "refused"  # the server refused a request; `detail` says why
    INTERNAL = "internal"  # an error in the app itself; it retries, report it if it stays


class ChangeOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


@dataclass(frozen=True)
class ParkedChange:
    """A local change the server refused; it stays on the device and is shown with why."""

    record_id: str
    kind: str
    op: ChangeOp
    reason: str  # in English, from the server or the engine: for logs and support
    at: datetime
    refusal: Refusal = Refusal.OTHER  # what the app says, in the user's language


@dataclass(frozen=True)
class SyncState:
    phase: SyncPhase = SyncPhase.NOT_REGISTERED
    done: int = 0  # progress of the current sync: changes applied so far ...
    total: int = 0  # ... of about this many (0 when unknown)
    last_synced: datetime | None = None
    pending: int = 0  # local changes waiting to be sent
    problem: Problem | None = None
    detail: str = ""  # the server's or the system's own words, for "more details"
    parked: tuple[ParkedChange, ...] = field(default_factory=tuple)
    unreadable: int = 0  # received records skipped because they could not be opened
    # versions the server served that this device refused: older than one it had, or not
    # made by who they say (a rollback or a forgery); the device's copy stayed as it was
    rejected: int = 0
    # (record id, field) changed on two devices at once: the newer edit was kept (last 50)
    replaced_edits: tuple[tuple[str, str], ...] = ()

    def but(self, **changes: Any) -> SyncState:
        """A copy with some fields changed (snapshots are immutable); `changes` are fields
        of their own types."""
        return replace(self, **changes)


Listener = Callable[[SyncState], None]


class SyncStateBox:
    """The latest snapshot plus change notification; safe to publish from any thread.

    Listeners run on the publishing thread (the engine publishes from its worker threads
    too): a view hands the snapshot to its own loop rather than touching controls there.
    """

    def __init__(self, initial: SyncState | None = None) -> None:
        self._state = initial or SyncState()
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    @property
    def state(self) -> SyncState:
        return self._state

    def publish(self, state: SyncState) -> None:
        self._change(lambda _old: state)

    def update(self, **changes: object) -> SyncState:
        """Publish the current snapshot with some fields changed; returns the new snapshot."""
        return self._change(lambda old: old.but(**changes))

    def _change(self, make: Callable[[SyncState], SyncState]) -> SyncState:
        with self._lock:
            state = make(self._state)
            if state == self._state:
                return state
            self._state = state
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(state)
            except Exception:  # a screen that went away must not stop syncing
                logger.exception("a sync state listener failed; syncing goes on")
        return state

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` on every change; returns the function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe
