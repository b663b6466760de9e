"""What raises a notification outside reminders: alerts, escalations, holds, programmes.

Registered at start-up (``notifications.register()``) on the alerts domain's hooks
(``api/alerts/hooks.py``) and the care-link hook, and, for new programme versions, on
the session's flush and commit events (``init_app``), so the other domains' services
stay unaware of notifications. What it needs to know of alerts, care links and
programmes it asks through their read APIs.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from api.accounts import care
from api.accounts.models import User
from api.alerts import service as alerts
from api.alerts.hooks import AlertNews
from api.database import utcnow
from api.notifications import texts
from api.notifications.models import Kind, Notification
from api.notifications.schedule import local_instant, parse_time
from api.notifications.service import dedup_key, notify
from api.policy import linked_patient_ids_stmt
from api.programmes import service as programmes
from api.timeutil import time_zone

log = logging.getLogger("upright.notifications")
NOTIFYING_LEVELS = ("urgent", "emergency")
#: New evidence on an open alert notifies its therapists again at most this often.
EVIDENCE_REPEAT = dt.timedelta(hours=1)
DIGEST_TIME = "08:00"
#: A digest not sent by this long after 08:00 (scheduler down) waits for the next day.
DIGEST_CATCH_UP = dt.timedelta(hours=12)


def _never_fails_the_caller(listener: Callable[..., None]) -> Callable[..., None]:
    """A notification that cannot be made must not undo a check-in or a resolution:
    the listener runs in a savepoint, and a failure is logged (its type only)."""

    @functools.wraps(listener)
    def guarded(*, db_session: Session, **kwargs: Any) -> None:
        try:
            with db_session.begin_nested():
                listener(db_session=db_session, **kwargs)
        except Exception as error:
            log.error("notification not made (%s) in %s", type(error).__name__, listener.__name__)

    return guarded


def _alert_data(alert: AlertNews) -> dict[str, object]:
    return {"alert_id": alert.id, "patient_id": alert.patient_id, "path": f"/alerts/{alert.id}"}


@_never_fails_the_caller
def notify_therapists_of_alerts(
    *, db_session: Session, patient_id: int, check_in_id: int, alerts: list[AlertNews]
) -> None:
    """Urgent and emergency alerts reach every actively linked therapist at once."""
    now = utcnow()
    therapists = None
    for alert in alerts:
        if alert.level not in NOTIFYING_LEVELS or alert.status == "resolved":
            continue
        if alert.change == "raised":
            due = "raised"
        elif alert.change == "evidence_added":
            due = f"check-in:{check_in_id}"
        else:
            continue
        if therapists is None:
            therapists = care.therapist_ids_of(db_session, patient_id)
        for therapist_id in therapists:
            if due != "raised" and _notified_recently(db_session, therapist_id, alert, now):
                continue
            notify(
                db_session,
                recipient_id=therapist_id,
                kind=Kind.alert_raised,
                subject=f"alert:{alert.id}",
                due=due,
                text=texts.alert_raised(),
                data=_alert_data(alert),
                now=now,
                patient_id=patient_id,
            )


def _notified_recently(db_session: Session, therapist_id: int, alert: AlertNews, now) -> bool:
    last = db_session.scalar(
        select(Notification.created_at)
        .where(
            Notification.recipient_id == therapist_id,
            Notification.kind == Kind.alert_raised,
            Notification.subject == f"alert:{alert.id}",
        )
        .order_by(Notification.created_at.desc())
        .limit(1)
    )
    return last is not None and now - last < EVIDENCE_REPEAT


def notify_escalation(*, db_session: Session, alert: AlertNews, now: dt.datetime) -> None:
    """Every linked therapist is told; the patient is asked whether they got help."""
    for therapist_id in care.therapist_ids_of(db_session, alert.patient_id):
        notify(
            db_session,
            recipient_id=therapist_id,
            kind=Kind.alert_escalated,
            subject=f"alert:{alert.id}",
            due="escalated",
            text=texts.alert_escalated(),
            data=_alert_data(alert),
            now=now,
            patient_id=alert.patient_id,
        )
    patient = db_session.get(User, alert.patient_id)
    assert patient is not None
    notify(
        db_session,
        recipient_id=patient.id,
        kind=Kind.alert_follow_up,
        subject=f"alert:{alert.id}",
        due="escalated",
        text=texts.alert_follow_up(patient.country),
        data={"alert_id": alert.id, "path": f"/alerts/{alert.id}"},
        now=now,
        patient_id=patient.id,
    )


@_never_fails_the_caller
def notify_hold_lifted(*, db_session: Session, patient_id: int) -> None:
    hold_id = alerts.latest_lifted_hold_id(db_session, patient_id)
    notify(
        db_session,
        recipient_id=patient_id,
        kind=Kind.hold_lifted,
        subject=f"hold:{hold_id}",
        due="lifted",
        text=texts.hold_lifted(),
        data={"path": "/me/today"},
        now=utcnow(),
        patient_id=patient_id,
    )


@_never_fails_the_caller
def notify_link_ended_with_open_alert(
    *, db_session: Session, link: care.EndedLink, ended_by: User
) -> None:
    """A patient who ends the link while an alert of theirs is open: the therapist they
    left is told that a link ended (no name, no health detail); the alert list says more."""
    if ended_by.id != link.patient_id:
        return  # the therapist ended it: they know
    if not alerts.has_open_alert(db_session, link.patient_id):
        return
    notify(
        db_session,
        recipient_id=link.therapist_id,
        kind=Kind.link_ended,
        subject=f"care_link:{link.id}",
        due="ended",
        text=texts.link_ended(),
        data={"care_link_id": link.id, "path": "/alerts"},
        now=utcnow(),
        patient_id=link.patient_id,
    )


# --- soon digests ----------------------------------------------------------------------


def send_soon_digests(db_session: Session, *, now: dt.datetime) -> int:
    """One digest per therapist at 08:00 their time, counting the patients whose
    ``soon`` alerts were raised or updated since the previous digest time."""
    recent = now - dt.timedelta(days=2)
    rows = db_session.execute(
        care.therapists_of_stmt(alerts.soon_alert_patients_stmt(recent))
    ).all()
    sent = 0
    for therapist_id, timezone in rows:
        zone = time_zone(timezone)
        day = now.astimezone(zone).date()
        at = local_instant(day, parse_time(DIGEST_TIME), zone)
        if at > now:
            day -= dt.timedelta(days=1)
            at = local_instant(day, parse_time(DIGEST_TIME), zone)
        if now - at > DIGEST_CATCH_UP or _digest_exists(db_session, therapist_id, day):
            continue
        since = local_instant(day - dt.timedelta(days=1), parse_time(DIGEST_TIME), zone)
        patients = alerts.soon_alert_patient_count(
            db_session, among=linked_patient_ids_stmt(therapist_id), since=since, until=at
        )
        if not patients:
            continue
        created = notify(
            db_session,
            recipient_id=therapist_id,
            kind=Kind.soon_digest,
            subject="digest",
            due=day.isoformat(),
            text=texts.soon_digest(patients),
            data={"path": "/alerts?status=open"},
            now=now,
        )
        sent += created is not None
    return sent


def _digest_exists(db_session: Session, therapist_id: int, day: dt.date) -> bool:
    key = dedup_key(Kind.soon_digest, therapist_id, "digest", day.isoformat())
    return (
        db_session.scalar(select(Notification.id).where(Notification.dedup_key == key)) is not None
    )


# --- programme changes -----------------------------------------------------------------

_NEW_VERSIONS = "upright.notifications.new_programme_versions"


def _collect_new_versions(session: Session, _flush_context) -> None:
    for version in programmes.new_versions(session):
        session.info.setdefault(_NEW_VERSIONS, []).append(
            (version.programme_id, version.number, version.created_by_id)
        )


def _notify_new_versions(session: Session) -> None:
    """A programme assigned or changed by the therapist tells the patient."""

    if session.in_nested_transaction():
        return  # a savepoint: wait for the real commit
    versions = session.info.pop(_NEW_VERSIONS, None)
    if not versions:
        return
    try:
        with session.begin_nested():
            _notify_versions(session, versions)
    except Exception as error:  # never undo the programme change itself
        log.error("notification not made (%s) for a programme change", type(error).__name__)


def _notify_versions(session: Session, versions: list[tuple[int, int, int | None]]) -> None:
    now = utcnow()
    for programme_id, number, created_by_id in versions:
        patient_id = programmes.patient_of(session, programme_id)
        if patient_id is None or created_by_id in (None, patient_id):
            continue
        notify(
            session,
            recipient_id=patient_id,
            kind=Kind.programme_changed,
            subject=f"programme:{programme_id}",
            due=f"version:{number}",
            text=texts.programme_changed(),
            data={"programme_id": programme_id, "path": f"/programmes/{programme_id}"},
            now=now,
            patient_id=patient_id,
        )


def _forget_new_versions(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_NEW_VERSIONS, None)


def listen(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "after_flush", _collect_new_versions)
    event.listen(factory, "before_commit", _notify_new_versions)
    event.listen(factory, "after_rollback", _forget_new_versions)
