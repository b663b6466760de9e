"""Alerts from triage, their life cycle (open, acknowledged, resolved) and holds.

Other domains read alerts and holds through the functions under "read API" (typed
values, never the rows); they never query the alerts tables themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from api.accounts import care
from api.accounts.models import Role, User
from api.accounts.summaries import HoldView, PatientSafety
from api.alerts import hooks
from api.alerts.hooks import AlertNews
from api.alerts.models import OPEN_STATUSES, Alert, AlertEvent, ExerciseHold
from api.database import utcnow
from api.errors import Conflict, InvalidInput
from api.policy import log_reads, patient_filter, readable_record
from api.timeutil import local_today
from api.triage import LEVEL_RANK, LEVELS, TriageResult

PAUSING_LEVELS = ("urgent", "emergency")
OUTCOMES = (
    "assessed_safe_to_continue",
    "referred_for_care",
    "received_emergency_care",
    "not_a_concern",
    "other",
)
LINK_ENDED_DAYS = 30  # how long a therapist's list shows that a patient ended the link


def _event(alert: Alert, action: str, actor: User | None, **fields: Any) -> AlertEvent:
    event = AlertEvent(
        action=action,
        actor_id=actor.id if actor else None,
        actor_name=actor.display_name if actor else None,
        **fields,
    )
    alert.events.append(event)
    return event


#: The patient's open alerts of some rules (their history is not read: a check-in only
#: adds to it) and, with ``_OPEN_ALERTS_WITH_HOLD``, their active exercise hold, in one statement
#: built once: a one-row anchor LEFT JOINed to each (rows of (alert or None, hold or None)).
_ANCHOR = select(literal_column("1").label("one")).subquery("anchor")
_OPEN_ALERTS = (
    select(Alert)
    .select_from(_ANCHOR)
    .outerjoin(
        Alert,
        and_(
            Alert.patient_id == bindparam("patient_id"),
            Alert.rule_id.in_(bindparam("rule_ids", expanding=True)),
            Alert.status.in_(OPEN_STATUSES),
        ),
    )
    .options(lazyload(Alert.events))
)
_OPEN_ALERTS_WITH_HOLD = _OPEN_ALERTS.add_columns(ExerciseHold).outerjoin(
    ExerciseHold,
    and_(ExerciseHold.patient_id == bindparam("patient_id"), ExerciseHold.lifted_at.is_(None)),
)


def act_on_verdict(
    *, db_session: Session, patient: User, check_in_id: int, result: TriageResult, answers: dict
) -> None:
    """What a triaged check-in sets off: ``raise_alerts`` then ``place_hold``, the open
    alerts of the fired rules and the active hold read in one statement first."""
    if not result.rules:  # nothing fired: no alert, no hold (no verdict pauses without a rule)
        return
    params = {"patient_id": patient.id, "rule_ids": [rule.id for rule in result.rules]}
    if result.pause_exercise:
        rows = db_session.execute(_OPEN_ALERTS_WITH_HOLD, params).all()
        hold = rows[0][1]  # the anchor: always one row at least
    else:
        rows = db_session.execute(_OPEN_ALERTS, params).all()
        hold = None
    open_alerts = {row[0].rule_id: row[0] for row in rows if row[0] is not None}
    raise_alerts(
        db_session=db_session,
        patient=patient,
        check_in_id=check_in_id,
        result=result,
        answers=answers,
        open_alerts=open_alerts,
    )
    place_hold(
        db_session=db_session, patient=patient, check_in_id=check_in_id, result=result, hold=hold
    )


def raise_alerts(
    *,
    db_session: Session,
    patient: User,
    check_in_id: int,
    result: TriageResult,
    answers: dict,
    open_alerts: dict[str, Alert] | None = None,
) -> list[Alert]:
    """An alert per fired rule, unless an open one for that rule exists: then the
    new evidence is attached to it. The partial unique index decides races.
    ``open_alerts``: the open alerts of the fired rules by rule id, when already read."""
    alerts = []
    news = []
    for rule in result.rules:
        evidence = {"check_in_id": check_in_id, "date": answers["date"], "answers": rule.evidence}
        if open_alerts is None:
            alert = _open_alert(db_session, patient.id, rule.id)
        else:
            alert = open_alerts.get(rule.id)
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
                news.append("raised")
                continue
            except IntegrityError:
                alert = _open_alert(db_session, patient.id, rule.id)
                assert alert is not None
        if not any(e.get("check_in_id") == check_in_id for e in alert.evidence):
            alert.evidence = [*alert.evidence, evidence]
            alert.rule_version = max(alert.rule_version, rule.version)
            alert.updated_at = utcnow()
            # Added beside the alert's history, which is not loaded for it.
            _later_event(db_session, alert, "evidence_added", check_in_id)
            if LEVEL_RANK[rule.level] > alert.level_rank:
                _raise_level(db_session, alert, rule, check_in_id=check_in_id)
            news.append("evidence_added")
        else:  # already attached (the check-in triaged again): what it did before
            news.append(_change(alert, check_in_id))
        alerts.append(alert)
    db_session.flush()
    if alerts:
        hooks.alerts_raised(
            db_session=db_session,
            patient_id=patient.id,
            check_in_id=check_in_id,
            alerts=[_news(alert, change) for alert, change in zip(alerts, news, strict=True)],
        )
    return alerts


def _later_event(db_session: Session, alert: Alert, action: str, check_in_id: int) -> None:
    db_session.add(AlertEvent(alert_id=alert.id, action=action, check_in_id=check_in_id))


def _change(alert: Alert, check_in_id: int) -> str | None:
    """What ``check_in_id`` did to ``alert`` by its history: raised it, added evidence, or
    nothing new."""
    actions = {e.action for e in alert.events if e.check_in_id == check_in_id}
    return next((a for a in ("raised", "evidence_added") if a in actions), None)


def _news(alert: Alert, change: str | None) -> AlertNews:
    return AlertNews(
        id=alert.id,
        patient_id=alert.patient_id,
        level=alert.level,
        status=alert.status,
        change=change,
    )


def _raise_level(db_session: Session, alert: Alert, rule, *, check_in_id: int) -> None:
    """A newer version of the rule ranks the same evidence higher (e.g. coughing blood,
    once urgent, now an emergency): the open alert takes the new level and words, and an
    acknowledged one asks for attention again."""
    alert.level = rule.level
    alert.level_rank = LEVEL_RANK[rule.level]
    alert.title = rule.title
    alert.patient_message = rule.patient_message
    alert.clinician_message = rule.clinician_message
    alert.source = rule.source
    alert.status = "open"
    _later_event(db_session, alert, "level_raised", check_in_id)


def _open_alert(db_session: Session, patient_id: int, rule_id: str) -> Alert | None:
    return db_session.scalar(
        select(Alert).where(
            Alert.patient_id == patient_id,
            Alert.rule_id == rule_id,
            Alert.status.in_(OPEN_STATUSES),
        )
    )


def _hold_row(db_session: Session, patient_id: int) -> ExerciseHold | None:
    return db_session.scalar(
        select(ExerciseHold).where(
            ExerciseHold.patient_id == patient_id, ExerciseHold.lifted_at.is_(None)
        )
    )


_UNREAD: Any = object()


def place_hold(
    *,
    db_session: Session,
    patient: User,
    check_in_id: int,
    result: TriageResult,
    hold: ExerciseHold | None = _UNREAD,
) -> ExerciseHold | None:
    """Pause exercise after an urgent or emergency verdict (one active hold at most).
    ``hold``: the active hold (or None), when already read."""
    if not result.pause_exercise:
        return None
    if hold is _UNREAD:
        hold = _hold_row(db_session, patient.id)
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
        hold = _hold_row(db_session, patient.id)
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
    hold = _hold_row(db_session, patient_id)
    if still_open == 0 and hold is not None:
        hold.lifted_at = utcnow()
        hold.lifted_by_id = actor.id
        hooks.hold_lifted(db_session=db_session, patient_id=patient_id)


# --- reading --------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkEnded:
    """An entry of a therapist's alert list: a patient ended the care link while an alert
    was open. It says who and when, never which alert (no health details)."""

    care_link_id: int
    patient_id: int
    patient_name: str
    ended_at: dt.datetime
    kind: str = "link_ended"
    alert_open: bool = True


def _number(value: int) -> Any:
    """An integer written into the SQL (typed the same on both sides of a UNION)."""
    return literal_column(str(value), Integer)


def alerts_stmt(
    db_session: Session,
    actor: User,
    *,
    status: str | None,
    level: str | None,
    patient_id: int | None,
    escalated: bool | None = None,
) -> Select:
    """The rows of the actor's alert list, as (alert_id, care_link_id) in display order:
    ``link_ended`` notices first, then unresolved alerts, most severe and oldest first,
    then resolved ones.

    A patient sees their own alerts; a therapist names a linked patient or gets all their
    linked patients' alerts. A patient named who is not in scope is a 404 (and a therapist
    naming a linked one is written to the access log)."""
    scope = patient_filter(db_session, actor, Alert.patient_id, patient_id, resource="alerts")
    group = case((Alert.status == "resolved", _number(2)), else_=_number(1))
    rows = select(
        group.label("grp"),
        Alert.level_rank.label("rank"),
        Alert.created_at.label("at"),
        Alert.id.label("alert_id"),
        cast(null(), Integer).label("care_link_id"),
    ).where(scope)
    if status is not None:
        rows = rows.where(Alert.status == status)
    if level is not None:
        rows = rows.where(Alert.level == level)
    if escalated is not None:
        rows = rows.where(
            Alert.escalated_at.is_not(None) if escalated else Alert.escalated_at.is_(None)
        )
    shows_notices = (
        status in (None, "open") and level is None and patient_id is None and escalated is None
    )
    if actor.role == Role.therapist and shows_notices:
        rows = union_all(rows, _link_ended_rows(actor))
    listed = rows.subquery()
    return select(listed.c.alert_id, listed.c.care_link_id).order_by(
        listed.c.grp,
        listed.c.rank.desc(),
        listed.c.at,
        listed.c.alert_id,
        listed.c.care_link_id,
    )


def _link_ended_rows(therapist: User) -> Select:
    """Links to this therapist that the patient ended, in the last LINK_ENDED_DAYS days,
    while an alert was open, and not linked again since."""
    since = utcnow() - dt.timedelta(days=LINK_ENDED_DAYS)
    links = care.ended_by_patient_stmt(therapist.id, since).subquery()
    alert_was_open = exists().where(
        AlertEvent.care_link_id == links.c.id, AlertEvent.action == "link_ended"
    )
    return select(
        _number(0),
        _number(0),
        links.c.ended_at,
        cast(null(), Integer),
        links.c.id,
    ).where(alert_was_open)


def alert_entries(
    db_session: Session, actor: User, rows: Sequence[Row[Any]], *, named_patient: int | None
) -> list[Alert | LinkEnded]:
    """The alerts and notices of a page of ``alerts_stmt`` rows, in order (two queries).

    A therapist's list of all their patients writes one access-log row per patient whose
    alerts are on the page (a named patient was logged when the scope was checked)."""
    alert_ids = [row.alert_id for row in rows if row.alert_id is not None]
    link_ids = [row.care_link_id for row in rows if row.care_link_id is not None]
    alerts = {}
    if alert_ids:
        alerts = {a.id: a for a in db_session.scalars(select(Alert).where(Alert.id.in_(alert_ids)))}
    notices = _link_ended_notices(db_session, link_ids) if link_ids else {}
    if named_patient is None:
        patient_ids = [alert.patient_id for alert in alerts.values()]
        log_reads(db_session, actor, patient_ids, resource="alerts")
    return [
        alerts[row.alert_id] if row.alert_id is not None else notices[row.care_link_id]
        for row in rows
    ]


def _link_ended_notices(db_session: Session, link_ids: list[int]) -> dict[int, LinkEnded]:
    """The link_ended notices of these care links, by link id (one query)."""
    links = care.links_by_id_stmt(link_ids)
    # the patient's name as it was when they ended the link (the event's actor name)
    name_then = (
        select(AlertEvent.actor_name)
        .where(
            AlertEvent.care_link_id == links.selected_columns.id,
            AlertEvent.action == "link_ended",
        )
        .order_by(AlertEvent.id)
        .limit(1)
        .scalar_subquery()
    )
    found = db_session.execute(links.add_columns(name_then.label("patient_name")))
    return {
        row.id: LinkEnded(row.id, row.patient_id, row.patient_name, row.ended_at) for row in found
    }


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


# --- read API for other domains -------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """A standing exercise hold: exercise is paused until a clinician resolves the alert."""

    patient_id: int
    level: str
    reason: str
    placed_at: dt.datetime
    check_in_id: int | None


#: Built once (plain columns, no ORM object); the session still flushes first. The
#: patient's standing hold (``patient_id``): other domains may read it within their own
#: statement (as a subquery) and make it a ``Hold`` with ``Hold(*row)``.
ACTIVE_HOLD = select(
    ExerciseHold.patient_id,
    ExerciseHold.level,
    ExerciseHold.reason,
    ExerciseHold.placed_at,
    ExerciseHold.check_in_id,
).where(ExerciseHold.patient_id == bindparam("patient_id"), ExerciseHold.lifted_at.is_(None))


def active_hold(db_session: Session, patient_id: int) -> Hold | None:
    row = db_session.execute(ACTIVE_HOLD, {"patient_id": patient_id}).first()
    if row is None:
        return None
    return Hold(
        patient_id=row.patient_id,
        level=row.level,
        reason=row.reason,
        placed_at=row.placed_at,
        check_in_id=row.check_in_id,
    )


def alive_between(
    db_session: Session, patient_id: int, start: dt.datetime, end: dt.datetime
) -> list[Alert]:
    """Every alert of the patient alive from ``start`` to ``end``: raised before the end
    and not resolved before the start, in the order they were raised (with their history,
    for ``ExportAlertSchema``)."""
    return list(
        db_session.scalars(
            select(Alert)
            .where(
                Alert.patient_id == patient_id,
                Alert.created_at < end,
                (Alert.resolved_at.is_(None)) | (Alert.resolved_at >= start),
            )
            .order_by(Alert.created_at, Alert.id)
        )
    )


def hold_periods(
    db_session: Session, patient_id: int
) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """Every hold of a patient as (placed_at, lifted_at); lifted_at is None while it stands."""
    rows = db_session.execute(
        select(ExerciseHold.placed_at, ExerciseHold.lifted_at).where(
            ExerciseHold.patient_id == patient_id
        )
    )
    return [(placed_at, lifted_at) for placed_at, lifted_at in rows]


def latest_lifted_hold_id(db_session: Session, patient_id: int) -> int | None:
    return db_session.scalar(
        select(ExerciseHold.id)
        .where(ExerciseHold.patient_id == patient_id, ExerciseHold.lifted_at.is_not(None))
        .order_by(ExerciseHold.lifted_at.desc(), ExerciseHold.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class OpenAlert:
    id: int
    level: str
    title: str
    status: str
    created_at: dt.datetime


def open_alerts(db_session: Session, patient_id: int) -> list[OpenAlert]:
    """A patient's unresolved alerts, most severe and oldest first."""
    rows = db_session.scalars(
        select(Alert)
        .where(Alert.patient_id == patient_id, Alert.status.in_(OPEN_STATUSES))
        .order_by(Alert.level_rank.desc(), Alert.created_at, Alert.id)
    )
    return [OpenAlert(a.id, a.level, a.title, a.status, a.created_at) for a in rows]


def has_open_alert(db_session: Session, patient_id: int) -> bool:
    found = db_session.scalar(
        select(Alert.id)
        .where(Alert.patient_id == patient_id, Alert.status.in_(OPEN_STATUSES))
        .limit(1)
    )
    return found is not None


def soon_alert_patients_stmt(since: dt.datetime, until: dt.datetime | None = None) -> Select:
    """A SELECT of the ids of patients with an unresolved ``soon`` alert raised or updated
    since ``since`` (and before ``until``)."""
    stmt = select(Alert.patient_id).where(
        Alert.level == "soon", Alert.status != "resolved", Alert.updated_at >= since
    )
    if until is not None:
        stmt = stmt.where(Alert.updated_at < until)
    return stmt


def soon_alert_patient_count(
    db_session: Session, *, among: Select, since: dt.datetime, until: dt.datetime
) -> int:
    """How many of the patients ``among`` selects have a ``soon`` alert for a digest."""
    patients = soon_alert_patients_stmt(since, until).where(Alert.patient_id.in_(among))
    return db_session.scalar(select(func.count(func.distinct(patients.subquery().c.patient_id))))


def hold_view(db_session: Session, patient_id: int) -> HoldView | None:
    """A profile's exercise hold (``accounts.summaries`` asks through its safety source)."""
    return _hold_view(active_hold(db_session, patient_id))


def _hold_view(hold: Hold | ExerciseHold | None) -> HoldView | None:
    if hold is None:
        return None
    return HoldView(active=True, since=hold.placed_at, level=hold.level, reason=hold.reason)


def patient_safety(db_session: Session, patient_ids: list[int]) -> dict[int, PatientSafety]:
    """Open alerts and holds of a page of patients, in two queries."""
    alerts = open_alert_summary(db_session, patient_ids)
    holds = holds_for(db_session, patient_ids)
    safety = {}
    for patient_id in patient_ids:
        count, rank = alerts.get(patient_id, (0, None))
        safety[patient_id] = PatientSafety(
            open_alerts=count,
            highest_open_level=LEVELS[rank] if rank is not None else None,
            hold=_hold_view(holds.get(patient_id)),
        )
    return safety


# --- acting ---------------------------------------------------------------------------


def _managed_alert(db_session: Session, actor: User, alert_id: int, *, action: str) -> Alert:
    """An alert the actor may act on: a linked therapist (the action is written to the
    patient's access log), or a self-guided patient."""
    alert = readable_record(
        db_session, actor, Alert, alert_id, resource=f"alert-{action}", label="Alert"
    )
    if actor.role == Role.patient and care.has_active_therapist(db_session, patient_id=actor.id):
        raise Conflict(
            "Your therapist manages your alerts. Contact them, or your doctor, about this alert."
        )
    return alert


def acknowledge(*, db_session: Session, actor: User, alert_id: int, note: str | None) -> Alert:
    alert = _managed_alert(db_session, actor, alert_id, action="acknowledge")
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
    assessed_by: str | None = None,
    assessed_on: dt.date | None = None,
) -> Alert:
    """Close an alert. A self-guided patient confirms a clinical assessment and, for an
    urgent or emergency alert, names who assessed them and when."""
    alert = _managed_alert(db_session, actor, alert_id, action="resolve")
    assessed_by = assessed_by.strip() if assessed_by else None
    _check_assessment(db_session, actor, alert, assessed_by_clinician, assessed_by, assessed_on)
    now = utcnow()
    changed = db_session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.status.in_(OPEN_STATUSES))
        .values(
            status="resolved",
            resolved_at=now,
            updated_at=now,
            outcome=outcome,
            resolved_by=str(actor.role),
            assessed_by=assessed_by,
            assessed_on=assessed_on,
        )
    ).rowcount
    if changed != 1:
        raise Conflict("This alert is already resolved.")
    _event(alert, "resolved", actor, note=note, outcome=outcome)
    db_session.flush()
    db_session.refresh(alert)
    _lift_hold_if_clear(db_session, alert.patient_id, actor)
    db_session.flush()
    return alert


def _check_assessment(
    db_session: Session,
    actor: User,
    alert: Alert,
    confirmed: bool | None,
    assessed_by: str | None,
    assessed_on: dt.date | None,
) -> None:
    errors = (
        _patient_confirmation(alert, confirmed, assessed_by, assessed_on)
        if actor.role == Role.patient
        else {}
    )
    if assessed_on is not None:
        patient = actor if actor.role == Role.patient else db_session.get(User, alert.patient_id)
        assert patient is not None
        first = _first_evidence_date(alert, patient.timezone)
        if assessed_on > local_today(patient.timezone):
            errors["assessed_on"] = ["The assessment date cannot be in the future."]
        elif assessed_on < first:
            errors["assessed_on"] = [
                f"The assessment must be on or after {first.isoformat()}, the day of the "
                "check-in that raised this alert."
            ]
    if errors:
        raise InvalidInput(errors, "An alert can be closed only after a clinical assessment.")


def _patient_confirmation(
    alert: Alert, confirmed: bool | None, assessed_by: str | None, assessed_on: dt.date | None
) -> dict[str, list[str]]:
    """What a patient closing their own alert must state: that a clinician assessed them
    and, for an urgent or emergency alert, who and when."""
    errors: dict[str, list[str]] = {}
    if not confirmed:
        errors["assessed_by_clinician"] = [
            "Confirm that a doctor or other clinician has assessed you since this alert."
        ]
    if alert.level in PAUSING_LEVELS and not assessed_by:
        errors["assessed_by"] = ["Name who assessed you (e.g. 'Dr Rao, GP at Hill Street')."]
    if alert.level in PAUSING_LEVELS and assessed_on is None:
        errors["assessed_on"] = ["Give the date of that assessment."]
    return errors


def _first_evidence_date(alert: Alert, timezone: str) -> dt.date:
    dates = [dt.date.fromisoformat(e["date"]) for e in alert.evidence if e.get("date")]
    return min(dates, default=local_today(timezone, alert.created_at))


def _record_link_ended(*, db_session: Session, link: care.EndedLink, ended_by: User) -> None:
    """Every alert open when a care link ends keeps that in its history (and the former
    therapist's list shows that the link ended: see ``_link_ended_rows``)."""
    open_alerts = db_session.scalars(
        select(Alert)
        .where(Alert.patient_id == link.patient_id, Alert.status.in_(OPEN_STATUSES))
        .order_by(Alert.id)
    )
    for alert in open_alerts:
        _event(
            alert,
            "link_ended",
            ended_by,
            note=f"The care link with {link.therapist_name} ended while this alert was open.",
            care_link_id=link.id,
        )
    db_session.flush()


# --- data rights ----------------------------------------------------------------------


def _export_alerts(db_session: Session, user: User) -> list[Alert]:
    """Dumped by ``ExportAlertSchema``: each alert with its whole history."""
    return list(
        db_session.scalars(select(Alert).where(Alert.patient_id == user.id).order_by(Alert.id))
    )


def _export_holds(db_session: Session, user: User) -> list[ExerciseHold]:
    holds = db_session.scalars(
        select(ExerciseHold).where(ExerciseHold.patient_id == user.id).order_by(ExerciseHold.id)
    )
    return list(holds)
