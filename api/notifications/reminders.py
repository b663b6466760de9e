"""Reminders: a patient's settings, their next due times, and firing them exactly once.

Each patient has one ``ReminderSchedule`` row per reminder kind holding the next
due instant. The job round claims due rows (``SELECT ... FOR UPDATE SKIP LOCKED``
on PostgreSQL), decides whether the reminder still makes sense (no check-in
reminder once that day's check-in exists, ...), creates the notification under
its unique key and moves the row to the next occurrence, all in one transaction:
a worker that dies half-way leaves the row due for the next round.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.models import Role, User
from api.alerts import service as alerts
from api.checkins import service as checkins
from api.database import utcnow
from api.notifications import texts
from api.notifications.models import Kind, Notification, ReminderSchedule, ReminderSettings
from api.notifications.schedule import (
    DAYS,
    Occurrence,
    Quiet,
    local_instant,
    next_occurrence,
    occurrence_date,
    parse_time,
)
from api.notifications.service import notify
from api.programmes import service as programmes
from api.sessions import service as sessions
from api.timeutil import time_zone

REMINDER_KINDS = (Kind.check_in_reminder, Kind.exercise_reminder, Kind.missed_sessions)
#: Local time at which the missed-sessions check runs each day.
MISSED_SESSIONS_TIME = "10:00"
#: A reminder found more than this late (the scheduler was down) is skipped, not sent.
STALE_AFTER = dt.timedelta(hours=3)

DEFAULTS: dict[str, Any] = {
    "check_in": {"enabled": True, "time": "19:00", "days_of_week": list(DAYS)},
    "exercise": {"enabled": False, "times": ["08:00"]},
    "missed_sessions": {"enabled": True, "after_days": 2},
    "quiet_hours": None,
}


def settings_dict(row: ReminderSettings | None) -> dict[str, Any]:
    if row is None:
        return {key: (dict(value) if value else value) for key, value in DEFAULTS.items()}
    quiet = None
    if row.quiet_start is not None and row.quiet_end is not None:
        quiet = {"start": row.quiet_start, "end": row.quiet_end}
    return {
        "check_in": {
            "enabled": row.check_in_enabled,
            "time": row.check_in_time,
            "days_of_week": list(row.check_in_days),
        },
        "exercise": {"enabled": row.exercise_enabled, "times": list(row.exercise_times)},
        "missed_sessions": {"enabled": row.missed_enabled, "after_days": row.missed_after_days},
        "quiet_hours": quiet,
    }


def _quiet(settings: dict[str, Any]) -> Quiet | None:
    quiet = settings["quiet_hours"]
    return Quiet(parse_time(quiet["start"]), parse_time(quiet["end"])) if quiet else None


def next_for(
    settings: dict[str, Any], kind: Kind, *, zone: ZoneInfo, after: dt.datetime
) -> Occurrence | None:
    """The next occurrence of one reminder kind after ``after`` (None: switched off)."""
    quiet = _quiet(settings)
    if kind == Kind.check_in_reminder:
        part = settings["check_in"]
        if not part["enabled"]:
            return None
        return next_occurrence(
            after,
            times=[parse_time(part["time"])],
            days=part["days_of_week"],
            zone=zone,
            quiet=quiet,
        )
    if kind == Kind.exercise_reminder:
        part = settings["exercise"]
        if not part["enabled"]:
            return None
        times = [parse_time(t) for t in part["times"]]
        return next_occurrence(after, times=times, days=None, zone=zone, quiet=quiet)
    part = settings["missed_sessions"]
    if not part["enabled"]:
        return None
    return next_occurrence(
        after, times=[parse_time(MISSED_SESSIONS_TIME)], days=None, zone=zone, quiet=quiet
    )


def get_settings(db_session: Session, user: User) -> dict[str, Any]:
    return settings_dict(db_session.get(ReminderSettings, user.id))


def reminders_view(db_session: Session, user: User, *, now: dt.datetime) -> dict[str, Any]:
    """The settings, the time zone they are read in and each reminder's next time."""
    settings = get_settings(db_session, user)
    zone = time_zone(user.timezone)
    upcoming = {}
    for name, kind in zip(("check_in", "exercise", "missed_sessions"), REMINDER_KINDS, strict=True):
        occurrence = next_for(settings, kind, zone=zone, after=now)
        upcoming[name] = occurrence.fires_at if occurrence else None
    return {**settings, "timezone": user.timezone, "next": upcoming}


def put_settings(
    *, db_session: Session, user: User, data: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    row = db_session.get(ReminderSettings, user.id)
    if row is None:
        row = ReminderSettings(user_id=user.id)
        db_session.add(row)
    quiet = data["quiet_hours"]
    row.check_in_enabled = data["check_in"]["enabled"]
    row.check_in_time = data["check_in"]["time"]
    row.check_in_days = [d for d in DAYS if d in set(data["check_in"]["days_of_week"])]
    row.exercise_enabled = data["exercise"]["enabled"]
    row.exercise_times = sorted(set(data["exercise"]["times"]))
    row.missed_enabled = data["missed_sessions"]["enabled"]
    row.missed_after_days = data["missed_sessions"]["after_days"]
    row.quiet_start = quiet["start"] if quiet else None
    row.quiet_end = quiet["end"] if quiet else None
    row.updated_at = now
    db_session.flush()
    ensure_schedules(db_session, user, now=now)
    return reminders_view(db_session, user, now=now)


# --- schedules -------------------------------------------------------------------------


def ensure_schedules(db_session: Session, user: User, *, now: dt.datetime) -> None:
    """Create or recompute the patient's schedule rows from their settings and time zone."""
    settings = get_settings(db_session, user)
    zone = time_zone(user.timezone)
    rows = {
        row.kind: row
        for row in db_session.scalars(
            select(ReminderSchedule).where(ReminderSchedule.user_id == user.id)
        )
    }
    for kind in REMINDER_KINDS:
        occurrence = next_for(settings, kind, zone=zone, after=now)
        row = rows.get(kind)
        if row is None:
            row = ReminderSchedule(user_id=user.id, kind=kind)
            db_session.add(row)
        _move(row, occurrence, user.timezone, now)
    db_session.flush()


def _move(
    row: ReminderSchedule, occurrence: Occurrence | None, timezone: str, now: dt.datetime
) -> None:
    row.due_at = occurrence.fires_at if occurrence else None
    row.occurrence = occurrence.local if occurrence else None
    row.timezone = timezone
    row.updated_at = now


def seed_missing(db_session: Session, *, now: dt.datetime, limit: int = 200) -> int:
    """Give patients who have no schedule yet their default reminders."""
    has_schedule = exists().where(ReminderSchedule.user_id == User.id)
    patients = db_session.scalars(
        select(User).where(User.role == Role.patient, ~has_schedule).order_by(User.id).limit(limit)
    ).all()
    created = 0
    for patient in patients:
        try:
            with db_session.begin_nested():
                ensure_schedules(db_session, patient, now=now)
            created += 1
        except IntegrityError:
            continue  # another round seeded this patient at the same time
    return created


def fire_due(db_session: Session, *, now: dt.datetime, limit: int = 100) -> tuple[int, int]:
    """Claim up to ``limit`` due schedule rows and fire them. (rows claimed, notifications)."""
    claimed = db_session.execute(
        select(ReminderSchedule, User)
        .join(User, User.id == ReminderSchedule.user_id)
        .where(or_(ReminderSchedule.due_at <= now, ReminderSchedule.timezone != User.timezone))
        .order_by(ReminderSchedule.due_at, ReminderSchedule.id)
        .limit(limit)
        .with_for_update(of=ReminderSchedule, skip_locked=True)
    ).all()
    fired = 0
    settings_cache: dict[int, dict[str, Any]] = {}
    for row, user in claimed:
        settings = settings_cache.get(user.id) or get_settings(db_session, user)
        settings_cache[user.id] = settings
        zone = time_zone(user.timezone)
        if row.timezone != user.timezone or row.due_at is None or row.due_at > now:
            _move(row, next_for(settings, row.kind, zone=zone, after=now), user.timezone, now)
            continue
        fired += _catch_up(db_session, user, row, settings, zone, now=now)
    db_session.flush()
    return len(claimed), fired


def _catch_up(
    db_session: Session,
    user: User,
    row: ReminderSchedule,
    settings: dict[str, Any],
    zone: ZoneInfo,
    *,
    now: dt.datetime,
) -> int:
    """Fire the row's occurrence and any later one already due, then move the row on.

    Occurrences found more than ``STALE_AFTER`` late are skipped; two occurrences
    that quiet hours moved to the same instant fire once.
    """
    assert row.occurrence is not None and row.due_at is not None
    fired, occurrence, fires_at = 0, row.occurrence, row.due_at
    last_fired_at = None
    for _ in range(64):  # at most a few days of times
        if now - fires_at <= STALE_AFTER and fires_at != last_fired_at:
            fired += _fire(db_session, user, row.kind, occurrence, settings, now=now)
            last_fired_at = fires_at
        after = local_instant(occurrence_date(occurrence), parse_time(occurrence[11:]), zone)
        upcoming = next_for(settings, row.kind, zone=zone, after=after)
        if upcoming is None or upcoming.fires_at > now:
            _move(row, upcoming, user.timezone, now)
            return fired
        occurrence, fires_at = upcoming.local, upcoming.fires_at
    _move(row, next_for(settings, row.kind, zone=zone, after=now), user.timezone, now)
    return fired


def _fire(
    db_session: Session,
    user: User,
    kind: Kind,
    occurrence: str,
    settings: dict[str, Any],
    *,
    now: dt.datetime,
) -> int:
    decided = _reminder(db_session, user, kind, occurrence_date(occurrence), settings, now=now)
    if decided is None:
        return 0
    text, data = decided
    created = notify(
        db_session,
        recipient_id=user.id,
        kind=kind,
        subject="reminder",
        due=occurrence,
        text=text,
        data=data,
        now=now,
        patient_id=user.id,
    )
    return 1 if created is not None else 0


def _reminder(
    db_session: Session,
    user: User,
    kind: Kind,
    day: dt.date,
    settings: dict[str, Any],
    *,
    now: dt.datetime,
) -> tuple[texts.Text, dict[str, Any]] | None:
    """The reminder to send for local ``day``, or None when it no longer makes sense."""
    if kind == Kind.check_in_reminder:
        done = checkins.checked_in_on(db_session, user.id, day)
        return None if done else (texts.check_in_reminder(), {"path": "/check-ins/new"})
    if alerts.active_hold(db_session, user.id) is not None:
        return None  # exercise is paused: no exercise nudges
    if kind == Kind.exercise_reminder:
        return _exercise_reminder(db_session, user, day)
    return _missed_sessions(db_session, user, day, settings["missed_sessions"]["after_days"], now)


def _exercise_reminder(db_session: Session, user: User, day: dt.date):
    due = programmes.due_on(db_session, user, day)
    if not due:
        return None
    done = sessions.done_counts(db_session, user, day, [item.item_id for item in due])
    if all(done.get(item.item_id, 0) >= item.times_per_day for item in due):
        return None
    return texts.exercise_reminder(), {"path": "/me/today"}


def _missed_sessions(db_session: Session, user: User, day: dt.date, after_days: int, now):
    days = [day - dt.timedelta(days=n) for n in range(1, after_days + 1)]
    if not all(programmes.due_on(db_session, user, past) for past in days):
        return None
    if sessions.sessions_between(db_session, user.id, days[-1], days[0]):
        return None
    last = db_session.scalar(
        select(func.max(Notification.created_at)).where(
            Notification.recipient_id == user.id, Notification.kind == Kind.missed_sessions
        )
    )
    # at most once every N days (an hour's slack for days of 23 hours)
    if last is not None and now - last < dt.timedelta(days=after_days) - dt.timedelta(hours=1):
        return None
    return texts.missed_sessions(after_days), {"path": "/me/today"}


def _export_reminders(db_session: Session, user: User) -> dict[str, Any] | None:
    if user.role != Role.patient:
        return None
    return reminders_view(db_session, user, now=utcnow())  # the shape GET /me/reminders gives
