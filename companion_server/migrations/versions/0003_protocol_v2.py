"""Sync protocol v2 (docs/security.md): records carry their signer, revision and lineage
instead of a signature, and a linked person's pull walks `record_reads`.

Records stored under v1 cannot be read by v2 apps (their signatures are gone from the
protocol), and no user data existed outside test machines when v2 came: the table is made
anew and the stored push answers (which hold v1 envelopes) go. Devices send what their
accounts wrote again (their store's migration v5 queues it) and pull everything anew.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import companion_server.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM mutations")
    op.drop_table("records")
    op.create_table(
        "records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("space_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("signer_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("prev", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("shared_with", sa.JSON(), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=True),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("content_hash", sa.LargeBinary(), nullable=False),
        sa.Column("wraps", sa.JSON(), nullable=False),
        sa.Column("created_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f("fk_records_space_id_spaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("space_id", "version", name=op.f("uq_records_space_id_version")),
    )
    op.create_table(
        "record_reads",
        sa.Column("reader_id", sa.String(length=36), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("space_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_record_reads_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f("fk_record_reads_space_id_spaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reader_id", "record_id", name=op.f("pk_record_reads")),
    )
    op.create_index(
        "ix_record_reads_pull", "record_reads", ["space_id", "reader_id", "version"], unique=False
    )


def downgrade() -> None:
    """Back to v1's table, empty: v2 versions carry no signature a v1 app could check, so
    none of them can be kept (devices send their own records again, as on the way up)."""
    op.execute("DELETE FROM mutations")
    op.drop_index("ix_record_reads_pull", table_name="record_reads")
    op.drop_table("record_reads")
    op.drop_table("records")
    op.create_table(
        "records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("space_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("shared_with", sa.JSON(), nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=True),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("wraps", sa.JSON(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f("fk_records_space_id_spaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("space_id", "version", name=op.f("uq_records_space_id_version")),
    )
