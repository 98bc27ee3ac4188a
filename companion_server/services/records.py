"""Stored records on the wire: the envelope a client receives.

Push and pull work on plain rows of `records` (no ORM objects: these are the hot routes).
A pull page is written as JSON text directly (`envelope_json`), byte for byte what
`json.dumps(envelope_dict(record), separators=(",", ":"))` gives, without building the
dicts first.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring_ascii
from typing import Any

from sqlalchemy import DateTime, Row, Text, cast, type_coerce

from companion_server.db.models import Record, table_of
from companion_wire import RecordEnvelope, b64encode

RECORDS = table_of(Record)
RECORD_COLUMNS = tuple(column.key for column in RECORDS.columns)

# The columns of `records` as `envelope_json` reads them: JSON columns as their stored text
# (parsed here with the C decoder, not by the driver) and times as stored (naive UTC).
WIRE_COLUMNS = (
    RECORDS.c.id,
    RECORDS.c.space_id,
    RECORDS.c.kind,
    RECORDS.c.author_id,
    RECORDS.c.signer_id,
    RECORDS.c.revision,
    RECORDS.c.prev,
    RECORDS.c.version,
    RECORDS.c.deleted,
    cast(RECORDS.c.shared_with, Text).label("shared_with"),
    RECORDS.c.conversation_id,
    RECORDS.c.ciphertext,
    RECORDS.c.nonce,
    RECORDS.c.content_hash,
    cast(RECORDS.c.wraps, Text).label("wraps"),
    type_coerce(RECORDS.c.created_at, DateTime()).label("created_at"),
    type_coerce(RECORDS.c.updated_at, DateTime()).label("updated_at"),
)

_compact = json.JSONEncoder(separators=(",", ":")).encode  # = json.dumps(v, separators=...)
_quote = encode_basestring_ascii  # a JSON string exactly as json.dumps writes it


@dataclass(slots=True)
class StoredRecord:
    """A row of `records` that a push reads and changes (same attributes as the model)."""

    id: str
    space_id: str
    kind: str
    author_id: str
    signer_id: str
    revision: int
    prev: bytes
    version: int
    deleted: bool
    shared_with: list[str]
    conversation_id: str | None
    ciphertext: bytes
    nonce: bytes
    content_hash: bytes
    wraps: list[dict[str, str]]
    created_at: datetime
    updated_at: datetime

    def audience(self) -> set[str]:
        """Everyone holding a wrap or a notice of this version."""
        return {wrap["recipient_id"] for wrap in self.wraps}

    def row(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in RECORD_COLUMNS}


def envelope_dict(record: Record | StoredRecord | Row[*tuple[Any, ...]]) -> dict[str, Any]:
    """JSON-ready RecordEnvelope fields from a record with time-zone aware times."""
    return {
        "id": record.id,
        "space_id": record.space_id,
        "kind": record.kind,
        "author_id": record.author_id,
        "signer_id": record.signer_id,
        "revision": record.revision,
        "prev": b64encode(record.prev) if record.prev else "",
        "version": record.version,
        "deleted": record.deleted,
        "shared_with": record.shared_with,
        "conversation_id": record.conversation_id,
        "ciphertext": b64encode(record.ciphertext) if record.ciphertext else "",
        "nonce": b64encode(record.nonce) if record.nonce else "",
        "content_hash": b64encode(record.content_hash) if record.content_hash else "",
        "wraps": record.wraps,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
    }


def envelope(record: Record | StoredRecord) -> RecordEnvelope:
    return RecordEnvelope.model_validate(envelope_dict(record))


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _utc(stored: datetime) -> str:
    """A stored (naive UTC) time as `value.replace(tzinfo=UTC).isoformat()` writes it."""
    return stored.isoformat() + "+00:00"


def _json_text(stored: str) -> str:
    """A JSON column's stored text, compact (the stored form has spaces after , and :)."""
    return "[]" if stored == "[]" else _compact(json.loads(stored))


def envelope_json(row: Row[*tuple[Any, ...]], reader_id: str | None = None) -> str:
    """One envelope of a pull page from a row of WIRE_COLUMNS. With `reader_id`, as a
    reader who is neither the youth nor the author gets it: only their own share and wrap.
    Who else sees an item is the youth's business, not theirs (the wraps' digest covers
    neither list, so the reader can still verify the version). A reader who holds a notice
    rather than a wrap (the version took the record away from them) gets it without the
    content, whose hash their notice covers. Returns "" when the reader holds neither."""
    (
        record_id,
        space_id,
        kind,
        author_id,
        signer_id,
        revision,
        prev,
        version,
        deleted,
        shared_with,
        conversation_id,
        ciphertext,
        nonce,
        content_hash,
        wraps,
        created_at,
        updated_at,
    ) = row
    if reader_id is None:
        shared_json, wraps_json = _json_text(shared_with), _json_text(wraps)
    else:
        mine = [w for w in json.loads(wraps) if w["recipient_id"] == reader_id]
        if not mine:
            return ""
        wraps_json = _compact(mine)
        if reader_id in json.loads(shared_with):
            shared_json = _compact([reader_id])
        else:  # a notice: they are no reader of this version
            shared_json, ciphertext = "[]", b""
    return (
        f'{{"id":{_quote(record_id)},"space_id":{_quote(space_id)},"kind":{_quote(kind)},'
        f'"author_id":{_quote(author_id)},"signer_id":{_quote(signer_id)},'
        f'"revision":{int(revision)},"prev":"{_b64(prev)}","version":{int(version)},'
        f'"deleted":{"true" if deleted else "false"},"shared_with":{shared_json},'
        f'"conversation_id":{"null" if conversation_id is None else _quote(conversation_id)},'
        f'"ciphertext":"{_b64(ciphertext)}","nonce":"{_b64(nonce)}",'
        f'"content_hash":"{_b64(content_hash)}","wraps":{wraps_json},'
        f'"created_at":"{_utc(created_at)}","updated_at":"{_utc(updated_at)}"}}'
    )
