"""sessions: index of a patient's sessions by start time

The previous session (read by every new session's advice) and the session list are a
patient's sessions ordered by ``started_at``; with this index they read one row (or a
page) instead of sorting every session of the patient.

Revision ID: 0013_sessions_by_start
Revises: 0012_sync
Create Date: 2026-11-30 21:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_sessions_by_start"
down_revision: str | None = "0012_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_exercise_sessions_patient_started",
        "exercise_sessions",
        ["patient_id", "started_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_exercise_sessions_patient_started", table_name="exercise_sessions")
