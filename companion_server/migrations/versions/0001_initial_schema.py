"""Initial schema: accounts, devices, spaces, links, invitations, records, push log, access log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import companion_server.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("x25519", sa.LargeBinary(), nullable=True),
        sa.Column("ed25519", sa.LargeBinary(), nullable=True),
        sa.Column("recovery_lookup", sa.LargeBinary(), nullable=True),
        sa.Column("auth_hash", sa.LargeBinary(), nullable=True),
        sa.Column("key_backup", sa.JSON(), nullable=True),
        sa.Column("activation_hash", sa.LargeBinary(), nullable=True),
        sa.Column("activation_expires_at", companion_server.db.types.UTCDateTime(), nullable=True),
        sa.Column("availability", sa.JSON(), nullable=True),
        sa.Column("created_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
        sa.UniqueConstraint("recovery_lookup", name=op.f("uq_accounts_recovery_lookup")),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", companion_server.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_devices_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_devices_token_hash")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_account_id"), ["account_id"], unique=False)

    op.create_table(
        "spaces",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["accounts.id"],
            name=op.f("fk_spaces_owner_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spaces")),
        sa.UniqueConstraint("owner_id", name=op.f("uq_spaces_owner_id")),
    )
    op.create_table(
        "access_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("space_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f("fk_access_log_space_id_spaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_access_log_account_id_record_id", ["account_id", "record_id"], unique=False
        )
        batch_op.create_index("ix_access_log_space_id_id", ["space_id", "id"], unique=False)

    op.create_table(
        "links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("space_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", companion_server.db.types.UTCDateTime(), nullable=True),
        sa.Column("invitation_expires_at", companion_server.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["accounts.id"],
            name=op.f("fk_links_person_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"], ["spaces.id"], name=op.f("fk_links_space_id_spaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_links_space_id"), ["space_id"], unique=False)

    op.create_table(
        "mutations",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("mutation_id", sa.BigInteger(), nullable=False),
        sa.Column("space_id", sa.String(length=36), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_mutations_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f("fk_mutations_space_id_spaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", "mutation_id", name=op.f("pk_mutations")),
    )
    with op.batch_alter_table("mutations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mutations_space_id"), ["space_id"], unique=False)

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
    op.create_table(
        "invitations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(), nullable=False),
        sa.Column("inviter_id", sa.String(length=36), nullable=False),
        sa.Column("space_id", sa.String(length=36), nullable=True),
        sa.Column("link_id", sa.String(length=36), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("link_ends_at", companion_server.db.types.UTCDateTime(), nullable=True),
        sa.Column("expires_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", companion_server.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", companion_server.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inviter_id"],
            ["accounts.id"],
            name=op.f("fk_invitations_inviter_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], name=op.f("fk_invitations_link_id_links"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f("fk_invitations_space_id_spaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_invitations_code_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_inviter_id"), ["inviter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitations_link_id"), ["link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitations_space_id"), ["space_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_space_id"))
        batch_op.drop_index(batch_op.f("ix_invitations_link_id"))
        batch_op.drop_index(batch_op.f("ix_invitations_inviter_id"))

    op.drop_table("invitations")
    op.drop_table("records")
    with op.batch_alter_table("mutations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mutations_space_id"))

    op.drop_table("mutations")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_links_space_id"))
        batch_op.drop_index(batch_op.f("ix_links_person_id"))

    op.drop_table("links")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_space_id_id")
        batch_op.drop_index("ix_access_log_account_id_record_id")

    op.drop_table("access_log")
    op.drop_table("spaces")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_account_id"))

    op.drop_table("devices")
    op.drop_table("accounts")
