"""check-ins: index of the verdicts that pause exercise

The safety advice of a session logged during an exercise hold quotes the verdict behind
the hold: the patient's latest urgent or emergency check-in since it was placed. With only
the date index, finding it read the patient's every check-in (about 300 rows for a year)
whenever the hold's own check-in was gone; this partial index holds a few rows per patient.

Revision ID: 0014_check_ins_pausing
Revises: 0013_sessions_by_start
Create Date: 2026-11-30 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_check_ins_pausing"
down_revision: str | None = "0013_sessions_by_start"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAUSING_VERDICT = "triage_level IN ('emergency', 'urgent')"


def upgrade() -> None:
    op.create_index(
        "ix_check_ins_pausing",
        "check_ins",
        ["patient_id", "local_date"],
        unique=False,
        sqlite_where=sa.text(PAUSING_VERDICT),
        postgresql_where=sa.text(PAUSING_VERDICT),
    )


def downgrade() -> None:
    op.drop_index("ix_check_ins_pausing", table_name="check_ins")
