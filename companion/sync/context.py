"""What the parts of the sync engine share: who syncs, with which store and server, and the
little bookkeeping both directions touch (spaces, echoes of pushes, progress, purging).

The pusher (`companion.sync.pushing`), the puller (`companion.sync.pulling`) and the applier
(`companion.sync.applying`) each get the one `SyncContext` of their engine
(`companion.sync.engine`), which runs them one cycle at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from companion.crypto.keys import AccountKeys
from companion.store import Store
from companion.sync.api import ApiClient
from companion.sync.directory import Directory, SpaceInfo
from companion.sync.fields import Shadow
from companion.sync.state import SyncStateBox
from companion_wire import RecordEnvelope, Role


@dataclass(frozen=True)
class Identity:
    """The signed-in account on this device."""

    account_id: str
    keys: AccountKeys
    role: Role
    space_id: str | None = None  # a youth's own space


@dataclass
class CycleReport:
    """What one cycle did, for callers and tests (the UI reads SyncState instead)."""

    pushed: int = 0
    pulled: int = 0
    merged: int = 0
    conflict_copies: int = 0
    parked: int = 0
    dropped_spaces: list[str] = field(default_factory=list)
    opened_in_worker: int = 0  # records of long pulls opened in worker processes
    overridden: list[tuple[str, str]] = field(default_factory=list)  # (record, field) replaced
    rejected: list[str] = field(default_factory=list)  # versions refused: older, or forged
    held: int = 0  # versions waiting for their signer to be verified


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SyncContext:
    store: Store
    api: ApiClient
    me: Identity
    state: SyncStateBox
    directory: Directory
    now: Callable[[], datetime] = utc_now
    # Versions this device pushed, so pulls can skip their echo without a store read.
    pushed_versions: dict[str, tuple[str, int]] = field(default_factory=dict)  # id -> (space, v)

    def shadow(self, record_id: str) -> Shadow | None:
        """The record's per-field stamps, as the engine last kept them."""
        raw = self.store.field_stamps(record_id)
        return Shadow.from_json(raw) if raw is not None else None

    def forget(self, record_id: str) -> None:
        """The record left this device (its outbox rows and field stamps go with it)."""
        self.store.purge(record_id)

    def advance(self, steps: int) -> None:
        """Progress the UI shows: `steps` more of the cycle's total are done."""
        self.state.update(done=self.state.state.done + steps)

    # --- spaces ---------------------------------------------------------------------------

    async def refresh_spaces(self) -> list[SpaceInfo]:
        """The spaces this account may read now, as the server says (kept in the store)."""
        answer = await self.api.spaces()
        return await asyncio.to_thread(self.directory.set_spaces, answer)

    def owner_of(self, space_id: str) -> str | None:
        info = self.directory.space(space_id)
        return info.owner_id if info is not None else None

    # --- echoes of this device's pushes -------------------------------------------------------

    def pushed(self, record_id: str, space_id: str, version: int) -> None:
        self.pushed_versions[record_id] = (space_id, version)

    def is_echo(self, envelope: RecordEnvelope) -> bool:
        """Whether a pulled version is one this device pushed (or older): nothing to open."""
        return self.pushed_versions.get(envelope.id, ("", 0))[1] >= envelope.version

    def forget_echoes(self, space_id: str, cursor: int) -> None:
        """Pushed versions at or below the cursor can no longer come back in a pull."""
        done = [
            record_id
            for record_id, (space, version) in self.pushed_versions.items()
            if space == space_id and version <= cursor
        ]
        for record_id in done:
            del self.pushed_versions[record_id]
