"""Table-driven tests of the pain-guided advice: each rule firing and its near misses at
the exact thresholds, without HTTP or a database."""

from __future__ import annotations

import datetime as dt

import pytest

from api import advice
from api.advice import advise, exercises_needing_steps, ready_to_progress, rules
from api.sessions.models import HOLD_ADVICE_KIND, NOTICE_KINDS

TODAY = dt.date(2025, 6, 15)
DEAD_BUG = advice.Step("dead-bug", "Dead bug")
PLANK = advice.Step("plank", "Plank")
EXERCISES = {
    "bird-dog": advice.ExerciseFacts(
        "bird-dog",
        "Bird dog",
        regressions=(DEAD_BUG, advice.Step("bridge", "Bridge")),
        progressions=(PLANK,),
    ),
    "chin-tuck": advice.ExerciseFacts("chin-tuck", "Chin tuck"),
    "wall-slide": advice.ExerciseFacts("wall-slide", "Wall slide", progressions=(PLANK,)),
}
HOLD = advice.Hold(
    level="urgent",
    headline="Speak to a doctor today.",
    advice="Pause your exercises.",
    rules=("RF-INF-01", "RF-MAL-01"),
)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def facts(*entries: advice.EntryFacts, **fields) -> advice.SessionFacts:
    fields.setdefault("exercises", EXERCISES)
    return advice.SessionFacts(date=TODAY, entries=entries, **fields)


def kinds(given: list[advice.Advice]) -> list[tuple[str, str, str | None]]:
    return [(item.kind, item.rule, item.exercise) for item in given]


# --------------------------------------------------------------------------- pain during

PAIN_DURING = [
    pytest.param((advice.EntryFacts("bird-dog", pain_during=5),), [], id="5-is-not-too-much"),
    pytest.param(
        (advice.EntryFacts("bird-dog", pain_during=6),),
        [("regress", "pain_during", "bird-dog")],
        id="6-regresses",
    ),
    pytest.param((advice.EntryFacts("bird-dog"),), [], id="pain-not-given"),
    pytest.param(
        (advice.EntryFacts("chin-tuck", pain_during=6),),
        [("reduce_dose", "pain_during", "chin-tuck")],
        id="no-regression-lowers-the-dose",
    ),
    pytest.param(
        (
            advice.EntryFacts("chin-tuck", pain_during=7),
            advice.EntryFacts("bird-dog", pain_during=2),
            advice.EntryFacts("bird-dog", pain_during=9),
            advice.EntryFacts("chin-tuck", pain_during=8),
        ),
        [("reduce_dose", "pain_during", "chin-tuck"), ("regress", "pain_during", "bird-dog")],
        id="once-per-exercise-in-order",
    ),
]


@pytest.mark.parametrize(("entries", "expected"), PAIN_DURING)
def test_pain_during(entries, expected):
    assert kinds(advise(facts(*entries))) == expected


def test_pain_during_names_the_first_open_regression_and_the_highest_pain():
    [item] = advise(
        facts(
            advice.EntryFacts("bird-dog", pain_during=9),
            advice.EntryFacts("bird-dog", pain_during=7),
        )
    )
    assert item.suggestion == DEAD_BUG
    assert item.exercise_name == "Bird dog"
    assert item.message == (
        "Your pain during Bird dog reached 9/10. Above 5/10 is more than exercise should hurt, "
        "and pushing through pain brings no extra benefit. Next time do Dead bug instead, the "
        "easier step of this exercise. Your therapist will see this note. If the pain does not "
        "settle, contact them."
    )
    assert item.source == f"{rules.SILBERNAGEL}; {rules.SMITH}"
    assert "Silbernagel" in item.source and "Smith" in item.source


def test_pain_during_without_a_regression_asks_for_a_lower_dose():
    [item] = advise(facts(advice.EntryFacts("chin-tuck", pain_during=6)))
    assert item.suggestion is None
    assert item.message == (
        "Your pain during Chin tuck reached 6/10. Above 5/10 is more than exercise should hurt, "
        "and pushing through pain brings no extra benefit. Next time do a lower dose: fewer "
        "sets or repetitions, a shorter hold or a smaller range, so that pain stays at 5/10 or "
        "below. Your therapist will see this note. If the pain does not settle, contact them."
    )


def test_an_exercise_the_caller_does_not_know_is_named_by_its_slug():
    [item] = advise(facts(advice.EntryFacts("cobra", pain_during=8)))
    assert (item.kind, item.exercise, item.exercise_name) == ("reduce_dose", "cobra", "cobra")
    assert "during cobra reached 8/10" in item.message


# --------------------------------------------------------------------------- the next day


PREVIOUS_DAY = days_ago(3)


def previous(*exercises: str, day: dt.date = PREVIOUS_DAY) -> advice.PreviousSession:
    return advice.PreviousSession(date=day, exercises=exercises or ("wall-slide", "chin-tuck"))


def around(
    next_day: int | None, baseline: dict[int, int], day: dt.date = PREVIOUS_DAY
) -> tuple[advice.CheckInPain, ...]:
    """Check-ins ``n`` days before ``day`` (``baseline``) and on the day after it."""
    found = [advice.CheckInPain(day - dt.timedelta(days=n), pain) for n, pain in baseline.items()]
    if next_day is not None:
        found.append(advice.CheckInPain(day + dt.timedelta(days=1), next_day))
    return tuple(found)


WEEK_AT_2 = {n: 2 for n in range(1, 8)}

NEXT_DAY = [
    pytest.param(around(4, WEEK_AT_2), True, id="rise-exactly-2"),
    pytest.param(around(3, WEEK_AT_2), False, id="rise-1"),
    pytest.param(around(4, {1: 2, 2: 2, 3: 3}), False, id="rise-1.67"),  # baseline 2.33
    pytest.param(around(5, {1: 3, 2: 3, 3: 3, 4: 2}), True, id="rise-2.25"),  # baseline 2.75
    pytest.param(around(4, {7: 2}), True, id="baseline-7-days-before-counts"),
    pytest.param(around(4, {8: 2}), False, id="baseline-8-days-before-does-not"),
    pytest.param(around(4, {8: 0, 1: 3}), False, id="8-days-before-left-out-of-the-mean"),
    pytest.param(around(4, {0: 0}), False, id="the-session-day-is-not-baseline"),
    pytest.param(around(4, {0: 9, 1: 2}), True, id="session-day-left-out-of-the-mean"),
    pytest.param(around(None, WEEK_AT_2), False, id="no-next-day-check-in"),
    pytest.param(around(9, {}), False, id="no-baseline"),
    pytest.param(
        (*around(None, WEEK_AT_2), advice.CheckInPain(days_ago(3) + dt.timedelta(days=2), 9)),
        False,
        id="two-days-after-is-not-the-next-day",
    ),
    pytest.param(
        (*around(None, WEEK_AT_2), advice.CheckInPain(days_ago(3), 9)),
        False,
        id="the-session-day-is-not-the-next-day",
    ),
]


@pytest.mark.parametrize(("check_ins", "fires"), NEXT_DAY)
def test_next_day_pain(check_ins, fires):
    given = advise(facts(advice.EntryFacts("bird-dog"), previous=previous(), check_ins=check_ins))
    expected = [
        ("reduce_dose", "next_day_pain", "wall-slide"),
        ("reduce_dose", "next_day_pain", "chin-tuck"),
    ]
    assert kinds(given) == (expected if fires else [])


def test_no_previous_session_no_next_day_advice():
    assert advise(facts(advice.EntryFacts("bird-dog"), check_ins=around(9, WEEK_AT_2))) == []


def test_next_day_advice_says_the_day_the_pain_and_the_baseline():
    check_ins = around(5, {1: 3, 2: 3, 3: 3, 4: 2})
    items = advise(
        facts(
            advice.EntryFacts("bird-dog"),
            previous=previous("wall-slide", "cobra", "wall-slide"),
            check_ins=check_ins,
        )
    )
    assert kinds(items) == [
        ("reduce_dose", "next_day_pain", "wall-slide"),
        ("reduce_dose", "next_day_pain", "cobra"),
    ]
    first, unknown = items
    assert first.message == (
        f"The day after your session on {days_ago(3).isoformat()} your pain was 5/10, 2.2 points "
        "above your usual 2.8/10. Lower the dose of Wall slide for now (fewer sets or "
        "repetitions, or a shorter hold) until pain the next day stays at your usual level. "
        "Your therapist will see this note."
    )
    assert (first.exercise_name, first.suggestion) == ("Wall slide", None)
    assert first.source == rules.PAIN_SOURCE
    assert unknown.exercise_name == "cobra" and "dose of cobra" in unknown.message


# --------------------------------------------------------------------------- progression


def easy(*days_back: int, exercise: str = "bird-dog", all_easy: bool = True):
    """The history of earlier sessions of ``exercise`` on these days back, one a day (the
    sessions service sums them up: see tests/sessions/test_advice.py)."""
    return (
        advice.ExerciseHistory(
            exercise,
            sessions=len(days_back),
            first_date=days_ago(max(days_back)),
            all_easy=all_easy,
        ),
    )


TODAY_EASY = advice.EntryFacts("bird-dog", pain_during=0, effort=2)

PROGRESSION = [
    pytest.param(TODAY_EASY, easy(12, 8, 4), True, id="4-sessions-over-13-days"),
    pytest.param(TODAY_EASY, easy(10, 5, 2), True, id="span-exactly-10-days"),
    pytest.param(TODAY_EASY, easy(9, 5, 2), False, id="span-9-days"),
    pytest.param(TODAY_EASY, easy(12, 8), False, id="only-3-sessions"),
    pytest.param(TODAY_EASY, easy(13, 8, 4), True, id="13-days-back-is-in-the-window"),
    pytest.param(TODAY_EASY, easy(12, 8, 4, all_easy=False), False, id="an-earlier-entry-not-easy"),
    pytest.param(TODAY_EASY, (), False, id="no-earlier-session"),
    pytest.param(
        advice.EntryFacts("bird-dog", pain_during=2, effort=4),
        easy(12, 8, 4),
        True,
        id="today-at-the-limits",
    ),
    pytest.param(
        advice.EntryFacts("bird-dog", pain_during=3, effort=2),
        easy(12, 8, 4),
        False,
        id="pain-3-today",
    ),
    pytest.param(
        advice.EntryFacts("bird-dog", pain_during=0, effort=5),
        easy(12, 8, 4),
        False,
        id="effort-5-today",
    ),
    pytest.param(
        advice.EntryFacts("bird-dog", effort=2), easy(12, 8, 4), False, id="no-pain-today"
    ),
    pytest.param(
        advice.EntryFacts("bird-dog", pain_during=0), easy(12, 8, 4), False, id="no-effort-today"
    ),
    pytest.param(
        (TODAY_EASY, advice.EntryFacts("bird-dog", pain_during=0, effort=6)),
        easy(12, 8, 4),
        False,
        id="one-entry-of-this-session-not-easy",
    ),
    pytest.param(
        (advice.EntryFacts("bird-dog", pain_during=0, effort=6), TODAY_EASY),
        easy(12, 8, 4),
        False,
        id="the-first-entry-of-this-session-not-easy",
    ),
    pytest.param(
        (TODAY_EASY, TODAY_EASY),
        easy(12, 8),  # this session, twice the exercise: one more session, not two
        False,
        id="entries-of-this-session-count-once",
    ),
    pytest.param(
        TODAY_EASY,
        (*easy(12, 8, 4), *easy(6, exercise="chin-tuck", all_easy=False)),
        True,
        id="other-exercises-do-not-count",
    ),
]


@pytest.mark.parametrize(("today", "history", "fires"), PROGRESSION)
def test_progression(today, history, fires):
    given = advise(facts(*(today if isinstance(today, tuple) else (today,)), history=history))
    assert kinds(given) == ([("progress", "progression", "bird-dog")] if fires else [])


@pytest.mark.parametrize(("today", "history", "fires"), PROGRESSION)
def test_only_the_progression_candidates_history_decides(today, history, fires):
    """The sessions service reads the history of ``progression_candidates`` only: the
    advice is the same with the history of the other exercises left out."""
    entries = today if isinstance(today, tuple) else (today,)
    candidates = rules.progression_candidates(entries)
    read = tuple(item for item in history if item.exercise in candidates)
    assert advise(facts(*entries, history=read)) == advise(facts(*entries, history=history))


@pytest.mark.parametrize(
    ("entries", "candidates"),
    [
        pytest.param((TODAY_EASY,), {"bird-dog"}, id="easy"),
        pytest.param((advice.EntryFacts("bird-dog", pain_during=3, effort=2),), set(), id="pain-3"),
        pytest.param(
            (advice.EntryFacts("bird-dog", pain_during=0, effort=5),), set(), id="effort-5"
        ),
        pytest.param((advice.EntryFacts("bird-dog", effort=2),), set(), id="pain-not-given"),
        pytest.param((advice.EntryFacts("bird-dog", pain_during=0),), set(), id="effort-not-given"),
        pytest.param(
            (TODAY_EASY, advice.EntryFacts("bird-dog", pain_during=0, effort=6)),
            set(),
            id="one-of-two-entries-not-easy",
        ),
        pytest.param(
            (TODAY_EASY, advice.EntryFacts("chin-tuck", pain_during=6, effort=2)),
            {"bird-dog"},
            id="another-exercise-not-easy",
        ),
        pytest.param((), set(), id="no-entries"),
    ],
)
def test_progression_candidates_are_the_exercises_with_every_entry_easy(entries, candidates):
    assert rules.progression_candidates(entries) == candidates


def test_progression_suggests_the_first_open_step_and_says_why():
    [item] = advise(facts(TODAY_EASY, history=easy(12, 8, 4)))
    assert item.suggestion == PLANK
    assert (item.exercise, item.exercise_name) == ("bird-dog", "Bird dog")
    assert item.message == (
        "Bird dog has felt easy and pain-free in your last 4 sessions over 13 days (effort "
        "4/10 or less, pain 2/10 or less). You could move on to Plank. Check with your "
        "therapist first if you have one."
    )
    assert item.source == rules.PROGRESSION_SOURCE


def test_progression_counts_the_sessions_and_days():
    [item] = advise(facts(TODAY_EASY, history=easy(11, 9, 7, 3)))
    assert "your last 5 sessions over 12 days" in item.message
    assert ready_to_progress(facts(TODAY_EASY, history=easy(11, 9, 7, 3))) == [
        rules.Readiness("bird-dog", sessions=5, span_days=11)
    ]


def test_this_session_is_counted_apart_from_every_earlier_one():
    history = (advice.ExerciseHistory("bird-dog", 3, days_ago(12), all_easy=True),)
    assert ready_to_progress(facts(TODAY_EASY, history=history)) == [
        rules.Readiness("bird-dog", sessions=4, span_days=12)
    ]


@pytest.mark.parametrize(
    ("sessions", "first_back", "ready"),
    [
        pytest.param(3, 12, True, id="3-earlier-sessions-make-4"),
        pytest.param(2, 12, False, id="2-earlier-sessions-make-3"),
        pytest.param(3, 10, True, id="first-10-days-back"),
        pytest.param(3, 9, False, id="first-9-days-back"),
        pytest.param(9, 13, True, id="many-sessions"),
    ],
)
def test_readiness_at_the_session_and_span_boundaries(sessions, first_back, ready):
    history = (advice.ExerciseHistory("bird-dog", sessions, days_ago(first_back), True),)
    expected = [rules.Readiness("bird-dog", sessions + 1, first_back)] if ready else []
    assert ready_to_progress(facts(TODAY_EASY, history=history)) == expected


def test_the_readiness_given_is_used_not_worked_out_again():
    given = [rules.Readiness("wall-slide", sessions=6, span_days=11)]
    ready_facts = facts(TODAY_EASY, history=easy(12, 8, 4))
    [item] = advise(ready_facts, given)
    assert (item.kind, item.exercise) == ("progress", "wall-slide")
    assert "your last 6 sessions over 12 days" in item.message
    assert exercises_needing_steps(ready_facts, given) == {"wall-slide"}
    assert exercises_needing_steps(ready_facts, []) == set()
    assert advise(ready_facts, []) == []


def test_progression_needs_a_step_open_to_the_patient():
    history = easy(12, 8, 4, exercise="chin-tuck")
    assert (
        advise(facts(advice.EntryFacts("chin-tuck", pain_during=0, effort=2), history=history))
        == []
    )


def test_progression_is_not_suggested_again_within_the_window():
    both = (*easy(12, 8, 4), *easy(12, 8, 4, exercise="wall-slide"))
    today = (TODAY_EASY, advice.EntryFacts("wall-slide", pain_during=1, effort=1))
    assert kinds(advise(facts(*today, history=both))) == [
        ("progress", "progression", "bird-dog"),
        ("progress", "progression", "wall-slide"),
    ]
    again = advise(facts(*today, history=both, recently_suggested=frozenset({"bird-dog"})))
    assert kinds(again) == [("progress", "progression", "wall-slide")]


def test_progressions_come_in_exercise_order():
    both = (*easy(12, 8, 4, exercise="wall-slide"), *easy(12, 8, 4))
    today = (advice.EntryFacts("wall-slide", pain_during=1, effort=1), TODAY_EASY)
    assert [r.exercise for r in ready_to_progress(facts(*today, history=both))] == [
        "bird-dog",
        "wall-slide",
    ]


# --------------------------------------------------------------------------- the hold


def test_a_hold_puts_its_safety_advice_first_and_stops_progression():
    items = advise(
        facts(
            TODAY_EASY,
            advice.EntryFacts("chin-tuck", pain_during=9),
            history=easy(12, 8, 4),
            hold=HOLD,
        )
    )
    assert kinds(items) == [
        ("hold", "exercise_hold", None),
        ("reduce_dose", "pain_during", "chin-tuck"),
    ]
    first = items[0]
    assert first.level == "urgent"
    assert first.message == "Speak to a doctor today. Pause your exercises."
    assert first.source == "Triage verdict behind your exercise hold (rules RF-INF-01, RF-MAL-01)"
    assert (first.exercise_name, first.suggestion) == (None, None)
    assert ready_to_progress(facts(TODAY_EASY, history=easy(12, 8, 4), hold=HOLD)) == []


def test_a_hold_without_rule_ids_names_none():
    [item] = advise(
        facts(advice.EntryFacts("chin-tuck"), hold=advice.Hold("emergency", "Call 999.", "Go."))
    )
    assert item.source == "Triage verdict behind your exercise hold"
    assert item.to_dict() == {
        "kind": "hold",
        "rule": "exercise_hold",
        "level": "emergency",
        "exercise": None,
        "exercise_name": None,
        "suggestion": None,
        "message": "Call 999. Go.",
        "source": "Triage verdict behind your exercise hold",
    }


# --------------------------------------------------------------------------- all of it


def test_advice_comes_in_rule_order():
    items = advise(
        facts(
            TODAY_EASY,
            advice.EntryFacts("chin-tuck", pain_during=6),
            history=easy(12, 8, 4),
            previous=previous("wall-slide"),
            check_ins=around(4, WEEK_AT_2),
        )
    )
    assert kinds(items) == [
        ("reduce_dose", "pain_during", "chin-tuck"),
        ("reduce_dose", "next_day_pain", "wall-slide"),
        ("progress", "progression", "bird-dog"),
    ]


def test_to_dict_is_the_stored_shape_without_a_level():
    [item] = advise(facts(advice.EntryFacts("bird-dog", pain_during=6)))
    data = item.to_dict()
    assert list(data) == [
        "kind",
        "rule",
        "exercise",
        "exercise_name",
        "suggestion",
        "message",
        "source",
    ]
    assert data["suggestion"] == {"slug": "dead-bug", "name": "Dead bug"}
    assert (data["kind"], data["exercise"], data["exercise_name"]) == (
        "regress",
        "bird-dog",
        "Bird dog",
    )
    assert data["message"] == item.message and data["source"] == item.source


@pytest.mark.parametrize(
    ("entries", "history", "hold", "needing"),
    [
        pytest.param(
            (advice.EntryFacts("bird-dog", pain_during=6),), (), None, {"bird-dog"}, id="pain"
        ),
        pytest.param((TODAY_EASY,), easy(12, 8, 4), None, {"bird-dog"}, id="ready"),
        pytest.param((TODAY_EASY,), easy(12, 8, 4), HOLD, set(), id="ready-on-hold"),
        pytest.param(
            (TODAY_EASY, advice.EntryFacts("chin-tuck", pain_during=7)),
            easy(12, 8, 4),
            None,
            {"bird-dog", "chin-tuck"},
            id="both",
        ),
        pytest.param(
            (advice.EntryFacts("bird-dog", pain_during=5),), (), None, set(), id="neither"
        ),
    ],
)
def test_exercises_needing_steps(entries, history, hold, needing):
    assert exercises_needing_steps(facts(*entries, history=history, hold=hold)) == needing


def test_advice_kinds_are_the_sessions_kinds():
    assert rules.HOLD == HOLD_ADVICE_KIND
    assert (rules.REGRESS, rules.REDUCE_DOSE, rules.PROGRESS) == NOTICE_KINDS
