"""Progress: pain over time, adherence to the programme, alerts, notices and outcomes.

Progress owns no table: it asks each domain's read API (check-ins, programmes, sessions,
alerts, outcomes) and computes the report. Everything is loaded with a fixed number of
queries whatever the date range (one per table), then computed in Python: no query per
day, programme or item.

Pain change since baseline uses the NRS's minimal clinically important change:
about 2 points or 30 % (Farrar JT et al. Pain 2001;94(2):149-158). Farrar derived it
in people with moderate to severe pain, so below a baseline of 4/10 only the 2 points
count: 30 % of a small number is a 1-point move (3 -> 2 or 1 -> 2), within day-to-day
noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.accounts.models import User
from api.alerts import service as alerts
from api.checkins import service as checkins
from api.checkins.service import PainDay
from api.database import utcnow
from api.errors import InvalidInput
from api.outcomes import service as outcomes
from api.programmes import service as programmes
from api.programmes.service import ProgrammeHistory, VersionSchedule
from api.sessions import service as sessions
from api.timeutil import time_zone
from exercises.vocabulary import DAYS_OF_WEEK

DEFAULT_DAYS = 90
MAX_DAYS = 366
STREAK_DAYS = 366
ROLLING_DAYS = 7
BASELINE_CHECK_INS = 7
NOTICE_DAYS = 30
MCID_POINTS = 2.0  # Farrar 2001
MCID_FRACTION = 0.30  # Farrar 2001
#: Below this baseline the 30 % rule does not apply (Farrar 2001: moderate to severe pain).
MCID_FRACTION_MIN_BASELINE = 4.0
FARRAR = (
    "Farrar JT et al. Pain 2001;94(2):149-158 (about 2 points or 30 % on the 0-10 NRS, derived "
    "at moderate to severe pain; below a baseline of 4 only the 2 points count)"
)
ENDED_STATUSES = ("completed", "cancelled")


def date_range(
    date_from: dt.date | None, date_to: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """Default: the last 90 days ending today (``to`` defaults to today, ``from`` to 89
    days before ``to``); at most 366 days."""
    date_to = date_to or today
    date_from = date_from or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        raise InvalidInput({"from": ["'from' must not be after 'to'."]}, location="query")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise InvalidInput(
            {"from": [f"The range can span at most {MAX_DAYS} days."]}, location="query"
        )
    return date_from, date_to


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _mean(values: list[int]) -> float:
    return sum(values) / len(values)


# --- pain -------------------------------------------------------------------------------


def _pain(check_ins: list[PainDay], date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    pain_on = {row.local_date: row.pain for row in check_ins}
    series = []
    in_range = [row for row in check_ins if date_from <= row.local_date <= date_to]
    for row in in_range:
        window = [
            pain_on[day]
            for day in _days(row.local_date - dt.timedelta(days=ROLLING_DAYS - 1), row.local_date)
            if day in pain_on
        ]
        series.append(
            {
                "date": row.local_date.isoformat(),
                "pain": row.pain,
                "rolling_mean_7d": round(_mean(window), 2),
                "worst_pain": row.worst_pain,
                "interference": row.interference,
                "sleep_quality": row.sleep_quality,
            }
        )
    return {"series": series, "change": pain_change([row.pain for row in in_range])}


def pain_change(pains: list[int]) -> dict[str, Any] | None:
    """Baseline = mean of the first check-ins of the range, latest = mean of the last
    ones: up to 7 each, and never the same check-in in both (so k = min(7, n // 2))."""
    if len(pains) < 2:
        return None
    k = min(BASELINE_CHECK_INS, len(pains) // 2)
    baseline, latest = _mean(pains[:k]), _mean(pains[-k:])
    # Rounded before comparing, so 16/3 - 10/3 counts as the 2 points it is.
    difference = round(latest - baseline, 6)
    fraction = round(difference / baseline, 6) if baseline else None
    relative = fraction if baseline >= MCID_FRACTION_MIN_BASELINE else None
    if difference <= -MCID_POINTS or (relative is not None and relative <= -MCID_FRACTION):
        label = "improved"
    elif difference >= MCID_POINTS or (relative is not None and relative >= MCID_FRACTION):
        label = "worse"
    else:
        label = "unchanged"
    return {
        "baseline": round(baseline, 2),
        "latest": round(latest, 2),
        "difference": round(difference, 2),
        "percent_change": round(fraction * 100, 1) if fraction is not None else None,
        "check_ins_compared": k,
        "label": label,
        "source": FARRAR,
    }


# --- adherence --------------------------------------------------------------------------


@dataclass
class _Schedule:
    """One programme's schedule, with the days that count neither way."""

    programme: ProgrammeHistory
    last_day: dt.date | None
    versions: list[tuple[dt.date, VersionSchedule]]  # (local date created, version)
    paused: list[tuple[dt.date, dt.date]] = field(default_factory=list)

    def version_on(self, day: dt.date) -> VersionSchedule:
        """The latest version created on or before ``day``, else version 1."""
        created = [v for created_on, v in self.versions if created_on <= day]
        if created:
            return max(created, key=lambda v: v.number)
        return min((v for _, v in self.versions), key=lambda v: v.number)

    def runs_on(self, day: dt.date) -> bool:
        if day < self.programme.starts_on:
            return False
        if self.last_day is not None and day > self.last_day:
            return False
        return not any(start <= day <= end for start, end in self.paused)


def _local(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    return moment.astimezone(tz).date()


def _intervals(rows: list[tuple[dt.datetime, dt.datetime | None]], tz, now) -> list:
    """Local dates touched by each interval: any part of a day paused pauses the day."""
    return [(_local(start, tz), _local(end or now, tz)) for start, end in rows]


def _schedules(
    db_session: Session, patient: User, start: dt.date, end: dt.date, tz: ZoneInfo, now
) -> list[_Schedule]:
    histories = programmes.histories(db_session, patient.id, start, end)
    if not histories:
        return []
    holds = _intervals(alerts.hold_periods(db_session, patient.id), tz, now)
    schedules = []
    for programme in histories:
        last_day = programme.ends_on
        if programme.status in ENDED_STATUSES:
            stopped = _local(programme.updated_at, tz) - dt.timedelta(days=1)
            last_day = min(last_day, stopped) if last_day else stopped
        schedules.append(
            _Schedule(
                programme=programme,
                last_day=last_day,
                versions=[(_local(v.created_at, tz), v) for v in programme.versions],
                paused=_intervals(list(programme.pauses), tz, now) + holds,
            )
        )
    return schedules


def _day(
    schedules: list[_Schedule], done: dict[tuple[dt.date, int], int], day: dt.date
) -> tuple[int, int]:
    """(prescribed, completed) on ``day``; completions capped at times_per_day."""
    weekday = DAYS_OF_WEEK[day.weekday()]
    prescribed = completed = 0
    for schedule in schedules:
        if not schedule.runs_on(day):
            continue
        for item in schedule.version_on(day).items:
            if weekday in item.days_of_week:
                prescribed += item.times_per_day
                completed += min(done.get((day, item.id), 0), item.times_per_day)
    return prescribed, completed


def _rate(prescribed: int, completed: int) -> float | None:
    return round(completed / prescribed, 2) if prescribed else None


def _adherence(
    schedules: list[_Schedule],
    done: dict[tuple[dt.date, int], int],
    date_from: dt.date,
    date_to: dt.date,
    today: dt.date,
) -> dict[str, Any]:
    weeks: dict[tuple[int, int], dict[str, Any]] = {}
    total_prescribed = total_completed = 0
    last = min(date_to, today)
    for day in _days(date_from, last) if date_from <= last else []:
        prescribed, completed = _day(schedules, done, day)
        year, week, _ = day.isocalendar()
        bucket = weeks.setdefault(
            (year, week),
            {
                "week": f"{year}-W{week:02d}",
                "starts_on": (day - dt.timedelta(days=day.weekday())).isoformat(),
                "prescribed": 0,
                "completed": 0,
            },
        )
        bucket["prescribed"] += prescribed
        bucket["completed"] += completed
        total_prescribed += prescribed
        total_completed += completed
    for bucket in weeks.values():
        bucket["rate"] = _rate(bucket["prescribed"], bucket["completed"])
    return {
        "prescribed": total_prescribed,
        "completed": total_completed,
        "rate": _rate(total_prescribed, total_completed),
        "weeks": list(weeks.values()),
        "current_streak_days": _streak(schedules, done, today),
        "programmes": [
            {
                "id": s.programme.id,
                "title": s.programme.title,
                "status": s.programme.status,
                "starts_on": s.programme.starts_on.isoformat(),
                "ends_on": s.programme.ends_on.isoformat() if s.programme.ends_on else None,
            }
            for s in schedules
        ],
    }


def _streak(
    schedules: list[_Schedule], done: dict[tuple[dt.date, int], int], today: dt.date
) -> int:
    """Consecutive days, ending today or yesterday, on which everything due was done.
    Days with nothing due (rest days, pauses, holds) neither count nor break it; today
    does not break it while it is still going on. Looks back at most 366 days."""
    streak = 0
    for n in range(STREAK_DAYS):
        day = today - dt.timedelta(days=n)
        prescribed, completed = _day(schedules, done, day)
        if prescribed == 0:
            continue
        if completed >= prescribed:
            streak += 1
        elif day != today:
            break
    return streak


# --- the whole picture ------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    """The report's range, in the patient's time zone."""

    now: dt.datetime
    tz: ZoneInfo
    today: dt.date
    date_from: dt.date
    date_to: dt.date

    @property
    def streak_from(self) -> dt.date:
        return self.today - dt.timedelta(days=STREAK_DAYS - 1)


def _period(
    patient: User, date_from: dt.date | None, date_to: dt.date | None, now: dt.datetime | None
) -> _Period:
    now = now or utcnow()
    tz = time_zone(patient.timezone)
    today = _local(now, tz)
    date_from, date_to = date_range(date_from, date_to, today)
    return _Period(now, tz, today, date_from, date_to)


def progress(
    *,
    db_session: Session,
    patient: User,
    date_from: dt.date | None,
    date_to: dt.date | None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    period = _period(patient, date_from, date_to, now)
    return {
        "patient_id": patient.id,
        "from": period.date_from,
        "to": period.date_to,
        "today": period.today,
        "timezone": patient.timezone,
        "pain": _pain_report(db_session, patient, period),
        "adherence": _adherence_report(db_session, patient, period),
        **_safety_report(db_session, patient, period),
        "outcomes": outcomes.progress_summary(
            db_session, patient.id, period.date_from, period.date_to
        ),
    }


def _pain_report(db_session: Session, patient: User, period: _Period) -> dict[str, Any]:
    """The pain series (with the 7 days before the range for the rolling mean) and its
    change since baseline."""
    rolling_from = period.date_from - dt.timedelta(days=ROLLING_DAYS - 1)
    check_ins = checkins.pain_days(db_session, patient.id, rolling_from, period.date_to)
    return _pain(check_ins, period.date_from, period.date_to)


def _adherence_report(db_session: Session, patient: User, period: _Period) -> dict[str, Any]:
    """Adherence over the range, and the streak (which may look back before it)."""
    schedules = _schedules(
        db_session,
        patient,
        min(period.date_from, period.streak_from),
        max(period.date_to, period.today),
        period.tz,
        period.now,
    )
    done = sessions.done_by_day(
        db_session,
        patient.id,
        [(period.date_from, period.date_to), (period.streak_from, period.today)],
    )
    return _adherence(schedules, done, period.date_from, period.date_to, period.today)


def _safety_report(db_session: Session, patient: User, period: _Period) -> dict[str, Any]:
    """What a therapist checks first: open alerts, recent pain notices, and sessions
    logged while exercise was on hold."""
    notices = sessions.notices_since(
        db_session, patient.id, period.now - dt.timedelta(days=NOTICE_DAYS)
    )
    during_hold = sessions.sessions_during_hold(
        db_session, patient.id, period.date_from, period.date_to
    )
    return {
        "open_alerts": [asdict(alert) for alert in alerts.open_alerts(db_session, patient.id)],
        "pain_notices": [asdict(notice) for notice in notices],
        "sessions_during_hold": [
            {**asdict(row), "exercises": list(row.exercises)} for row in during_hold
        ],
    }
