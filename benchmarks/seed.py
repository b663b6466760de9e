"""Fill a database with realistic Upright data for load tests.

    python -m benchmarks.seed --patients 1000 --days 365 [--therapists T] [--seed S]
                              [--url URL] [--out benchmarks/.seed.json]

The database at ``--url`` (default: ``DATABASE_URL``) is migrated to head and the
catalogue is loaded through the app; then therapists, patients linked to them, one
active programme each (from a built-in template), daily check-ins with plausible pain
trajectories, red flags triaged by the real rules with their alerts and holds,
exercise sessions and outcome scores are written in bulk (COPY on PostgreSQL, batched
``INSERT`` on SQLite). Every patient's local "today" is left free of check-ins and
sessions. A small JSON file lists a few accounts and the shared password for the
load runner.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Table, func, insert, select, text

from api.database import Base, make_engine
from api.outcomes import scoring
from api.triage import LEVEL_RANK, CheckInFacts, ProfileFacts, TriageResult, evaluate

PASSWORD = "benchmark-password-not-secret"
DEFAULT_OUT = Path(__file__).resolve().parent / ".seed.json"
BATCH_ROWS = 10_000
DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Time zones with the country patients there usually live in.
PLACES = (
    ("Europe/London", "GB"),
    ("Europe/London", "GB"),
    ("Europe/Dublin", "IE"),
    ("Europe/Berlin", "DE"),
    ("Europe/Paris", "FR"),
    ("Europe/Madrid", "ES"),
    ("America/New_York", "US"),
    ("America/Chicago", "US"),
    ("America/Los_Angeles", "US"),
    ("America/Toronto", "CA"),
    ("Australia/Sydney", "AU"),
    ("Pacific/Auckland", "NZ"),
    ("Asia/Kolkata", "IN"),
)
HISTORY_CODES = (
    ("smoker", 0.15),
    ("osteoporosis", 0.06),
    ("cancer", 0.03),
    ("long_term_steroids", 0.03),
    ("heart_disease", 0.04),
    ("lung_condition", 0.04),
    ("spinal_surgery", 0.02),
)
#: Red-flag answers and how often each is the one given (most are mild).
RED_FLAG_SYMPTOMS = (
    ("night_pain", 30),
    ("minor_trauma", 20),
    ("arm_numbness", 15),
    ("fever", 10),
    ("weight_loss", 8),
    ("pain_on_breathing", 7),
    ("leg_weakness", 4),
    ("chest_pain", 3),
    ("unsteady_walking", 2),
    ("bladder_change", 1),
)
RED_FLAG_SHARE = 0.02
CHECK_IN_SHARE = 0.85
SESSION_SHARE = 0.75

#: The order in which tables are written (foreign keys first).
TABLE_ORDER = (
    "users",
    "care_links",
    "programmes",
    "programme_versions",
    "programme_items",
    "programme_pauses",
    "check_ins",
    "alerts",
    "alert_events",
    "exercise_holds",
    "exercise_sessions",
    "session_entries",
    "outcome_scores",
)


@dataclass
class SeedReport:
    """What was written: rows per table, seconds taken, and accounts to sign in with."""

    counts: dict[str, int]
    elapsed: float
    credentials: dict[str, Any]


@dataclass
class _Catalogue:
    exercise_ids: dict[str, int]
    templates: list[dict[str, Any]]
    causes: list[str]


@dataclass
class _Writer:
    """Buffers rows per table and writes them in bulk, parents before children."""

    connection: Connection
    next_ids: dict[str, int]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pending: int = 0

    def new_id(self, table: str) -> int:
        self.next_ids[table] += 1
        return self.next_ids[table]

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)
        self.pending += 1

    def flush_if_full(self) -> None:
        if self.pending >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        for name in TABLE_ORDER:
            rows = self.rows.pop(name, None)
            if rows:
                _write(self.connection, Base.metadata.tables[name], rows)
                self.counts[name] += len(rows)
        self.pending = 0


def _write(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = [c.name for c in table.columns if c.name in rows[0]]
    json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                    for c in columns
                ]
            )


def _catalogue(connection: Connection) -> _Catalogue:
    tables = Base.metadata.tables
    exercises, templates, causes = (
        tables["exercises"],
        tables["programme_templates"],
        (tables["causes"]),
    )
    exercise_ids = dict(
        connection.execute(
            select(exercises.c.slug, exercises.c.id).where(exercises.c.retired_at.is_(None))
        ).all()
    )
    template_rows = connection.execute(
        select(templates.c.slug, templates.c.name, templates.c.data)
        .where(templates.c.owner_id.is_(None), templates.c.retired_at.is_(None))
        .order_by(templates.c.slug)
    ).all()
    usable = [
        {"slug": slug, "name": name, **data}
        for slug, name, data in template_rows
        if all(item["exercise"] in exercise_ids for item in data["items"])
    ]
    cause_slugs = list(connection.scalars(select(causes.c.slug).order_by(causes.c.slug)))
    if not usable:
        raise SystemExit("No built-in programme template found: load the catalogue first.")
    return _Catalogue(exercise_ids=exercise_ids, templates=usable, causes=cause_slugs)


def _max_ids(connection: Connection) -> dict[str, int]:
    tables = Base.metadata.tables
    return {
        name: connection.scalar(select(func.coalesce(func.max(tables[name].c.id), 0))) or 0
        for name in TABLE_ORDER
    }


def _reset_sequences(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for name in TABLE_ORDER:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"), false)'
            )
        )


def _at(day: dt.date, hour: int, minute: int, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(dt.UTC)


class _PatientSeeder:
    """Writes one patient's year: profile, link, programme, check-ins, sessions."""

    def __init__(
        self,
        writer: _Writer,
        catalogue: _Catalogue,
        rng: random.Random,
        password_hash: str,
        days: int,
        now: dt.datetime,
    ) -> None:
        self.writer = writer
        self.catalogue = catalogue
        self.rng = rng
        self.password_hash = password_hash
        self.days = days
        self.now = now

    def therapist(self, number: int) -> dict[str, Any]:
        user_id = self.writer.new_id("users")
        email = f"therapist{number:05d}@bench.upright.example"
        name = f"Therapist {number:05d}"
        user = self._user(user_id, email, name, "therapist", "Europe/London")
        self.writer.add("users", user)
        return {
            "id": user_id,
            "email": email,
            "display_name": name,
            "token_key": user["token_key"],
        }

    def _user(self, user_id: int, email: str, name: str, role: str, tz: str) -> dict[str, Any]:
        created = self.now - dt.timedelta(days=self.days + 30)
        return {
            "id": user_id,
            "email": email,
            "email_key": email.lower(),
            "password_hash": self.password_hash,
            "role": role,
            "display_name": name,
            "timezone": tz,
            "country": "GB" if role == "therapist" else None,
            "birth_year": None,
            "health_history": [],
            "conditions": [],
            "created_at": created,
            "updated_at": created,
            "token_key": secrets.token_hex(16),
        }

    def patient(self, number: int, therapist: dict[str, Any]) -> dict[str, Any]:
        rng, writer = self.rng, self.writer
        timezone, country = rng.choice(PLACES)
        tz = ZoneInfo(timezone)
        today = self.now.astimezone(tz).date()
        first_day = today - dt.timedelta(days=self.days)
        user_id = writer.new_id("users")
        email = f"patient{number:06d}@bench.upright.example"
        user = self._user(user_id, email, f"Patient {number:06d}", "patient", timezone)
        user["created_at"] = user["updated_at"] = _at(first_day, 9, 0, tz)
        user["country"] = country
        user["birth_year"] = rng.randint(1945, 2004)
        user["health_history"] = [code for code, p in HISTORY_CODES if rng.random() < p]
        user["conditions"] = rng.sample(self.catalogue.causes, k=min(rng.choice((0, 1, 1, 2)), 2))
        writer.add("users", user)
        writer.add(
            "care_links",
            {
                "id": writer.new_id("care_links"),
                "therapist_id": therapist["id"],
                "patient_id": user_id,
                "created_at": _at(first_day, 10, 0, tz),
                "ended_at": None,
            },
        )
        programme = self._programme(user_id, therapist["id"], first_day, tz)
        profile = ProfileFacts(
            birth_year=user["birth_year"],
            health_history=frozenset(user["health_history"]),
            country=country,
        )
        hold = self._check_ins(user_id, therapist, profile, first_day, today, tz)
        if hold:
            writer.rows["programmes"][-1].update(
                status="paused", paused_by="triage", updated_at=hold
            )
            writer.add(
                "programme_pauses",
                {
                    "id": writer.new_id("programme_pauses"),
                    "programme_id": programme["id"],
                    "paused_by": "triage",
                    "started_at": hold,
                    "ended_at": None,
                },
            )
        last_day = hold.astimezone(tz).date() if hold else today
        self._sessions(user_id, programme, first_day, last_day, tz)
        self._outcomes(user_id, first_day, today)
        writer.flush_if_full()
        return {
            "id": user_id,
            "email": email,
            "token_key": user["token_key"],
            "timezone": timezone,
            "programme_id": programme["id"],
            "items": [
                {"id": item["id"], "exercise": item["exercise_slug"]}
                for item in programme["items"][:3]
            ],
            "on_hold": bool(hold),
        }

    def _programme(
        self, patient_id: int, therapist_id: int, first_day: dt.date, tz: ZoneInfo
    ) -> dict[str, Any]:
        writer, template = self.writer, self.rng.choice(self.catalogue.templates)
        programme_id = writer.new_id("programmes")
        version_id = writer.new_id("programme_versions")
        created = _at(first_day, 10, 30, tz)
        days = list(template.get("days_of_week") or DAY_CODES)
        writer.add(
            "programmes",
            {
                "id": programme_id,
                "patient_id": patient_id,
                "created_by_id": therapist_id,
                "template_slug": template["slug"],
                "title": template["name"][:120],
                "status": "active",
                "paused_by": None,
                "starts_on": first_day,
                "ends_on": None,
                "current_version": 1,
                "created_at": created,
                "updated_at": created,
            },
        )
        writer.add(
            "programme_versions",
            {
                "id": version_id,
                "programme_id": programme_id,
                "number": 1,
                "days_of_week": days,
                "warnings": [],
                "override_reason": None,
                "overridden": [],
                "created_by_id": therapist_id,
                "created_at": created,
            },
        )
        items = []
        for position, entry in enumerate(template["items"]):
            item = {
                "id": writer.new_id("programme_items"),
                "version_id": version_id,
                "position": position,
                "exercise_id": self.catalogue.exercise_ids[entry["exercise"]],
                "exercise_slug": entry["exercise"],
                "sets": entry.get("sets", 2),
                "reps": entry.get("reps"),
                "hold_seconds": entry.get("hold_seconds"),
                "rest_seconds": entry.get("rest_seconds", 30),
                "times_per_day": entry.get("times_per_day", 1),
                "days_of_week": list(entry.get("days_of_week") or days),
                "load": entry.get("load"),
                "side": entry.get("side"),
                "notes": entry.get("notes"),
            }
            writer.add("programme_items", item)
            items.append(item)
        return {"id": programme_id, "days": set(days), "items": items}

    def _check_ins(
        self,
        patient_id: int,
        therapist: dict[str, Any],
        profile: ProfileFacts,
        first_day: dt.date,
        today: dt.date,
        tz: ZoneInfo,
    ) -> dt.datetime | None:
        """Daily check-ins up to yesterday; returns when an active hold began, if any."""
        rng, writer = self.rng, self.writer
        baseline = rng.uniform(4.0, 8.0)
        responder = rng.random() < 0.8
        target = baseline * (rng.uniform(0.3, 0.7) if responder else rng.uniform(0.9, 1.1))
        calm = evaluate(CheckInFacts(date=today, pain=round(baseline)), profile)
        calm_triage = calm.to_dict()
        open_alerts: dict[str, dict[str, Any]] = {}
        active_hold: dict[str, Any] | None = None
        for n in range(self.days):
            day = first_day + dt.timedelta(days=n)
            if rng.random() > CHECK_IN_SHARE:
                continue
            progress = n / max(self.days - 1, 1)
            level = baseline + (target - baseline) * min(progress * 2.5, 1.0)
            pain = max(0, min(10, round(rng.gauss(level, 1.0))))
            created = _at(day, rng.randint(7, 21), rng.randint(0, 59), tz)
            symptoms: list[str] = []
            triage, triage_level = calm_triage, calm.level
            result: TriageResult | None = None
            if rng.random() < RED_FLAG_SHARE:
                symptoms = [_weighted(rng, RED_FLAG_SYMPTOMS)]
                result = evaluate(
                    CheckInFacts(
                        date=day,
                        pain=pain,
                        worst_pain=min(10, pain + 2),
                        symptoms=frozenset(symptoms),
                        pain_onset="changed",
                    ),
                    profile,
                )
                triage, triage_level = result.to_dict(), result.level
            check_in_id = writer.new_id("check_ins")
            writer.add(
                "check_ins",
                {
                    "id": check_in_id,
                    "patient_id": patient_id,
                    "client_id": None,
                    "local_date": day,
                    "pain": pain,
                    "worst_pain": min(10, pain + rng.randint(0, 2)),
                    "stiffness": max(0, min(10, pain + rng.randint(-2, 1))),
                    "interference": max(0, min(10, pain + rng.randint(-3, 0))),
                    "sleep_quality": max(0, min(10, 10 - pain + rng.randint(-2, 2))),
                    "mood": max(0, min(10, 9 - pain // 2 + rng.randint(-2, 1))),
                    "medication_taken": pain >= 6 and rng.random() < 0.5,
                    "pain_areas": ["upper_back"] + (["neck"] if rng.random() < 0.3 else []),
                    "symptoms": symptoms,
                    "pain_onset": "changed" if symptoms else "usual",
                    "episode_started_on": None,
                    "notes": None,
                    "triage_level": triage_level,
                    "triage": triage,
                    "created_at": created,
                    "updated_at": created,
                },
            )
            if result is not None:
                active_hold = self._alerts(
                    patient_id,
                    therapist,
                    result,
                    check_in_id,
                    day,
                    created,
                    open_alerts,
                    active_hold,
                )
        return active_hold["placed_at"] if active_hold else None

    def _alerts(
        self,
        patient_id: int,
        therapist: dict[str, Any],
        result: TriageResult,
        check_in_id: int,
        day: dt.date,
        created: dt.datetime,
        open_alerts: dict[str, dict[str, Any]],
        active_hold: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        """Alerts (one open per rule: later evidence is attached), events and holds."""
        rng, writer = self.rng, self.writer
        touched: list[dict[str, Any]] = []
        for rule in result.rules:
            evidence = {
                "check_in_id": check_in_id,
                "date": day.isoformat(),
                "answers": rule.evidence,
            }
            alert = open_alerts.get(rule.id)
            if alert is not None and (
                alert["resolved_at"] is None or alert["resolved_at"] > created
            ):
                alert["evidence"].append(evidence)
                touched.append(alert)
                self._event(alert["id"], "evidence_added", None, created, check_in_id=check_in_id)
                continue
            age_days = (self.now - created).days
            roll = rng.random()
            if age_days > 3 and result.pause_exercise:
                status = "resolved"  # urgent alerts are dealt with within days
            elif age_days > 14:
                status = "resolved" if roll < 0.9 else ("acknowledged" if roll < 0.95 else "open")
            else:
                status = "open" if roll < 0.5 else ("acknowledged" if roll < 0.8 else "resolved")
            acknowledged = created + dt.timedelta(hours=rng.randint(1, 30))
            resolved = acknowledged + dt.timedelta(hours=rng.randint(2, 72))
            if status == "resolved" and resolved > self.now:
                status = "acknowledged"
            if status != "open" and acknowledged > self.now:
                status = "open"
            alert = {
                "id": writer.new_id("alerts"),
                "patient_id": patient_id,
                "rule_id": rule.id,
                "rule_version": rule.version,
                "level": rule.level,
                "level_rank": LEVEL_RANK[rule.level],
                "title": rule.title,
                "patient_message": rule.patient_message,
                "clinician_message": rule.clinician_message,
                "source": rule.source,
                "status": status,
                "evidence": [evidence],
                "created_at": created,
                "updated_at": resolved if status == "resolved" else created,
                "resolved_at": resolved if status == "resolved" else None,
                "outcome": rng.choice(("assessed_safe_to_continue", "not_a_concern"))
                if status == "resolved"
                else None,
            }
            writer.add("alerts", alert)
            open_alerts[rule.id] = alert
            touched.append(alert)
            self._event(alert["id"], "raised", None, created, check_in_id=check_in_id)
            if status != "open":
                self._event(alert["id"], "acknowledged", therapist, acknowledged)
            if status == "resolved":
                self._event(alert["id"], "resolved", therapist, resolved, outcome=alert["outcome"])
        if not result.pause_exercise or active_hold is not None:
            return active_hold
        ends = [alert["resolved_at"] for alert in touched]
        resolved_until = max(ends) if ends and None not in ends else None
        hold = {
            "id": writer.new_id("exercise_holds"),
            "patient_id": patient_id,
            "level": result.level,
            "reason": result.headline,
            "check_in_id": check_in_id,
            "placed_at": created,
            "lifted_at": resolved_until,
            "lifted_by_id": therapist["id"] if resolved_until else None,
        }
        writer.add("exercise_holds", hold)
        return hold if resolved_until is None else None

    def _event(
        self,
        alert_id: int,
        action: str,
        actor: dict[str, Any] | None,
        at: dt.datetime,
        **fields: Any,
    ) -> None:
        self.writer.add(
            "alert_events",
            {
                "id": self.writer.new_id("alert_events"),
                "alert_id": alert_id,
                "action": action,
                "actor_id": actor["id"] if actor else None,
                "actor_name": actor["display_name"] if actor else None,
                "note": None,
                "outcome": fields.get("outcome"),
                "check_in_id": fields.get("check_in_id"),
                "at": at,
            },
        )

    def _sessions(
        self,
        patient_id: int,
        programme: dict[str, Any],
        first_day: dt.date,
        today: dt.date,
        tz: ZoneInfo,
    ) -> None:
        rng, writer = self.rng, self.writer
        day = first_day
        while day < today:
            weekday = DAY_CODES[day.weekday()]
            if weekday in programme["days"] and rng.random() < SESSION_SHARE:
                session_id = writer.new_id("exercise_sessions")
                started = _at(day, rng.randint(7, 20), rng.randint(0, 59), tz)
                pain_before = rng.randint(1, 7)
                writer.add(
                    "exercise_sessions",
                    {
                        "id": session_id,
                        "patient_id": patient_id,
                        "client_id": f"seed-{session_id}",
                        "programme_id": programme["id"],
                        "programme_version": 1,
                        "started_at": started,
                        "ended_at": started + dt.timedelta(minutes=rng.randint(10, 35)),
                        "local_date": day,
                        "pain_before": pain_before,
                        "pain_after": max(0, pain_before + rng.randint(-2, 1)),
                        "notes": None,
                        "advice": [],
                        "created_at": started,
                    },
                )
                due = [i for i in programme["items"] if weekday in i["days_of_week"]]
                for position, item in enumerate(d for d in due if rng.random() < 0.9):
                    writer.add(
                        "session_entries",
                        {
                            "id": writer.new_id("session_entries"),
                            "session_id": session_id,
                            "position": position,
                            "exercise_id": item["exercise_id"],
                            "exercise_slug": item["exercise_slug"],
                            "programme_item_id": item["id"],
                            "sets_done": item["sets"],
                            "reps_done": item["reps"],
                            "hold_seconds": item["hold_seconds"],
                            "load": item["load"],
                            "pain_during": rng.randint(0, 4),
                            "effort": rng.randint(3, 8),
                            "notes": None,
                        },
                    )
            day += dt.timedelta(days=1)

    def _outcomes(self, patient_id: int, first_day: dt.date, today: dt.date) -> None:
        rng, writer = self.rng, self.writer
        day, worst = first_day, rng.randint(2, 4)
        while day < today:
            answers = {
                item: max(0, min(5, worst + rng.randint(-1, 1))) for item in scoring.NDI_ITEMS
            }
            result = scoring.score("ndi", answers)
            writer.add(
                "outcome_scores",
                {
                    "id": writer.new_id("outcome_scores"),
                    "patient_id": patient_id,
                    "instrument": "ndi",
                    "answers": answers,
                    "completed_on": day,
                    "created_at": _at(day, 12, 0, ZoneInfo("UTC")),
                    **result,
                },
            )
            worst = max(0, worst - rng.randint(0, 1))
            day += dt.timedelta(days=90)


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def prepare(database_url: str) -> Engine:
    """Migrate to head and load the catalogue through the app; returns the app's engine."""
    from alembic import command

    from api import create_app
    from api.database import state
    from api.migrate import alembic_config

    command.upgrade(alembic_config(database_url), "head")
    # An explicit key: nothing is signed here, and development would keep one on disk.
    config = {"SECRET_KEY": secrets.token_urlsafe(48), "RATELIMIT_ENABLED": False}
    app = create_app({"DATABASE_URL": database_url, **config})
    with app.app_context():
        app.extensions["upright.catalogue_loader"]()
    return state(app).engine


def seed(
    database_url: str,
    *,
    patients: int,
    days: int,
    therapists: int | None = None,
    rng_seed: int = 1,
    out: Path | None = DEFAULT_OUT,
    now: dt.datetime | None = None,
) -> SeedReport:
    """Write ``patients`` patients with ``days`` days of history; returns the counts."""
    from api.accounts.credentials import hash_password

    started = time.monotonic()
    engine = prepare(database_url)
    therapists = therapists or max(1, round(patients / 25))
    rng = random.Random(rng_seed)
    password_hash = hash_password(PASSWORD)
    now = now or dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as connection:
            catalogue = _catalogue(connection)
            writer = _Writer(connection=connection, next_ids=_max_ids(connection))
            first_user = writer.next_ids["users"] + 1
            seeder = _PatientSeeder(writer, catalogue, rng, password_hash, days, now)
            staff = [seeder.therapist(number) for number in range(1, therapists + 1)]
            accounts = [
                seeder.patient(number, staff[(number - 1) % therapists])
                for number in range(1, patients + 1)
            ]
            writer.flush()
            _reset_sequences(connection)
            counts = dict(writer.counts)
        if engine.dialect.name == "postgresql":
            # ANALYZE, and VACUUM as well: freshly copied pages otherwise get their hint
            # bits and visibility map written by the first reads and by autovacuum, which
            # would then run during the measurements. On an engine without the app's time
            # bounds: a year of 10,000 patients takes minutes to vacuum.
            unbounded = make_engine(database_url)
            try:
                with unbounded.connect() as connection:
                    autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
                    autocommit.execute(text("VACUUM (ANALYZE)"))
            finally:
                unbounded.dispose()
    finally:
        engine.dispose()
    credentials = {
        "password": PASSWORD,
        "first_user_id": first_user,
        "therapists": staff[: min(len(staff), 50)],
        "patients": [p for p in accounts if not p["on_hold"]][:200],
        "patients_on_hold": [p["id"] for p in accounts if p["on_hold"]][:20],
    }
    report = SeedReport(counts=counts, elapsed=time.monotonic() - started, credentials=credentials)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(credentials, indent=1), encoding="utf-8")
    return report


def print_report(report: SeedReport, stream: Any = sys.stdout) -> None:
    for name in TABLE_ORDER:
        print(f"  {name:<20} {report.counts.get(name, 0):>12,}", file=stream)
    total = sum(report.counts.values())
    print(f"  {'total rows':<20} {total:>12,}   in {report.elapsed:.1f} s", file=stream)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seed", description=__doc__)
    parser.add_argument("--patients", type=int, required=True)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--therapists", type=int, default=None, help="default: 1 per 25 patients")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="credentials JSON")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not args.url:
        parser.error("set DATABASE_URL or pass --url")
    report = seed(
        args.url,
        patients=args.patients,
        days=args.days,
        therapists=args.therapists,
        rng_seed=args.seed,
        out=args.out,
    )
    print(f"Seeded {args.patients} patients x {args.days} days:")
    print_report(report)
    print(f"Credentials: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
