"""who resolved an alert and who assessed the patient; alert history of ended care links

Revision ID: 0008_alert_resolution
Revises: 0007_never_reuse_ids
Create Date: 2026-11-30 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_alert_resolution"
down_revision: str | None = "0007_never_reuse_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("assessed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("assessed_on", sa.Date(), nullable=True))

    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("care_link_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_alert_events_care_link_id"), ["care_link_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_alert_events_care_link_id_care_links"),
            "care_links",
            ["care_link_id"],
            ["id"],
            ondelete="SET NULL",
        )

    # Alerts resolved before this revision: the role of whoever resolved them, when known.
    op.execute(
        """
        UPDATE alerts SET resolved_by = (
            SELECT users.role FROM alert_events
            JOIN users ON users.id = alert_events.actor_id
            WHERE alert_events.alert_id = alerts.id AND alert_events.action = 'resolved'
            ORDER BY alert_events.id DESC LIMIT 1
        )
        WHERE status = 'resolved'
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_alert_events_care_link_id_care_links"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_alert_events_care_link_id"))
        batch_op.drop_column("care_link_id")

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("assessed_on")
        batch_op.drop_column("assessed_by")
        batch_op.drop_column("resolved_by")
