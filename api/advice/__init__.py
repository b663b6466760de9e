"""Pain-guided advice after an exercise session: pure rules, no Flask, no database.
Facts in, advice out.

The advice follows the pain-monitoring model (Silbernagel KG, Thomeé R, Eriksson BI,
Karlsson J. Continued sports activity, using a pain-monitoring model, during
rehabilitation in patients with Achilles tendinopathy. Am J Sports Med
2007;35(6):897-906; applied to the back by extrapolation, see clinical/TRIAGE.md):
pain during exercise 0-2/10 is safe, 3-5/10 acceptable, above 5/10 too much, and
the next day's response decides. Painful exercise gives at most a small
short-term benefit (Smith BE, Hendrick P, Smith TO, et al. Should exercises be
painful in the management of chronic musculoskeletal pain? Br J Sports Med
2017;51(23):1679-1687), so the advice never asks anyone to push through pain.

A suggested regression or progression is the first step of the exercise's ladder that
the caller found open to the patient (``ExerciseFacts``: steps their conditions and
health history rule out are already skipped), or no step is suggested. While an
exercise hold stands, the hold's safety advice comes first and no progression is
suggested.

Public API::

    from api.advice import SessionFacts, EntryFacts, advise
    advice = advise(SessionFacts(date=..., entries=(EntryFacts("bird-dog", pain_during=6),)))
    [item.to_dict() for item in advice]
"""

from . import facts
from .facts import *  # noqa: F403  (the facts named in facts.__all__)
from .rules import (
    BASELINE_DAYS,
    HOLD,
    PROGRESSION_MAX_EFFORT,
    PROGRESSION_MAX_PAIN,
    PROGRESSION_WINDOW_DAYS,
    Readiness,
    advise,
    exercises_needing_steps,
    progression_candidates,
    ready_to_progress,
)

__all__ = [
    *facts.__all__,
    "BASELINE_DAYS",
    "HOLD",
    "PROGRESSION_MAX_EFFORT",
    "PROGRESSION_MAX_PAIN",
    "PROGRESSION_WINDOW_DAYS",
    "Readiness",
    "advise",
    "exercises_needing_steps",
    "progression_candidates",
    "ready_to_progress",
]
