"""Blobs: declare, upload chunks (any order, resumable), complete, and fetch (issue 17).

Who may do what:
- declare and upload: whoever may create an attachment in the space (the youth, a caregiver
  or network person with an active link), and only the uploader continues an upload;
- fetch: the space's youth and the uploader; anyone else only while the attachment record
  with the blob's id is shared with them (it is in the record's `shared_with` and the
  per-reader index `record_reads` holds it) and their link is active. Unsharing the record
  (its next version leaves them out) therefore stops their fetches at once, as does a
  deleted record or an ended link. Each fetch by someone else is in the youth's access log.

Only a complete blob is served: every chunk arrived and together they hash to the SHA-256
the uploader declared. A chunk is written to the store before its row says it arrived, so
the rows never claim more than the store holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from companion_server.access import CREATE_KINDS, SpaceAccess, access_from
from companion_server.auth import Caller
from companion_server.blobstore import MissingChunkError
from companion_server.context import AppContext
from companion_server.db.models import AccessLog, Blob, BlobChunk, Link, Record, RecordRead, Space
from companion_server.errors import ApiError, invalid_field, no_access, not_found
from companion_wire import (
    MAX_BLOB_BYTES,
    MAX_BLOB_RUN,
    BlobIn,
    BlobOut,
    ErrorCode,
    RecordKind,
    b64decode,
    blob_chunk_size,
    blob_chunks,
    valid_blob_size,
)


def _access(session: Session, space_id: str, caller: Caller, now: datetime) -> SpaceAccess:
    space = session.get(Space, space_id)
    links = list(session.scalars(select(Link).where(Link.space_id == space_id)))
    access = access_from(space, links, caller, now)
    if not isinstance(access, SpaceAccess):
        raise access
    return access


def _received(session: Session, blob_id: str) -> list[int]:
    query = select(BlobChunk.index).where(BlobChunk.blob_id == blob_id).order_by(BlobChunk.index)
    return [int(index) for index in session.scalars(query)]


def _out(session: Session, blob: Blob) -> BlobOut:
    return BlobOut(
        id=blob.id,
        space_id=blob.space_id,
        size=blob.size,
        chunks=blob_chunks(blob.size),
        received=_received(session, blob.id),
        complete=blob.completed_at is not None,
    )


def _declared_size(size: int) -> None:
    if size > MAX_BLOB_BYTES:
        raise ApiError(
            413,
            ErrorCode.BLOB_TOO_LARGE,
            f"a file may be at most {MAX_BLOB_BYTES} bytes sealed; this one is {size}",
        )
    if not valid_blob_size(size):
        raise invalid_field(("body", "size"), "not the size of a sealed file", size)


def declare(ctx: AppContext, caller: Caller, body: BlobIn) -> BlobOut:
    """Declare a blob (or, the same declaration again, ask how far its upload got)."""
    _declared_size(body.size)
    sha256 = b64decode(body.sha256)
    now = ctx.clock()
    with ctx.db.write() as session:
        access = _access(session, body.space_id, caller, now)
        if RecordKind.ATTACHMENT not in CREATE_KINDS[access.role]:
            raise ApiError(403, ErrorCode.FORBIDDEN, "your role may not add files here")
        existing = session.get(Blob, body.id)
        if existing is not None:
            same = (existing.uploader_id, existing.space_id, existing.size, existing.sha256) == (
                caller.account_id,
                body.space_id,
                body.size,
                sha256,
            )
            if not same:
                raise ApiError(409, ErrorCode.ID_IN_USE, "this blob id is taken")
            return _out(session, existing)
        if session.get(Record, body.id) is not None:
            raise ApiError(409, ErrorCode.ID_IN_USE, "this blob id is taken by a record")
        held = session.scalar(
            select(func.coalesce(func.sum(Blob.size), 0)).where(Blob.space_id == body.space_id)
        )
        quota = ctx.settings.blob_quota_bytes
        if int(held or 0) + body.size > quota:
            raise ApiError(
                413,
                ErrorCode.QUOTA_EXCEEDED,
                f"this space's files would pass its quota of {quota} bytes "
                f"({held} held, {body.size} more asked)",
            )
        blob = Blob(
            id=body.id,
            space_id=body.space_id,
            uploader_id=caller.account_id,
            size=body.size,
            sha256=sha256,
            created_at=now,
            completed_at=None,
        )
        session.add(blob)
        session.flush()
        return _out(session, blob)


def _own_upload(session: Session, caller: Caller, blob_id: str, now: datetime) -> Blob:
    """The caller's own blob, in a space they may still write to; 404 for anyone else's."""
    blob = session.get(Blob, blob_id)
    if blob is None or blob.uploader_id != caller.account_id:
        raise not_found("blob")
    _access(session, blob.space_id, caller, now)
    return blob


def _split_run(size: int, first: int, data: bytes) -> list[bytes]:
    """A run of whole chunks from `first`, cut at the chunk sizes the declared size gives."""
    count = blob_chunks(size)
    if first >= count:
        raise invalid_field(("path", "index"), f"the blob has {count} chunks", first)
    chunks = []
    offset = 0
    index = first
    while offset < len(data) and index < count:
        length = blob_chunk_size(size, index)
        chunks.append(data[offset : offset + length])
        offset += length
        index += 1
    if offset != len(data) or not chunks or len(chunks[-1]) != blob_chunk_size(size, index - 1):
        raise ApiError(
            422,
            ErrorCode.BLOB_MISMATCH,
            f"{len(data)} bytes from chunk {first} are not whole chunks of this blob "
            f"(chunk {first} is {blob_chunk_size(size, first)} bytes)",
        )
    if len(chunks) > MAX_BLOB_RUN:
        raise ApiError(422, ErrorCode.BLOB_MISMATCH, f"at most {MAX_BLOB_RUN} chunks at once")
    return chunks


def put_chunks(ctx: AppContext, caller: Caller, blob_id: str, first: int, data: bytes) -> BlobOut:
    """Store a run of chunks from `first`; sending a chunk again replaces it."""
    now = ctx.clock()
    with ctx.db.read() as session:
        blob = _own_upload(session, caller, blob_id, now)
        if blob.completed_at is not None:
            raise ApiError(409, ErrorCode.BLOB_COMPLETE, "this blob is complete; it cannot change")
        chunks = _split_run(blob.size, first, data)
    ctx.blobs.put_run(blob_id, first, chunks)
    with ctx.db.write() as session:
        blob = _own_upload(session, caller, blob_id, now)
        if blob.completed_at is not None:
            raise ApiError(409, ErrorCode.BLOB_COMPLETE, "this blob is complete; it cannot change")
        indices = [first + offset for offset in range(len(chunks))]
        session.execute(
            delete(BlobChunk).where(BlobChunk.blob_id == blob_id, BlobChunk.index.in_(indices))
        )
        session.add_all(
            BlobChunk(blob_id=blob_id, index=index, length=len(chunk))
            for index, chunk in zip(indices, chunks, strict=True)
        )
        session.flush()
        return _out(session, blob)


def complete(ctx: AppContext, caller: Caller, blob_id: str) -> BlobOut:
    """Check that every chunk arrived and that they hash to the declared SHA-256."""
    now = ctx.clock()
    with ctx.db.read() as session:
        blob = _own_upload(session, caller, blob_id, now)
        if blob.completed_at is not None:
            return _out(session, blob)
        count = blob_chunks(blob.size)
        received = set(_received(session, blob_id))
        missing = [index for index in range(count) if index not in received]
        if missing:
            shown = ", ".join(str(index) for index in missing[:20])
            raise ApiError(409, ErrorCode.BLOB_INCOMPLETE, f"chunks missing: {shown}")
        expected, size = blob.sha256, blob.size
    try:
        digest = ctx.blobs.finish(blob_id, size)  # hashed, and flushed to disk
    except MissingChunkError:  # deleted meanwhile (the blob was dropped or collected)
        digest = b""
    if digest != expected:
        with ctx.db.write() as session:
            session.execute(delete(BlobChunk).where(BlobChunk.blob_id == blob_id))
        ctx.blobs.delete(blob_id)
        raise ApiError(
            422,
            ErrorCode.BLOB_MISMATCH,
            "the chunks do not hash to the declared SHA-256; they were dropped, upload again",
        )
    with ctx.db.write() as session:
        blob = _own_upload(session, caller, blob_id, now)
        blob.completed_at = now
        session.flush()
        return _out(session, blob)


def _readable(session: Session, caller: Caller, blob: Blob, now: datetime) -> None:
    """Raise unless the caller may fetch this blob now (see the module's docstring)."""
    access = _access(session, blob.space_id, caller, now)
    me = caller.account_id
    if access.is_owner or blob.uploader_id == me:
        return
    record = session.get(Record, blob.id)
    if (
        record is None
        or record.kind != RecordKind.ATTACHMENT
        or record.deleted
        or record.author_id != blob.uploader_id
        or me not in record.shared_with
        or session.get(RecordRead, (me, record.id)) is None
    ):
        raise no_access()


def _readable_blob(session: Session, caller: Caller, blob_id: str, now: datetime) -> Blob:
    """The blob, if the caller may read it; otherwise 404 or 403 as `_readable` says."""
    blob = session.get(Blob, blob_id)
    if blob is None:
        raise not_found("blob")
    _readable(session, caller, blob, now)
    return blob


def status(ctx: AppContext, caller: Caller, blob_id: str) -> BlobOut:
    now = ctx.clock()
    with ctx.db.read() as session:
        blob = _readable_blob(session, caller, blob_id, now)
        return _out(session, blob)


def read_chunks(ctx: AppContext, caller: Caller, blob_id: str, first: int, count: int) -> bytes:
    """`count` chunks from `first` (fewer at the end), back to back; a fetch by anyone but
    the youth and the uploader is logged for the youth."""
    now = ctx.clock()
    with ctx.db.read() as session:
        blob = _readable_blob(session, caller, blob_id, now)
        if blob.completed_at is None:
            raise ApiError(409, ErrorCode.BLOB_INCOMPLETE, "this blob is not complete yet")
        total = blob_chunks(blob.size)
        if first >= total:
            raise invalid_field(("path", "index"), f"the blob has {total} chunks", first)
        space = session.get(Space, blob.space_id)
        if space is None:  # its space is gone (an account erased): nothing to serve
            raise not_found("blob")
        owner_id = space.owner_id
        space_id, uploader_id, size = blob.space_id, blob.uploader_id, blob.size
    last = min(total, first + count)
    length = sum(blob_chunk_size(size, index) for index in range(first, last))
    try:
        data = ctx.blobs.read(blob_id, first, length)
    except MissingChunkError as exc:  # deleted meanwhile (its record was deleted)
        raise not_found("blob") from exc
    if first == 0 and caller.account_id not in (owner_id, uploader_id):
        _log_fetch(ctx, caller, space_id, blob_id, now)
    return data


def _log_fetch(ctx: AppContext, caller: Caller, space_id: str, blob_id: str, now: datetime) -> None:
    with ctx.db.write() as session:
        session.add(
            AccessLog(
                space_id=space_id,
                account_id=caller.account_id,
                record_id=blob_id,
                kind=RecordKind.ATTACHMENT.value,
                route="blob",
                at=now,
            )
        )


def remove(ctx: AppContext, caller: Caller, blob_id: str) -> None:
    """The uploader or the space's youth deletes a blob (its record, if any, stays)."""
    now = ctx.clock()
    with ctx.db.write() as session:
        blob = session.get(Blob, blob_id)
        mine = blob is not None and caller.account_id == blob.uploader_id
        if blob is None or not (mine or caller.space_id == blob.space_id):
            raise not_found("blob")
        _access(session, blob.space_id, caller, now)
        session.delete(blob)
    ctx.blobs.delete(blob_id)


def drop(ctx: AppContext, blob_ids: list[str]) -> None:
    """Delete these blobs (their attachment records were deleted), rows and stored bytes."""
    if not blob_ids:
        return
    with ctx.db.write() as session:
        session.execute(delete(Blob).where(Blob.id.in_(blob_ids)))
    for blob_id in blob_ids:
        ctx.blobs.delete(blob_id)


def collect_orphans(ctx: AppContext, now: datetime) -> int:
    """Delete the blobs of deleted attachment records, and blobs no record refers to once
    `orphan_blob_hours` passed since they were declared (uploads given up, a record never
    pushed); returns how many."""
    cutoff = now.timestamp() - ctx.settings.orphan_blob_hours * 3600
    with ctx.db.read() as session:
        rows: Sequence[tuple[str, datetime, bool | None]] = session.execute(
            select(Blob.id, Blob.created_at, Record.deleted).outerjoin(Record, Record.id == Blob.id)
        ).all()
    orphans = [
        blob_id
        for blob_id, created_at, deleted in rows
        if deleted or (deleted is None and created_at.timestamp() < cutoff)
    ]
    for blob_id in orphans:
        with ctx.db.write() as session:
            session.execute(delete(Blob).where(Blob.id == blob_id))
        ctx.blobs.delete(blob_id)
    return len(orphans)
