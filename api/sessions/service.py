"""Exercise sessions: logging (idempotent), pain-guided advice, deleting, "done" counts.

The advice itself is a pure module (``api.advice``: facts in, advice out); this module
gathers its facts: the session's pain and effort, the patient's earlier sessions and
check-ins, the ladder steps their conditions and health history leave open
(``catalogue.safe_ladders``) and a standing exercise hold. Advice is not an alert: it is
returned with the session and stored as a PainNotice that the therapist sees.

While an exercise hold stands (an urgent or emergency triage verdict), a session is still
kept, marked ``logged_during_hold``, and its advice starts with the hold's safety advice:
the level, headline and advice of the triage verdict that placed (or last raised) it.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    SmallInteger,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import advice, bulk, changelog
from api.accounts.caller import Caller, StoredCaller, Vouched
from api.accounts.models import Role, User
from api.alerts.service import ACTIVE_HOLD
from api.alerts.service import Hold as StandingHold
from api.catalogue import service as catalogue
from api.catalogue.cache import kept_exercises  # the exercises, kept per catalogue version
from api.catalogue.service import CatalogueExercise as Exercise  # the read API's exercise
from api.checkins import service as checkins
from api.database import Prebuilt, first_read_without_checkout_ping, utcnow
from api.errors import Conflict, InvalidInput
from api.policy import own_record
from api.programmes import service as programmes
from api.sessions.models import HOLD_ADVICE_KIND, ExerciseSession, PainNotice, SessionEntry
from api.timeutil import time_zone

MAX_LATE = dt.timedelta(days=7)
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_LENGTH = dt.timedelta(hours=6)
DELETE_WINDOW = dt.timedelta(hours=24)

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


def _exercises(db_session: Session, entries: list[dict[str, Any]]) -> dict[str, Exercise]:
    slugs = {entry["exercise"] for entry in entries}
    found = kept_exercises(db_session).by_slug(slugs)
    unknown = {
        str(n): [f"Unknown exercise '{entry['exercise']}'."]
        for n, entry in enumerate(entries)
        if entry["exercise"] not in found
    }
    if unknown:
        raise InvalidInput({"entries": unknown}, "Some exercises are not in the catalogue.")
    return found


def _check_items(
    programme: programmes.ProgrammeRef | None, items: dict[int, str], entries: list[dict[str, Any]]
) -> None:
    """Each programme item the entries name must be an item of ``programme`` (any
    version; ``items``: those found, with their exercise) for the same exercise."""
    if not any(e.get("programme_item") is not None for e in entries):
        return
    if programme is None:
        raise InvalidInput(
            {"programme_id": ["Give programme_id when entries name a programme_item."]}
        )
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


def create(
    *,
    db_session: Session,
    patient: Caller,
    data: dict[str, Any],
    now: dt.datetime | None = None,
    alone: bool = False,
) -> tuple[ExerciseSession | LoggedSession, bool]:
    """Log a session and give pain-guided advice. Returns (session, created); a
    replay of the same client_id returns the original with created=False.

    ``patient``: signed in, or vouched for by their token (api/accounts/caller.py):
    confirmed by the first statement, else signed in and the session logged as for them.
    ``alone``: the session is the only write of the transaction (the REST request), so a
    concurrent request that stores the same client_id first is settled by rolling the
    transaction back rather than by a savepoint (two round trips fewer on every session);
    otherwise (a sync push) a savepoint keeps the rest of the transaction."""
    now = now or utcnow()
    started_at, ended_at = data["started_at"], data.get("ended_at")
    if not now - MAX_LATE <= started_at <= now + CLOCK_SKEW:  # a replay, or refused
        if isinstance(patient, Vouched):
            patient = patient.load()  # the replay's read is not the confirming one
        replay = _existing(db_session, patient.id, data["client_id"])
        if replay is not None:
            return replay, False
        _check_times(started_at, ended_at, now)
    # One statement: the replay of client_id, the previous session, recent entries, and
    # the programme the session names with the programme items of its entries (and the
    # caller's account, for a caller vouched for by their token).
    earlier = _earlier(db_session, patient, data, started_at)
    if isinstance(patient, Vouched) and not patient.confirm(earlier.caller):
        return create(
            db_session=db_session, patient=patient.load(), data=data, now=now, alone=alone
        )
    if earlier.replay_id is not None:
        return db_session.get_one(ExerciseSession, earlier.replay_id), False
    _check_times(started_at, ended_at, now)
    programme, items = None, {}
    if data.get("programme_id") is not None:
        programme, items = programmes.own_programme_items(
            data["programme_id"], earlier.programme_rows
        )
    exercises = _exercises(db_session, data["entries"])
    _check_items(programme, items, data["entries"])
    values, entries = _new_session(patient, data, programme, exercises, earlier.safety)
    # Advised before the INSERT (it reads earlier sessions only), so the row is written
    # once with its advice; the entries and the notices need the session's id, after.
    facts, readiness = _advice_facts(
        db_session, patient, values["local_date"], entries, values["safety"], exercises, earlier
    )
    given = [item.to_dict() for item in advice.advise(facts, readiness)]
    values.update(advice=given, created_at=utcnow())
    try:
        with nullcontext() if alone else db_session.begin_nested():
            # A plain INSERT with its change row (no unit of work: nothing else of the
            # transaction waits to be flushed with it); the answer is built from ``values``.
            session_id = changelog.insert(
                db_session,
                ExerciseSession,
                values,
                children=(
                    (SessionEntry.__table__, "session_id", entries),
                    (PainNotice.__table__, "session_id", _notices(patient, given)),
                ),
            )
    except IntegrityError:
        # A concurrent request stored the same client_id first: its session is the answer.
        if alone:
            db_session.rollback()
        replay = _existing(db_session, patient.id, values["client_id"])
        if replay is not None:
            return replay, False
        raise
    return _logged(session_id, values, entries), True


@dataclass(frozen=True)
class LoggedEntry:
    """An entry of a session just logged, as ``EntrySchema`` reads it."""

    position: int
    exercise_slug: str
    programme_item_id: int | None
    sets_done: int
    reps_done: int | None
    hold_seconds: int | None
    load: str | None
    pain_during: int | None
    effort: int | None
    notes: str | None


@dataclass(frozen=True)
class LoggedSession:
    """A session just logged, as ``SessionSchema`` reads it: the stored row's values and
    its entries as written (not read back)."""

    id: int
    patient_id: int
    client_id: str
    programme_id: int | None
    programme_version: int | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    local_date: dt.date
    pain_before: int | None
    pain_after: int | None
    notes: str | None
    entries: tuple[LoggedEntry, ...]
    advice: list[dict[str, Any]]
    logged_during_hold: bool
    safety: dict[str, Any] | None
    created_at: dt.datetime


def _logged(
    session_id: int, values: dict[str, Any], entries: list[dict[str, Any]]
) -> LoggedSession:
    return LoggedSession(
        id=session_id,
        **{name: values[name] for name in _SESSION_FIELDS},
        entries=tuple(
            LoggedEntry(**{name: entry[name] for name in _ENTRY_VIEW_FIELDS}) for entry in entries
        ),
    )


_SESSION_FIELDS = tuple(
    name for name in LoggedSession.__dataclass_fields__ if name not in ("id", "entries")
)
_ENTRY_VIEW_FIELDS = tuple(LoggedEntry.__dataclass_fields__)


def _new_session(
    patient: Caller,
    data: dict[str, Any],
    programme: programmes.ProgrammeRef | None,
    exercises: dict[str, Exercise],
    safety: dict[str, Any] | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The session's row as sent (every column but ``id``, ``advice`` and
    ``created_at``), marked with the safety advice of a standing exercise hold, and its
    entries' rows (written with the session, ``changelog.insert``'s children: the
    session's own change-log row covers them)."""
    started_at = data["started_at"]
    values = dict(
        patient_id=patient.id,
        client_id=data["client_id"],
        programme_id=programme.id if programme else None,
        programme_version=programme.current_version if programme else None,
        started_at=started_at,
        ended_at=data.get("ended_at"),
        local_date=started_at.astimezone(time_zone(patient.timezone)).date(),
        pain_before=data.get("pain_before"),
        pain_after=data.get("pain_after"),
        notes=data.get("notes"),
        logged_during_hold=safety is not None,
        safety=safety,
    )
    entries = []
    for position, entry in enumerate(data["entries"]):
        exercise = exercises[entry["exercise"]]
        entries.append(
            {
                "position": position,
                "exercise_id": exercise.id,
                "exercise_slug": exercise.slug,
                "programme_item_id": entry.get("programme_item"),
                **{field: entry.get(field) for field in ENTRY_FIELDS},
            }
        )
    return values, entries


def _notices(patient: Caller, given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The advice, but for the hold's safety advice, as notices the therapist sees (the
    therapist has the alert itself, and sees the session marked): rows written with the
    session (``changelog.insert``'s children)."""
    now = utcnow()
    return [
        {
            "patient_id": patient.id,
            "kind": item["kind"],
            "exercise_slug": item["exercise"],
            "message": item["message"],
            "created_at": now,
        }
        for item in given
        if item["kind"] != HOLD_ADVICE_KIND
    ]


# --- exercise hold ---------------------------------------------------------------------


def hold_safety(hold: StandingHold, verdict: checkins.Verdict) -> dict[str, Any]:
    """The safety advice of a standing hold, in the words of the triage verdict behind it
    (``checkins.verdict_behind``: the latest check-in since the hold was placed whose
    verdict has the hold's level)."""
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


# --- advice ----------------------------------------------------------------------------


def _advice_facts(
    db_session: Session,
    patient: Caller,
    date: dt.date,
    entries: list[dict[str, Any]],
    safety: dict[str, Any] | None,
    known: dict[str, Exercise],
    earlier: _Earlier,
) -> tuple[advice.SessionFacts, list[advice.Readiness]]:
    """What the advice (``api.advice.advise``) reads, for a session not yet stored (its
    local ``date`` and ``entries`` rows): the hold's safety advice while one stands
    (``safety``); the entries' pain; the previous session and the check-ins around it;
    earlier entries, by exercise. Recent progression suggestions and ladders are looked
    up only when the advice needs them. ``known``: catalogue exercises already loaded, by
    slug (not read again). With the exercises ready to progress (worked out once)."""
    previous = earlier.previous
    facts = advice.SessionFacts(
        date=date,
        entries=tuple(
            advice.EntryFacts(
                entry["exercise_slug"], pain_during=entry["pain_during"], effort=entry["effort"]
            )
            for entry in entries
        ),
        history=earlier.history,
        previous=previous,
        check_ins=earlier.check_ins,
        hold=_hold(safety),
    )
    readiness = advice.ready_to_progress(facts)
    if readiness:
        facts = replace(facts, recently_suggested=_recently_suggested(db_session, patient))
    named = {entry.exercise for entry in facts.entries} | set(
        previous.exercises if previous else ()
    )
    exercises = _exercise_facts(
        db_session, patient, named, advice.exercises_needing_steps(facts, readiness), known
    )
    return replace(facts, exercises=exercises), readiness


def _hold(safety: dict[str, Any] | None) -> advice.Hold | None:
    if safety is None:
        return None
    return advice.Hold(
        level=safety["level"],
        headline=safety["headline"],
        advice=safety["advice"],
        rules=tuple(safety["rules"]),
    )


@dataclass(frozen=True)
class _Earlier:
    """What logging a session reads of the patient's earlier sessions."""

    replay_id: int | None  # the patient's session with the same client_id
    previous: advice.PreviousSession | None  # the last one started before this one
    history: tuple[advice.ExerciseHistory, ...]  # its exercises in the window, summed up
    #: ``programmes.OWN_PROGRAMME_ITEMS``'s rows for the programme the session names
    programme_rows: list[tuple[int, int | None, str | None]]
    #: with a standing exercise hold, its safety advice (``hold_safety``)
    safety: dict[str, Any] | None
    #: check-in pain from the baseline days before the previous session to the day after
    check_ins: tuple[advice.CheckInPain, ...]
    #: the caller's account, when a patient's (``Vouched.confirm``)
    caller: StoredCaller | None


#: Short names in the SQL below (``s``, ``e``): with them the statement stays short
#: enough (under 4 kB) for psycopg to keep it parsed instead of parsing it on every run.
_SESSIONS_AS_S = ExerciseSession.__table__.alias("s")
_ENTRIES_AS_E = SessionEntry.__table__.alias("e")
_sessions = _SESSIONS_AS_S.c
_entries = _ENTRIES_AS_E.c
_users = User.__table__.c
#: The previous session and the standing hold are common table expressions: each is read
#: once, however many parts below use it.
_PREVIOUS = (
    select(_sessions.id, _sessions.local_date)
    .where(
        _sessions.patient_id == bindparam("patient_id"),
        _sessions.started_at < bindparam("started_at"),
    )
    .order_by(_sessions.started_at.desc(), _sessions.id.desc())
    .limit(1)
    .cte("previous")
)
_PROGRAMME = programmes.OWN_PROGRAMME_ITEMS.subquery("programme")
_HOLD = ACTIVE_HOLD.cte("hold")
#: The check-ins from the baseline days before the previous session to the day after. The
#: previous session's date is a scalar subquery, run once before them, so that it bounds
#: their index scans (joined to the subquery, the planner read every check-in of the
#: patient after it).
_PAIN_NEAR = tuple(
    part.subquery(name)
    for part, name in zip(
        checkins.pain_near(
            select(_PREVIOUS.c.local_date).scalar_subquery(), advice.BASELINE_DAYS + 1
        ),
        ("pain_before", "pain_after"),
        strict=True,
    )
)


_NULL = literal_column("NULL")  # an empty column of a part but the first


def _part(number: int) -> Any:
    """The number of a part of ``_EARLIER``, written in the SQL (not a parameter)."""
    return literal_column(str(number), Integer)


#: Built once, run on the connection (plain rows): parts told apart by ``part``:
#: 0, the replay of client_id (its id in ``number``); 1, the previous session's
#: exercises in order (``number``: the position; a session without entries gives one
#: row without a slug); 2, one row by exercise of this session that can progress (every
#: entry easy: ``advice.progression_candidates``) with earlier entries in
#: the progression window (``number``: how many sessions, ``local_date``: the first one's,
#: ``pain_during``: 1 when every entry was easy, else 0); 3, the programme the session names,
#: when it is the patient's, with those of the entries' programme items that are its
#: items (``number``: the item, ``exercise_slug``: its exercise, ``pain_during``: the
#: programme's current version; one row without an item when none is); 4, the standing
#: exercise hold (``number``: its check-in, ``exercise_slug``: its level, ``text``: its
#: reason, ``moment``: when placed); 5, check-ins around the previous session
#: (``local_date``, ``pain_during``: its pain; ``checkins.pain_near``, a few days more);
#: 6, with a standing hold, the triage verdict behind it (``text``: its JSON, or null;
#: ``checkins.verdict_behind``); 7, the caller's account when it is a patient's
#: (``exercise_slug``: the time zone, ``text``: the token key; api/accounts/caller.py).
#: The first part gives the columns their names and types;
#: the others' empty columns are plain NULLs (PostgreSQL types a union's column from its
#: typed members), which keeps the statement short (as the names ``s`` and ``e`` do).
_EARLIER_PARTS = (
    select(
        _part(0).label("part"),
        _sessions.id.label("number"),
        cast(null(), Date).label("local_date"),
        cast(null(), String).label("exercise_slug"),
        cast(null(), SmallInteger).label("pain_during"),
        cast(null(), String).label("text"),
        cast(null(), _HOLD.c.placed_at.type).label("moment"),
    ).where(
        _sessions.patient_id == bindparam("patient_id"),
        _sessions.client_id == bindparam("client_id"),
    ),
    select(
        _part(1),
        _entries.position,
        _PREVIOUS.c.local_date,
        _entries.exercise_slug,
        _NULL,
        _NULL,
        _NULL,
    )
    .select_from(_PREVIOUS)
    .outerjoin(_ENTRIES_AS_E, _entries.session_id == _PREVIOUS.c.id),
    select(
        _part(2),
        func.count(_entries.session_id.distinct()),
        func.min(_sessions.local_date),
        _entries.exercise_slug,
        # Easy: both reported and within the thresholds (a null compares to neither).
        func.min(
            case(
                (
                    and_(
                        _entries.effort <= advice.PROGRESSION_MAX_EFFORT,
                        _entries.pain_during <= advice.PROGRESSION_MAX_PAIN,
                    ),
                    1,
                ),
                else_=0,
            )
        ),
        _NULL,
        _NULL,
    )
    .join_from(_ENTRIES_AS_E, _SESSIONS_AS_S)
    .where(
        _sessions.patient_id == bindparam("patient_id"),
        _sessions.local_date >= bindparam("since"),
        _sessions.local_date <= bindparam("local_date"),
        _entries.exercise_slug.in_(bindparam("slugs", expanding=True)),
    )
    .group_by(_entries.exercise_slug),
    select(
        _part(3),
        _PROGRAMME.c.item_id,
        _NULL,
        _PROGRAMME.c.exercise_slug,
        _PROGRAMME.c.current_version,
        _NULL,
        _NULL,
    ),
    select(
        _part(4),
        _HOLD.c.check_in_id,
        _NULL,
        _HOLD.c.level,
        _NULL,
        _HOLD.c.reason,
        _HOLD.c.placed_at,
    ),
    select(
        _part(6),
        _NULL,
        _NULL,
        _NULL,
        _NULL,
        checkins.verdict_behind(_HOLD.c.level, _HOLD.c.check_in_id, _HOLD.c.placed_at),
        _NULL,
    ).select_from(_HOLD),
    *(
        select(
            _part(5),
            _NULL,
            pain.c.local_date,
            _NULL,
            pain.c.pain,
            _NULL,
            _NULL,
        )
        for pain in _PAIN_NEAR
    ),
)
_EARLIER_PARTS = (
    *_EARLIER_PARTS,
    select(_part(7), _NULL, _NULL, _users.timezone, _NULL, _users.token_key, _NULL).where(
        _users.id == bindparam("patient_id"), _users.role == Role.patient
    ),
)
_EARLIER = union_all(*_EARLIER_PARTS)
#: Without part 2, for a session none of whose exercises can progress.
_EARLIER_WITHOUT_HISTORY = union_all(*_EARLIER_PARTS[:2], *_EARLIER_PARTS[3:])
_EARLIER_RUN = Prebuilt(_EARLIER)
_EARLIER_WITHOUT_HISTORY_RUN = Prebuilt(_EARLIER_WITHOUT_HISTORY)


def _earlier(
    db_session: Session, patient: Caller, data: dict[str, Any], started_at: dt.datetime
) -> _Earlier:
    local_date = started_at.astimezone(time_zone(patient.timezone)).date()
    db_session.flush()  # what this transaction wrote before (a push's hold): read below
    # Only the exercises that can progress: the advice reads no other history.
    slugs = sorted(
        advice.progression_candidates(
            advice.EntryFacts(
                entry["exercise"], pain_during=entry.get("pain_during"), effort=entry.get("effort")
            )
            for entry in data["entries"]
        )
    )
    run = _EARLIER_RUN if slugs else _EARLIER_WITHOUT_HISTORY_RUN
    params = {
        "patient_id": patient.id,
        "client_id": data["client_id"],
        "started_at": started_at,
        "local_date": local_date,
        "since": local_date - dt.timedelta(days=advice.PROGRESSION_WINDOW_DAYS - 1),
        "slugs": slugs,
        "programme_id": data.get("programme_id"),
        "item_ids": sorted(
            {
                entry["programme_item"]
                for entry in data["entries"]
                if entry.get("programme_item") is not None
            }
        ),
    }
    # The request's first statement when the caller is vouched for: no checkout ping.
    rows = first_read_without_checkout_ping(
        db_session, lambda: run.rows(db_session.connection(), params)
    )
    replay_id = None
    caller = None
    previous_day = None
    previous: list[tuple[int, str]] = []
    history = []
    programme_rows = []
    hold = None
    pain: dict[dt.date, int] = {}
    verdict = None
    for part, number, day, slug, pain_during, text, moment in rows:
        if part == 5:
            pain[day] = pain_during
        elif part == 4:
            if hold is None:  # as ``active_hold``: the first
                hold = StandingHold(patient.id, slug, text, moment, number)
        elif part == 6:
            verdict = text
        elif part == 7:
            caller = StoredCaller(Role.patient, text, slug)
        elif part == 0:
            replay_id = number
        elif part == 1:
            previous_day = day
            if slug is not None:
                previous.append((number, slug))
        elif part == 2:
            history.append(advice.ExerciseHistory(slug, number, day, bool(pain_during)))
        else:
            programme_rows.append((pain_during, number, slug))
    check_ins: tuple[advice.CheckInPain, ...] = ()
    if previous_day is not None:
        first = previous_day - dt.timedelta(days=advice.BASELINE_DAYS)
        last = previous_day + dt.timedelta(days=1)
        check_ins = tuple(
            advice.CheckInPain(date=day, pain=pain[day])
            for day in sorted(pain)
            if first <= day <= last
        )
    return _Earlier(
        replay_id=replay_id,
        previous=None
        if previous_day is None
        else advice.PreviousSession(
            date=previous_day, exercises=tuple(slug for _, slug in sorted(previous))
        ),
        history=tuple(history),
        programme_rows=programme_rows,
        safety=None if hold is None else hold_safety(hold, checkins.verdict_from(verdict)),
        check_ins=check_ins,
        caller=caller,
    )


def _recently_suggested(db_session: Session, patient: Caller) -> frozenset[str]:
    """Exercises whose progression was suggested within the progression window."""
    return frozenset(
        db_session.scalars(
            select(PainNotice.exercise_slug).where(
                PainNotice.patient_id == patient.id,
                PainNotice.kind == "progress",
                PainNotice.created_at
                >= utcnow() - dt.timedelta(days=advice.PROGRESSION_WINDOW_DAYS),
            )
        )
    )


def _exercise_facts(
    db_session: Session,
    patient: Caller,
    slugs: set[str],
    needing_steps: set[str],
    known: dict[str, Exercise],
) -> dict[str, advice.ExerciseFacts]:
    """Each exercise's name and, for ``needing_steps``, the steps of its ladders that the
    patient's conditions and health history leave open (``known`` exercises are not
    read again)."""
    wanted = slugs | needing_steps
    exercises = {slug: known[slug] for slug in wanted if slug in known}
    kept = kept_exercises(db_session)
    exercises.update(kept.by_slug(wanted - exercises.keys()))
    ladders: dict[str, dict[str, list[Exercise]]] = {}
    if needing_steps:
        if isinstance(patient, Vouched):  # confirmed: its profile is read now
            patient = patient.load()
        ladders = kept.safe_ladders(
            [exercises[slug] for slug in sorted(needing_steps) if slug in exercises],
            catalogue.personal_codes(patient),
        )

    def steps(slug: str, ladder: str) -> tuple[advice.Step, ...]:
        found = ladders.get(slug, {}).get(ladder, [])
        return tuple(advice.Step(slug=step.slug, name=step.name) for step in found)

    return {
        slug: advice.ExerciseFacts(
            slug=slug,
            name=exercise.name,
            regressions=steps(slug, "regressions"),
            progressions=steps(slug, "progressions"),
        )
        for slug, exercise in exercises.items()
    }


# --- reading and deleting ---------------------------------------------------------------


def list_stmt(patient_id: int, date_from: dt.date | None, date_to: dt.date | None) -> Select:
    if date_from and date_to and date_from > date_to:
        raise InvalidInput({"from": ["'from' must not be after 'to'."]}, location="query")
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


def session_days(
    db_session: Session, patient_id: int, first: dt.date, last: dt.date
) -> set[dt.date]:
    """The local dates from ``first`` to ``last`` on which the patient logged a session."""
    return bulk.local_days(
        db_session, ExerciseSession, patient_id=patient_id, first=first, last=last
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
    exercise_slug: str | None
    message: str
    created_at: dt.datetime


def notices_since(db_session: Session, patient_id: int, since: dt.datetime) -> list[Notice]:
    """The patient's pain notices since ``since``, newest first."""
    rows = db_session.execute(
        select(
            PainNotice.id,
            PainNotice.session_id,
            PainNotice.kind,
            PainNotice.exercise_slug,
            PainNotice.message,
            PainNotice.created_at,
        )
        .where(PainNotice.patient_id == patient_id, PainNotice.created_at >= since)
        .order_by(PainNotice.created_at.desc(), PainNotice.id.desc())
    )
    return [Notice(*row) for row in rows]


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
    # Each session with its entries (in position order) as plain rows, in one statement.
    rows = db_session.execute(
        select(
            ExerciseSession.id,
            ExerciseSession.local_date,
            ExerciseSession.safety,
            ExerciseSession.created_at,
            SessionEntry.id,
            SessionEntry.exercise_slug,
            SessionEntry.pain_during,
        )
        .outerjoin(SessionEntry, SessionEntry.session_id == ExerciseSession.id)
        .where(
            ExerciseSession.patient_id == patient_id,
            ExerciseSession.logged_during_hold.is_(True),
            ExerciseSession.local_date >= first,
            ExerciseSession.local_date <= last,
        )
        .order_by(
            ExerciseSession.started_at.desc(), ExerciseSession.id.desc(), SessionEntry.position
        )
    )
    sessions: dict[int, tuple[Any, list[tuple[str, int | None]]]] = {}
    for session_id, day, safety, created_at, entry_id, slug, pain in rows:
        _, entries = sessions.setdefault(session_id, ((day, safety, created_at), []))
        if entry_id is not None:
            entries.append((slug, pain))
    found = []
    for session_id, ((day, safety, created_at), entries) in sessions.items():
        pains = [pain for _, pain in entries if pain is not None]
        found.append(
            SessionDuringHold(
                session_id=session_id,
                date=day,
                level=(safety or {}).get("level"),
                exercises=tuple(slug for slug, _ in entries),
                highest_pain_during=max(pains) if pains else None,
                created_at=created_at,
            )
        )
    return found


# --- data rights -------------------------------------------------------------------------


def _export_sessions(db_session: Session, user: User) -> list[ExerciseSession]:
    """Dumped by ``ExportSessionSchema``, the REST session without the ids."""
    return list(
        db_session.scalars(
            select(ExerciseSession)
            .where(ExerciseSession.patient_id == user.id)
            .order_by(ExerciseSession.started_at, ExerciseSession.id)
        )
    )


def _export_notices(db_session: Session, user: User) -> list[PainNotice]:
    """Dumped by ``NoticeSchema``, as ``GET /progress`` gives them."""
    return list(
        db_session.scalars(
            select(PainNotice)
            .where(PainNotice.patient_id == user.id)
            .order_by(PainNotice.created_at, PainNotice.id)
        )
    )
