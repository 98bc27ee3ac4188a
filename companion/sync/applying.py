"""Taking opened remote versions into the store: as they are, or merged with local edits.

Runs in a worker thread, inside the caller's transaction: a pulled page with its cursor
(`apply_page`), or the conflict answers of a push (`absorb`). Every version is first held
against the record's mark (companion.store.marks): one older than the newest this device
accepted, or another version under the same revision, is refused and reported, never
taken (the server rolling back or forging); the same version again is nothing new. A
version with no unsent local change to meet is stored as it came, a run of them in one bulk
write; one that meets a local edit is merged per field (`companion.sync.merge`), and two
edits of a diary text keep both (the losing text becomes a private conflict copy). A
verified notice (a deletion, or this reader taken off) removes the record from this device;
nothing else does. A version whose signer is not verified waits (companion.store.held); one
that cannot be opened is counted as unreadable and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from companion.domain.models import DiaryEntry, Record, record_from_parts
from companion.store import HeldVersion, InvalidRecordError, Mark, SyncInfo
from companion.store.remote import RemoteRecord
from companion.sync.context import CycleReport, SyncContext
from companion.sync.fields import SHARES, Shadow, current_stamps, newest, values_of
from companion.sync.merge import merge
from companion.sync.payload import Notice, Opened
from companion_wire import RecordEnvelope, RecordKind, new_id

MAX_REPLACED = 50
TEXT_FIELDS = {RecordKind.DIARY_ENTRY: "text"}  # concurrent edits of these keep both
HELD = "its signer is not verified yet"


@dataclass
class Incoming:
    envelope: RecordEnvelope
    opened: Opened | Notice | None  # None: not opened (waiting, or unreadable: `problem`)
    problem: str | None = None


class Applier:
    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx
        self._store = ctx.store

    def apply_page(
        self,
        space_id: str,
        incoming: list[Incoming],
        cursor: int | None,
        report: CycleReport,
    ) -> None:
        """The page and its cursor in one transaction (no cursor: versions that waited for
        their signer). Versions that need no merging (all of them on a fresh device) are
        written in bulk: one store call per run of them, not three statements per record."""
        store = self._store
        with store.transaction():
            ids = [item.envelope.id for item in incoming]
            infos = store.sync_infos(ids)
            marks = store.marks.get_many(ids)
            run: list[Incoming] = []  # consecutive versions taken as they are, in one write
            seen: set[str] = set()
            for item in incoming:
                record_id = item.envelope.id
                if record_id not in seen and _taken_as_is(item, infos.get(record_id), marks):
                    run.append(item)
                else:  # in page order: what came before is written first
                    report.pulled += self._take_run(run)
                    run = []
                    if self.absorb(item, report):
                        report.pulled += 1
                seen.add(record_id)
            report.pulled += self._take_run(run)
            if cursor is not None and cursor > store.cursors.get(space_id):
                store.cursors.set(space_id, cursor)
        if any(item.envelope.kind is RecordKind.CONTACT_KEY for item in incoming):
            self._ctx.directory.keys.verifications_changed()  # trust may have changed

    def absorb(self, item: Incoming, report: CycleReport) -> bool:
        """Take one remote version into the store (inside the caller's transaction).

        Returns False when it was skipped: already known, refused, waiting or unreadable."""
        envelope = item.envelope
        opened = item.opened
        if opened is None:
            self._not_opened(item, report)
            return False
        mark = self._store.marks.get(envelope.id)
        if not self._is_new(envelope, opened.mark, mark, report):
            return False
        if isinstance(opened, Notice):
            return self._taken_away(envelope, opened, report)
        info = self._store.sync_info(envelope.id)
        remote = opened.remote  # its record is rebuilt only if a merge needs it
        if info is not None and info.kind != remote.kind:
            self._unreadable(envelope.id, "its id belongs to another kind of record here")
            return False
        self._store.marks.set_many([(envelope.id, _mark(envelope, opened))])
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

    def _is_new(
        self, envelope: RecordEnvelope, incoming: Mark, mark: Mark | None, report: CycleReport
    ) -> bool:
        """Whether a verified version is newer than the newest this device accepted; an
        older one, or a second version under one revision, is refused and reported."""
        if mark is None or incoming.revision > mark.revision:
            return True
        if incoming.revision == mark.revision and incoming.digest == mark.digest:
            return False  # the same version again: nothing new
        self._rejected(envelope.id, "older than what this device has, or not that version")
        report.rejected.append(envelope.id)
        return False

    def _taken_away(self, envelope: RecordEnvelope, notice: Notice, report: CycleReport) -> bool:
        """A verified deletion, or this reader taken off: the record leaves this device.
        Only the author unshares; the author or the youth who owns the space deletes."""
        allowed = {envelope.author_id}
        if envelope.deleted:
            allowed.add(self._ctx.owner_of(envelope.space_id) or envelope.author_id)
        if envelope.signer_id not in allowed:
            self._rejected(envelope.id, "taken away by someone who may not")
            report.rejected.append(envelope.id)
            return False
        self._store.marks.set_many([(envelope.id, _mark(envelope, notice))])
        self._ctx.forget(envelope.id)
        return True

    def _not_opened(self, item: Incoming, report: CycleReport) -> None:
        envelope = item.envelope
        if item.problem == HELD:
            held = HeldVersion(
                envelope.id,
                envelope.space_id,
                envelope.signer_id,
                envelope.version,
                envelope.model_dump_json(),
            )
            self._store.held.put_many([held])
            report.held += 1
            return
        self._unreadable(envelope.id, item.problem or "cannot be opened")

    def _take_run(self, run: list[Incoming]) -> int:
        """Store versions taken as they are (`_taken_as_is`) with one bulk write; if the
        store refuses one, that write left nothing and they go one by one, so only the
        refused one is reported. Returns how many were stored."""
        if not run:
            return 0
        try:
            self._store.apply_remote_many([_taken(item) for item in run])
        except InvalidRecordError:
            taken = [
                item for item in run if self._take_remote(_opened(item), item.envelope.version)
            ]
        else:
            taken = run
        self._store.marks.set_many((i.envelope.id, _mark(i.envelope, _opened(i))) for i in taken)
        return len(taken)

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

    def _rejected(self, record_id: str, reason: str) -> None:
        """The server served what its signer did not make, or an older version: refused,
        the device's copy left as it was, and said (the UI counts them)."""
        state = self._ctx.state
        state.update(rejected=state.state.rejected + 1, detail=f"{record_id}: {reason}")


def _opened(item: Incoming) -> Opened:
    assert isinstance(item.opened, Opened)
    return item.opened


def _taken_as_is(item: Incoming, info: SyncInfo | None, marks: dict[str, Mark]) -> bool:
    """Whether `absorb` would store this version as it came, without merging: opened, newer
    than every version this device accepted, and no unsent local change to merge with (the
    case of every record of a restore)."""
    opened = item.opened
    if not isinstance(opened, Opened):
        return False
    mark = marks.get(item.envelope.id)
    if mark is not None and mark.revision >= opened.revision:
        return False
    if info is None:
        return True
    known = info.server_version
    return (
        not info.dirty
        and info.kind == opened.remote.kind
        and (known is None or known < item.envelope.version)
    )


def _mark(envelope: RecordEnvelope, opened: Opened | Notice) -> Mark:
    """What this device keeps of a version it accepted: who held it, for the next one."""
    audience = tuple(wrap.recipient_id for wrap in envelope.wraps)
    return Mark(opened.revision, opened.digest, audience)


def _taken(item: Incoming) -> tuple[RemoteRecord, int, str]:
    """The store's bulk item for a version taken as is: its shadow's base is the server's
    stamps (the per-field bookkeeping of a record with nothing local to merge with)."""
    opened = _opened(item)
    return opened.remote, item.envelope.version, opened.taken_shadow
