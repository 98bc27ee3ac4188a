"""Taking opened remote versions into the store: as they are, or merged with local edits.

Runs in a worker thread, inside the caller's transaction: a pulled page with its cursor
(`apply_page`), or the conflict answers of a push (`absorb`). A version with no unsent
local change to meet is stored as it came, a run of them in one bulk write; one that meets
a local edit is merged per field (`companion.sync.merge`), and two edits of a diary text
keep both (the losing text becomes a private conflict copy). Deleted stays deleted; a
version that cannot be opened or stored is counted as unreadable and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.domain.models import DiaryEntry, Record, record_from_parts
from companion.store import InvalidRecordError, SyncInfo
from companion.store.remote import RemoteRecord
from companion.sync.context import CycleReport, SyncContext
from companion.sync.fields import SHARES, Shadow, current_stamps, newest, values_of
from companion.sync.merge import merge
from companion.sync.payload import Opened
from companion_wire import RecordEnvelope, RecordKind, new_id

MAX_REPLACED = 50
TEXT_FIELDS = {RecordKind.DIARY_ENTRY: "text"}  # concurrent edits of these keep both


@dataclass
class Incoming:
    envelope: RecordEnvelope
    opened: Opened | None  # None for tombstones and for what could not be opened
    problem: str | None = None


class Applier:
    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx
        self._store = ctx.store

    def apply_page(
        self,
        space_id: str,
        incoming: list[Incoming],
        removed: list[str],
        cursor: int,
        report: CycleReport,
    ) -> None:
        """The page, its removals and its cursor in one transaction. Versions that need no
        merging (all of them on a fresh device) are written in bulk: one store call per
        run of them, not three statements per record."""
        store = self._store
        with store.transaction():
            infos = store.sync_infos(item.envelope.id for item in incoming)
            run: list[Incoming] = []  # consecutive versions taken as they are, in one write
            seen: set[str] = set()
            for item in incoming:
                record_id = item.envelope.id
                if record_id not in seen and _taken_as_is(item, infos.get(record_id)):
                    run.append(item)
                else:  # in page order: what came before is written first
                    report.pulled += self._take_run(run)
                    run = []
                    if self.absorb(item, report):
                        report.pulled += 1
                seen.add(record_id)
            report.pulled += self._take_run(run)
            for record_id in removed:
                self._ctx.forget(record_id)
            if cursor > store.cursors.get(space_id):
                store.cursors.set(space_id, cursor)

    def absorb(self, item: Incoming, report: CycleReport) -> bool:
        """Take one remote version into the store (inside the caller's transaction).

        Returns False when it was skipped: already known, or unreadable."""
        envelope = item.envelope
        info = self._store.sync_info(envelope.id)
        known = info.server_version if info is not None else None
        if known is not None and known >= envelope.version:
            return False
        if envelope.deleted:  # deleted stays deleted, whatever was edited meanwhile
            self._ctx.forget(envelope.id)
            return True
        if item.opened is None:
            self._unreadable(envelope.id, item.problem or "cannot be opened")
            return False
        opened = item.opened
        remote = opened.remote  # its record is rebuilt only if a merge needs it
        if info is not None and info.kind != remote.kind:
            self._unreadable(envelope.id, "its id belongs to another kind of record here")
            return False
        if info is None or not info.dirty:
            return self._take_remote(opened, envelope.version)
        local = self._store.record(envelope.id)
        assert local is not None
        if local.deleted:  # a local delete wins over a remote edit: keep it queued
            if not self._take_remote(opened, envelope.version):
                return False
            self._store.repository_for(remote.kind).delete(remote.id)
            return True
        return self._merge(local, opened, envelope.version, report)

    def _take_run(self, run: list[Incoming]) -> int:
        """Store versions taken as they are (`_taken_as_is`) with one bulk write; if the
        store refuses one, that write left nothing and they go one by one, so only the
        refused one is reported. Returns how many were stored."""
        if not run:
            return 0
        try:
            self._store.apply_remote_many([_taken(item) for item in run])
        except InvalidRecordError:
            return sum(self._take_remote(_opened(item), item.envelope.version) for item in run)
        return len(run)

    def _take_remote(self, opened: Opened, version: int) -> bool:
        """Store the remote version as is (inside the caller's transaction). The store
        checks before it writes, so a refusal leaves nothing half-written."""
        try:
            self._store.apply_remote_many([(opened.remote, version, opened.taken_shadow)])
        except InvalidRecordError as exc:  # e.g. a stamp a day ahead of this device's clock
            self._unreadable(opened.remote.id, str(exc))
            return False
        return True

    def _merge(self, local: Record, opened: Opened, version: int, report: CycleReport) -> bool:
        remote, stamps = opened.record, opened.stamps
        shadow = self._ctx.shadow(local.id)
        local_values = values_of(local)
        merged = merge(
            local_values,
            current_stamps(local_values, local.updated_hlc, shadow),
            shadow.bases() if shadow else {},
            values_of(remote),
            stamps,
            my_node=self._store.clock.node,
            text_field=TEXT_FIELDS.get(remote.kind),
        )
        if not self._take_remote(opened, version):
            return False
        report.merged += 1
        if merged.overridden:
            replaced = [(local.id, name) for name in merged.overridden]
            report.overridden += replaced
            state = self._ctx.state
            earlier = state.state.replaced_edits
            state.update(replaced_edits=(*earlier, *replaced)[-MAX_REPLACED:])
        if not merged.same_as_remote:
            content = dict(merged.values)
            shared_with = content.pop(SHARES, [])
            meta = {
                "id": remote.id,
                "space_id": remote.space_id,
                "author_id": remote.author_id,
                "created_at": remote.created_at,
                "updated_hlc": newest(merged.stamps),
                "deleted": False,
                "shared_with": shared_with,
            }
            repository = self._store.repository_for(remote.kind)
            result = repository.update(record_from_parts(remote.kind, meta, content))
            shadow_after = Shadow.of(values_of(result), merged.stamps, stamps)
            self._store.set_field_stamps(remote.id, shadow_after.to_json())
        if merged.losing_text is not None and isinstance(remote, DiaryEntry):
            self._conflict_copy(local, remote, merged.losing_text)
            report.conflict_copies += 1
        return True

    def _conflict_copy(self, local: Record, remote: DiaryEntry, text: str) -> None:
        """The text that lost, as a private entry pointing at the original, to tidy up."""
        source = local if isinstance(local, DiaryEntry) and local.text == text else remote
        assert isinstance(source, DiaryEntry)
        copy = DiaryEntry(
            id=new_id(),
            space_id=remote.space_id,
            author_id=remote.author_id,
            updated_hlc=self._store.clock.now(),
            text=text,
            mood=source.mood,
            domains=list(source.domains),
            entry_date=source.entry_date,
            conflict_of=remote.id,
        )
        self._store.diary.create(copy)

    def _unreadable(self, record_id: str, reason: str) -> None:
        state = self._ctx.state
        state.update(unreadable=state.state.unreadable + 1, detail=f"{record_id}: {reason}")


def _opened(item: Incoming) -> Opened:
    assert item.opened is not None
    return item.opened


def _taken_as_is(item: Incoming, info: SyncInfo | None) -> bool:
    """Whether `absorb` would store this version as it came, without merging: readable,
    newer than what the device has, and no unsent local change to merge with (the case of
    every record of a restore)."""
    opened = item.opened
    if item.envelope.deleted or opened is None:
        return False
    if info is None:
        return True
    known = info.server_version
    return (
        not info.dirty
        and info.kind == opened.remote.kind
        and (known is None or known < item.envelope.version)
    )


def _taken(item: Incoming) -> tuple[RemoteRecord, int, str]:
    """The store's bulk item for a version taken as is: its shadow's base is the server's
    stamps (the per-field bookkeeping of a record with nothing local to merge with)."""
    opened = _opened(item)
    return opened.remote, item.envelope.version, opened.taken_shadow
