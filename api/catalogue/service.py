"""Reading the catalogue: filters, ladders, contraindications and precautions.

A person's codes are their conditions, their health history and the codes derived from
their profile; what each code rules out was settled when the catalogue was read (see
``exercises/data/health_history.yaml``), so here a code simply matches the exercise's
``contraindications`` and precaution codes.

Other domains read the catalogue through typed values (``CatalogueExercise``, ``Dose``,
``Precaution``, ``BlockingCause``) from the functions under "read API"; they never
query its tables nor read an entry's ``data`` by key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.catalogue.models import (
    CatalogueVersion,
    Cause,
    Exercise,
    ExerciseCause,
    ExerciseEquipment,
    LifestyleAdvice,
)
from api.errors import NotFound
from api.timeutil import local_today
from exercises.vocabulary import SPINAL_SURGERY_FIRST_YEAR


@dataclass(frozen=True)
class Dose:
    """An exercise's default dose."""

    sets: int
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    times_per_day: int


@dataclass(frozen=True)
class Precaution:
    code: str | None  # None: for everyone
    text: str


@dataclass(frozen=True)
class CatalogueExercise:
    """An exercise as other domains see it."""

    id: int
    slug: str
    name: str
    category: str
    difficulty: int
    retired: bool
    dose: Dose
    causes: frozenset[str]
    contraindications: frozenset[str]
    precautions: tuple[Precaution, ...]


@dataclass(frozen=True)
class BlockingCause:
    """A condition that rules out every exercise until a doctor has assessed it."""

    slug: str
    see_doctor_first: str | None


def _typed(row: Exercise) -> CatalogueExercise:
    data = row.data
    dose = data["dose"]
    return CatalogueExercise(
        id=row.id,
        slug=row.slug,
        name=row.name,
        category=row.category,
        difficulty=row.difficulty,
        retired=row.retired_at is not None,
        dose=Dose(
            sets=dose.get("sets"),
            reps=dose.get("reps"),
            hold_seconds=dose.get("hold_seconds"),
            rest_seconds=dose.get("rest_seconds"),
            times_per_day=dose.get("times_per_day"),
        ),
        causes=frozenset(link["cause"] for link in data["causes"]),
        contraindications=frozenset(data.get("contraindications") or ()),
        precautions=tuple(
            Precaution(code=p.get("code"), text=p["text"]) for p in data.get("precautions", [])
        ),
    )


def catalogue_digest(session: Session) -> str:
    return session.scalar(select(CatalogueVersion.digest).where(CatalogueVersion.id == 1)) or ""


def personal_codes(user: User, today: dt.date | None = None) -> set[str]:
    """The codes that may rule exercises out for this person: their conditions and
    health history, plus ``spinal_surgery_first_year`` while the spine surgery they
    reported is this year's or last year's (their local ``today``)."""
    codes = set(user.conditions or ()) | set(user.health_history or ())
    year = user.spinal_surgery_year
    if "spinal_surgery" in codes and year is not None:
        this_year = (today or local_today(user.timezone)).year
        if this_year - year <= 1:
            codes.add(SPINAL_SURGERY_FIRST_YEAR)
    return codes


def blocking_causes(session: Session, codes: set[str]) -> list[BlockingCause]:
    """Conditions that rule out every exercise until a doctor has assessed them."""
    if not codes:
        return []
    rows = session.scalars(
        select(Cause).where(Cause.slug.in_(codes), Cause.exercise_allowed.is_(False))
    )
    return [BlockingCause(row.slug, row.data.get("see_doctor_first")) for row in rows]


def contraindicated_ids(session: Session, codes: set[str]) -> set[int]:
    rows = session.execute(select(Exercise.id, Exercise.contraindications))
    if blocking_causes(session, codes):
        return {exercise_id for exercise_id, _ in rows}
    return {exercise_id for exercise_id, contra in rows if codes & set(contra or ())}


def precautions_for(data: dict[str, Any], codes: set[str]) -> list[dict[str, Any]]:
    """The precautions that apply to ``codes`` (and those for everyone), each text once."""
    found: dict[str, dict[str, Any]] = {}
    for precaution in data.get("precautions", []):
        if precaution.get("code") is None or precaution["code"] in codes:
            found.setdefault(precaution["text"], precaution)
    return list(found.values())


def contraindicated_for(
    data: dict[str, Any], codes: set[str], blocking: list[BlockingCause]
) -> list[str]:
    """Why an exercise is ruled out for ``codes``: its contraindications they share, then
    any "see a doctor first" condition (which rules out everything)."""
    reasons = sorted(codes & set(data.get("contraindications") or ()))
    return reasons + sorted(c.slug for c in blocking if c.slug not in reasons)


LADDERS = ("progressions", "regressions")


def safe_ladders(
    session: Session, exercises: list[Exercise] | list[CatalogueExercise], codes: set[str]
) -> dict[str, dict[str, list[CatalogueExercise]]]:
    """For each exercise (by slug), the steps of each ladder ("progressions" and
    "regressions") open to someone with ``codes``, in ladder order. A step their codes
    rule out (or that is retired) is replaced by the next safe step beyond it on the same
    ladder, or by nothing. The same few queries however many exercises."""
    rows = {row.slug: row for row in session.scalars(select(Exercise))}
    excluded = contraindicated_ids(session, codes)

    def steps(exercise: Exercise | CatalogueExercise, ladder: str) -> list[CatalogueExercise]:
        found: list[CatalogueExercise] = []
        seen = {exercise.slug}

        def walk(slugs: list[str]) -> None:
            for slug in slugs:
                row = rows.get(slug)
                if row is None or slug in seen:
                    continue
                seen.add(slug)
                if row.id in excluded or row.retired_at is not None:
                    walk(row.data.get(ladder) or [])
                else:
                    found.append(_typed(row))

        walk(rows[exercise.slug].data.get(ladder) or [])
        return found

    return {e.slug: {ladder: steps(e, ladder) for ladder in LADDERS} for e in exercises}


def exercises_stmt(filters: dict[str, Any], excluded: set[int] | None = None) -> Select:
    stmt = select(Exercise).where(Exercise.retired_at.is_(None))
    if filters.get("cause"):
        stmt = stmt.where(
            exists().where(
                ExerciseCause.exercise_id == Exercise.id,
                ExerciseCause.cause_id
                == select(Cause.id).where(Cause.slug == filters["cause"]).scalar_subquery(),
            )
        )
    for column in ("category", "region", "difficulty"):
        if filters.get(column) is not None:
            stmt = stmt.where(getattr(Exercise, column) == filters[column])
    if filters.get("equipment"):
        owned = set(filters["equipment"]) | {"none"}
        stmt = stmt.where(
            ~exists().where(
                and_(
                    ExerciseEquipment.exercise_id == Exercise.id,
                    ExerciseEquipment.equipment.not_in(owned),
                )
            )
        )
    if filters.get("q"):
        needle = filters["q"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Exercise.search_text.like(f"%{needle}%", escape="\\"))
    if excluded:
        stmt = stmt.where(Exercise.id.not_in(excluded))
    return stmt.order_by(Exercise.name, Exercise.id)


def summary(exercise: Exercise, codes: set[str] | None = None) -> dict[str, Any]:
    data = exercise.data
    body = {
        key: data[key]
        for key in (
            "slug",
            "name",
            "summary",
            "category",
            "region",
            "difficulty",
            "equipment",
            "target_muscles",
            "dose",
            "contraindications",
        )
    }
    body["causes"] = [link["cause"] for link in data["causes"]]
    if codes is not None:
        body["precautions_for_me"] = precautions_for(data, codes)
    return body


def get_exercise(session: Session, slug: str) -> Exercise:
    exercise = session.scalar(select(Exercise).where(Exercise.slug == slug))
    if exercise is None:
        raise NotFound(f"No exercise '{slug}'.")
    return exercise


def _step(row: Exercise) -> dict[str, Any]:
    return {"slug": row.slug, "name": row.name, "difficulty": row.difficulty}


def detail(session: Session, exercise: Exercise, codes: set[str] | None = None) -> dict[str, Any]:
    """An exercise in full. With ``codes`` (safe_for_me): the ladder skips what they rule
    out, and ``contraindicated_for_me`` says whether this exercise itself is ruled out."""
    data = exercise.data
    ladder_slugs = set(data["progressions"]) | set(data["regressions"])
    steps = {
        row.slug: _step(row)
        for row in session.scalars(select(Exercise).where(Exercise.slug.in_(ladder_slugs)))
    }
    cause_names = {row.slug: row.name for row in session.execute(select(Cause.slug, Cause.name))}
    body = dict(data)
    body.update(summary(exercise, codes))
    body["causes"] = [
        {
            "cause": link["cause"],
            "name": cause_names.get(link["cause"], link["cause"]),
            "why": link["why"],
        }
        for link in data["causes"]
    ]
    body["progressions"] = [steps[s] for s in data["progressions"] if s in steps]
    body["regressions"] = [steps[s] for s in data["regressions"] if s in steps]
    body["retired"] = exercise.retired_at is not None
    if codes is not None:
        safe = safe_ladders(session, [exercise], codes)[exercise.slug]
        for ladder in LADDERS:
            body[ladder] = [_step(row) for row in safe[ladder]]
        body["contraindicated_for_me"] = contraindicated_for(
            data, codes, blocking_causes(session, codes)
        )
    return body


def list_causes(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Cause).where(Cause.retired_at.is_(None)).order_by(Cause.position, Cause.id)
    )
    return [row.data for row in rows]


def cause_detail(session: Session, slug: str) -> dict[str, Any]:
    cause = session.scalar(select(Cause).where(Cause.slug == slug, Cause.retired_at.is_(None)))
    if cause is None:
        raise NotFound(f"No cause '{slug}'.")
    exercises = session.scalars(
        select(Exercise)
        .join(ExerciseCause, ExerciseCause.exercise_id == Exercise.id)
        .where(ExerciseCause.cause_id == cause.id, Exercise.retired_at.is_(None))
        .order_by(Exercise.difficulty, Exercise.name)
    )
    return {**cause.data, "exercises": [summary(e) for e in exercises]}


def list_lifestyle(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(LifestyleAdvice)
        .where(LifestyleAdvice.retired_at.is_(None))
        .order_by(LifestyleAdvice.slug)
    )
    return [row.data for row in rows]


# --- read API for other domains -------------------------------------------------------


def exercises_by_slug(session: Session, slugs: set[str]) -> dict[str, CatalogueExercise]:
    """The exercises with these slugs (retired ones too), by slug; unknown slugs are absent."""
    if not slugs:
        return {}
    rows = session.scalars(select(Exercise).where(Exercise.slug.in_(slugs)))
    return {row.slug: _typed(row) for row in rows}


@dataclass(frozen=True)
class _Rung:
    """What walking a ladder reads of an exercise (``safe_ladders``)."""

    exercise: CatalogueExercise
    contraindications: frozenset[str]  # the column ``contraindicated_ids`` reads
    ladders: dict[str, tuple[str, ...]]  # "progressions" / "regressions": the slugs


@dataclass(frozen=True)
class KeptExercises:
    """The whole catalogue's exercises as other domains read them, with their ladders
    and the conditions that rule out every exercise: the same answers as
    ``exercises_by_slug`` and ``safe_ladders`` without a query (kept per process by
    ``api.catalogue.cache.kept_exercises``; the catalogue is public, nothing personal)."""

    rungs: dict[str, _Rung]
    blocking: frozenset[str]  # causes whose ``exercise_allowed`` is false

    def by_slug(self, slugs: set[str]) -> dict[str, CatalogueExercise]:
        """As ``exercises_by_slug``: unknown slugs are absent."""
        rungs = self.rungs
        return {slug: rungs[slug].exercise for slug in slugs if slug in rungs}

    def safe_ladders(
        self, exercises: list[CatalogueExercise], codes: set[str]
    ) -> dict[str, dict[str, list[CatalogueExercise]]]:
        """As ``safe_ladders``."""
        rungs = self.rungs
        everything = bool(codes & self.blocking)

        def ruled_out(rung: _Rung) -> bool:
            return everything or bool(codes & rung.contraindications)

        def steps(exercise: CatalogueExercise, ladder: str) -> list[CatalogueExercise]:
            found: list[CatalogueExercise] = []
            seen = {exercise.slug}

            def walk(slugs: tuple[str, ...]) -> None:
                for slug in slugs:
                    rung = rungs.get(slug)
                    if rung is None or slug in seen:
                        continue
                    seen.add(slug)
                    if ruled_out(rung) or rung.exercise.retired:
                        walk(rung.ladders[ladder])
                    else:
                        found.append(rung.exercise)

            walk(rungs[exercise.slug].ladders[ladder])
            return found

        return {e.slug: {ladder: steps(e, ladder) for ladder in LADDERS} for e in exercises}


def kept_exercises(session: Session) -> KeptExercises:
    """The catalogue's exercises read once, to be kept (``KeptExercises``)."""
    rungs = {
        row.slug: _Rung(
            exercise=_typed(row),
            contraindications=frozenset(row.contraindications or ()),
            ladders={ladder: tuple(row.data.get(ladder) or ()) for ladder in LADDERS},
        )
        for row in session.scalars(select(Exercise))
    }
    blocking = frozenset(
        session.scalars(select(Cause.slug).where(Cause.exercise_allowed.is_(False)))
    )
    return KeptExercises(rungs=rungs, blocking=blocking)


def exercise_names(session: Session, exercise_ids: set[int]) -> dict[int, str]:
    if not exercise_ids:
        return {}
    rows = session.execute(select(Exercise.id, Exercise.name).where(Exercise.id.in_(exercise_ids)))
    return {row.id: row.name for row in rows}


def related_exercises(session: Session, exercise: CatalogueExercise) -> list[CatalogueExercise]:
    """The other current exercises of the same category that share a cause with it,
    easiest first."""
    rows = session.scalars(
        select(Exercise)
        .where(
            Exercise.category == exercise.category,
            Exercise.retired_at.is_(None),
            Exercise.id != exercise.id,
        )
        .order_by(Exercise.difficulty, Exercise.name)
    )
    related = (_typed(row) for row in rows)
    return [other for other in related if exercise.causes & other.causes]


def precautions_of(exercise: CatalogueExercise, codes: set[str]) -> list[Precaution]:
    """The precautions of an exercise that apply to ``codes`` (and those for everyone),
    each text once."""
    found: dict[str, Precaution] = {}
    for precaution in exercise.precautions:
        if precaution.code is None or precaution.code in codes:
            found.setdefault(precaution.text, precaution)
    return list(found.values())
