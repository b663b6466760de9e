"""The progress report's data: drawn from the progress, alerts, programmes, check-ins and
sessions services, never recomputed, so every figure equals what the JSON endpoints give
for the same range.

Monitoring days (the one figure no JSON endpoint gives) count the local dates with a
check-in or an exercise session in consecutive 30-day periods ending on ``to`` (the
earliest period may be shorter). Remote therapeutic monitoring in the US bills a 30-day
period with data on 16 days or more (CMS, CPT 98975-98977; Medicare Physician Fee
Schedule final rule 2022).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.accounts import care
from api.accounts.export_schemas import ExportAlertSchema, ExportProgrammeSchema
from api.accounts.models import User
from api.alerts import service as alerts
from api.checkins import service as checkins
from api.database import utcnow
from api.programmes import service as programmes
from api.progress import service as progress
from api.sessions import service as sessions
from api.timeutil import time_zone

MONITORING_PERIOD_DAYS = 30
MONITORING_THRESHOLD_DAYS = 16  # CMS remote therapeutic monitoring: 16 days in 30
AGE_BAND_YEARS = 10


def age_band(birth_year: int | None, today: dt.date) -> str | None:
    """A ten-year band of the age reached this year ("40-49"), never the birth date."""
    if birth_year is None:
        return None
    age = today.year - birth_year
    low = age // AGE_BAND_YEARS * AGE_BAND_YEARS
    return f"{low}-{low + AGE_BAND_YEARS - 1}"


def _local_bounds(day_from: dt.date, day_to: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, ...]:
    start = dt.datetime.combine(day_from, dt.time(), tz)
    end = dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(), tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _alerts(db_session: Session, patient: User, start: dt.datetime, end: dt.datetime) -> list:
    """Every alert alive during the period: raised before its end and not resolved before
    its start, in the order they were raised."""
    found = []
    for alert in alerts.alive_between(db_session, patient.id, start, end):
        entry = _ALERT.dump(alert)  # the export's shape: with its history
        acknowledged = [e["at"] for e in entry["history"] if e["action"] == "acknowledged"]
        entry["acknowledged_at"] = acknowledged[0] if acknowledged else None
        found.append(entry)
    return found


_ALERT, _PROGRAMME = ExportAlertSchema(), ExportProgrammeSchema()


def _programmes(
    db_session: Session, patient: User, ids: list[int], date_from, date_to, tz: ZoneInfo
) -> list[dict[str, Any]]:
    """The programmes that ran in the period: the current version's items, and the versions
    created in the period (with the local date of each)."""
    if not ids:
        return []
    found = []
    for programme in programmes.patient_programmes(db_session, patient.id, ids):
        body = _PROGRAMME.dump(programme)  # the export's shape: with every version
        for version in body["versions"]:
            created = dt.datetime.fromisoformat(version["created_at"]).astimezone(tz).date()
            version["created_on"] = created
            version["in_period"] = date_from <= created <= date_to
        body["current_version"] = programme.current_version
        body["current"] = next(
            v for v in body["versions"] if v["number"] == programme.current_version
        )
        found.append(body)
    return found


def _monitoring(
    db_session: Session, patient: User, date_from: dt.date, date_to: dt.date
) -> list[dict[str, Any]]:
    days = checkins.check_in_days(db_session, patient.id, date_from, date_to) | (
        sessions.session_days(db_session, patient.id, date_from, date_to)
    )
    periods = []
    end = date_to
    while end >= date_from:
        start = max(date_from, end - dt.timedelta(days=MONITORING_PERIOD_DAYS - 1))
        count = sum(1 for day in days if start <= day <= end)
        length = (end - start).days + 1
        periods.append(
            {
                "from": start,
                "to": end,
                "length": length,
                "days_with_data": count,
                "threshold_met": count >= MONITORING_THRESHOLD_DAYS,
            }
        )
        end = start - dt.timedelta(days=1)
    periods.reverse()
    return periods


def _red_flag_days(alerts: list[dict[str, Any]], date_from: dt.date, date_to: dt.date):
    """The days in the period on which a red flag was reported (the alerts' evidence)."""
    return sorted(
        {
            dt.date.fromisoformat(evidence["date"])
            for alert in alerts
            for evidence in alert["evidence"]
            if evidence.get("date")
            and date_from <= dt.date.fromisoformat(evidence["date"]) <= date_to
        }
    )


def _has_data(progress_body: dict[str, Any], alerts: list, monitoring: list) -> bool:
    """Whether the period holds anything to report: pain, alerts, outcomes, monitored
    days or exercise prescribed."""
    return bool(
        progress_body["pain"]["series"]
        or alerts
        or progress_body["outcomes"]
        or any(p["days_with_data"] for p in monitoring)
        or progress_body["adherence"]["prescribed"]
    )


def report(
    *,
    db_session: Session,
    patient: User,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> dict[str, Any]:
    """Everything the report shows, for ``patient`` over the range (the progress range
    rules: default the last 90 days in the patient's time zone, at most 366)."""
    now = utcnow()
    tz = time_zone(patient.timezone)
    body = progress.progress(
        db_session=db_session, patient=patient, date_from=date_from, date_to=date_to, now=now
    )
    date_from, date_to = body["from"], body["to"]
    start, end = _local_bounds(date_from, date_to, tz)
    alerts = _alerts(db_session, patient, start, end)
    programme_rows = _programmes(
        db_session,
        patient,
        [p["id"] for p in body["adherence"]["programmes"]],
        date_from,
        date_to,
        tz,
    )
    therapists = [
        link.therapist.display_name
        for link in db_session.scalars(care.links_stmt(patient, True)).all()
    ]
    monitoring = _monitoring(db_session, patient, date_from, date_to)
    return {
        "patient": {
            "id": patient.id,
            "display_name": patient.display_name,
            "age_band": age_band(patient.birth_year, body["today"]),
            "timezone": patient.timezone,
        },
        "therapists": therapists,
        "from": date_from,
        "to": date_to,
        "generated_at": now,
        "generated_local": now.astimezone(tz),
        "has_data": _has_data(body, alerts, monitoring),
        "progress": body,
        "red_flag_days": _red_flag_days(alerts, date_from, date_to),
        "programme_changes": [
            (version["created_on"], programme["title"], version["number"])
            for programme in programme_rows
            for version in programme["versions"]
            if version["in_period"]
        ],
        "alerts": alerts,
        "programmes": programme_rows,
        "monitoring": monitoring,
        "monitoring_threshold": MONITORING_THRESHOLD_DAYS,
    }
