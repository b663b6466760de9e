"""Check-ins: record, triage, raise alerts and holds, all in one transaction.

Other domains read check-ins through the functions under "read API" (typed values).
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import nullcontext
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import (
    Select,
    String,
    bindparam,
    case,
    cast,
    null,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import bulk, changelog
from api.accounts.caller import Caller, StoredCaller, Vouched
from api.accounts.care import active_therapist_exists
from api.accounts.models import User
from api.alerts import service as alerts
from api.checkins.models import PAUSING_VERDICT, CheckIn
from api.database import Prebuilt, first_read_without_checkout_ping, utcnow, writes_together
from api.errors import Conflict, InvalidInput
from api.policy import own_record
from api.timeutil import local_today
from api.triage import CheckInFacts, PastCheckIn, ProfileFacts, TriageResult, evaluate

MAX_DAYS_BACK = 90
HISTORY_DAYS = 180


def _check_date(local_date: dt.date, today: dt.date) -> None:
    if local_date > today:
        raise InvalidInput({"date": ["A check-in cannot be in the future."]})
    if local_date < today - dt.timedelta(days=MAX_DAYS_BACK):
        raise InvalidInput({"date": [f"A check-in can be at most {MAX_DAYS_BACK} days back."]})


def _check_episode(episode_started_on: dt.date | None, local_date: dt.date) -> None:
    if episode_started_on is not None and episode_started_on > local_date:
        raise InvalidInput(
            {"episode_started_on": ["The episode cannot start after the check-in date."]}
        )


def _existing_by_client_id(db_session: Session, patient_id: int, client_id: str | None):
    if client_id is None:
        return None
    return db_session.scalar(
        select(CheckIn).where(CheckIn.patient_id == patient_id, CheckIn.client_id == client_id)
    )


def _existing_on(db_session: Session, patient_id: int, local_date: dt.date) -> CheckIn | None:
    return db_session.scalar(
        select(CheckIn).where(CheckIn.patient_id == patient_id, CheckIn.local_date == local_date)
    )


def _same_day_conflict(existing: CheckIn) -> Conflict:
    href = f"/api/v1/check-ins/{existing.id}"
    return Conflict(
        f"You have already checked in for {existing.local_date.isoformat()}: check-in "
        f"{existing.id}. Amend it with PATCH {href}.",
        errors={"json": {"date": [f"Already checked in on this date (check-in {existing.id})."]}},
        headers={"Location": href},
    )


def create(
    *, db_session: Session, patient: Caller, data: dict[str, Any], alone: bool = False
) -> tuple[CheckIn | LoggedCheckIn, bool]:
    """Record and triage a check-in. Returns (check_in, created); a replay of the
    same client_id returns the original with created=False.

    ``patient``: signed in, or vouched for by their token (api/accounts/caller.py):
    confirmed by the first statement, else signed in and the check-in recorded as for them.

    A concurrent request may store the same client_id or date first: the unique
    constraints decide, and the loser answers as a replay or a conflict. ``alone``: this
    check-in is the only write of the transaction (the REST request), so losing is
    settled by rolling the transaction back rather than by a savepoint (two round trips
    fewer on every check-in); otherwise (a sync push) a savepoint keeps the rest."""
    client_id = data.get("client_id")
    today = local_today(patient.timezone)
    local_date = data.get("date") or today
    # One statement: the replay of client_id, the therapist link, the history (and the
    # caller's account, for a caller vouched for by their token).
    prior = _prior(db_session, patient.id, client_id, local_date)
    profile: User | StoredProfile = patient if isinstance(patient, User) else prior.profile
    if isinstance(patient, Vouched) and not patient.confirm(prior.caller):
        return create(db_session=db_session, patient=patient.load(), data=data, alone=alone)
    if prior.replay_id is not None:
        return db_session.get_one(CheckIn, prior.replay_id), False
    _check_date(local_date, today)
    _check_episode(data.get("episode_started_on"), local_date)
    values = {**_DEFAULTS, "pain_areas": [], "symptoms": [], **data}
    del values["date"]
    values.update(patient_id=patient.id, client_id=client_id, local_date=local_date)
    # Triaged before the INSERT, so the row is written once with its verdict (the
    # history read is of earlier days only); alerts and holds need its id, after.
    facts = _facts(SimpleNamespace(**values))
    result = evaluate(facts, _profile(profile, prior.therapist_linked), prior.history)
    now = utcnow()
    values.update(
        triage=result.to_dict(), triage_level=result.level, created_at=now, updated_at=now
    )
    if result.rules:  # alerts and maybe a hold follow the check-in: all of them or none
        if isinstance(patient, Vouched):  # confirmed: the alerts need the account
            patient = patient.load()
        writes_together(db_session)
    try:
        with nullcontext() if alone else db_session.begin_nested():
            # A plain INSERT with its change row (no unit of work: nothing else of the
            # transaction waits to be flushed with it); the answer is built from ``values``.
            check_in_id = changelog.insert(db_session, CheckIn, values)
    except IntegrityError as error:
        if alone:
            db_session.rollback()
        replay = _existing_by_client_id(db_session, patient.id, client_id)
        if replay is not None:
            return replay, False
        existing = _existing_on(db_session, patient.id, local_date)
        if existing is not None:
            raise _same_day_conflict(existing) from error
        raise
    check_in = LoggedCheckIn(id=check_in_id, **values)
    _act_on(db_session, patient, check_in, result)
    return check_in, True


@dataclass(frozen=True)
class LoggedCheckIn:
    """A check-in just recorded, as ``CheckInSchema`` reads it: the stored row's values
    (not read back, and no ORM object built for them)."""

    id: int
    patient_id: int
    client_id: str | None
    local_date: dt.date
    pain: int
    worst_pain: int | None
    stiffness: int | None
    interference: int | None
    sleep_quality: int | None
    mood: int | None
    medication_taken: bool | None
    pain_areas: list[str]
    symptoms: list[str]
    pain_onset: str | None
    episode_started_on: dt.date | None
    notes: str | None
    triage_level: str
    triage: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


#: What a new check-in holds where its body is silent (with empty lists of pain areas and
#: symptoms, every column but ``id``, ``patient_id``, ``local_date``, the verdict and the
#: times).
_DEFAULTS: dict[str, Any] = {
    "client_id": None,
    "date": None,
    "worst_pain": None,
    "stiffness": None,
    "interference": None,
    "sleep_quality": None,
    "mood": None,
    "medication_taken": None,
    "pain_onset": None,
    "episode_started_on": None,
    "notes": None,
}


def update(*, db_session: Session, patient: User, check_in_id: int, changes: dict) -> CheckIn:
    check_in = own_record(db_session, patient, CheckIn, check_in_id, label="Check-in")
    if check_in.local_date != local_today(patient.timezone):
        raise Conflict("A check-in can be amended only on its own day.")
    _check_episode(
        changes.get("episode_started_on", check_in.episode_started_on), check_in.local_date
    )
    for field, value in changes.items():
        setattr(check_in, field, value)
    db_session.flush()
    _triage(db_session, patient, check_in)
    return check_in


def _triage(db_session: Session, patient: User, check_in: CheckIn) -> TriageResult:
    result = _evaluate(db_session, patient, check_in)
    _act_on(db_session, patient, check_in, result)
    return result


def _evaluate(db_session: Session, patient: User, check_in: CheckIn) -> TriageResult:
    """The verdict on ``check_in``, written on it (not yet flushed)."""
    prior = _prior(db_session, patient.id, None, check_in.local_date)
    result = evaluate(_facts(check_in), _profile(patient, prior.therapist_linked), prior.history)
    _write_verdict(check_in, result)
    return result


def _write_verdict(check_in: CheckIn, result: TriageResult) -> None:
    check_in.triage = result.to_dict()
    check_in.triage_level = result.level


def _act_on(
    db_session: Session, patient: User, check_in: CheckIn | LoggedCheckIn, result: TriageResult
) -> None:
    """Alerts and an exercise hold for a flushed, triaged check-in."""
    alerts.act_on_verdict(
        db_session=db_session,
        patient=patient,
        check_in_id=check_in.id,
        result=result,
        answers={"date": check_in.local_date.isoformat()},
    )
    db_session.flush()


def _facts(check_in: CheckIn | SimpleNamespace) -> CheckInFacts:
    return CheckInFacts(
        date=check_in.local_date,
        pain=check_in.pain,
        worst_pain=check_in.worst_pain,
        symptoms=frozenset(check_in.symptoms or ()),
        pain_onset=check_in.pain_onset,
        episode_started_on=check_in.episode_started_on,
        pain_areas=frozenset(check_in.pain_areas or ()),
    )


def _profile(patient: User | StoredProfile, therapist_linked: bool) -> ProfileFacts:
    return ProfileFacts(
        birth_year=patient.birth_year,
        health_history=frozenset(patient.health_history or ()),
        country=patient.country,
        pain_assessed_by_clinician=patient.pain_assessed_by_clinician,
        therapist_linked=therapist_linked,
    )


@dataclass(frozen=True)
class _Prior:
    """What triaging a check-in reads besides the check-in and the profile."""

    replay_id: int | None  # the patient's check-in with the same client_id
    therapist_linked: bool
    history: list[PastCheckIn]
    #: the patient's account (``Vouched.confirm``) and what triage reads of their profile
    caller: StoredCaller | None
    profile: StoredProfile


class StoredProfile(NamedTuple):
    """What triage reads of a patient's profile, as ``_PRIOR`` read it."""

    birth_year: int | None
    health_history: list[str] | None
    country: str | None
    pain_assessed_by_clinician: bool | None


_check_ins = CheckIn.__table__.c
_users = User.__table__.c
#: Built once, run on the connection (plain rows, no ORM work), two parts: a one-row
#: anchor carrying the replay, the therapist link and the patient's account (what
#: confirms a caller vouched for by their token, api/accounts/caller.py, and the profile
#: triage reads); then the check-ins of the HISTORY_DAYS before the date, each with a
#: date (the anchor has none). Only a verdict that fired a rule is read (a level of
#: "none" fired none), so the stored verdicts of ordinary days are not decoded. The
#: empty columns of each part are plain NULLs typed for the rows (``type_coerce``).
_PRIOR_ANCHOR = select(
    select(_check_ins.id)
    .where(
        _check_ins.patient_id == bindparam("patient_id"),
        _check_ins.client_id == bindparam("client_id"),
    )
    .scalar_subquery()
    .label("replay_id"),
    active_therapist_exists(bindparam("patient_id")).label("therapist_linked"),
).subquery("prior")
_ANCHOR_COLUMNS = (
    _PRIOR_ANCHOR.c.replay_id,
    _PRIOR_ANCHOR.c.therapist_linked,
    _users.role,
    _users.token_key,
    _users.timezone,
    _users.birth_year,
    _users.health_history,
    _users.country,
    _users.pain_assessed_by_clinician,
)
_DAY_COLUMNS = (
    _check_ins.local_date,
    _check_ins.pain,
    _check_ins.pain_onset,
    _check_ins.episode_started_on,
    case((_check_ins.triage_level != "none", _check_ins.triage), else_=null()).label("fired"),
)
_PRIOR = union_all(
    select(
        *_ANCHOR_COLUMNS,
        *(type_coerce(null(), column.type).label(column.name) for column in _DAY_COLUMNS),
    ).select_from(_PRIOR_ANCHOR.outerjoin(User.__table__, _users.id == bindparam("patient_id"))),
    select(*(type_coerce(null(), column.type) for column in _ANCHOR_COLUMNS), *_DAY_COLUMNS).where(
        _check_ins.patient_id == bindparam("patient_id"),
        _check_ins.local_date < bindparam("local_date"),
        _check_ins.local_date >= bindparam("since"),
    ),
)


_PRIOR_RUN = Prebuilt(_PRIOR)
_EARLIEST_WITH_HISTORY = dt.date.min + dt.timedelta(days=HISTORY_DAYS)
_ANCHOR_WIDTH = len(_ANCHOR_COLUMNS)


def _prior(
    db_session: Session, patient_id: int, client_id: str | None, local_date: dt.date
) -> _Prior:
    params = {
        "patient_id": patient_id,
        "client_id": client_id,
        "local_date": local_date,
        "since": max(local_date, _EARLIEST_WITH_HISTORY) - dt.timedelta(days=HISTORY_DAYS),
    }
    # The request's first statement when the caller is vouched for: no checkout ping.
    rows = first_read_without_checkout_ping(
        db_session, lambda: _PRIOR_RUN.rows(db_session.connection(), params)
    )
    # Up to HISTORY_DAYS rows: positional arguments, and no call for an ordinary day.
    history = []
    anchor = None
    for row in rows:
        day = row[_ANCHOR_WIDTH]
        if day is None:
            anchor = row
            continue
        _, pain, onset, episode, triage = row[_ANCHOR_WIDTH:]
        history.append(
            PastCheckIn(day, pain, onset, episode, _NO_RULES if triage is None else _fired(triage))
        )
    assert anchor is not None  # the anchor: one row, always
    replay_id, therapist_linked, role, token_key, timezone, *profile = anchor[:_ANCHOR_WIDTH]
    return _Prior(
        replay_id,
        bool(therapist_linked),
        history,
        caller=None if token_key is None else StoredCaller(role, token_key, timezone),
        profile=StoredProfile(*profile),
    )


_NO_RULES: frozenset[str] = frozenset()


def _fired(triage: dict[str, Any]) -> frozenset[str]:
    """The ids of the rules a stored verdict fired (it is kept as it was, with versions)."""
    if not triage:
        return _NO_RULES
    return frozenset(rule["id"] for rule in triage.get("rules", ()))


def list_stmt(patient_id: int, date_from: dt.date | None, date_to: dt.date | None) -> Select:
    if date_from and date_to and date_from > date_to:
        raise InvalidInput({"from": ["'from' must not be after 'to'."]}, location="query")
    stmt = select(CheckIn).where(CheckIn.patient_id == patient_id)
    if date_from:
        stmt = stmt.where(CheckIn.local_date >= date_from)
    if date_to:
        stmt = stmt.where(CheckIn.local_date <= date_to)
    return stmt.order_by(CheckIn.local_date.desc(), CheckIn.id.desc())


# --- read API for other domains -------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What a stored triage verdict told the patient (empty: no verdict found)."""

    headline: str | None = None
    advice: str | None = None
    emergency_number: str | None = None
    rule_ids: tuple[str, ...] = ()


def verdict_behind(level: Any, check_in_id: Any, placed_at: Any) -> Any:
    """A scalar subquery of the stored verdict (its JSON, as text) behind an exercise hold
    of the patient (``patient_id``), for another domain to read within its own statement:
    the latest check-in of ``level`` that placed it (``check_in_id``) or came since it was
    placed (``placed_at``); SQL expressions, such as columns of that domain's subquery of
    the hold. Read it with ``verdict_from``."""
    return (
        select(cast(CheckIn.triage, String))
        .where(
            CheckIn.patient_id == bindparam("patient_id"),
            text(PAUSING_VERDICT),  # as the index of these verdicts says it: it is used
            CheckIn.triage_level == level,
            (CheckIn.id == check_in_id) | (CheckIn.created_at >= placed_at),
        )
        # One check-in a date per patient (``uq_check_ins_patient_date``): the date alone
        # orders them, so the index's backward scan stops at the first that matches
        # instead of sorting every pausing check-in of the patient.
        .order_by(CheckIn.local_date.desc())
        .limit(1)
        .scalar_subquery()
    )


def verdict_from(triage_text: str | None) -> Verdict:
    """What a stored verdict (``verdict_behind``'s text; None: none found) told the patient."""
    triage = json.loads(triage_text) if triage_text else None
    if not triage:
        return Verdict()
    return Verdict(
        headline=triage.get("headline"),
        advice=triage.get("advice"),
        emergency_number=triage.get("emergency_number"),
        rule_ids=tuple(rule["id"] for rule in triage.get("rules", [])),
    )


def checked_in_on(db_session: Session, patient_id: int, day: dt.date) -> bool:
    found = db_session.scalar(
        select(CheckIn.id).where(CheckIn.patient_id == patient_id, CheckIn.local_date == day)
    )
    return found is not None


def check_in_days(
    db_session: Session, patient_id: int, first: dt.date, last: dt.date
) -> set[dt.date]:
    """The local dates from ``first`` to ``last`` on which the patient checked in."""
    return bulk.local_days(db_session, CheckIn, patient_id=patient_id, first=first, last=last)


@dataclass(frozen=True)
class PainDay:
    """One day's check-in, as progress charts it."""

    local_date: dt.date
    pain: int
    worst_pain: int | None
    interference: int | None
    sleep_quality: int | None


#: Built once (plain rows); the session still flushes first.
_PAIN_DAYS = (
    select(
        CheckIn.local_date,
        CheckIn.pain,
        CheckIn.worst_pain,
        CheckIn.interference,
        CheckIn.sleep_quality,
    )
    .where(
        CheckIn.patient_id == bindparam("patient_id"),
        CheckIn.local_date >= bindparam("first"),
        CheckIn.local_date <= bindparam("last"),
    )
    .order_by(CheckIn.local_date)
)


def pain_near(day: Any, before: int) -> tuple[Select, Select]:
    """Statements of (local_date, pain) of the patient's (``patient_id``) check-ins: the
    last ``before`` on or before ``day`` and the first after it (``day``: a SQL
    expression, such as a column of another domain's subquery). A patient checks in at
    most once a day, so they hold every check-in from ``day`` - (``before`` - 1) days to
    ``day`` + 1 day, for another domain to read within its own statement without date
    arithmetic in SQL."""
    mine = CheckIn.patient_id == bindparam("patient_id")
    on_or_before = (
        select(CheckIn.local_date, CheckIn.pain)
        .where(mine, CheckIn.local_date <= day)
        .order_by(CheckIn.local_date.desc())
        .limit(before)
    )
    after = (
        select(CheckIn.local_date, CheckIn.pain)
        .where(mine, CheckIn.local_date > day)
        .order_by(CheckIn.local_date)
        .limit(1)
    )
    return on_or_before, after


def pain_days(db_session: Session, patient_id: int, first: dt.date, last: dt.date) -> list[PainDay]:
    """The patient's check-ins from ``first`` to ``last`` (local dates), oldest first."""
    rows = db_session.execute(_PAIN_DAYS, {"patient_id": patient_id, "first": first, "last": last})
    return [PainDay(*row) for row in rows]


def _export(db_session: Session, user: User) -> list[CheckIn]:
    """Dumped by ``ExportCheckInSchema``, the REST check-in without the ids."""
    return list(
        db_session.scalars(
            select(CheckIn).where(CheckIn.patient_id == user.id).order_by(CheckIn.local_date)
        )
    )
