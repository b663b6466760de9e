"""The pain-guided advice rules: facts in (``facts.SessionFacts``), advice out.

In order: the safety advice of a standing exercise hold; too much pain during an
exercise; pain above baseline the day after the previous session; exercises ready to
progress. The thresholds follow the pain-monitoring model (Silbernagel 2007, see
``SILBERNAGEL``): pain during exercise 0-2/10 is safe, 3-5/10 acceptable, above 5/10
too much, and the next day's response decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .facts import (
    Advice,
    CheckInPain,
    EntryFacts,
    ExerciseFacts,
    ExerciseHistory,
    Hold,
    PreviousSession,
    SessionFacts,
    Step,
)

TOO_MUCH_PAIN = 5  # pain during above this is "too much" (Silbernagel 2007)
NEXT_DAY_RISE = 2  # next-day pain this far above baseline: lower the dose
BASELINE_DAYS = 7
PROGRESSION_WINDOW_DAYS = 14
PROGRESSION_MIN_SESSIONS = 4
PROGRESSION_MIN_SPAN_DAYS = 10
PROGRESSION_MAX_EFFORT = 4
PROGRESSION_MAX_PAIN = 2

#: The advice kinds: the hold's safety advice (never a notice), then the notice kinds.
HOLD = "hold"
REGRESS = "regress"
REDUCE_DOSE = "reduce_dose"
PROGRESS = "progress"

SILBERNAGEL = (
    "Silbernagel KG et al. Am J Sports Med 2007;35(6):897-906 (pain-monitoring model: "
    "pain during exercise above 5/10 is too much; the 24-hour response decides)"
)
SMITH = (
    "Smith BE et al. Br J Sports Med 2017;51(23):1679-1687 (painful exercise gives at most "
    "a small short-term benefit)"
)
PAIN_SOURCE = f"{SILBERNAGEL}; {SMITH}"
PROGRESSION_SOURCE = (
    f"{SILBERNAGEL}; progression once an exercise is easy and pain-free is common practice"
)


@dataclass(frozen=True)
class NextDayPain:
    """Pain the day after the previous session, against the baseline before it."""

    day: dt.date  # the previous session's date
    exercises: tuple[str, ...]  # the previous session's exercises, in order
    pain: int
    baseline: float
    rise: float


@dataclass(frozen=True)
class Readiness:
    """An exercise easy and pain-free long enough to progress."""

    exercise: str
    sessions: int
    span_days: int


# --- the exercise hold ------------------------------------------------------------------


def hold_advice(hold: Hold) -> Advice:
    """The first advice of a session logged during a hold: the verdict's own words."""
    rules = ", ".join(hold.rules)
    return Advice(
        kind=HOLD,
        rule="exercise_hold",
        level=hold.level,
        exercise=None,
        exercise_name=None,
        suggestion=None,
        message=f"{hold.headline} {hold.advice}",
        source="Triage verdict behind your exercise hold" + (f" (rules {rules})" if rules else ""),
    )


# --- pain during ------------------------------------------------------------------------


def too_painful(entries: Iterable[EntryFacts]) -> dict[str, int]:
    """Exercises whose pain during went above 5/10, with their highest pain, in the order
    they first did."""
    painful: dict[str, int] = {}
    for entry in entries:
        if entry.pain_during is not None and entry.pain_during > TOO_MUCH_PAIN:
            highest = painful.get(entry.exercise, entry.pain_during)
            painful[entry.exercise] = max(highest, entry.pain_during)
    return painful


def pain_during_advice(facts: SessionFacts) -> list[Advice]:
    """Pain during an exercise above 5/10: its first safe regression, else a lower dose."""
    advice = []
    for slug, pain in too_painful(facts.entries).items():
        exercise = _exercise(facts, slug)
        regression = _first(exercise.regressions)
        opening = (
            f"Your pain during {exercise.name} reached {pain}/10. Above 5/10 is more than "
            "exercise should hurt, and pushing through pain brings no extra benefit."
        )
        if regression is not None:
            kind = REGRESS
            action = f" Next time do {regression.name} instead, the easier step of this exercise."
        else:
            kind = REDUCE_DOSE
            action = (
                " Next time do a lower dose: fewer sets or repetitions, a shorter hold or a "
                "smaller range, so that pain stays at 5/10 or below."
            )
        advice.append(
            Advice(
                kind=kind,
                rule="pain_during",
                exercise=slug,
                exercise_name=exercise.name,
                suggestion=regression,
                message=opening
                + action
                + " Your therapist will see this note. If the pain does not settle, contact them.",
                source=PAIN_SOURCE,
            )
        )
    return advice


# --- the next day -----------------------------------------------------------------------


def next_day_pain(
    previous: PreviousSession | None, check_ins: Iterable[CheckInPain]
) -> NextDayPain | None:
    """Pain on the day after the previous session, at least 2 points above the baseline
    (the mean check-in pain of the 7 days before that session), else ``None``."""
    if previous is None:
        return None
    day = previous.date
    next_day = [c.pain for c in check_ins if c.date == day + dt.timedelta(days=1)]
    before = [c.pain for c in check_ins if day - dt.timedelta(days=BASELINE_DAYS) <= c.date < day]
    if not next_day or not before:
        return None
    baseline = sum(before) / len(before)
    rise = next_day[0] - baseline
    if rise < NEXT_DAY_RISE:
        return None
    return NextDayPain(
        day=day, exercises=previous.exercises, pain=next_day[0], baseline=baseline, rise=rise
    )


def next_day_advice(facts: SessionFacts) -> list[Advice]:
    """Pain above baseline the day after the previous session: lower that session's dose."""
    found = next_day_pain(facts.previous, facts.check_ins)
    if found is None:
        return []
    advice = []
    for slug in dict.fromkeys(found.exercises):
        name = _exercise(facts, slug).name
        advice.append(
            Advice(
                kind=REDUCE_DOSE,
                rule="next_day_pain",
                exercise=slug,
                exercise_name=name,
                suggestion=None,
                message=(
                    f"The day after your session on {found.day.isoformat()} your pain was "
                    f"{found.pain}/10, {found.rise:.1f} points above your usual "
                    f"{found.baseline:.1f}/10. Lower the dose of {name} for now (fewer sets or "
                    "repetitions, or a shorter hold) until pain the next day stays at your "
                    "usual level. Your therapist will see this note."
                ),
                source=PAIN_SOURCE,
            )
        )
    return advice


# --- progression ------------------------------------------------------------------------


def ready_to_progress(facts: SessionFacts) -> list[Readiness]:
    """This session's exercises that have been easy and pain-free for 14 days: at least 4
    sessions (this one included) spanning at least 10 days, every entry with effort 4/10
    or less and pain 2/10 or less. None while exercise is on hold. By exercise slug."""
    if facts.hold is not None:
        return []
    earlier = {history.exercise: history for history in facts.history}
    found = (
        _readiness(slug, facts.date, earlier.get(slug))
        for slug in progression_candidates(facts.entries)
    )
    return sorted((ready for ready in found if ready is not None), key=lambda r: r.exercise)


def progression_candidates(entries: Iterable[EntryFacts]) -> frozenset[str]:
    """The exercises of a session whose every entry was easy: the only ones that can be
    ready to progress, so the only ones whose earlier sessions (``SessionFacts.history``)
    the advice reads."""
    easy: dict[str, bool] = {}
    for entry in entries:
        easy[entry.exercise] = easy.get(entry.exercise, True) and _easy(entry)
    return frozenset(slug for slug, all_easy in easy.items() if all_easy)


def _readiness(slug: str, date: dt.date, earlier: ExerciseHistory | None) -> Readiness | None:
    """``slug``, done on ``date`` with every entry easy, with its earlier sessions in the
    window: this session is one more, and the last of them."""
    if earlier is None or not earlier.all_easy:
        return None
    sessions = earlier.sessions + 1
    span = (date - earlier.first_date).days
    if sessions >= PROGRESSION_MIN_SESSIONS and span >= PROGRESSION_MIN_SPAN_DAYS:
        return Readiness(exercise=slug, sessions=sessions, span_days=span)
    return None


def _easy(entry: EntryFacts) -> bool:
    return (
        entry.effort is not None
        and entry.effort <= PROGRESSION_MAX_EFFORT
        and entry.pain_during is not None
        and entry.pain_during <= PROGRESSION_MAX_PAIN
    )


def progression_advice(
    facts: SessionFacts, readiness: Sequence[Readiness] | None = None
) -> list[Advice]:
    """An exercise ready to progress (``readiness``: ``ready_to_progress(facts)``, worked
    out here when not given): suggest its first safe progression, not again within 14 days
    of the same suggestion."""
    advice = []
    for ready in ready_to_progress(facts) if readiness is None else readiness:
        exercise = _exercise(facts, ready.exercise)
        progression = _first(exercise.progressions)
        if progression is None or ready.exercise in facts.recently_suggested:
            continue
        advice.append(
            Advice(
                kind=PROGRESS,
                rule="progression",
                exercise=ready.exercise,
                exercise_name=exercise.name,
                suggestion=progression,
                message=(
                    f"{exercise.name} has felt easy and pain-free in your last {ready.sessions} "
                    f"sessions over {ready.span_days + 1} days (effort 4/10 or less, pain 2/10 "
                    f"or less). You could move on to {progression.name}. Check with your "
                    "therapist first if you have one."
                ),
                source=PROGRESSION_SOURCE,
            )
        )
    return advice


# --- all of it --------------------------------------------------------------------------


def exercises_needing_steps(
    facts: SessionFacts, readiness: Sequence[Readiness] | None = None
) -> set[str]:
    """The exercises whose ladders the advice reads: those too painful (a regression) and
    those ready to progress (a progression; ``readiness`` as in ``progression_advice``).
    The caller looks up only these."""
    ready = ready_to_progress(facts) if readiness is None else readiness
    return set(too_painful(facts.entries)) | {r.exercise for r in ready}


def advise(facts: SessionFacts, readiness: Sequence[Readiness] | None = None) -> list[Advice]:
    """The advice after a session, in order: the hold's safety advice while one stands; too
    much pain during an exercise; pain above baseline the day after the previous session;
    exercises ready to progress (``readiness``: ``ready_to_progress(facts)`` when the
    caller has worked it out already, for the same facts but their exercises and
    recent suggestions)."""
    advice = [hold_advice(facts.hold)] if facts.hold is not None else []
    advice += pain_during_advice(facts)
    advice += next_day_advice(facts)
    advice += progression_advice(facts, readiness)
    return advice


def _exercise(facts: SessionFacts, slug: str) -> ExerciseFacts:
    """The exercise's facts; one the caller does not know is named by its slug."""
    return facts.exercises.get(slug) or ExerciseFacts(slug=slug, name=slug)


def _first(steps: tuple[Step, ...]) -> Step | None:
    return steps[0] if steps else None
