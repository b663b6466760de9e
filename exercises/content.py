"""Read the exercise catalogue from YAML into frozen dataclasses.

Layout of the data directory (default: ``exercises/data`` next to this module)::

    causes.yaml             a list of causes
    lifestyle.yaml          a list of lifestyle advice entries
    health_history.yaml     what each health-history code changes in the catalogue
    exercises/<slug>.yaml   one exercise per file
    templates/<slug>.yaml   one programme template per file

``read_content`` checks shapes only (required fields, types, unknown fields) and
raises ``ContentError``; ``load_content`` also runs ``exercises.validate.validate``
(links, ladders, vocabulary, safety rules). Every problem names the file and field.

The rules of ``health_history.yaml`` are applied when the catalogue is read: an exercise
comes back with the contraindications and precautions those rules give it (after the
ones its own file lists), so everything downstream (the database rows, their
fingerprints and the API's ETags, ``safe_for_me``, the assignment check) sees them
without knowing the rules exist.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

DEFAULT_ROOT = Path(__file__).resolve().parent / "data"

CAUSES_FILE = "causes.yaml"
LIFESTYLE_FILE = "lifestyle.yaml"
HISTORY_FILE = "health_history.yaml"
EXERCISES_DIR = "exercises"
TEMPLATES_DIR = "templates"


class ContentError(Exception):
    """The catalogue cannot be read or is invalid; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = "; ".join(self.problems[:5])
        more = f" (and {count - 5} more)" if count > 5 else ""
        super().__init__(f"{count} catalogue problem(s): {head}{more}")


def content_hash(obj: Any) -> str:
    """SHA-256 of the canonical JSON of ``obj.to_dict()`` (or of ``obj`` itself)."""
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Fingerprinted:
    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def fingerprint(self) -> str:
        """Stable hash of this item's content (see ``content_hash``)."""
        return content_hash(self)


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Cause(_Fingerprinted):
    slug: str
    name: str
    description: str
    typical_symptoms: tuple[str, ...]
    self_care: tuple[str, ...]
    doctor_treatments: tuple[str, ...]
    when_to_see_doctor: tuple[str, ...]
    exercise_allowed: bool
    see_doctor_first: str | None
    sources: tuple[str, ...]
    path: str = field(default="", compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "typical_symptoms": list(self.typical_symptoms),
            "self_care": list(self.self_care),
            "doctor_treatments": list(self.doctor_treatments),
            "when_to_see_doctor": list(self.when_to_see_doctor),
            "exercise_allowed": self.exercise_allowed,
            "see_doctor_first": self.see_doctor_first,
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class LifestyleAdvice(_Fingerprinted):
    slug: str
    factor: str
    advice: str
    related_exercises: tuple[str, ...]
    source: str
    path: str = field(default="", compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "factor": self.factor,
            "advice": self.advice,
            "related_exercises": list(self.related_exercises),
            "source": self.source,
        }


@dataclass(frozen=True)
class HistoryRule(_Fingerprinted):
    """What one health-history (or derived) code changes in the catalogue, and why.

    ``same_as``: every contraindication and precaution of that code applies to this one
    too; ``precaution``: a text shown on every exercise; ``avoid_movement_flags``:
    exercises with any of these movement flags are contraindicated for this code.
    """

    code: str
    effect: str
    why: str
    sources: tuple[str, ...]
    same_as: str | None = None
    precaution: str | None = None
    avoid_movement_flags: tuple[str, ...] = ()
    path: str = field(default="", compare=False, repr=False)

    @property
    def slug(self) -> str:
        return self.code

    @property
    def has_rules(self) -> bool:
        return bool(self.same_as or self.precaution or self.avoid_movement_flags)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "effect": self.effect,
            "why": self.why,
            "sources": list(self.sources),
            "same_as": self.same_as,
            "precaution": self.precaution,
            "avoid_movement_flags": list(self.avoid_movement_flags),
        }


@dataclass(frozen=True)
class Dose(_Fingerprinted):
    sets: int
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    times_per_day: int
    days_per_week: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "sets": self.sets,
            "reps": self.reps,
            "hold_seconds": self.hold_seconds,
            "rest_seconds": self.rest_seconds,
            "times_per_day": self.times_per_day,
            "days_per_week": self.days_per_week,
        }


@dataclass(frozen=True)
class CauseLink(_Fingerprinted):
    cause: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"cause": self.cause, "why": self.why}


@dataclass(frozen=True)
class Precaution(_Fingerprinted):
    code: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class Evidence(_Fingerprinted):
    level: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "source": self.source}


@dataclass(frozen=True)
class Media(_Fingerprinted):
    type: str
    url: str
    licence: str | None = None
    author: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "url": self.url, "licence": self.licence, "author": self.author}


@dataclass(frozen=True)
class Exercise(_Fingerprinted):
    slug: str
    name: str
    summary: str
    steps: tuple[str, ...]
    cues: tuple[str, ...]
    common_mistakes: tuple[str, ...]
    category: str
    region: str
    target_muscles: tuple[str, ...]
    equipment: tuple[str, ...]
    difficulty: int
    dose: Dose
    causes: tuple[CauseLink, ...]
    contraindications: tuple[str, ...]
    precautions: tuple[Precaution, ...]
    movement_flags: tuple[str, ...]
    progressions: tuple[str, ...]
    regressions: tuple[str, ...]
    evidence: Evidence
    media: tuple[Media, ...] = ()
    path: str = field(default="", compare=False, repr=False)

    @property
    def cause_slugs(self) -> tuple[str, ...]:
        return tuple(link.cause for link in self.causes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "summary": self.summary,
            "steps": list(self.steps),
            "cues": list(self.cues),
            "common_mistakes": list(self.common_mistakes),
            "category": self.category,
            "region": self.region,
            "target_muscles": list(self.target_muscles),
            "equipment": list(self.equipment),
            "difficulty": self.difficulty,
            "dose": self.dose.to_dict(),
            "causes": [link.to_dict() for link in self.causes],
            "contraindications": list(self.contraindications),
            "precautions": [p.to_dict() for p in self.precautions],
            "movement_flags": list(self.movement_flags),
            "progressions": list(self.progressions),
            "regressions": list(self.regressions),
            "evidence": self.evidence.to_dict(),
            "media": [m.to_dict() for m in self.media],
        }


@dataclass(frozen=True)
class TemplateItem(_Fingerprinted):
    exercise: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    times_per_day: int
    days_of_week: tuple[str, ...] | None = None
    notes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "sets": self.sets,
            "reps": self.reps,
            "hold_seconds": self.hold_seconds,
            "rest_seconds": self.rest_seconds,
            "times_per_day": self.times_per_day,
            "days_of_week": list(self.days_of_week) if self.days_of_week is not None else None,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Template(_Fingerprinted):
    slug: str
    name: str
    summary: str
    causes: tuple[str, ...]
    duration_weeks: int
    days_of_week: tuple[str, ...]
    items: tuple[TemplateItem, ...]
    source: str
    path: str = field(default="", compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "summary": self.summary,
            "causes": list(self.causes),
            "duration_weeks": self.duration_weeks,
            "days_of_week": list(self.days_of_week),
            "items": [item.to_dict() for item in self.items],
            "source": self.source,
        }


@dataclass(frozen=True)
class Content(_Fingerprinted):
    causes: dict[str, Cause]
    exercises: dict[str, Exercise]
    templates: dict[str, Template]
    lifestyle: dict[str, LifestyleAdvice]
    #: health_history.yaml by code; exercises already carry what its rules give them.
    history: dict[str, HistoryRule] = field(default_factory=dict)
    #: Problems found while reading that only validation reports (duplicate slugs).
    duplicates: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "causes": {slug: c.to_dict() for slug, c in sorted(self.causes.items())},
            "exercises": {slug: e.to_dict() for slug, e in sorted(self.exercises.items())},
            "templates": {slug: t.to_dict() for slug, t in sorted(self.templates.items())},
            "lifestyle": {slug: a.to_dict() for slug, a in sorted(self.lifestyle.items())},
            "history": {code: h.to_dict() for code, h in sorted(self.history.items())},
        }

    def exercises_for_cause(self, cause: str) -> list[Exercise]:
        """Exercises linked to ``cause``, in slug order."""
        return [e for _, e in sorted(self.exercises.items()) if cause in e.cause_slugs]


# --------------------------------------------------------------------------- reading

_MISSING = object()


class _Reader:
    """Pulls typed fields out of parsed YAML, collecting problems instead of raising."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value: Any, where: str, fields: dict[str, bool]) -> dict[str, Any] | None:
        """Check ``value`` is a mapping with the required ``fields`` (name -> required)."""
        if not isinstance(value, dict):
            self.problem(where, f"expected a mapping, got {_type_name(value)}")
            return None
        for key in value:
            if key not in fields:
                self.problem(_join(where, str(key)), "unknown field")
        for key, required in fields.items():
            if required and key not in value:
                self.problem(_join(where, key), "missing required field")
        return value

    def get(self, data: dict[str, Any], key: str, where: str, kind: str, default: Any = None):
        """Read ``data[key]`` as ``kind``: str, opt_str, int, opt_int, bool, str_list."""
        value = data.get(key, _MISSING)
        loc = _join(where, key)
        if value is _MISSING:
            return default
        if kind in ("opt_str", "opt_int") and value is None:
            return None
        base = kind.removeprefix("opt_")
        if base == "str":
            if not isinstance(value, str) or not value.strip():
                self.problem(loc, f"expected a non-empty string, got {_type_name(value)}")
                return default
            return value.strip()
        if base == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(loc, f"expected an integer, got {_type_name(value)}")
                return default
            return value
        if base == "bool":
            if not isinstance(value, bool):
                self.problem(loc, f"expected true or false, got {_type_name(value)}")
                return default
            return value
        if base == "str_list":
            return self.str_list(value, loc, default)
        raise ValueError(kind)  # pragma: no cover - programming error

    def str_list(self, value: Any, loc: str, default: Any = ()) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(loc, f"expected a list of strings, got {_type_name(value)}")
            return default
        out: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(
                    f"{loc}[{index}]", f"expected a non-empty string, got {_type_name(item)}"
                )
            else:
                out.append(item.strip())
        return tuple(out)

    def list_of(self, value: Any, loc: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(loc, f"expected a list, got {_type_name(value)}")
            return []
        return value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where and not where.endswith(": ") else f"{where}{key}"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _load_yaml(path: Path, rel: str, reader: _Reader) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        reader.problem(rel, "file not found")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or "cannot be parsed"
        reader.problem(rel, f"invalid YAML{at}: {reason}")
    return None


_CAUSE_FIELDS = {
    "slug": True,
    "name": True,
    "description": True,
    "typical_symptoms": True,
    "self_care": True,
    "doctor_treatments": True,
    "when_to_see_doctor": True,
    "exercise_allowed": True,
    "see_doctor_first": False,
    "sources": True,
}

_LIFESTYLE_FIELDS = {
    "slug": True,
    "factor": True,
    "advice": True,
    "related_exercises": True,
    "source": True,
}

_EXERCISE_FIELDS = {
    "slug": True,
    "name": True,
    "summary": True,
    "steps": True,
    "cues": True,
    "common_mistakes": True,
    "category": True,
    "region": True,
    "target_muscles": True,
    "equipment": True,
    "difficulty": True,
    "dose": True,
    "causes": True,
    "contraindications": True,
    "precautions": True,
    "movement_flags": True,
    "progressions": True,
    "regressions": True,
    "evidence": True,
    "media": False,
}

_HISTORY_FIELDS = {
    "code": True,
    "effect": True,
    "why": True,
    "sources": True,
    "same_as": False,
    "precaution": False,
    "avoid_movement_flags": False,
}

_DOSE_FIELDS = {
    "sets": True,
    "reps": True,
    "hold_seconds": True,
    "rest_seconds": True,
    "times_per_day": True,
    "days_per_week": True,
}

_TEMPLATE_FIELDS = {
    "slug": True,
    "name": True,
    "summary": True,
    "causes": True,
    "duration_weeks": True,
    "days_of_week": True,
    "items": True,
    "source": True,
}

_ITEM_FIELDS = {
    "exercise": True,
    "sets": True,
    "reps": False,
    "hold_seconds": False,
    "rest_seconds": True,
    "times_per_day": True,
    "days_of_week": False,
    "notes": False,
}


def _read_cause(r: _Reader, raw: Any, where: str, rel: str) -> Cause | None:
    data = r.mapping(raw, where, _CAUSE_FIELDS)
    if data is None:
        return None
    before = len(r.problems)
    cause = Cause(
        slug=r.get(data, "slug", where, "str", ""),
        name=r.get(data, "name", where, "str", ""),
        description=r.get(data, "description", where, "str", ""),
        typical_symptoms=r.get(data, "typical_symptoms", where, "str_list", ()),
        self_care=r.get(data, "self_care", where, "str_list", ()),
        doctor_treatments=r.get(data, "doctor_treatments", where, "str_list", ()),
        when_to_see_doctor=r.get(data, "when_to_see_doctor", where, "str_list", ()),
        exercise_allowed=r.get(data, "exercise_allowed", where, "bool", True),
        see_doctor_first=r.get(data, "see_doctor_first", where, "opt_str", None),
        sources=r.get(data, "sources", where, "str_list", ()),
        path=rel,
    )
    return cause if len(r.problems) == before else None


def _read_lifestyle(r: _Reader, raw: Any, where: str, rel: str) -> LifestyleAdvice | None:
    data = r.mapping(raw, where, _LIFESTYLE_FIELDS)
    if data is None:
        return None
    before = len(r.problems)
    advice = LifestyleAdvice(
        slug=r.get(data, "slug", where, "str", ""),
        factor=r.get(data, "factor", where, "str", ""),
        advice=r.get(data, "advice", where, "str", ""),
        related_exercises=r.get(data, "related_exercises", where, "str_list", ()),
        source=r.get(data, "source", where, "str", ""),
        path=rel,
    )
    return advice if len(r.problems) == before else None


def _read_history(r: _Reader, raw: Any, where: str, rel: str) -> HistoryRule | None:
    data = r.mapping(raw, where, _HISTORY_FIELDS)
    if data is None:
        return None
    before = len(r.problems)
    rule = HistoryRule(
        code=r.get(data, "code", where, "str", ""),
        effect=r.get(data, "effect", where, "str", ""),
        why=r.get(data, "why", where, "str", ""),
        sources=r.get(data, "sources", where, "str_list", ()),
        same_as=r.get(data, "same_as", where, "opt_str", None),
        precaution=r.get(data, "precaution", where, "opt_str", None),
        avoid_movement_flags=r.get(data, "avoid_movement_flags", where, "str_list", ()),
        path=rel,
    )
    return rule if len(r.problems) == before else None


def _read_dose(r: _Reader, raw: Any, where: str) -> Dose | None:
    data = r.mapping(raw, where, _DOSE_FIELDS)
    if data is None:
        return None
    return Dose(
        sets=r.get(data, "sets", where, "int", 0),
        reps=r.get(data, "reps", where, "opt_int", None),
        hold_seconds=r.get(data, "hold_seconds", where, "opt_int", None),
        rest_seconds=r.get(data, "rest_seconds", where, "int", 0),
        times_per_day=r.get(data, "times_per_day", where, "int", 0),
        days_per_week=r.get(data, "days_per_week", where, "int", 0),
    )


def _read_exercise(r: _Reader, raw: Any, rel: str) -> Exercise | None:
    where = f"{rel}: "
    data = r.mapping(raw, where, _EXERCISE_FIELDS)
    if data is None:
        return None
    before = len(r.problems)

    dose = _read_dose(r, data["dose"], f"{where}dose") if "dose" in data else None

    links: list[CauseLink] = []
    for i, item in enumerate(r.list_of(data.get("causes"), f"{where}causes")):
        loc = f"{where}causes[{i}]"
        link = r.mapping(item, loc, {"cause": True, "why": True})
        if link is not None:
            links.append(
                CauseLink(
                    cause=r.get(link, "cause", loc, "str", ""),
                    why=r.get(link, "why", loc, "str", ""),
                )
            )

    precautions: list[Precaution] = []
    for i, item in enumerate(r.list_of(data.get("precautions"), f"{where}precautions")):
        loc = f"{where}precautions[{i}]"
        p = r.mapping(item, loc, {"code": True, "text": True})
        if p is not None:
            precautions.append(
                Precaution(
                    code=r.get(p, "code", loc, "opt_str", None),
                    text=r.get(p, "text", loc, "str", ""),
                )
            )

    evidence = None
    if "evidence" in data:
        loc = f"{where}evidence"
        ev = r.mapping(data["evidence"], loc, {"level": True, "source": True})
        if ev is not None:
            evidence = Evidence(
                level=r.get(ev, "level", loc, "str", ""), source=r.get(ev, "source", loc, "str", "")
            )

    media: list[Media] = []
    for i, item in enumerate(r.list_of(data.get("media"), f"{where}media")):
        loc = f"{where}media[{i}]"
        m = r.mapping(item, loc, {"type": True, "url": True, "licence": False, "author": False})
        if m is not None:
            media.append(
                Media(
                    type=r.get(m, "type", loc, "str", ""),
                    url=r.get(m, "url", loc, "str", ""),
                    licence=r.get(m, "licence", loc, "opt_str", None),
                    author=r.get(m, "author", loc, "opt_str", None),
                )
            )

    exercise = Exercise(
        slug=r.get(data, "slug", where, "str", ""),
        name=r.get(data, "name", where, "str", ""),
        summary=r.get(data, "summary", where, "str", ""),
        steps=r.get(data, "steps", where, "str_list", ()),
        cues=r.get(data, "cues", where, "str_list", ()),
        common_mistakes=r.get(data, "common_mistakes", where, "str_list", ()),
        category=r.get(data, "category", where, "str", ""),
        region=r.get(data, "region", where, "str", ""),
        target_muscles=r.get(data, "target_muscles", where, "str_list", ()),
        equipment=r.get(data, "equipment", where, "str_list", ()),
        difficulty=r.get(data, "difficulty", where, "int", 0),
        dose=dose,  # type: ignore[arg-type]
        causes=tuple(links),
        contraindications=r.get(data, "contraindications", where, "str_list", ()),
        precautions=tuple(precautions),
        movement_flags=r.get(data, "movement_flags", where, "str_list", ()),
        progressions=r.get(data, "progressions", where, "str_list", ()),
        regressions=r.get(data, "regressions", where, "str_list", ()),
        evidence=evidence,  # type: ignore[arg-type]
        media=tuple(media),
        path=rel,
    )
    for key in ("steps", "cues", "common_mistakes", "target_muscles", "equipment"):
        if key in data and not getattr(exercise, key) and isinstance(data[key], list | None):
            r.problem(f"{where}{key}", "must not be empty")
    return exercise if len(r.problems) == before else None


def _read_template(r: _Reader, raw: Any, rel: str) -> Template | None:
    where = f"{rel}: "
    data = r.mapping(raw, where, _TEMPLATE_FIELDS)
    if data is None:
        return None
    before = len(r.problems)
    items: list[TemplateItem] = []
    for i, item in enumerate(r.list_of(data.get("items"), f"{where}items")):
        loc = f"{where}items[{i}]"
        d = r.mapping(item, loc, _ITEM_FIELDS)
        if d is None:
            continue
        days = None
        if d.get("days_of_week") is not None:
            days = r.str_list(d["days_of_week"], f"{loc}.days_of_week")
        items.append(
            TemplateItem(
                exercise=r.get(d, "exercise", loc, "str", ""),
                sets=r.get(d, "sets", loc, "int", 0),
                reps=r.get(d, "reps", loc, "opt_int", None),
                hold_seconds=r.get(d, "hold_seconds", loc, "opt_int", None),
                rest_seconds=r.get(d, "rest_seconds", loc, "int", 0),
                times_per_day=r.get(d, "times_per_day", loc, "int", 0),
                days_of_week=days,
                notes=r.get(d, "notes", loc, "opt_str", None),
            )
        )
    template = Template(
        slug=r.get(data, "slug", where, "str", ""),
        name=r.get(data, "name", where, "str", ""),
        summary=r.get(data, "summary", where, "str", ""),
        causes=r.get(data, "causes", where, "str_list", ()),
        duration_weeks=r.get(data, "duration_weeks", where, "int", 0),
        days_of_week=r.get(data, "days_of_week", where, "str_list", ()),
        items=tuple(items),
        source=r.get(data, "source", where, "str", ""),
        path=rel,
    )
    if "items" in data and not items and len(r.problems) == before:
        r.problem(f"{where}items", "must not be empty")
    return template if len(r.problems) == before else None


def _read_list_file(r: _Reader, root: Path, name: str, read_one, duplicates: list[str]) -> dict:
    count = len(r.problems)
    raw = _load_yaml(root / name, name, r)
    out: dict[str, Any] = {}
    if raw is None:
        if len(r.problems) == count:
            r.problem(name, "expected a list, got an empty file")
        return out
    if not isinstance(raw, list):
        r.problem(name, f"expected a list, got {_type_name(raw)}")
        return out
    for index, entry in enumerate(raw):
        item = read_one(r, entry, f"{name}: [{index}]", name)
        if item is None:
            continue
        if item.slug in out:
            duplicates.append(f"{name}: [{index}].slug: duplicate slug '{item.slug}'")
            continue
        out[item.slug] = item
    return out


def _read_dir(r: _Reader, root: Path, sub: str, read_one, duplicates: list[str]) -> dict:
    folder = root / sub
    out: dict[str, Any] = {}
    if not folder.is_dir():
        r.problem(f"{sub}/", "directory not found")
        return out
    for path in sorted(folder.iterdir()):
        if path.suffix == ".yml":
            r.problem(f"{sub}/{path.name}", "catalogue files must end in .yaml")
            continue
        if path.suffix != ".yaml" or not path.is_file():
            continue
        rel = f"{sub}/{path.name}"
        count = len(r.problems)
        raw = _load_yaml(path, rel, r)
        if raw is None:
            if len(r.problems) == count:
                r.problem(rel, "empty file")
            continue
        item = read_one(r, raw, rel)
        if item is None:
            continue
        if item.slug in out:
            duplicates.append(
                f"{rel}: slug: duplicate slug '{item.slug}' (also in {out[item.slug].path})"
            )
            continue
        out[item.slug] = item
    return out


def read_content(root: Path | str | None = None) -> Content:
    """Read the catalogue without checking relations; raise ``ContentError`` on bad shapes."""
    base = Path(root) if root is not None else DEFAULT_ROOT
    r = _Reader()
    if not base.is_dir():
        raise ContentError([f"{base.name}/: catalogue directory not found"])
    duplicates: list[str] = []
    causes = _read_list_file(r, base, CAUSES_FILE, _read_cause, duplicates)
    lifestyle = _read_list_file(r, base, LIFESTYLE_FILE, _read_lifestyle, duplicates)
    history = _read_list_file(r, base, HISTORY_FILE, _read_history, duplicates)
    exercises = _read_dir(r, base, EXERCISES_DIR, _read_exercise, duplicates)
    templates = _read_dir(r, base, TEMPLATES_DIR, _read_template, duplicates)
    if r.problems:
        raise ContentError(r.problems)
    return Content(
        causes=causes,
        exercises={slug: apply_history(e, history.values()) for slug, e in exercises.items()},
        templates=templates,
        lifestyle=lifestyle,
        history=history,
        duplicates=tuple(duplicates),
    )


def apply_history(exercise: Exercise, rules: Iterable[HistoryRule]) -> Exercise:
    """``exercise`` with what the health-history rules give it, after its own entries.

    A rule with ``same_as`` adds its code wherever the exercise lists that code (as a
    contraindication, and as a copy of each precaution with that code); ``precaution``
    adds a precaution with the rule's code; ``avoid_movement_flags`` adds the code as a
    contraindication when the exercise has one of those flags. A code is never added
    twice.
    """
    contraindications = list(exercise.contraindications)
    precautions = list(exercise.precautions)

    def contraindicate(code: str) -> None:
        if code not in contraindications:
            contraindications.append(code)

    def caution(precaution: Precaution) -> None:
        if precaution not in precautions:
            precautions.append(precaution)

    for rule in rules:
        if rule.same_as is not None:
            if rule.same_as in exercise.contraindications:
                contraindicate(rule.code)
            for own in exercise.precautions:
                if own.code == rule.same_as:
                    caution(Precaution(code=rule.code, text=own.text))
        if set(rule.avoid_movement_flags) & set(exercise.movement_flags):
            contraindicate(rule.code)
        if rule.precaution is not None:
            caution(Precaution(code=rule.code, text=rule.precaution))
    return replace(
        exercise, contraindications=tuple(contraindications), precautions=tuple(precautions)
    )


def load_content(root: Path | str | None = None) -> Content:
    """Read and validate the catalogue; raise ``ContentError`` listing every problem."""
    from exercises.validate import validate

    content = read_content(root)
    problems = validate(content)
    if problems:
        raise ContentError(problems)
    return content
