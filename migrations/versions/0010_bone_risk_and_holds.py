"""spinal surgery year on the profile; sessions logged during an exercise hold

Revision ID: 0010_bone_risk_and_holds
Revises: 0009_triage_review
Create Date: 2026-11-24 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_bone_risk_and_holds"
down_revision: str | None = "0009_triage_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spinal_surgery_year", sa.Integer(), nullable=True))

    with op.batch_alter_table("exercise_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("logged_during_hold", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("safety", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exercise_sessions", schema=None) as batch_op:
        batch_op.drop_column("safety")
        batch_op.drop_column("logged_during_hold")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("spinal_surgery_year")
