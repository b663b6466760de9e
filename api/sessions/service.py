"""Exercise sessions: logging (idempotent), pain-guided advice, deleting, "done" counts.

The advice follows the pain-monitoring model (Silbernagel KG, Thomeé R, Eriksson BI,
Karlsson J. Continued sports activity, using a pain-monitoring model, during
rehabilitation in patients with Achilles tendinopathy. Am J Sports Med
2007;35(6):897-906; applied to the back by extrapolation, see clinical/TRIAGE.md):
pain during exercise 0-2/10 is safe, 3-5/10 acceptable, above 5/10 too much, and
the next day's response decides. Painful exercise gives at most a small
short-term benefit (Smith BE, Hendrick P, Smith TO, et al. Should exercises be
painful in the management of chronic musculoskeletal pain? Br J Sports Med
2017;51(23):1679-1687), so the advice never asks anyone to push through pain.
Advice is not an alert: it is returned with the session and stored as a
PainNotice that the therapist sees.

A suggested regression or progression is the next step of the exercise's ladder that the
patient's conditions and health history leave open (``catalogue.safe_ladders``): a step
they rule out is skipped for the one beyond it, or no step is suggested.

While an exercise hold stands (an urgent or emergency triage verdict), a session is still
kept, marked ``logged_during_hold``, and its advice starts with the hold's safety advice:
the level, headline and advice of the triage verdict that placed (or last raised) it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.alerts.service import Hold, active_hold
from api.catalogue import service as catalogue
from api.catalogue.service import CatalogueExercise as Exercise  # the read API's exercise
from api.checkins import service as checkins
from api.checkins.models import CheckIn  # the pain-guided advice's next-day check
from api.database import utcnow
from api.errors import Conflict, InvalidInput
from api.policy import own_record
from api.programmes import service as programmes
from api.sessions.models import HOLD_ADVICE_KIND, ExerciseSession, PainNotice, SessionEntry

MAX_LATE = dt.timedelta(days=7)
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_LENGTH = dt.timedelta(hours=6)
DELETE_WINDOW = dt.timedelta(hours=24)

TOO_MUCH_PAIN = 5  # pain during above this is "too much" (Silbernagel 2007)
NEXT_DAY_RISE = 2  # next-day pain this far above baseline: lower the dose
BASELINE_DAYS = 7
PROGRESSION_WINDOW_DAYS = 14
PROGRESSION_MIN_SESSIONS = 4
PROGRESSION_MIN_SPAN_DAYS = 10
PROGRESSION_MAX_EFFORT = 4
PROGRESSION_MAX_PAIN = 2

SILBERNAGEL = (
    "Silbernagel KG et al. Am J Sports Med 2007;35(6):897-906 (pain-monitoring model: "
    "pain during exercise above 5/10 is too much; the 24-hour response decides)"
)
SMITH = (
    "Smith BE et al. Br J Sports Med 2017;51(23):1679-1687 (painful exercise gives at most "
    "a small short-term benefit)"
)
PROGRESSION_SOURCE = (
    f"{SILBERNAGEL}; progression once an exercise is easy and pain-free is common practice"
)

ENTRY_FIELDS = (
    "sets_done",
    "reps_done",
    "hold_seconds",
    "load",
    "pain_during",
    "effort",
    "notes",
)


# --- creating --------------------------------------------------------------------------


def _existing(db_session: Session, patient_id: int, client_id: str) -> ExerciseSession | None:
    return db_session.scalar(
        select(ExerciseSession).where(
            ExerciseSession.patient_id == patient_id, ExerciseSession.client_id == client_id
        )
    )


def _check_times(started_at: dt.datetime, ended_at: dt.datetime | None, now: dt.datetime) -> None:
    if started_at > now + CLOCK_SKEW:
        raise InvalidInput({"started_at": ["A session cannot start in the future."]})
    if started_at < now - MAX_LATE:
        raise InvalidInput(
            {"started_at": [f"A session can be logged at most {MAX_LATE.days} days later."]}
        )
    if ended_at is None:
        return
    if ended_at > now + CLOCK_SKEW:
        raise InvalidInput({"ended_at": ["A session cannot end in the future."]})
    if ended_at < started_at:
        raise InvalidInput({"ended_at": ["ended_at must not be before started_at."]})
    if ended_at - started_at > MAX_LENGTH:
        hours = int(MAX_LENGTH.total_seconds() // 3600)
        raise InvalidInput({"ended_at": [f"A session lasts at most {hours} hours."]})


def _own_programme(
    db_session: Session, patient: User, programme_id: int | None
) -> programmes.ProgrammeRef | None:
    if programme_id is None:
        return None
    return programmes.own_programme(db_session, patient, programme_id)


def _exercises(db_session: Session, entries: list[dict[str, Any]]) -> dict[str, Exercise]:
    slugs = {entry["exercise"] for entry in entries}
    found = catalogue.exercises_by_slug(db_session, slugs)
    unknown = {
        str(n): [f"Unknown exercise '{entry['exercise']}'."]
        for n, entry in enumerate(entries)
        if entry["exercise"] not in found
    }
    if unknown:
        raise InvalidInput({"entries": unknown}, "Some exercises are not in the catalogue.")
    return found


def _programme_items(
    db_session: Session, programme: programmes.ProgrammeRef | None, entries: list[dict[str, Any]]
) -> dict[int, str]:
    """The programme items the entries name, with their exercise: each must be an item of
    ``programme`` (any version) for the same exercise."""
    wanted = {e["programme_item"] for e in entries if e.get("programme_item") is not None}
    if not wanted:
        return {}
    if programme is None:
        raise InvalidInput(
            {"programme_id": ["Give programme_id when entries name a programme_item."]}
        )
    items = programmes.item_exercises(db_session, programme.id, wanted)
    errors: dict[str, list[str]] = {}
    for n, entry in enumerate(entries):
        item_id = entry.get("programme_item")
        if item_id is None:
            continue
        slug = items.get(item_id)
        if slug is None:
            errors[str(n)] = [f"Programme item {item_id} is not part of programme {programme.id}."]
        elif slug != entry["exercise"]:
            errors[str(n)] = [f"Programme item {item_id} is '{slug}', not '{entry['exercise']}'."]
    if errors:
        raise InvalidInput({"entries": errors}, "Some entries do not match the programme.")
    return items


def create(
    *, db_session: Session, patient: User, data: dict[str, Any], now: dt.datetime | None = None
) -> tuple[ExerciseSession, bool]:
    """Log a session and give pain-guided advice. Returns (session, created); a
    replay of the same client_id returns the original with created=False."""
    replay = _existing(db_session, patient.id, data["client_id"])
    if replay is not None:
        return replay, False
    now = now or utcnow()
    started_at, ended_at = data["started_at"], data.get("ended_at")
    _check_times(started_at, ended_at, now)
    programme = _own_programme(db_session, patient, data.get("programme_id"))
    exercises = _exercises(db_session, data["entries"])
    _programme_items(db_session, programme, data["entries"])
    hold = active_hold(db_session, patient.id)
    exercise_session = ExerciseSession(
        patient_id=patient.id,
        client_id=data["client_id"],
        programme_id=programme.id if programme else None,
        programme_version=programme.current_version if programme else None,
        started_at=started_at,
        ended_at=ended_at,
        local_date=started_at.astimezone(ZoneInfo(patient.timezone)).date(),
        pain_before=data.get("pain_before"),
        pain_after=data.get("pain_after"),
        notes=data.get("notes"),
        advice=[],
        logged_during_hold=hold is not None,
    )
    for position, entry in enumerate(data["entries"]):
        exercise = exercises[entry["exercise"]]
        exercise_session.entries.append(
            SessionEntry(
                position=position,
                exercise_id=exercise.id,
                exercise_slug=exercise.slug,
                programme_item_id=entry.get("programme_item"),
                **{field: entry.get(field) for field in ENTRY_FIELDS},
            )
        )
    try:
        with db_session.begin_nested():
            db_session.add(exercise_session)
            db_session.flush()
    except IntegrityError:
        replay = _existing(db_session, patient.id, data["client_id"])
        if replay is not None:
            return replay, False
        raise
    advice = pain_advice(db_session=db_session, patient=patient, exercise_session=exercise_session)
    if hold is not None:
        exercise_session.safety = hold_safety(db_session, hold)
        advice = [hold_advice(exercise_session.safety), *advice]
    exercise_session.advice = advice
    for item in advice:
        if item["kind"] == HOLD_ADVICE_KIND:
            continue  # the therapist has the alert itself, and sees the session marked
        db_session.add(
            PainNotice(
                patient_id=patient.id,
                session_id=exercise_session.id,
                kind=item["kind"],
                exercise_slug=item["exercise"],
                message=item["message"],
            )
        )
    db_session.flush()
    return exercise_session, True


# --- exercise hold ---------------------------------------------------------------------


def hold_safety(db_session: Session, hold: Hold) -> dict[str, Any]:
    """The safety advice of a standing hold, in the words of the triage verdict behind it:
    the latest check-in since the hold was placed whose verdict has the hold's level."""
    verdict = checkins.verdict_behind_hold(
        db_session,
        patient_id=hold.patient_id,
        level=hold.level,
        check_in_id=hold.check_in_id,
        since=hold.placed_at,
    )
    return {
        "level": hold.level,
        "headline": verdict.headline or hold.reason,
        "advice": verdict.advice
        or (
            "Your exercises are paused after your check-in answers. Follow the advice you "
            "were given; they resume once a clinician has reviewed the alert."
        ),
        "emergency_number": verdict.emergency_number,
        "rules": list(verdict.rule_ids),
        "since": hold.placed_at.isoformat(),
    }


def hold_advice(safety: dict[str, Any]) -> dict[str, Any]:
    """The first advice item of a session logged during a hold."""
    rules = ", ".join(safety["rules"])
    return {
        "kind": HOLD_ADVICE_KIND,
        "rule": "exercise_hold",
        "level": safety["level"],
        "exercise": None,
        "exercise_name": None,
        "suggestion": None,
        "message": f"{safety['headline']} {safety['advice']}",
        "source": "Triage verdict behind your exercise hold"
        + (f" (rules {rules})" if rules else ""),
    }


# --- advice ----------------------------------------------------------------------------


def pain_advice(
    *, db_session: Session, patient: User, exercise_session: ExerciseSession
) -> list[dict[str, Any]]:
    """Advice after a session, in order: too much pain during an exercise; pain above
    baseline the day after the previous session; exercises ready to progress."""
    advice = _pain_during_advice(db_session, patient, exercise_session)
    advice += _next_day_advice(db_session, patient, exercise_session)
    advice += _progression_advice(db_session, patient, exercise_session)
    return advice


def _safe_first_steps(
    db_session: Session, patient: User, exercises: list[Exercise], ladder: str
) -> dict[str, dict[str, str] | None]:
    """Each exercise's first step on ``ladder`` that the patient's conditions and health
    history leave open (further along the ladder if the first is ruled out), or None."""
    codes = catalogue.personal_codes(patient)
    safe = catalogue.safe_ladders(db_session, exercises, codes)
    return {
        slug: {"slug": steps[ladder][0].slug, "name": steps[ladder][0].name}
        if steps[ladder]
        else None
        for slug, steps in safe.items()
    }


def _session_exercises(
    db_session: Session, exercise_session: ExerciseSession
) -> dict[str, Exercise]:
    return catalogue.exercises_by_slug(
        db_session, {entry.exercise_slug for entry in exercise_session.entries}
    )


def _pain_during_advice(
    db_session: Session, patient: User, exercise_session: ExerciseSession
) -> list[dict[str, Any]]:
    """Pain during an exercise above 5/10: its first safe regression, else a lower dose."""
    painful: dict[str, int] = {}
    for entry in exercise_session.entries:
        if entry.pain_during is not None and entry.pain_during > TOO_MUCH_PAIN:
            painful[entry.exercise_slug] = max(
                painful.get(entry.exercise_slug, 0), entry.pain_during
            )
    if not painful:
        return []
    exercises = _session_exercises(db_session, exercise_session)
    regressions = _safe_first_steps(
        db_session, patient, [exercises[slug] for slug in painful], "regressions"
    )
    advice = []
    for slug, pain in painful.items():
        exercise = exercises[slug]
        regression = regressions[slug]
        opening = (
            f"Your pain during {exercise.name} reached {pain}/10. Above 5/10 is more than "
            "exercise should hurt, and pushing through pain brings no extra benefit."
        )
        if regression is not None:
            kind = "regress"
            action = (
                f" Next time do {regression['name']} instead, the easier step of this exercise."
            )
        else:
            kind = "reduce_dose"
            action = (
                " Next time do a lower dose: fewer sets or repetitions, a shorter hold or a "
                "smaller range, so that pain stays at 5/10 or below."
            )
        advice.append(
            {
                "kind": kind,
                "rule": "pain_during",
                "exercise": slug,
                "exercise_name": exercise.name,
                "suggestion": regression,
                "message": opening
                + action
                + " Your therapist will see this note. If the pain does not settle, contact them.",
                "source": f"{SILBERNAGEL}; {SMITH}",
            }
        )
    return advice


def _next_day_advice(
    db_session: Session, patient: User, exercise_session: ExerciseSession
) -> list[dict[str, Any]]:
    """Pain on the day after the previous session >= 2 points above the baseline (mean
    check-in pain of the 7 days before that session): lower that session's dose."""
    previous = db_session.scalar(
        select(ExerciseSession)
        .where(
            ExerciseSession.patient_id == patient.id,
            ExerciseSession.id != exercise_session.id,
            ExerciseSession.started_at < exercise_session.started_at,
        )
        .order_by(ExerciseSession.started_at.desc(), ExerciseSession.id.desc())
        .limit(1)
    )
    if previous is None:
        return []
    day = previous.local_date
    rows = db_session.execute(
        select(CheckIn.local_date, CheckIn.pain).where(
            CheckIn.patient_id == patient.id,
            CheckIn.local_date >= day - dt.timedelta(days=BASELINE_DAYS),
            CheckIn.local_date <= day + dt.timedelta(days=1),
        )
    ).all()
    next_day = [pain for date, pain in rows if date == day + dt.timedelta(days=1)]
    before = [pain for date, pain in rows if date < day]
    if not next_day or not before:
        return []
    baseline = sum(before) / len(before)
    rise = next_day[0] - baseline
    if rise < NEXT_DAY_RISE:
        return []
    exercises = catalogue.exercises_by_slug(db_session, {e.exercise_slug for e in previous.entries})
    advice = []
    for slug in dict.fromkeys(e.exercise_slug for e in previous.entries):
        name = exercises[slug].name if slug in exercises else slug
        advice.append(
            {
                "kind": "reduce_dose",
                "rule": "next_day_pain",
                "exercise": slug,
                "exercise_name": name,
                "suggestion": None,
                "message": (
                    f"The day after your session on {day.isoformat()} your pain was "
                    f"{next_day[0]}/10, {rise:.1f} points above your usual {baseline:.1f}/10. "
                    f"Lower the dose of {name} for now (fewer sets or repetitions, or a shorter "
                    "hold) until pain the next day stays at your usual level. Your therapist "
                    "will see this note."
                ),
                "source": f"{SILBERNAGEL}; {SMITH}",
            }
        )
    return advice


def _progression_advice(
    db_session: Session, patient: User, exercise_session: ExerciseSession
) -> list[dict[str, Any]]:
    """An exercise easy and pain-free for 14 days (>= 4 sessions spanning >= 10 days,
    every entry effort <= 4 and pain <= 2): suggest its first safe progression. Not while
    exercise is on hold, and not again within 14 days of the same suggestion."""
    slugs = {entry.exercise_slug for entry in exercise_session.entries}
    since = exercise_session.local_date - dt.timedelta(days=PROGRESSION_WINDOW_DAYS - 1)
    rows = db_session.execute(
        select(
            SessionEntry.exercise_slug,
            SessionEntry.session_id,
            ExerciseSession.local_date,
            SessionEntry.effort,
            SessionEntry.pain_during,
        )
        .join(ExerciseSession, SessionEntry.session_id == ExerciseSession.id)
        .where(
            ExerciseSession.patient_id == patient.id,
            ExerciseSession.local_date >= since,
            ExerciseSession.local_date <= exercise_session.local_date,
            SessionEntry.exercise_slug.in_(slugs),
        )
    ).all()
    by_exercise: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_exercise[row.exercise_slug].append(row)
    ready = []
    for slug, entries in by_exercise.items():
        sessions = {row.session_id for row in entries}
        dates = [row.local_date for row in entries]
        easy = all(
            row.effort is not None
            and row.effort <= PROGRESSION_MAX_EFFORT
            and row.pain_during is not None
            and row.pain_during <= PROGRESSION_MAX_PAIN
            for row in entries
        )
        span = (max(dates) - min(dates)).days
        if easy and len(sessions) >= PROGRESSION_MIN_SESSIONS and span >= PROGRESSION_MIN_SPAN_DAYS:
            ready.append((slug, len(sessions), span))
    if not ready or active_hold(db_session, patient.id) is not None:
        return []
    recent = set(
        db_session.scalars(
            select(PainNotice.exercise_slug).where(
                PainNotice.patient_id == patient.id,
                PainNotice.kind == "progress",
                PainNotice.created_at >= utcnow() - dt.timedelta(days=PROGRESSION_WINDOW_DAYS),
            )
        )
    )
    exercises = _session_exercises(db_session, exercise_session)
    progressions = _safe_first_steps(
        db_session, patient, [exercises[slug] for slug, _, _ in ready], "progressions"
    )
    advice = []
    for slug, count, span in sorted(ready):
        exercise = exercises[slug]
        progression = progressions[slug]
        if progression is None or slug in recent:
            continue
        advice.append(
            {
                "kind": "progress",
                "rule": "progression",
                "exercise": slug,
                "exercise_name": exercise.name,
                "suggestion": progression,
                "message": (
                    f"{exercise.name} has felt easy and pain-free in your last {count} sessions "
                    f"over {span + 1} days (effort 4/10 or less, pain 2/10 or less). You could "
                    f"move on to {progression['name']}. Check with your therapist first if you "
                    "have one."
                ),
                "source": PROGRESSION_SOURCE,
            }
        )
    return advice


# --- reading and deleting ---------------------------------------------------------------


def list_stmt(patient_id: int, date_from: dt.date | None, date_to: dt.date | None) -> Select:
    if date_from and date_to and date_from > date_to:
        raise InvalidInput({"from": ["'from' must not be after 'to'."]})
    stmt = select(ExerciseSession).where(ExerciseSession.patient_id == patient_id)
    if date_from:
        stmt = stmt.where(ExerciseSession.local_date >= date_from)
    if date_to:
        stmt = stmt.where(ExerciseSession.local_date <= date_to)
    return stmt.order_by(ExerciseSession.started_at.desc(), ExerciseSession.id.desc())


def delete(
    *, db_session: Session, patient: User, session_id: int, now: dt.datetime | None = None
) -> None:
    """Delete your own session within 24 hours of logging it (its notices go too)."""
    exercise_session = own_record(db_session, patient, ExerciseSession, session_id, label="Session")
    if (now or utcnow()) - exercise_session.created_at > DELETE_WINDOW:
        raise Conflict(
            "A session can be deleted only within 24 hours of logging it; "
            "it is now part of your history."
        )
    db_session.delete(exercise_session)
    db_session.flush()


def done_counts(
    session: Session, patient: User, day: dt.date, item_ids: list[int]
) -> dict[int, int]:
    """How many logged sessions on ``day`` include each programme item."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(SessionEntry.programme_item_id, func.count(func.distinct(ExerciseSession.id)))
        .join(ExerciseSession, SessionEntry.session_id == ExerciseSession.id)
        .where(
            ExerciseSession.patient_id == patient.id,
            ExerciseSession.local_date == day,
            SessionEntry.programme_item_id.in_(item_ids),
        )
        .group_by(SessionEntry.programme_item_id)
    )
    return {item_id: count for item_id, count in rows}


# --- read API for other domains -------------------------------------------------------


def sessions_between(db_session: Session, patient_id: int, first: dt.date, last: dt.date) -> int:
    """How many sessions the patient logged from ``first`` to ``last`` (local dates)."""
    return db_session.scalar(
        select(func.count())
        .select_from(ExerciseSession)
        .where(
            ExerciseSession.patient_id == patient_id,
            ExerciseSession.local_date >= first,
            ExerciseSession.local_date <= last,
        )
    )


def done_by_day(
    db_session: Session, patient_id: int, windows: list[tuple[dt.date, dt.date]]
) -> dict[tuple[dt.date, int], int]:
    """(local date, programme item id) -> sessions with that item on that date, for the
    dates in any of the ``windows`` (first, last); one query."""
    rows = db_session.execute(
        select(
            ExerciseSession.local_date,
            SessionEntry.programme_item_id,
            func.count(func.distinct(ExerciseSession.id)),
        )
        .join(ExerciseSession, SessionEntry.session_id == ExerciseSession.id)
        .where(
            ExerciseSession.patient_id == patient_id,
            SessionEntry.programme_item_id.is_not(None),
            or_(
                *(
                    and_(ExerciseSession.local_date >= a, ExerciseSession.local_date <= b)
                    for a, b in windows
                )
            ),
        )
        .group_by(ExerciseSession.local_date, SessionEntry.programme_item_id)
    )
    return {(day, item_id): count for day, item_id, count in rows}


@dataclass(frozen=True)
class Notice:
    """A pain notice (advice after a session) as the therapist sees it."""

    id: int
    session_id: int
    kind: str
    exercise: str | None
    message: str
    created_at: dt.datetime


def notices_since(db_session: Session, patient_id: int, since: dt.datetime) -> list[Notice]:
    """The patient's pain notices since ``since``, newest first."""
    rows = db_session.scalars(
        select(PainNotice)
        .where(PainNotice.patient_id == patient_id, PainNotice.created_at >= since)
        .order_by(PainNotice.created_at.desc(), PainNotice.id.desc())
    )
    return [
        Notice(n.id, n.session_id, n.kind, n.exercise_slug, n.message, n.created_at) for n in rows
    ]


@dataclass(frozen=True)
class SessionDuringHold:
    session_id: int
    date: dt.date
    level: str | None  # the hold's level when the session was logged
    exercises: tuple[str, ...]
    highest_pain_during: int | None
    created_at: dt.datetime


def sessions_during_hold(
    db_session: Session, patient_id: int, first: dt.date, last: dt.date
) -> list[SessionDuringHold]:
    """Sessions logged while an exercise hold stood, from ``first`` to ``last``, newest
    first."""
    rows = db_session.scalars(
        select(ExerciseSession)
        .where(
            ExerciseSession.patient_id == patient_id,
            ExerciseSession.logged_during_hold.is_(True),
            ExerciseSession.local_date >= first,
            ExerciseSession.local_date <= last,
        )
        .order_by(ExerciseSession.started_at.desc(), ExerciseSession.id.desc())
    )
    found = []
    for row in rows:
        pains = [e.pain_during for e in row.entries if e.pain_during is not None]
        found.append(
            SessionDuringHold(
                session_id=row.id,
                date=row.local_date,
                level=(row.safety or {}).get("level"),
                exercises=tuple(e.exercise_slug for e in row.entries),
                highest_pain_during=max(pains) if pains else None,
                created_at=row.created_at,
            )
        )
    return found


# --- data rights -------------------------------------------------------------------------


def session_dict(exercise_session: ExerciseSession) -> dict[str, Any]:
    return {
        "client_id": exercise_session.client_id,
        "programme_id": exercise_session.programme_id,
        "programme_version": exercise_session.programme_version,
        "started_at": exercise_session.started_at.isoformat(),
        "ended_at": exercise_session.ended_at.isoformat() if exercise_session.ended_at else None,
        "date": exercise_session.local_date.isoformat(),
        "pain_before": exercise_session.pain_before,
        "pain_after": exercise_session.pain_after,
        "notes": exercise_session.notes,
        "entries": [
            {
                "exercise": entry.exercise_slug,
                "programme_item": entry.programme_item_id,
                **{field: getattr(entry, field) for field in ENTRY_FIELDS},
            }
            for entry in exercise_session.entries
        ],
        "advice": exercise_session.advice,
        "logged_during_hold": exercise_session.logged_during_hold,
        "safety": exercise_session.safety,
        "created_at": exercise_session.created_at.isoformat(),
    }


def _export_sessions(db_session: Session, user: User) -> list[dict[str, Any]]:
    rows = db_session.scalars(
        select(ExerciseSession)
        .where(ExerciseSession.patient_id == user.id)
        .order_by(ExerciseSession.started_at, ExerciseSession.id)
    )
    return [session_dict(s) for s in rows]


def notice_dict(notice: PainNotice) -> dict[str, Any]:
    return {
        "id": notice.id,
        "session_id": notice.session_id,
        "kind": notice.kind,
        "exercise": notice.exercise_slug,
        "message": notice.message,
        "created_at": notice.created_at.isoformat(),
    }


def _export_notices(db_session: Session, user: User) -> list[dict[str, Any]]:
    rows = db_session.scalars(
        select(PainNotice)
        .where(PainNotice.patient_id == user.id)
        .order_by(PainNotice.created_at, PainNotice.id)
    )
    return [notice_dict(n) for n in rows]
