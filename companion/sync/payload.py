"""Records to sealed wire envelopes and back (DESIGN §4, docs/security.md).

What the server sees: id, space, kind, author, signer, revision, share list, conversation id
(messages), the deleted flag and two timestamps. Everything else travels in the encrypted
payload:

    {"v": 1, "created_at": ..., "hlc": ..., "values": {field: value}, "fields": {field: stamp}}

`values` holds the content and the share list, `fields` the per-field stamps the merge needs.
The share list inside the payload is the authentic one; the plaintext copy in the envelope
is only what the server routes by. Who made a version and that it is the newest is checked
here (the signer's wraps, companion.crypto.envelope) and by the caller (the device's marks).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pydantic import ValidationError

from companion.crypto.envelope import Header, open_version, seal, seal_deletion
from companion.crypto.errors import CryptoError
from companion.crypto.keys import AccountKeys
from companion.domain.hlc import Stamp
from companion.domain.models import Message, Record
from companion.store.marks import Mark
from companion.store.remote import RemoteRecord
from companion.sync.errors import UnreadableRecordError
from companion.sync.fields import SHARES, taken_json, values_of
from companion_wire import RecordEnvelope, b64decode, b64encode

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
    revision: int = 0
    digest: bytes = b""

    @property
    def record(self) -> Record:
        return self.remote.record

    @property
    def mark(self) -> Mark:
        return Mark(self.revision, self.digest)


@dataclass(frozen=True)
class Notice:
    """A verified version that takes the record away from this reader: deleted, or no
    longer shared with them. Its signer made it; the caller drops its copy."""

    record_id: str
    revision: int
    digest: bytes

    @property
    def mark(self) -> Mark:
        return Mark(self.revision, self.digest)


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


@dataclass(frozen=True)
class SealedVersion:
    fields: dict[str, Any]  # RecordIn's fields, without base_version
    mark: Mark  # what this device keeps once the server has the version


def header_of(record: Record, *, signer_id: str, base: Mark | None) -> Header:
    return Header(
        record_id=record.id,
        space_id=record.space_id,
        kind=record.kind.value,
        author_id=record.author_id,
        signer_id=signer_id,
        revision=base.revision + 1 if base is not None else 1,
        prev=base.digest if base is not None else b"",
        deleted=record.deleted,
        conversation_id=record.conversation_id if isinstance(record, Message) else "",
    )


def seal_record(
    record: Record,
    stamps: Mapping[str, str],
    *,
    owner_id: str,
    signer_id: str,
    signer: AccountKeys,
    base: Mark | None,
    keys: Mapping[str, bytes],
) -> SealedVersion:
    """The next version of `record` after `base` (the newest this device accepted), sealed:
    for its readers (`recipients`) a wrap of its key, for whoever held the base version and
    is no reader now a notice; a deletion has notices only. `keys` maps account id -> X25519
    public key for all of them."""
    header = header_of(record, signer_id=signer_id, base=base)
    earlier = [account for account in (base.audience if base else ()) if account in keys]
    if record.deleted:
        audience = dict.fromkeys([*earlier, owner_id, record.author_id])
        sealed = seal_deletion(
            header, signer=signer, audience={account: keys[account] for account in audience}
        )
        content_hash = ""
    else:
        readers = recipients(record, owner_id)
        sealed = seal(
            encode_payload(record, stamps),
            header,
            signer=signer,
            readers={account: keys[account] for account in readers},
            former={account: keys[account] for account in earlier if account not in readers},
        )
        content_hash = b64encode(sealed.content_hash)
    fields = {
        **envelope_fields(record),
        "signer_id": signer_id,
        "revision": header.revision,
        "prev": b64encode(header.prev) if header.prev else "",
        "ciphertext": b64encode(sealed.ciphertext) if sealed.ciphertext else "",
        "nonce": b64encode(sealed.nonce) if sealed.nonce else "",
        "content_hash": content_hash,
        "wraps": [
            {"recipient_id": account, "wrapped_key": b64encode(wrap)}
            for account, wrap in sealed.wraps.items()
        ],
    }
    mark = Mark(header.revision, sealed.digest, tuple(sealed.wraps))
    return SealedVersion(fields, mark)


class SealedParts(NamedTuple):
    """What opening a version needs from its envelope, as plain values: cheap to hand to
    the worker process that opens the pages of a long pull (`companion.sync.opening`)."""

    id: str
    space_id: str
    kind: str
    author_id: str
    signer_id: str
    revision: int
    prev: str  # base64, as on the wire
    deleted: bool
    conversation_id: str
    ciphertext: str
    nonce: str
    content_hash: str
    wrap: str | None  # the reader's own wrap or notice; None: nothing for them

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
                envelope.signer_id,
                envelope.revision,
                envelope.prev,
                envelope.deleted,
                envelope.conversation_id or "",
                envelope.ciphertext,
                envelope.nonce,
                envelope.content_hash,
                wrap,
            )
        )

    def header(self) -> Header:
        return Header(
            record_id=self.id,
            space_id=self.space_id,
            kind=self.kind,
            author_id=self.author_id,
            signer_id=self.signer_id,
            revision=self.revision,
            prev=b64decode(self.prev) if self.prev else b"",
            deleted=self.deleted,
            conversation_id=self.conversation_id,
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
    envelope: RecordEnvelope, *, me_id: str, my_keys: AccountKeys, signer_x25519: bytes
) -> Opened | Notice:
    """Verify, decrypt and parse a version; any doubt raises UnreadableRecordError."""
    return open_parts(
        SealedParts.of(envelope, me_id), me_id=me_id, my_keys=my_keys, signer_x25519=signer_x25519
    )


def open_parts(
    parts: SealedParts, *, me_id: str, my_keys: AccountKeys, signer_x25519: bytes
) -> Opened | Notice:
    """`open_envelope` for a version's parts (in whichever process opens it). A version
    readers may take in is Opened; one that takes the record away from this reader (its
    deletion, or a notice that it is no longer shared with them) is a Notice."""
    try:
        opened = open_version(
            parts.header(),
            nonce=b64decode(parts.nonce) if parts.nonce else b"",
            ciphertext=b64decode(parts.ciphertext) if parts.ciphertext else b"",
            # a notice comes without the content it took away: its hash stands in
            content_hash=b64decode(parts.content_hash) if parts.content_hash else None,
            wrap=b64decode(parts.wrap) if parts.wrap is not None else None,
            me=my_keys,
            signer_x25519=signer_x25519,
        )
    except (CryptoError, ValueError) as exc:
        raise UnreadableRecordError(parts.id, str(exc)) from exc
    if opened.payload is None:
        return Notice(parts.id, parts.revision, opened.digest)
    if parts.signer_id != parts.author_id:
        raise UnreadableRecordError(parts.id, "only its author makes a record's versions")
    decoded = _decode(parts, opened.payload)
    return Opened(
        decoded.remote, decoded.stamps, decoded.taken_shadow, parts.revision, opened.digest
    )


def open_each(
    items: Sequence[tuple[SealedParts, bytes]], *, me_id: str, my_keys: AccountKeys
) -> list[Opened | Notice | str]:
    """Each version opened (with its signer's X25519 key), or the reason it cannot be; in
    order (wherever a page is opened: a thread of the app, or a worker process)."""
    out: list[Opened | Notice | str] = []
    for parts, signer in items:
        try:
            out.append(open_parts(parts, me_id=me_id, my_keys=my_keys, signer_x25519=signer))
        except UnreadableRecordError as exc:
            out.append(exc.reason)
    return out
