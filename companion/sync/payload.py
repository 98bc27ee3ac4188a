"""Records to sealed wire envelopes and back (DESIGN §4).

What the server sees: id, space, kind, author, share list, conversation id (messages), the
deleted flag and two timestamps. Everything else travels in the encrypted payload:

    {"v": 1, "created_at": ..., "hlc": ..., "values": {field: value}, "fields": {field: stamp}}

`values` holds the content and the share list, `fields` the per-field stamps the merge needs.
The share list inside the payload is the authentic one (signed by the author); the plaintext
copy in the envelope is only what the server routes by.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pydantic import ValidationError

from companion.crypto.envelope import Sealed, open_sealed, seal
from companion.crypto.errors import CryptoError
from companion.crypto.keys import AccountKeys, PublicKeys
from companion.domain.hlc import Stamp
from companion.domain.models import Message, Record
from companion.store.remote import RemoteRecord
from companion.sync.errors import UnreadableRecordError
from companion.sync.fields import SHARES, taken_json, values_of
from companion_wire import RecordEnvelope, b64decode

PAYLOAD_VERSION = 1


@dataclass(frozen=True)
class Opened:
    """A pulled record, decrypted and verified, with its per-field stamps."""

    remote: RemoteRecord  # validated once, ready for Store.apply_remote_many
    stamps: dict[str, str]
    # Its field shadow if taken as it is (no local change to merge with, as for every
    # record of a restore): made here, in the thread that opens pages, so the thread that
    # writes them is left with little but SQLite, which runs without the GIL.
    taken_shadow: str

    @property
    def record(self) -> Record:
        return self.remote.record


def recipients(record: Record, owner_id: str) -> list[str]:
    """Who gets a wrap: the youth who owns the space, the author, and the share list."""
    return list(dict.fromkeys([owner_id, record.author_id, *record.shared_with]))


def _stamp_time(stamp: str) -> datetime:
    return datetime.fromtimestamp(Stamp.parse(stamp).wall_ms / 1000, UTC)


def envelope_fields(record: Record) -> dict[str, Any]:
    """The metadata every pushed record carries (RecordIn without the sealed parts)."""
    return {
        "id": record.id,
        "space_id": record.space_id,
        "kind": record.kind.value,
        "author_id": record.author_id,
        "deleted": record.deleted,
        "shared_with": list(record.shared_with),
        "conversation_id": record.conversation_id if isinstance(record, Message) else None,
        "created_at": record.created_at.isoformat(),
        "updated_at": _stamp_time(record.updated_hlc).isoformat(),
    }


def encode_payload(record: Record, stamps: Mapping[str, str]) -> bytes:
    body = {
        "v": PAYLOAD_VERSION,
        "created_at": record.created_at.isoformat(),
        "hlc": record.updated_hlc,
        "values": values_of(record),
        "fields": dict(stamps),
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def seal_record(
    record: Record,
    stamps: Mapping[str, str],
    *,
    owner_id: str,
    author: AccountKeys,
    keys: Mapping[str, bytes],
) -> dict[str, Any]:
    """RecordIn fields (without base_version) for a live record, sealed for its recipients.

    `keys` maps account id -> X25519 public key and must cover `recipients(record, owner)`.
    """
    fields = envelope_fields(record)
    if record.deleted:
        return fields
    wanted = recipients(record, owner_id)
    sealed = seal(
        encode_payload(record, stamps),
        record_id=record.id,
        space_id=record.space_id,
        kind=record.kind.value,
        author_id=record.author_id,
        author=author,
        recipients={account_id: keys[account_id] for account_id in wanted},
    )
    return {**fields, **sealed.to_wire()}


class SealedParts(NamedTuple):
    """What opening a live record needs from its envelope, as plain values: cheap to hand
    to the worker process that opens the pages of a long pull (`companion.sync.opening`)."""

    id: str
    space_id: str
    kind: str
    author_id: str
    ciphertext: str  # base64, as on the wire
    nonce: str
    wrap: str | None  # the reader's own wrap of the content key; None: not shared with them
    signature: str

    @classmethod
    def of(cls, envelope: RecordEnvelope, reader_id: str) -> SealedParts:
        wrap = None
        for candidate in envelope.wraps:
            if candidate.recipient_id == reader_id:
                wrap = candidate.wrapped_key
                break
        return cls._make(  # without the keyword handling of cls(...): one per pulled record
            (
                envelope.id,
                envelope.space_id,
                envelope.kind.value,
                envelope.author_id,
                envelope.ciphertext,
                envelope.nonce,
                wrap,
                envelope.signature,
            )
        )


def _sealed(parts: SealedParts, reader_id: str) -> Sealed:
    """The sealed parts; the wire model already checked them as strict base64 of the right
    lengths, so plain decoding is enough (Sealed checks sizes once more)."""
    return Sealed(
        ciphertext=b64decode(parts.ciphertext),
        nonce=b64decode(parts.nonce),
        wraps={} if parts.wrap is None else {reader_id: b64decode(parts.wrap)},
        signature=b64decode(parts.signature),
    )


def _decode(parts: SealedParts, plaintext: bytes) -> Opened:
    try:
        body = json.loads(plaintext.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UnreadableRecordError(parts.id, "the payload is not JSON") from None
    if not isinstance(body, dict) or body.get("v") != PAYLOAD_VERSION:
        raise UnreadableRecordError(parts.id, "unknown payload version (update the app)")
    values, stamps, hlc = body.get("values"), body.get("fields"), body.get("hlc")
    if not isinstance(values, dict) or not isinstance(stamps, dict) or not isinstance(hlc, str):
        raise UnreadableRecordError(parts.id, "the payload lacks values, fields or hlc")
    content = dict(values)
    shared_with = content.pop(SHARES, [])
    meta = {
        "id": parts.id,
        "space_id": parts.space_id,
        "author_id": parts.author_id,
        "created_at": body.get("created_at"),
        "updated_hlc": hlc,
        "deleted": False,
        "shared_with": shared_with,
    }
    try:
        remote = RemoteRecord(parts.kind, meta, content)
        if not all(map(Stamp.is_valid, stamps.values())):
            raise ValueError("a field stamp is not a hybrid logical clock stamp")
    except (ValidationError, ValueError, TypeError) as exc:
        raise UnreadableRecordError(parts.id, f"the payload is not a valid record: {exc}") from None
    # Every field of the validated record gets a stamp, also one its author's app version
    # did not send (a field added since, at its default): the record's own stamp.
    record_values = values_of(remote.record)
    field_stamps = {name: str(stamps.get(name, hlc)) for name in record_values}
    shadow = taken_json(record_values, field_stamps)
    return Opened(remote=remote, stamps=field_stamps, taken_shadow=shadow)


def open_envelope(
    envelope: RecordEnvelope,
    *,
    me_id: str,
    my_keys: AccountKeys,
    author_public: PublicKeys,
) -> Opened:
    """Verify, decrypt and parse a live record; any doubt raises UnreadableRecordError."""
    if envelope.deleted:
        raise UnreadableRecordError(envelope.id, "a tombstone has no content")
    parts = SealedParts.of(envelope, me_id)
    return open_parts(parts, me_id=me_id, my_keys=my_keys, author_public=author_public)


def open_parts(
    parts: SealedParts,
    *,
    me_id: str,
    my_keys: AccountKeys,
    author_public: PublicKeys,
) -> Opened:
    """`open_envelope` for a live record's parts (in whichever process opens it)."""
    try:
        plaintext = open_sealed(
            _sealed(parts, me_id),
            record_id=parts.id,
            space_id=parts.space_id,
            kind=parts.kind,
            author_id=parts.author_id,
            me_id=me_id,
            my_keys=my_keys,
            author_public=author_public,
        )
    except CryptoError as exc:
        raise UnreadableRecordError(parts.id, str(exc)) from exc
    return _decode(parts, plaintext)


def open_each(
    items: Sequence[tuple[SealedParts, PublicKeys]], *, me_id: str, my_keys: AccountKeys
) -> list[Opened | str]:
    """Each live record opened, or the reason it cannot be; in order (wherever a page is
    opened: a thread of the app, or a worker process)."""
    out: list[Opened | str] = []
    for parts, author in items:
        try:
            out.append(open_parts(parts, me_id=me_id, my_keys=my_keys, author_public=author))
        except UnreadableRecordError as exc:
            out.append(exc.reason)
    return out
