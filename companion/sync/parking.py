"""Changes the server refused: out of the queue, kept on the device, shown with why.

A refused change must not block the ones behind it, nor vanish: the pusher parks it here
(its outbox rows removed, the record left as the user made it), the UI shows the list from
`SyncState.parked`, and the user can queue them all again or dismiss the list. The list is
kept in the store's meta table, so it survives a restart.
"""

from __future__ import annotations

import json
from datetime import datetime

from companion.store import OutboxOp
from companion.sync.context import SyncContext
from companion.sync.state import ChangeOp, ParkedChange
from companion_wire import Refusal

PARKED_KEY = "sync.parked"
MAX_PARKED = 200


class Parking:
    def __init__(self, ctx: SyncContext) -> None:
        self._ctx = ctx

    def parked(self) -> list[ParkedChange]:
        """Changes the server refused, with its reasons (kept across restarts)."""
        raw = self._ctx.store.meta.get(PARKED_KEY)
        if raw is None:
            return []
        return [
            ParkedChange(
                item["record_id"],
                item["kind"],
                ChangeOp(item["op"]),
                item["reason"],
                datetime.fromisoformat(item["at"]),
                Refusal.read(item.get("refusal")),
            )
            for item in json.loads(raw)
        ]

    def park(self, change: ParkedChange, seqs: list[int]) -> None:
        """Take the change's outbox rows out of the queue and keep it, with why, in place
        of an earlier refusal of the same record."""
        store = self._ctx.store
        with store.transaction():
            store.outbox.remove(seqs)
            others = [p for p in self.parked() if p.record_id != change.record_id]
            self._save([*others, change])

    def unpark(self, record_id: str) -> None:
        """The record went through after all (it was edited and sent again)."""
        parked = self.parked()
        if any(p.record_id == record_id for p in parked):
            self._save([p for p in parked if p.record_id != record_id])

    def requeue(self, only: Refusal | None = None) -> int:
        """Queue the parked changes again (all, or those refused for `only`): the next push
        sends them. Returns how many."""
        store = self._ctx.store
        queued = 0
        with store.transaction():
            parked = self.parked()
            staying = [p for p in parked if only is not None and p.refusal is not only]
            for change in parked:
                if change in staying:
                    continue
                record = store.record(change.record_id)
                if record is None:
                    continue  # purged since (its space was dropped): nothing to send
                op = OutboxOp.DELETE if record.deleted else OutboxOp.UPSERT
                store.outbox.add(record.id, record.kind, op)
                queued += 1
            self._save(staying)
        return queued

    def dismiss(self) -> None:
        """Stop showing them; the records stay as they are."""
        self._save([])

    def _save(self, parked: list[ParkedChange]) -> None:
        items = parked[-MAX_PARKED:]
        self._ctx.store.meta.set(
            PARKED_KEY,
            json.dumps(
                [
                    {
                        "record_id": p.record_id,
                        "kind": p.kind,
                        "op": p.op.value,
                        "reason": p.reason,
                        "at": p.at.isoformat(),
                        "refusal": p.refusal.value,
                    }
                    for p in items
                ]
            ),
        )
        self._ctx.state.update(parked=tuple(items))
