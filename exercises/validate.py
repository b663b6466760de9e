"""Check the relations and safety rules of the exercise catalogue.

``validate(content)`` returns a list of problems (empty when the catalogue is sound).
Run ``python -m exercises.validate [data-dir]`` to check a catalogue from the shell:
it prints the problems and exits 1, or prints a summary and exits 0.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from exercises.content import (
    Content,
    ContentError,
    Dose,
    Exercise,
    Template,
    TemplateItem,
    read_content,
)
from exercises.vocabulary import (
    CATEGORIES,
    CAUSE_SLUGS,
    CONTRAINDICATION_CODES,
    DAYS_OF_WEEK,
    DERIVED_CODES,
    DIFFICULTY_RANGE,
    DOSE_BOUNDS,
    DURATION_WEEKS_RANGE,
    EQUIPMENT,
    EVIDENCE_LEVELS,
    FLEXION_TWIST_FLAGS,
    HEALTH_HISTORY_CODES,
    HISTORY_EFFECTS,
    MEDIA_TYPES,
    MIN_EXERCISES_PER_CAUSE,
    MOVEMENT_FLAGS,
    MUSCLES,
    OSTEOPOROSIS_CODE,
    REGIONS,
)


def validate(content: Content) -> list[str]:
    """Every problem in ``content``; each message starts with the file and field."""
    problems: list[str] = list(content.duplicates)
    problems += _check_causes(content)
    problems += _check_history(content)
    for slug in sorted(content.exercises):
        problems += _check_exercise(content, content.exercises[slug])
    problems += _check_ladders(content)
    problems += _check_cause_counts(content)
    for slug in sorted(content.templates):
        problems += _check_template(content, content.templates[slug])
    for slug in sorted(content.lifestyle):
        advice = content.lifestyle[slug]
        for i, ref in enumerate(advice.related_exercises):
            if ref not in content.exercises:
                problems.append(
                    f"{advice.path}: {slug}.related_exercises[{i}]: unknown exercise '{ref}'"
                )
    return problems


# --------------------------------------------------------------------------- helpers


def _enum(where: str, value: str, allowed: Iterable[str], what: str) -> list[str]:
    allowed = tuple(allowed)
    if value in allowed:
        return []
    return [f"{where}: unknown {what} '{value}' (expected one of: {', '.join(allowed)})"]


def _enum_list(where: str, values: Sequence[str], allowed: Iterable[str], what: str) -> list[str]:
    allowed = tuple(allowed)
    out: list[str] = []
    seen: set[str] = set()
    for i, value in enumerate(values):
        out += _enum(f"{where}[{i}]", value, allowed, what)
        if value in seen:
            out.append(f"{where}[{i}]: duplicate value '{value}'")
        seen.add(value)
    return out


def _bounds(where: str, name: str, value: int | None) -> list[str]:
    if value is None:
        return []
    low, high = DOSE_BOUNDS[name]
    if low <= value <= high:
        return []
    return [f"{where}.{name}: {value} is out of range ({low}-{high})"]


def _check_reps_or_hold(where: str, reps: int | None, hold: int | None) -> list[str]:
    if reps is None and hold is None:
        return [f"{where}: set exactly one of reps and hold_seconds (both are null)"]
    if reps is not None and hold is not None:
        return [f"{where}: set exactly one of reps and hold_seconds (both are set)"]
    return []


def _check_dose(where: str, dose: Dose) -> list[str]:
    out = _check_reps_or_hold(where, dose.reps, dose.hold_seconds)
    for name in DOSE_BOUNDS:
        out += _bounds(where, name, getattr(dose, name))
    return out


def _check_item_dose(where: str, item: TemplateItem) -> list[str]:
    out = _check_reps_or_hold(where, item.reps, item.hold_seconds)
    for name in ("sets", "reps", "hold_seconds", "rest_seconds", "times_per_day"):
        out += _bounds(where, name, getattr(item, name))
    return out


# --------------------------------------------------------------------------- causes


def _check_causes(content: Content) -> list[str]:
    out: list[str] = []
    for slug, cause in content.causes.items():
        if slug not in CAUSE_SLUGS:
            out.append(
                f"{cause.path}: {slug}.slug: unknown cause '{slug}' "
                f"(expected one of: {', '.join(CAUSE_SLUGS)})"
            )
        if not cause.exercise_allowed and not cause.see_doctor_first:
            out.append(
                f"{cause.path}: {slug}.see_doctor_first: required when exercise_allowed is false"
            )
        for key in ("typical_symptoms", "self_care", "when_to_see_doctor", "sources"):
            if not getattr(cause, key):
                out.append(f"{cause.path}: {slug}.{key}: must not be empty")
    for slug in CAUSE_SLUGS:
        if slug not in content.causes:
            out.append(f"causes.yaml: missing cause '{slug}'")
    return out


# --------------------------------------------------------------------------- health history


def _named_by_exercises(content: Content) -> set[str]:
    """Codes some exercise names as a contraindication or a precaution."""
    named: set[str] = set()
    for ex in content.exercises.values():
        named.update(ex.contraindications)
        named.update(p.code for p in ex.precautions if p.code is not None)
    return named


def _check_history(content: Content) -> list[str]:
    """Every health-history and derived code has one entry that says what it changes
    in the catalogue (or records why it changes nothing), and says it truthfully."""
    out: list[str] = []
    known = (*HEALTH_HISTORY_CODES, *DERIVED_CODES)
    named = _named_by_exercises(content)
    for code, rule in content.history.items():
        w = f"{rule.path}: {code}"
        if code not in known:
            out.append(f"{w}.code: unknown code '{code}' (expected one of: {', '.join(known)})")
        out += _enum(f"{w}.effect", rule.effect, HISTORY_EFFECTS, "effect")
        if not rule.sources:
            out.append(f"{w}.sources: must not be empty")
        if rule.same_as is not None and (
            rule.same_as == code or rule.same_as not in CONTRAINDICATION_CODES
        ):
            out.append(f"{w}.same_as: '{rule.same_as}' is not another contraindication code")
        out += _enum_list(
            f"{w}.avoid_movement_flags", rule.avoid_movement_flags, MOVEMENT_FLAGS, "movement flag"
        )
        if rule.effect == "rules" and not rule.has_rules:
            out.append(f"{w}.effect: 'rules' needs same_as, precaution or avoid_movement_flags")
        if rule.effect in ("listed", "none") and rule.has_rules:
            out.append(
                f"{w}.effect: '{rule.effect}' cannot have same_as, precaution or "
                "avoid_movement_flags (use 'rules')"
            )
        if rule.effect == "listed" and code not in named:
            out.append(f"{w}.effect: 'listed' but no exercise names '{code}'")
        if rule.effect == "none" and code in named:
            out.append(f"{w}.effect: 'none' but some exercises name '{code}' (use 'listed')")
    for code in known:
        if code not in content.history:
            out.append(
                f"health_history.yaml: missing entry for '{code}' (say what it changes in "
                "the catalogue, or why it changes nothing)"
            )
    return out


def _check_cause_counts(content: Content) -> list[str]:
    out: list[str] = []
    counts = Counter(c for e in content.exercises.values() for c in set(e.cause_slugs))
    for slug, cause in content.causes.items():
        if cause.exercise_allowed and counts[slug] < MIN_EXERCISES_PER_CAUSE:
            out.append(
                f"{cause.path}: {slug}: only {counts[slug]} exercise(s) linked to this cause "
                f"(at least {MIN_EXERCISES_PER_CAUSE} needed)"
            )
    return out


# --------------------------------------------------------------------------- exercises


def _check_exercise(content: Content, ex: Exercise) -> list[str]:
    w = f"{ex.path}: "
    out: list[str] = []
    stem = Path(ex.path).stem
    if ex.slug != stem:
        out.append(f"{w}slug: '{ex.slug}' does not match the file name '{stem}'")
    out += _enum(f"{w}category", ex.category, CATEGORIES, "category")
    out += _enum(f"{w}region", ex.region, REGIONS, "region")
    out += _enum_list(f"{w}target_muscles", ex.target_muscles, MUSCLES, "muscle")
    out += _enum_list(f"{w}equipment", ex.equipment, EQUIPMENT, "equipment")
    if "none" in ex.equipment and len(ex.equipment) > 1:
        out.append(f"{w}equipment: 'none' cannot be combined with other equipment")
    out += _enum_list(f"{w}movement_flags", ex.movement_flags, MOVEMENT_FLAGS, "movement flag")
    low, high = DIFFICULTY_RANGE
    if not low <= ex.difficulty <= high:
        out.append(f"{w}difficulty: {ex.difficulty} is out of range ({low}-{high})")
    out += _check_dose(f"{w}dose", ex.dose)
    out += _enum(f"{w}evidence.level", ex.evidence.level, EVIDENCE_LEVELS, "evidence level")
    for i, media in enumerate(ex.media):
        out += _enum(f"{w}media[{i}].type", media.type, MEDIA_TYPES, "media type")

    linked: set[str] = set()
    for i, link in enumerate(ex.causes):
        where = f"{w}causes[{i}].cause"
        if link.cause in linked:
            out.append(f"{where}: duplicate cause '{link.cause}'")
        linked.add(link.cause)
        cause = content.causes.get(link.cause)
        if cause is None:
            out.append(f"{where}: unknown cause '{link.cause}'")
        elif not cause.exercise_allowed:
            out.append(
                f"{where}: cause '{link.cause}' does not allow exercise "
                "(exercise_allowed is false); remove the link"
            )
        if link.cause in ex.contraindications:
            out.append(f"{where}: '{link.cause}' is also listed as a contraindication")
    if not ex.causes:
        out.append(f"{w}causes: must link at least one cause")

    for i, code in enumerate(ex.contraindications):
        if code not in CONTRAINDICATION_CODES:
            out.append(
                f"{w}contraindications[{i}]: unknown contraindication code '{code}' "
                "(use a health_history code or a cause slug)"
            )
    if len(set(ex.contraindications)) != len(ex.contraindications):
        out.append(f"{w}contraindications: duplicate codes")
    for i, precaution in enumerate(ex.precautions):
        if precaution.code is not None and precaution.code not in CONTRAINDICATION_CODES:
            out.append(
                f"{w}precautions[{i}].code: unknown precaution code '{precaution.code}' "
                "(use a health_history code, a cause slug or null)"
            )

    risky = sorted(FLEXION_TWIST_FLAGS.intersection(ex.movement_flags))
    if risky and OSTEOPOROSIS_CODE not in ex.contraindications:
        out.append(
            f"{w}contraindications: movement flag(s) {', '.join(risky)} require "
            f"'{OSTEOPOROSIS_CODE}' as a contraindication (ROS consensus: avoid loaded or "
            "end-range spinal flexion and forceful twisting with osteoporosis)"
        )

    for key in ("progressions", "regressions"):
        refs: Sequence[str] = getattr(ex, key)
        for i, ref in enumerate(refs):
            if ref == ex.slug:
                out.append(f"{w}{key}[{i}]: an exercise cannot list itself")
            elif ref not in content.exercises:
                out.append(f"{w}{key}[{i}]: unknown exercise '{ref}'")
        if len(set(refs)) != len(refs):
            out.append(f"{w}{key}: duplicate slugs")
    both = sorted(set(ex.progressions) & set(ex.regressions))
    if both:
        out.append(f"{w}progressions: {', '.join(both)} also listed in regressions")
    return out


def _check_ladders(content: Content) -> list[str]:
    """Direct neighbours must be symmetric and 'harder than' must be acyclic."""
    out: list[str] = []
    exercises = content.exercises
    harder: dict[str, set[str]] = {slug: set() for slug in exercises}
    for slug, ex in exercises.items():
        for ref in ex.progressions:
            if ref in exercises and ref != slug:
                harder[slug].add(ref)
        for ref in ex.regressions:
            if ref in exercises and ref != slug:
                harder[ref].add(slug)

    for slug in sorted(exercises):
        ex = exercises[slug]
        if ex.progressions and ex.progressions[0] in exercises:
            nxt = exercises[ex.progressions[0]]
            if slug not in nxt.regressions:
                out.append(
                    f"{ex.path}: progressions[0]: '{nxt.slug}' does not list '{slug}' "
                    "in its regressions (asymmetric ladder)"
                )
        if ex.regressions and ex.regressions[0] in exercises:
            prev = exercises[ex.regressions[0]]
            if slug not in prev.progressions:
                out.append(
                    f"{ex.path}: regressions[0]: '{prev.slug}' does not list '{slug}' "
                    "in its progressions (asymmetric ladder)"
                )

    for cycle in _cycles(harder):
        first = exercises[cycle[0]]
        out.append(f"{first.path}: progressions: ladder cycle {' -> '.join(cycle)}")
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One representative cycle per strongly connected group, found by depth-first search."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    found: list[list[str]] = []
    reported: set[frozenset[str]] = set()

    for start in sorted(graph):
        if colour[start] != white:
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        path = [start]
        colour[start] = grey
        while stack:
            node, pending = stack[-1]
            if not pending:
                colour[node] = black
                stack.pop()
                path.pop()
                continue
            nxt = pending.pop(0)
            if colour[nxt] == grey:
                cycle = [*path[path.index(nxt) :], nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    found.append(cycle)
            elif colour[nxt] == white:
                colour[nxt] = grey
                path.append(nxt)
                stack.append((nxt, sorted(graph[nxt])))
    return found


# --------------------------------------------------------------------------- templates


def _check_template(content: Content, tpl: Template) -> list[str]:
    w = f"{tpl.path}: "
    out: list[str] = []
    stem = Path(tpl.path).stem
    if tpl.slug != stem:
        out.append(f"{w}slug: '{tpl.slug}' does not match the file name '{stem}'")
    low, high = DURATION_WEEKS_RANGE
    if not low <= tpl.duration_weeks <= high:
        out.append(f"{w}duration_weeks: {tpl.duration_weeks} is out of range ({low}-{high})")
    out += _enum_list(f"{w}days_of_week", tpl.days_of_week, DAYS_OF_WEEK, "day")
    if not tpl.days_of_week:
        out.append(f"{w}days_of_week: must not be empty")
    if not tpl.causes:
        out.append(f"{w}causes: must list at least one cause")
    for i, slug in enumerate(tpl.causes):
        cause = content.causes.get(slug)
        if cause is None:
            out.append(f"{w}causes[{i}]: unknown cause '{slug}'")
        elif not cause.exercise_allowed:
            out.append(f"{w}causes[{i}]: cause '{slug}' does not allow exercise")
    seen: set[str] = set()
    for i, item in enumerate(tpl.items):
        where = f"{w}items[{i}]"
        if item.exercise in seen:
            out.append(f"{where}.exercise: duplicate exercise '{item.exercise}'")
        seen.add(item.exercise)
        out += _check_item_dose(where, item)
        if item.days_of_week is not None:
            out += _enum_list(f"{where}.days_of_week", item.days_of_week, DAYS_OF_WEEK, "day")
            if not item.days_of_week:
                out.append(f"{where}.days_of_week: must not be empty (omit it instead)")
        ex = content.exercises.get(item.exercise)
        if ex is None:
            out.append(f"{where}.exercise: unknown exercise '{item.exercise}'")
            continue
        clash = [c for c in tpl.causes if c in ex.contraindications]
        if clash:
            out.append(
                f"{where}.exercise: '{item.exercise}' is contraindicated for "
                f"{', '.join(repr(c) for c in clash)}, which this template suits"
            )
    return out


# --------------------------------------------------------------------------- command line


def summary(content: Content) -> str:
    """Counts per cause and per category, for the command line."""
    lines = [
        f"{len(content.exercises)} exercises, {len(content.templates)} templates, "
        f"{len(content.causes)} causes, {len(content.lifestyle)} lifestyle entries, "
        f"{len(content.history)} health-history entries",
        "",
        "exercises per cause:",
    ]
    for slug in CAUSE_SLUGS:
        cause = content.causes.get(slug)
        count = len(content.exercises_for_cause(slug))
        note = "" if cause is None or cause.exercise_allowed else "  (see a doctor first)"
        lines.append(f"  {slug:<28}{count:>3}{note}")
    lines += ["", "exercises per category:"]
    categories = Counter(e.category for e in content.exercises.values())
    for category in CATEGORIES:
        lines.append(f"  {category:<28}{categories[category]:>3}")
    lines += ["", "health-history codes (contraindicated exercises, effect):"]
    for code, rule in content.history.items():
        count = sum(code in e.contraindications for e in content.exercises.values())
        lines.append(f"  {code:<28}{count:>3}  {rule.effect}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python -m exercises.validate [data-dir]")
        return 2 if len(args) > 1 else 0
    root = Path(args[0]) if args else None
    try:
        content = read_content(root)
    except ContentError as exc:
        problems = exc.problems
    else:
        problems = validate(content)
    if problems:
        for problem in problems:
            print(problem)
        print(f"\n{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(summary(content))
    return 0


if __name__ == "__main__":
    sys.exit(main())
