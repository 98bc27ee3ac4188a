"""Records pulled from the server, validated once, on their way into the store.

A restore takes thousands of records at once. Each one is built from decrypted content by
full model validation; validating it again in the store (as `Store.apply_remote` must do for
a record of unknown origin) doubled the cost. A `RemoteRecord` can only be made by that
validation, and it builds its row at the same moment, so the row the store writes is the
validated one even if the record object is changed afterwards.
"""

from __future__ import annotations

from typing import Any

from companion.domain.models import Record, RecordKind, record_from_parts
from companion.store.codec import values
from companion.store.kinds import SPECS


class RemoteRecord:
    """A record validated from its parts, with the row it is stored as."""

    __slots__ = ("order", "record", "row")

    record: Record
    row: tuple[Any, ...]  # WRITE_COLUMNS order, built from the validated record
    order: str  # its stamp (validated): the newest one is the one the clock follows

    def __init__(
        self, kind: RecordKind | str, meta: dict[str, Any], content: dict[str, Any]
    ) -> None:
        """Validate (raises pydantic's ValidationError or ValueError, as
        `record_from_parts` does) and build the row."""
        record = record_from_parts(kind, meta, content)
        self.record = record
        self.row = values(record, SPECS[record.kind])
        self.order = record.updated_hlc  # fixed width: text order is stamp order

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def kind(self) -> RecordKind:
        return self.record.kind
