"""The server's tables. Content is opaque: keys, ciphertext, digests and wraps are bytes.

Deletions cascade in the database (ON DELETE CASCADE), so erasing a youth's space is one
DELETE and nothing of it can be left behind by forgetting a table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Double,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from companion_server.db.types import BigIntId, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(36)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """A model's table for Core statements. Declarative types `__table__` as any
    FromClause; every model here is mapped to a plain Table, which insert/update/delete
    need."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    x25519: Mapped[bytes | None] = mapped_column(LargeBinary)
    ed25519: Mapped[bytes | None] = mapped_column(LargeBinary)
    recovery_lookup: Mapped[bytes | None] = mapped_column(LargeBinary, unique=True)
    auth_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_backup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    activation_hash: Mapped[bytes | None] = mapped_column(LargeBinary)
    activation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    availability: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Space(Base):
    __tablename__ = "spaces"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    # The per-space version counter: bumped under a row lock inside the writing transaction.
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Link(Base):
    __tablename__ = "links"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    space_id: Mapped[str] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invitation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    inviter_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    space_id: Mapped[str | None] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    link_id: Mapped[str | None] = mapped_column(
        ForeignKey("links.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    link_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("space_id", "version"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    space_id: Mapped[str] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(ID)
    signer_id: Mapped[str] = mapped_column(ID)  # who made this version (sealed its wraps)
    revision: Mapped[int] = mapped_column(BigInteger)  # per record, one more per version
    prev: Mapped[bytes] = mapped_column(LargeBinary)  # the previous version's digest
    version: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_with: Mapped[list[str]] = mapped_column(JSON)
    conversation_id: Mapped[str | None] = mapped_column(ID)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[bytes] = mapped_column(LargeBinary)
    wraps: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RecordRead(Base):
    """Who besides the youth holds a wrap or a notice of a record, at which version: what a
    linked person's pull walks, so their cursor moves only with what is theirs to know."""

    __tablename__ = "record_reads"
    __table_args__ = (Index("ix_record_reads_pull", "space_id", "reader_id", "version"),)

    reader_id: Mapped[str] = mapped_column(ID, primary_key=True)
    record_id: Mapped[str] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), primary_key=True
    )
    space_id: Mapped[str] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(BigInteger)


class MutationLog(Base):
    """The stored answer per (device, mutation_id): a repeated push replays it."""

    __tablename__ = "mutations"

    device_id: Mapped[str] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True
    )
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # Set when the answer concerns a space, so erasing the space erases its answers too.
    space_id: Mapped[str | None] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # pruned by age


class AccessLog(Base):
    """One row per delivery of a youth's record to another account (principle 2)."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_space_id_id", "space_id", "id"),
        Index("ix_access_log_account_id_record_id", "account_id", "record_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    space_id: Mapped[str] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ID)  # no FK: the log outlives a deleted reader
    record_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(32))
    route: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class RateBucket(Base):
    """A token bucket of the shared rate limits (companion_server/ratelimit.py): `tokens` at
    `at` (Unix seconds), refilling at `rate` per second up to `burst`. `key` is a SHA-256."""

    __tablename__ = "rate_buckets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    tokens: Mapped[float] = mapped_column(Double)
    at: Mapped[float] = mapped_column(Double)
    burst: Mapped[float] = mapped_column(Double)
    rate: Mapped[float] = mapped_column(Double)


class Blob(Base):
    """A sealed file an attachment record refers to (the record has the blob's id). The
    ciphertext lives in the blob store (companion_server/blobstore.py), one object per chunk;
    this row says what the uploader declared and whether every chunk arrived and hashed to
    `sha256` (`completed_at`). Only complete blobs are served."""

    __tablename__ = "blobs"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    space_id: Mapped[str] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[str] = mapped_column(ID)
    size: Mapped[int] = mapped_column(BigInteger)  # ciphertext bytes
    sha256: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BlobChunk(Base):
    """A chunk the store holds (written to the store before this row is)."""

    __tablename__ = "blob_chunks"

    blob_id: Mapped[str] = mapped_column(
        ForeignKey("blobs.id", ondelete="CASCADE"), primary_key=True
    )
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    length: Mapped[int] = mapped_column(BigInteger)
