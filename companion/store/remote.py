"""Records pulled from the server, validated once, on their way into the store.

A restore takes thousands of records at once. Each one is built from decrypted content by
full model validation; validating it again in the store (as `Store.apply_remote` must do for
a record of unknown origin) doubled the cost. A `RemoteRecord` is made by that validation,
and it builds its row at the same moment, so the row the store writes is the validated one
even if the record object is changed afterwards. The worker process that opens a long
pull's pages does the validation there and sends the row (`validated_elsewhere`).
"""

from __future__ import annotations

from typing import Any

from companion.domain.models import RECORD_TYPES, Record, record_from_parts
from companion.store.codec import decode, values
from companion.store.kinds import SPECS
from companion_wire import RecordKind


class RemoteRecord:
    """A record validated from its parts, with the row it is stored as."""

    __slots__ = ("_record", "order", "row")

    row: tuple[Any, ...]  # WRITE_COLUMNS order, built from the validated record
    order: str  # its stamp (validated): the newest one is the one the clock follows

    def __init__(
        self, kind: RecordKind | str, meta: dict[str, Any], content: dict[str, Any]
    ) -> None:
        """Validate (raises pydantic's ValidationError or ValueError, as
        `record_from_parts` does) and build the row."""
        record = record_from_parts(kind, meta, content)
        self._record: Record | None = record
        self.row = values(record, SPECS[record.kind])
        self.order = record.updated_hlc  # fixed width: text order is stamp order

    @classmethod
    def validated_elsewhere(cls, row: tuple[Any, ...]) -> RemoteRecord:
        """The row of a RemoteRecord made in the page opener's worker process (our own
        code, which validated it there). The record object is rebuilt from the row only
        when something asks for it: a restore writes rows and never does."""
        remote = cls.__new__(cls)
        remote._record = None
        remote.row = row
        remote.order = row[5]  # updated_hlc
        return remote

    @property
    def record(self) -> Record:
        if self._record is None:
            row = self.row
            model = RECORD_TYPES[RecordKind(row[1])]
            # WRITE_COLUMNS -> READ_COLUMNS: id, space, author, created, stamp, deleted,
            # share list, content.
            self._record = decode(model, (row[0], *row[2:9]))
        return self._record

    @property
    def id(self) -> str:
        return self.row[0]

    @property
    def kind(self) -> RecordKind:
        return RecordKind(self.row[1])  # without rebuilding a record made elsewhere
