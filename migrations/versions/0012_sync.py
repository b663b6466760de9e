"""sync: change log and pushed mutations

Revision ID: 0012_sync
Revises: 0011_notifications
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.database

revision: str = "0012_sync"
down_revision: str | None = "0011_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("created_at", api.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["users.id"],
            name=op.f("fk_sync_changes_patient_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_sync_changes_patient_position", "sync_changes", ["patient_id", "txid", "id"]
    )
    op.create_index(op.f("ix_sync_changes_created_at"), "sync_changes", ["created_at"])
    op.create_table(
        "sync_mutations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("mutation_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", api.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sync_mutations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_mutations")),
        sa.UniqueConstraint("user_id", "mutation_id", name=op.f("uq_sync_mutations_user_mutation")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_sync_mutations_created_at"), "sync_mutations", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_mutations_created_at"), table_name="sync_mutations")
    op.drop_table("sync_mutations")
    op.drop_index(op.f("ix_sync_changes_created_at"), table_name="sync_changes")
    op.drop_index("ix_sync_changes_patient_position", table_name="sync_changes")
    op.drop_table("sync_changes")
