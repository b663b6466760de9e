"""Alerts from triage, their life cycle (open, acknowledged, resolved) and holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.export import exporter
from api.accounts.models import Role, User
from api.alerts.models import OPEN_STATUSES, Alert, AlertEvent, ExerciseHold
from api.database import utcnow
from api.errors import Conflict, InvalidInput, NotFound
from api.policy import is_linked, linked_patient_ids_stmt, record_access
from api.triage import LEVEL_RANK, TriageResult

PAUSING_LEVELS = ("urgent", "emergency")
OUTCOMES = (
    "assessed_safe_to_continue",
    "referred_for_care",
    "received_emergency_care",
    "not_a_concern",
    "other",
)


def _event(alert: Alert, action: str, actor: User | None, **fields: Any) -> AlertEvent:
    event = AlertEvent(
        action=action,
        actor_id=actor.id if actor else None,
        actor_name=actor.display_name if actor else None,
        **fields,
    )
    alert.events.append(event)
    return event


def raise_alerts(
    *, db_session: Session, patient: User, check_in_id: int, result: TriageResult, answers: dict
) -> list[Alert]:
    """An alert per fired rule, unless an open one for that rule exists: then the
    new evidence is attached to it. The partial unique index decides races."""
    alerts = []
    for rule in result.rules:
        evidence = {"check_in_id": check_in_id, "date": answers["date"], "answers": rule.evidence}
        alert = _open_alert(db_session, patient.id, rule.id)
        if alert is None:
            alert = Alert(
                patient_id=patient.id,
                rule_id=rule.id,
                rule_version=rule.version,
                level=rule.level,
                level_rank=LEVEL_RANK[rule.level],
                title=rule.title,
                patient_message=rule.patient_message,
                clinician_message=rule.clinician_message,
                source=rule.source,
                status="open",
                evidence=[evidence],
            )
            _event(alert, "raised", None, check_in_id=check_in_id)
            try:
                with db_session.begin_nested():
                    db_session.add(alert)
                    db_session.flush()
                alerts.append(alert)
                continue
            except IntegrityError:
                alert = _open_alert(db_session, patient.id, rule.id)
                assert alert is not None
        if not any(e.get("check_in_id") == check_in_id for e in alert.evidence):
            alert.evidence = [*alert.evidence, evidence]
            alert.rule_version = max(alert.rule_version, rule.version)
            alert.updated_at = utcnow()
            _event(alert, "evidence_added", None, check_in_id=check_in_id)
        alerts.append(alert)
    db_session.flush()
    return alerts


def _open_alert(db_session: Session, patient_id: int, rule_id: str) -> Alert | None:
    return db_session.scalar(
        select(Alert).where(
            Alert.patient_id == patient_id,
            Alert.rule_id == rule_id,
            Alert.status.in_(OPEN_STATUSES),
        )
    )


def active_hold(db_session: Session, patient_id: int) -> ExerciseHold | None:
    return db_session.scalar(
        select(ExerciseHold).where(
            ExerciseHold.patient_id == patient_id, ExerciseHold.lifted_at.is_(None)
        )
    )


def place_hold(
    *, db_session: Session, patient: User, check_in_id: int, result: TriageResult
) -> ExerciseHold | None:
    """Pause exercise after an urgent or emergency verdict (one active hold at most)."""
    if not result.pause_exercise:
        return None
    hold = active_hold(db_session, patient.id)
    if hold is not None:
        if LEVEL_RANK[result.level] > LEVEL_RANK[hold.level]:
            hold.level = result.level
            hold.reason = result.headline
        return hold
    hold = ExerciseHold(
        patient_id=patient.id, level=result.level, reason=result.headline, check_in_id=check_in_id
    )
    try:
        with db_session.begin_nested():
            db_session.add(hold)
            db_session.flush()
    except IntegrityError:
        hold = active_hold(db_session, patient.id)
    from api.alerts import hooks

    hooks.hold_placed(db_session=db_session, patient_id=patient.id)
    return hold


def _lift_hold_if_clear(db_session: Session, patient_id: int, actor: User) -> None:
    still_open = db_session.scalar(
        select(func.count())
        .select_from(Alert)
        .where(
            Alert.patient_id == patient_id,
            Alert.status.in_(OPEN_STATUSES),
            Alert.level.in_(PAUSING_LEVELS),
        )
    )
    hold = active_hold(db_session, patient_id)
    if still_open == 0 and hold is not None:
        hold.lifted_at = utcnow()
        hold.lifted_by_id = actor.id
        from api.alerts import hooks

        hooks.hold_lifted(db_session=db_session, patient_id=patient_id)


# --- reading --------------------------------------------------------------------------


def visible_alert(db_session: Session, actor: User, alert_id: int) -> Alert:
    alert = db_session.get(Alert, alert_id)
    if alert is None or not _may_see(db_session, actor, alert.patient_id):
        raise NotFound("Alert not found.")
    if actor.role == Role.therapist:
        record_access(db_session, actor, alert.patient_id, resource="alert", resource_id=alert.id)
    return alert


def _may_see(db_session: Session, actor: User, patient_id: int) -> bool:
    if actor.role == Role.patient:
        return actor.id == patient_id
    if actor.role == Role.therapist:
        return is_linked(db_session, therapist_id=actor.id, patient_id=patient_id)
    return False


def alerts_stmt(actor: User, *, status: str | None, level: str | None, patient_id: int | None):
    """Alerts the actor may see, most severe and oldest first."""
    stmt: Select = select(Alert)
    if actor.role == Role.patient:
        stmt = stmt.where(Alert.patient_id == actor.id)
    else:
        stmt = stmt.where(Alert.patient_id.in_(linked_patient_ids_stmt(actor.id)))
    if patient_id is not None:
        stmt = stmt.where(Alert.patient_id == patient_id)
    if status is not None:
        stmt = stmt.where(Alert.status == status)
    if level is not None:
        stmt = stmt.where(Alert.level == level)
    resolved_last = case((Alert.status == "resolved", 1), else_=0)
    return stmt.order_by(resolved_last, Alert.level_rank.desc(), Alert.created_at, Alert.id)


def open_alert_summary(db_session: Session, patient_ids: list[int]) -> dict[int, tuple[int, int]]:
    """patient id -> (open alert count, highest open level rank), in one query."""
    if not patient_ids:
        return {}
    rows = db_session.execute(
        select(Alert.patient_id, func.count(), func.max(Alert.level_rank))
        .where(Alert.patient_id.in_(patient_ids), Alert.status.in_(OPEN_STATUSES))
        .group_by(Alert.patient_id)
    )
    return {patient_id: (count, rank) for patient_id, count, rank in rows}


def holds_for(db_session: Session, patient_ids: list[int]) -> dict[int, ExerciseHold]:
    """The active hold of each of these patients that has one."""
    if not patient_ids:
        return {}
    holds = db_session.scalars(
        select(ExerciseHold).where(
            ExerciseHold.patient_id.in_(patient_ids), ExerciseHold.lifted_at.is_(None)
        )
    )
    return {hold.patient_id: hold for hold in holds}


# --- acting ---------------------------------------------------------------------------


def _managed_alert(db_session: Session, actor: User, alert_id: int) -> Alert:
    """An alert the actor may act on: a linked therapist, or a self-guided patient."""
    alert = db_session.get(Alert, alert_id)
    if alert is None or not _may_see(db_session, actor, alert.patient_id):
        raise NotFound("Alert not found.")
    if actor.role == Role.patient and _has_therapist(db_session, actor.id):
        raise Conflict(
            "Your therapist manages your alerts. Contact them, or your doctor, about this alert."
        )
    return alert


def _has_therapist(db_session: Session, patient_id: int) -> bool:
    from api.accounts.models import CareLink

    return (
        db_session.scalar(
            select(func.count())
            .select_from(CareLink)
            .where(CareLink.patient_id == patient_id, CareLink.ended_at.is_(None))
        )
        > 0
    )


def acknowledge(*, db_session: Session, actor: User, alert_id: int, note: str | None) -> Alert:
    alert = _managed_alert(db_session, actor, alert_id)
    changed = db_session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.status == "open")
        .values(status="acknowledged", updated_at=utcnow())
    ).rowcount
    if changed != 1:
        db_session.refresh(alert)
        if alert.status == "resolved":
            raise Conflict("This alert is already resolved.")
        return alert  # already acknowledged: nothing to change
    _event(alert, "acknowledged", actor, note=note)
    db_session.flush()
    db_session.refresh(alert)
    return alert


def resolve(
    *,
    db_session: Session,
    actor: User,
    alert_id: int,
    note: str,
    outcome: str,
    assessed_by_clinician: bool | None = None,
) -> Alert:
    alert = _managed_alert(db_session, actor, alert_id)
    if actor.role == Role.patient and not assessed_by_clinician:
        raise InvalidInput(
            {
                "assessed_by_clinician": [
                    "Confirm that a doctor or other clinician has assessed you since this alert."
                ]
            },
            "An alert can be closed only after a clinical assessment.",
        )
    now = utcnow()
    changed = db_session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.status.in_(OPEN_STATUSES))
        .values(status="resolved", resolved_at=now, updated_at=now, outcome=outcome)
    ).rowcount
    if changed != 1:
        raise Conflict("This alert is already resolved.")
    _event(alert, "resolved", actor, note=note, outcome=outcome)
    db_session.flush()
    db_session.refresh(alert)
    _lift_hold_if_clear(db_session, alert.patient_id, actor)
    db_session.flush()
    return alert


# --- data rights ----------------------------------------------------------------------


def alert_dict(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "rule_id": alert.rule_id,
        "rule_version": alert.rule_version,
        "level": alert.level,
        "title": alert.title,
        "status": alert.status,
        "outcome": alert.outcome,
        "evidence": alert.evidence,
        "created_at": alert.created_at.isoformat(),
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        "history": [
            {
                "action": e.action,
                "by": e.actor_name,
                "note": e.note,
                "outcome": e.outcome,
                "at": e.at.isoformat(),
            }
            for e in alert.events
        ],
    }


@exporter("alerts")
def _export_alerts(db_session: Session, user: User) -> list[dict[str, Any]]:
    alerts = db_session.scalars(select(Alert).where(Alert.patient_id == user.id).order_by(Alert.id))
    return [alert_dict(a) for a in alerts]


@exporter("exercise_holds")
def _export_holds(db_session: Session, user: User) -> list[dict[str, Any]]:
    holds = db_session.scalars(
        select(ExerciseHold).where(ExerciseHold.patient_id == user.id).order_by(ExerciseHold.id)
    )
    return [
        {
            "level": h.level,
            "reason": h.reason,
            "placed_at": h.placed_at.isoformat(),
            "lifted_at": h.lifted_at.isoformat() if h.lifted_at else None,
        }
        for h in holds
    ]
