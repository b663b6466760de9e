"""Escalation: an urgent or emergency alert left unacknowledged past its deadline.

Each alert is escalated exactly once: the candidates are claimed with
``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers) and
the change itself is a conditional UPDATE on ``escalated_at IS NULL``. The
``alert_escalated`` hook tells other domains (notifications) in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from api.alerts import hooks
from api.alerts.models import Alert, AlertEvent

SYSTEM_ACTOR = "system"


def escalation_deadlines(*, emergency_minutes: int, urgent_minutes: int) -> dict[str, dt.timedelta]:
    return {
        "emergency": dt.timedelta(minutes=emergency_minutes),
        "urgent": dt.timedelta(minutes=urgent_minutes),
    }


def escalate_due(
    *,
    db_session: Session,
    now: dt.datetime,
    emergency_minutes: int,
    urgent_minutes: int,
    limit: int = 100,
) -> list[Alert]:
    """Escalate up to ``limit`` open (unacknowledged) alerts past their deadline."""
    deadlines = escalation_deadlines(
        emergency_minutes=emergency_minutes, urgent_minutes=urgent_minutes
    )
    overdue = or_(
        *(
            and_(Alert.level == level, Alert.created_at <= now - delay)
            for level, delay in deadlines.items()
        )
    )
    ids = db_session.scalars(
        select(Alert.id)
        .where(Alert.status == "open", Alert.escalated_at.is_(None), overdue)
        .order_by(Alert.created_at, Alert.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    escalated = []
    for alert_id in ids:
        changed = db_session.execute(
            update(Alert)
            .where(Alert.id == alert_id, Alert.status == "open", Alert.escalated_at.is_(None))
            .values(escalated_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            continue
        alert = db_session.get(Alert, alert_id)
        assert alert is not None
        db_session.refresh(alert)
        minutes = int(deadlines[alert.level].total_seconds() // 60)
        alert.events.append(
            AlertEvent(
                action="escalated",
                actor_id=None,
                actor_name=SYSTEM_ACTOR,
                note=f"Not acknowledged within {minutes} minutes.",
                at=now,
            )
        )
        db_session.flush()
        news = hooks.AlertNews(
            id=alert.id,
            patient_id=alert.patient_id,
            level=alert.level,
            status=alert.status,
            change="escalated",
        )
        hooks.alert_escalated(db_session=db_session, alert=news, now=now)
        escalated.append(alert)
    return escalated
