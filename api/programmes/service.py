"""Programmes: assignment with a contraindication check, versions, status and "today"."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from api.accounts.models import Role, User
from api.alerts.service import active_hold
from api.catalogue import service as catalogue
from api.catalogue import templates
from api.catalogue.service import BlockingCause, CatalogueExercise
from api.catalogue.templates import TemplatePlan
from api.database import utcnow
from api.errors import Conflict, Forbidden, InvalidInput, NotFound
from api.policy import own_record, readable_record, scoped_patient
from api.programmes.models import Programme, ProgrammeItem, ProgrammePause, ProgrammeVersion
from api.timeutil import local_today
from exercises.vocabulary import DAYS_OF_WEEK

if TYPE_CHECKING:
    from api.catalogue.models import ProgrammeTemplate

DOSE_FIELDS = ("sets", "reps", "hold_seconds", "rest_seconds", "times_per_day")
MAX_ALTERNATIVES = 3


@dataclass(frozen=True)
class PlannedItem:
    exercise: CatalogueExercise
    values: dict[str, Any]


# --- templates (kept by the catalogue; their items are checked here) -------------------


def visible_templates_stmt(actor: User | None) -> Select:
    return templates.visible_stmt(actor)


def get_template(session: Session, actor: User | None, slug: str) -> ProgrammeTemplate:
    return templates.get(session, actor, slug)


def _template_items(session: Session, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    exercises = _exercises(session, items)
    result = []
    for n, item in enumerate(items):
        values = _dose(exercises[item["exercise"]], item, n)
        values.pop("load", None), values.pop("side", None)
        result.append({"exercise": item["exercise"], **values})
    return result


def create_template(
    *, db_session: Session, therapist: User, data: dict[str, Any]
) -> ProgrammeTemplate:
    body = {
        "name": data["name"],
        "summary": data.get("summary") or "",
        "causes": data.get("causes") or [],
        "duration_weeks": data["duration_weeks"],
        "days_of_week": data["days_of_week"],
        "items": _template_items(db_session, data["items"]),
        "source": "Therapist's own template",
    }
    return templates.create(db_session=db_session, owner=therapist, body=body)


def update_template(
    *, db_session: Session, therapist: User, slug: str, changes: dict[str, Any]
) -> ProgrammeTemplate:
    template = templates.own(db_session, therapist, slug)
    if "items" in changes:
        changes = {**changes, "items": _template_items(db_session, changes["items"])}
    return templates.update(db_session=db_session, template=template, changes=changes)


def delete_template(*, db_session: Session, therapist: User, slug: str) -> None:
    templates.delete(db_session=db_session, owner=therapist, slug=slug)


# --- creating --------------------------------------------------------------------------


def _exercises(session: Session, items: list[dict[str, Any]]) -> dict[str, CatalogueExercise]:
    slugs = {item["exercise"] for item in items}
    found = catalogue.exercises_by_slug(session, slugs)
    unknown = sorted(s for s in slugs if s not in found or found[s].retired)
    if unknown:
        raise InvalidInput(
            {"items": [f"Unknown or retired exercise: {', '.join(unknown)}."]},
            "Some exercises are not in the catalogue.",
        )
    return found


def _dose(exercise: CatalogueExercise, item: dict[str, Any], index: int) -> dict[str, Any]:
    """The item's dose: what was sent, else the exercise's default dose."""
    values = {field: item.get(field, getattr(exercise.dose, field)) for field in DOSE_FIELDS}
    if "reps" in item or "hold_seconds" in item:  # an explicit choice replaces the default pair
        values["reps"] = item.get("reps")
        values["hold_seconds"] = item.get("hold_seconds")
    if not values["reps"] and not values["hold_seconds"]:
        raise InvalidInput({"items": {str(index): ["Give either reps or hold_seconds."]}})
    values["load"] = item.get("load")
    values["side"] = item.get("side")
    values["notes"] = item.get("notes")
    values["days_of_week"] = item.get("days_of_week")
    return values


def _plan(session: Session, items: list[dict[str, Any]]) -> list[PlannedItem]:
    exercises = _exercises(session, items)
    return [
        PlannedItem(exercises[item["exercise"]], _dose(exercises[item["exercise"]], item, n))
        for n, item in enumerate(items)
    ]


def _alternatives(
    session: Session, exercise: CatalogueExercise, codes: set[str]
) -> list[dict[str, Any]]:
    """Safer options: the exercise's safe regressions first (past any the patient's codes
    rule out), then the catalogue's."""
    excluded = catalogue.contraindicated_ids(session, codes)
    options = list(catalogue.safe_ladders(session, [exercise], codes)[exercise.slug]["regressions"])
    options += catalogue.related_exercises(session, exercise)
    safe, seen = [], set()
    for option in options:
        if option.id in excluded or option.id in seen or option.retired:
            continue
        seen.add(option.id)
        safe.append({"slug": option.slug, "name": option.name})
    return safe[:MAX_ALTERNATIVES]


def _check_contraindications(
    session: Session, patient: User, plan: list[PlannedItem], *, override_reason: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(refusals that were overridden, precaution warnings). Raises 422 when refused."""
    codes = catalogue.personal_codes(patient)
    blocking = {c.slug: c for c in catalogue.blocking_causes(session, codes)}
    refusals = []
    warnings = []
    for n, planned in enumerate(plan):
        refusal = _refusal(session, n, planned.exercise, codes, blocking)
        if refusal is not None:
            refusals.append(refusal)
        for precaution in catalogue.precautions_of(planned.exercise, codes):
            warnings.append({"exercise": planned.exercise.slug, **asdict(precaution)})
    if refusals and override_reason is None:
        raise _refused(refusals)
    return refusals, warnings


def _refusal(
    session: Session,
    n: int,
    exercise: CatalogueExercise,
    codes: set[str],
    blocking: dict[str, BlockingCause],
) -> dict[str, Any] | None:
    """Why item ``n`` is refused for this patient (its contraindications, then the
    conditions that block every exercise), with safer alternatives; None: not refused."""
    reasons = sorted(codes & exercise.contraindications)
    reasons += [slug for slug in sorted(blocking) if slug not in reasons]
    if not reasons:
        return None
    return {
        "item": n,
        "exercise": exercise.slug,
        "name": exercise.name,
        "reasons": reasons,
        "message": _refusal_text(exercise, reasons, blocking),
        "alternatives": [] if blocking else _alternatives(session, exercise, codes),
    }


def _refused(refusals: list[dict[str, Any]]) -> InvalidInput:
    """The 422 for refused items, each with its reasons under ``contraindications``."""
    error = InvalidInput(
        {"items": {str(r["item"]): [r["message"]] for r in refusals}},
        "Some exercises are contraindicated for this patient. Choose a safer alternative, "
        "or (therapists) send override_contraindications with a reason.",
    )
    assert error.errors is not None
    error.errors["contraindications"] = refusals
    return error


def _refusal_text(
    exercise: CatalogueExercise, reasons: list[str], blocking: dict[str, BlockingCause]
) -> str:
    parts = [f"{exercise.name} is contraindicated for: {', '.join(reasons)}."]
    for slug in reasons:
        if slug in blocking and blocking[slug].see_doctor_first:
            parts.append(blocking[slug].see_doctor_first)
    return " ".join(parts)


def _new_version(
    programme: Programme,
    *,
    number: int,
    days_of_week: list[str],
    plan: list[PlannedItem],
    actor: User,
    warnings: list[dict[str, Any]],
    overridden: list[dict[str, Any]],
    override_reason: str | None,
) -> ProgrammeVersion:
    version = ProgrammeVersion(
        number=number,
        days_of_week=days_of_week,
        warnings=warnings,
        overridden=[{k: r[k] for k in ("exercise", "reasons")} for r in overridden],
        override_reason=override_reason if overridden else None,
        created_by_id=actor.id,
    )
    for position, planned in enumerate(plan):
        values = dict(planned.values)
        values["days_of_week"] = values["days_of_week"] or days_of_week
        version.items.append(
            ProgrammeItem(
                position=position,
                exercise_id=planned.exercise.id,
                exercise_slug=planned.exercise.slug,
                **values,
            )
        )
    programme.versions.append(version)
    return version


def _override(actor: User, data: dict[str, Any]) -> str | None:
    if not data.get("override_contraindications"):
        return None
    if actor.role != Role.therapist:
        raise InvalidInput(
            {"override_contraindications": ["Only a therapist can override a contraindication."]}
        )
    reason = (data.get("override_reason") or "").strip()
    if not reason:
        raise InvalidInput({"override_reason": ["Give the reason for overriding."]})
    return reason


def create(*, db_session: Session, actor: User, data: dict[str, Any]) -> Programme:
    patient = scoped_patient(
        db_session,
        actor,
        data.get("patient_id"),
        resource="programmes",
        missing="Name the linked patient this programme is for.",
        location="json",
    )
    template = _starting_template(db_session, actor, data)
    schedule = _schedule(data, template)
    _check_dates(schedule.starts_on, schedule.ends_on, local_today(patient.timezone))
    override_reason = _override(actor, data)
    plan = _plan(db_session, schedule.items)
    overridden, warnings = _check_contraindications(
        db_session, patient, plan, override_reason=override_reason
    )
    programme = Programme(
        patient_id=patient.id,
        created_by_id=actor.id,
        template_slug=template.slug if template else None,
        title=data.get("title") or (template.name if template else "Exercise programme"),
        status="active",
        starts_on=schedule.starts_on,
        ends_on=schedule.ends_on,
        current_version=1,
    )
    _new_version(
        programme,
        number=1,
        days_of_week=schedule.days_of_week,
        plan=plan,
        actor=actor,
        warnings=warnings,
        overridden=overridden,
        override_reason=override_reason,
    )
    db_session.add(programme)
    db_session.flush()
    _pause_if_on_hold(db_session, programme)
    return programme


def _starting_template(
    db_session: Session, actor: User, data: dict[str, Any]
) -> TemplatePlan | None:
    """The template a new programme starts from: patients must choose one and take its
    exercises as they are; therapists may start from one or from nothing."""
    template = None
    if data.get("template"):
        template = templates.plan_of(get_template(db_session, actor, data["template"]))
    elif actor.role == Role.patient:
        raise InvalidInput({"template": ["Choose a template: patients start programmes from one."]})
    if actor.role == Role.patient and data.get("items"):
        raise InvalidInput({"items": ["Patients cannot change a template's exercises."]})
    return template


@dataclass(frozen=True)
class _Schedule:
    items: list[dict[str, Any]]
    days_of_week: list[str]
    starts_on: dt.date
    ends_on: dt.date | None


def _schedule(data: dict[str, Any], template: TemplatePlan | None) -> _Schedule:
    """Items, days and end date: what was sent, else the template's; every day by
    default, and a template's duration sets the end."""
    items = data.get("items") or (list(template.items) if template else [])
    if not items:
        raise InvalidInput({"items": ["A programme needs at least one exercise."]})
    days = data.get("days_of_week") or (list(template.days_of_week) if template else None)
    starts_on = data["starts_on"]
    ends_on = data.get("ends_on")
    if ends_on is None and template is not None:
        ends_on = starts_on + dt.timedelta(weeks=template.duration_weeks, days=-1)
    return _Schedule(items, days or list(DAYS_OF_WEEK), starts_on, ends_on)


def _pause_if_on_hold(db_session: Session, programme: Programme) -> None:
    """A programme assigned while an exercise hold stands starts paused by triage."""
    if active_hold(db_session, programme.patient_id) is not None:
        programme.status, programme.paused_by = "paused", "triage"
        _open_pause(db_session, programme.id, "triage")
        db_session.flush()


def _check_dates(starts_on: dt.date, ends_on: dt.date | None, today: dt.date) -> None:
    if starts_on < today - dt.timedelta(days=30):
        raise InvalidInput({"starts_on": ["A programme cannot start more than 30 days ago."]})
    if starts_on > today + dt.timedelta(days=365):
        raise InvalidInput({"starts_on": ["A programme must start within a year."]})
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput({"ends_on": ["ends_on must not be before starts_on."]})
    if ends_on is not None and ends_on > starts_on + dt.timedelta(days=366):
        raise InvalidInput({"ends_on": ["A programme lasts at most a year; assign a new one."]})


# --- reading and changing -------------------------------------------------------------


def visible_programme(session: Session, actor: User, programme_id: int) -> Programme:
    return readable_record(
        session, actor, Programme, programme_id, resource="programme", label="Programme"
    )


def list_stmt(patient_id: int, status: str | None) -> Select:
    stmt = select(Programme).where(Programme.patient_id == patient_id)
    if status:
        stmt = stmt.where(Programme.status == status)
    return stmt.order_by(Programme.starts_on.desc(), Programme.id.desc())


def patient_programmes(session: Session, patient_id: int, ids: list[int]) -> list[Programme]:
    """These programmes of the patient (others' ids are left out), by start date, for
    ``ExportProgrammeSchema``."""
    return list(
        session.scalars(
            select(Programme)
            .where(Programme.patient_id == patient_id, Programme.id.in_(ids))
            .order_by(Programme.starts_on, Programme.id)
        )
    )


def current(programme: Programme) -> ProgrammeVersion:
    return next(v for v in programme.versions if v.number == programme.current_version)


_TRANSITIONS = {
    "active": {"paused", "completed", "cancelled"},
    "paused": {"active", "completed", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}


def update(
    *, db_session: Session, actor: User, programme_id: int, changes: dict[str, Any]
) -> Programme:
    programme = visible_programme(db_session, actor, programme_id)
    patient = db_session.get(User, programme.patient_id)
    assert patient is not None
    if actor.role == Role.patient:
        allowed = {"status"}
        if set(changes) - allowed:
            raise Forbidden(
                "Only your therapist can change a programme's content; you may pause or resume it."
            )
    if "status" in changes:
        _change_status(db_session, actor, programme, changes["status"])
    _set_fields(programme, changes)
    if "items" in changes or "days_of_week" in changes:
        if programme.status in ("completed", "cancelled"):
            raise Conflict(f"This programme is {programme.status}; assign a new one.")
        _revise(db_session, actor, patient, programme, changes)
    programme.updated_at = utcnow()
    db_session.flush()
    return programme


def _set_fields(programme: Programme, changes: dict[str, Any]) -> None:
    """The title and end date as sent; the end never before the start."""
    for field in ("title", "ends_on"):
        if field in changes:
            setattr(programme, field, changes[field])
    if programme.ends_on is not None and programme.ends_on < programme.starts_on:
        raise InvalidInput({"ends_on": ["ends_on must not be before starts_on."]})


def _revise(
    session: Session, actor: User, patient: User, programme: Programme, changes: dict[str, Any]
) -> None:
    latest = current(programme)
    if "items" in changes:
        items = changes["items"]
    else:
        items = [
            {
                "exercise": item.exercise_slug,
                **{f: getattr(item, f) for f in (*DOSE_FIELDS, "load", "side", "notes")},
                "days_of_week": item.days_of_week
                if item.days_of_week != latest.days_of_week
                else None,
            }
            for item in latest.items
        ]
    days = changes.get("days_of_week") or latest.days_of_week
    override_reason = _override(actor, changes)
    plan = _plan(session, items)
    overridden, warnings = _check_contraindications(
        session, patient, plan, override_reason=override_reason
    )
    number = max(v.number for v in programme.versions) + 1
    _new_version(
        programme,
        number=number,
        days_of_week=days,
        plan=plan,
        actor=actor,
        warnings=warnings,
        overridden=overridden,
        override_reason=override_reason,
    )
    programme.current_version = number


def _change_status(session: Session, actor: User, programme: Programme, status: str) -> None:
    if status == programme.status:
        return
    _check_transition(session, actor, programme, status)
    if status == "paused":
        by = "therapist" if actor.role == Role.therapist else "patient"
        _open_pause(session, programme.id, by)
    elif programme.status == "paused":
        _close_pauses(session, [programme.id])
    programme.status = status
    programme.paused_by = by if status == "paused" else None


def _check_transition(session: Session, actor: User, programme: Programme, status: str) -> None:
    """Whether ``actor`` may take the programme to ``status`` now (else Conflict)."""
    if status not in _TRANSITIONS[programme.status]:
        raise Conflict(f"A {programme.status} programme cannot become {status}.")
    if status == "active":
        if active_hold(session, programme.patient_id) is not None:
            raise Conflict(
                "Exercise is on hold after a red-flag check-in. It resumes when a clinician "
                "resolves the alert."
            )
        if actor.role == Role.patient and programme.paused_by == "therapist":
            raise Conflict("Your therapist paused this programme; ask them to resume it.")
    if actor.role == Role.patient and status == "completed":
        raise Conflict("Your therapist marks a programme completed; you may pause or cancel it.")


def _open_pause(session: Session, programme_id: int, by: str) -> None:
    session.add(ProgrammePause(programme_id=programme_id, paused_by=by))


def _close_pauses(session: Session, programme_ids: list[int]) -> None:
    if programme_ids:
        session.execute(
            sql_update(ProgrammePause)
            .where(
                ProgrammePause.programme_id.in_(programme_ids), ProgrammePause.ended_at.is_(None)
            )
            .values(ended_at=utcnow())
        )


def _pause_for_hold(*, db_session: Session, patient_id: int) -> None:
    active = db_session.scalars(
        select(Programme).where(Programme.patient_id == patient_id, Programme.status == "active")
    ).all()
    for programme in active:
        programme.status, programme.paused_by = "paused", "triage"
        programme.updated_at = utcnow()
        _open_pause(db_session, programme.id, "triage")
    db_session.flush()


def _resume_after_hold(*, db_session: Session, patient_id: int) -> None:
    paused = db_session.scalars(
        select(Programme).where(
            Programme.patient_id == patient_id,
            Programme.status == "paused",
            Programme.paused_by == "triage",
        )
    ).all()
    for programme in paused:
        programme.status, programme.paused_by = "active", None
        programme.updated_at = utcnow()
    _close_pauses(db_session, [p.id for p in paused])
    db_session.flush()


# --- today -----------------------------------------------------------------------------

#: How many logged sessions on a day include each programme item: the sessions domain
#: registers its ``done_counts`` at start-up (``sessions.register()``), since sessions
#: sit above programmes.
DoneCounter = Callable[[Session, User, dt.date, list[int]], dict[int, int]]
_done_counter: list[DoneCounter] = []


def register_done_counter(counter: DoneCounter) -> None:
    _done_counter[:] = [counter]


def _done_counts(session: Session, patient: User, day: dt.date, item_ids: list[int]):
    if not _done_counter:
        raise RuntimeError("No done counter: create_app() registers the sessions domain's.")
    return _done_counter[0](session, patient, day, item_ids)


def today(*, db_session: Session, patient: User, day: dt.date | None) -> dict[str, Any]:
    day = day or local_today(patient.timezone)
    hold = active_hold(db_session, patient.id)
    banner = None
    if hold is not None:
        banner = {
            "level": hold.level,
            "headline": hold.reason,
            "what_to_do": (
                "Your exercises are paused after your check-in answers. Follow the advice you "
                "were given; they resume once a clinician has reviewed the alert."
            ),
            "since": hold.placed_at,
        }
        return {"date": day, "safety_banner": banner, "items": []}
    due = due_on(db_session, patient, day)
    done = _done_counts(db_session, patient, day, [item.item_id for item in due])
    names = catalogue.exercise_names(db_session, {item.exercise_id for item in due})
    items = []
    for item in due:
        completed = done.get(item.item_id, 0)
        items.append(
            {
                "programme_id": item.programme_id,
                "programme_title": item.programme_title,
                "programme_item_id": item.item_id,
                "exercise": item.exercise_slug,
                "exercise_name": names.get(item.exercise_id, item.exercise_slug),
                **{f: getattr(item, f) for f in (*DOSE_FIELDS, "load", "side", "notes")},
                "sessions_done": completed,
                "done": completed >= item.times_per_day,
            }
        )
    return {"date": day, "safety_banner": None, "items": items}


# --- read API for other domains -------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """A programme item due on a day."""

    programme_id: int
    programme_title: str
    item_id: int
    exercise_id: int
    exercise_slug: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    times_per_day: int
    load: str | None
    side: str | None
    notes: str | None


def due_on(session: Session, patient: User, day: dt.date) -> list[DueItem]:
    """Items due on the patient's local ``day`` across their active programmes."""
    weekday = DAYS_OF_WEEK[day.weekday()]
    # The current version's items of every active programme, as plain rows in one
    # statement, in programme then position order.
    rows = session.execute(
        select(
            Programme.id,
            Programme.title,
            ProgrammeItem.days_of_week,
            ProgrammeItem.id,
            ProgrammeItem.exercise_id,
            ProgrammeItem.exercise_slug,
            *(getattr(ProgrammeItem, f) for f in (*DOSE_FIELDS, "load", "side", "notes")),
        )
        .join(
            ProgrammeVersion,
            and_(
                ProgrammeVersion.programme_id == Programme.id,
                ProgrammeVersion.number == Programme.current_version,
            ),
        )
        .join(ProgrammeItem, ProgrammeItem.version_id == ProgrammeVersion.id)
        .where(
            Programme.patient_id == patient.id,
            Programme.status == "active",
            Programme.starts_on <= day,
            (Programme.ends_on.is_(None)) | (Programme.ends_on >= day),
        )
        .order_by(Programme.starts_on, Programme.id, ProgrammeItem.position)
    )
    return [DueItem(row[0], row[1], *row[3:]) for row in rows if weekday in row[2]]


@dataclass(frozen=True)
class ProgrammeRef:
    id: int
    current_version: int


def own_programme(session: Session, patient: User, programme_id: int) -> ProgrammeRef:
    """One of the patient's own programmes (a session names it), or NotFound."""
    programme = own_record(session, patient, Programme, programme_id, label="Programme")
    return ProgrammeRef(programme.id, programme.current_version)


def item_exercises(session: Session, programme_id: int, item_ids: set[int]) -> dict[int, str]:
    """Of these item ids, those that are items of the programme (any version), with the
    slug of each one's exercise."""
    rows = session.execute(
        select(ProgrammeItem.id, ProgrammeItem.exercise_slug)
        .join(ProgrammeVersion, ProgrammeItem.version_id == ProgrammeVersion.id)
        .where(ProgrammeItem.id.in_(item_ids), ProgrammeVersion.programme_id == programme_id)
    )
    return {row.id: row.exercise_slug for row in rows}


_versions = ProgrammeVersion.__table__.c
_items = ProgrammeItem.__table__.c
_programmes = Programme.__table__.c
#: Built once, for a reader that folds it into a statement of its own (parameters
#: ``programme_id``, ``patient_id`` and ``item_ids``, expanding): the patient's own
#: programme with those of the item ids that are its items (any version), as
#: (current_version, item_id, exercise_slug); LEFT JOINed so that a programme without
#: them still gives one row (the item columns NULL), and no row when the programme is not
#: the patient's. ``own_programme_items`` reads its rows.
OWN_PROGRAMME_ITEMS = (
    select(_programmes.current_version, _items.id.label("item_id"), _items.exercise_slug)
    .select_from(
        Programme.__table__.outerjoin(
            ProgrammeItem.__table__.join(
                ProgrammeVersion.__table__, _items.version_id == _versions.id
            ),
            and_(
                _versions.programme_id == _programmes.id,
                _items.id.in_(bindparam("item_ids", expanding=True)),
            ),
        )
    )
    .where(
        _programmes.id == bindparam("programme_id"),
        _programmes.patient_id == bindparam("patient_id"),
    )
)


def own_programme_items(
    programme_id: int, rows: list[tuple[int, int | None, str | None]]
) -> tuple[ProgrammeRef, dict[int, str]]:
    """``own_programme`` and ``item_exercises`` from the rows of ``OWN_PROGRAMME_ITEMS``:
    one of the patient's own programmes (or NotFound) and, of the item ids, its items with
    their exercise."""
    if not rows:
        raise NotFound("Programme not found.")
    items = {item_id: slug for _, item_id, slug in rows if item_id is not None}
    return ProgrammeRef(programme_id, rows[0][0]), items


@dataclass(frozen=True)
class ScheduledItem:
    id: int
    days_of_week: tuple[str, ...]
    times_per_day: int


@dataclass(frozen=True)
class VersionSchedule:
    number: int
    created_at: dt.datetime
    items: tuple[ScheduledItem, ...]


@dataclass(frozen=True)
class ProgrammeHistory:
    """A programme with every version's schedule and the periods it was paused."""

    id: int
    title: str
    status: str
    starts_on: dt.date
    ends_on: dt.date | None
    updated_at: dt.datetime
    versions: tuple[VersionSchedule, ...]
    pauses: tuple[tuple[dt.datetime, dt.datetime | None], ...]


def histories(
    session: Session, patient_id: int, start: dt.date, end: dt.date
) -> list[ProgrammeHistory]:
    """The patient's programmes that overlap ``start``..``end``, by start date: three
    queries however many programmes, read as plain rows (no ORM objects)."""
    programmes = session.execute(
        select(
            Programme.id,
            Programme.title,
            Programme.status,
            Programme.starts_on,
            Programme.ends_on,
            Programme.updated_at,
        )
        .where(
            Programme.patient_id == patient_id,
            Programme.starts_on <= end,
            or_(Programme.ends_on.is_(None), Programme.ends_on >= start),
        )
        .order_by(Programme.starts_on, Programme.id)
    ).all()
    if not programmes:
        return []
    ids = [p.id for p in programmes]
    # Every version with its items (in position order), in one statement.
    rows = session.execute(
        select(
            ProgrammeVersion.id,
            ProgrammeVersion.programme_id,
            ProgrammeVersion.number,
            ProgrammeVersion.created_at,
            ProgrammeItem.id,
            ProgrammeItem.days_of_week,
            ProgrammeItem.times_per_day,
        )
        .outerjoin(ProgrammeItem, ProgrammeItem.version_id == ProgrammeVersion.id)
        .where(ProgrammeVersion.programme_id.in_(ids))
        .order_by(ProgrammeVersion.id, ProgrammeItem.position)
    )
    found: dict[int, tuple[int, int, dt.datetime, list[ScheduledItem]]] = {}
    for version_id, programme_id, number, created_at, item_id, days, times in rows:
        version = found.setdefault(version_id, (programme_id, number, created_at, []))
        if item_id is not None:
            version[3].append(ScheduledItem(item_id, tuple(days), times))
    versions: dict[int, list[VersionSchedule]] = defaultdict(list)
    for programme_id, number, created_at, items in found.values():
        versions[programme_id].append(VersionSchedule(number, created_at, tuple(items)))
    pauses: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for programme_id, started_at, ended_at in session.execute(
        select(ProgrammePause.programme_id, ProgrammePause.started_at, ProgrammePause.ended_at)
        .where(ProgrammePause.programme_id.in_(ids))
        .order_by(ProgrammePause.id)
    ):
        pauses[programme_id].append((started_at, ended_at))
    return [
        ProgrammeHistory(
            id=p.id,
            title=p.title,
            status=p.status,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            updated_at=p.updated_at,
            versions=tuple(versions[p.id]),
            pauses=tuple(pauses[p.id]),
        )
        for p in programmes
    ]


@dataclass(frozen=True)
class NewVersion:
    programme_id: int
    number: int
    created_by_id: int | None


def new_versions(session: Session) -> list[NewVersion]:
    """The programme versions about to be written by this flush (``session.new``)."""
    return [
        NewVersion(obj.programme_id, obj.number, obj.created_by_id)
        for obj in session.new
        if isinstance(obj, ProgrammeVersion)
    ]


def patient_of(session: Session, programme_id: int) -> int | None:
    return session.scalar(select(Programme.patient_id).where(Programme.id == programme_id))


def _export(db_session: Session, user: User) -> list[Programme]:
    """Dumped by ``ExportProgrammeSchema``: every version with its items, as kept."""
    return list(
        db_session.scalars(
            select(Programme).where(Programme.patient_id == user.id).order_by(Programme.id)
        )
    )
