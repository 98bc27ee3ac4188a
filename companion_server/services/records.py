"""Stored records on the wire: the envelope a client receives."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from companion.sync.protocol import RecordEnvelope, b64encode
from companion_server.db.models import Record


def envelope_dict(record: Record | Row[Any]) -> dict[str, Any]:
    """JSON-ready RecordEnvelope fields from an ORM record or a plain row of `records`
    (the pull hot path serialises these directly)."""
    return {
        "id": record.id,
        "space_id": record.space_id,
        "kind": record.kind,
        "author_id": record.author_id,
        "version": record.version,
        "deleted": record.deleted,
        "shared_with": record.shared_with,
        "conversation_id": record.conversation_id,
        "ciphertext": b64encode(record.ciphertext),
        "nonce": b64encode(record.nonce),
        "wraps": record.wraps,
        "signature": b64encode(record.signature),
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
    }


def reader_view(envelope: dict[str, Any], reader_id: str) -> dict[str, Any]:
    """The envelope as a reader who is neither the youth nor the author gets it: only their
    own share and wrap. Who else sees an item is the youth's business, not theirs (the
    signature covers neither list, so the reader can still verify the record)."""
    return envelope | {
        "shared_with": [reader_id],
        "wraps": [w for w in envelope["wraps"] if w["recipient_id"] == reader_id],
    }


def envelope(record: Record) -> RecordEnvelope:
    return RecordEnvelope.model_validate(envelope_dict(record))
