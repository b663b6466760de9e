"""The facts the pain-guided advice reads, and the advice it gives: frozen dataclasses.

The sessions service gathers them (its queries); ``rules.advise`` reads nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Advice",
    "CheckInPain",
    "EntryFacts",
    "ExerciseFacts",
    "ExerciseHistory",
    "Hold",
    "PreviousSession",
    "SessionFacts",
    "Step",
]


@dataclass(frozen=True)
class Step:
    """A step of an exercise's ladder: an easier (regression) or harder (progression) one."""

    slug: str
    name: str


@dataclass(frozen=True)
class ExerciseFacts:
    """An exercise named in the advice, with the steps of its ladders that the patient's
    conditions and health history leave open, in ladder order (a step they rule out is
    already skipped for the one beyond it). Empty when there is no such step, or when the
    caller did not need to look (see ``rules.exercises_needing_steps``)."""

    slug: str
    name: str
    regressions: tuple[Step, ...] = ()
    progressions: tuple[Step, ...] = ()


@dataclass(frozen=True)
class EntryFacts:
    """One exercise of the session just logged: pain during it (0-10) and effort (0-10),
    each ``None`` when not reported."""

    exercise: str
    pain_during: int | None = None
    effort: int | None = None


@dataclass(frozen=True)
class ExerciseHistory:
    """An exercise's entries in the patient's earlier sessions, summed up: how many
    sessions had it (one however many entries it had in that session), the patient's
    local date of the first of them, and whether every one of those entries was easy
    (effort 4/10 or less and pain during 2/10 or less, both reported)."""

    exercise: str
    sessions: int
    first_date: dt.date
    all_easy: bool


@dataclass(frozen=True)
class PreviousSession:
    """The patient's session before this one: its local date and its exercises in order."""

    date: dt.date
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class CheckInPain:
    """A daily check-in's pain (0-10) on the patient's local date."""

    date: dt.date
    pain: int


@dataclass(frozen=True)
class Hold:
    """A standing exercise hold, in the words of the triage verdict behind it."""

    level: str
    headline: str
    advice: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionFacts:
    """Everything the advice after one session reads.

    ``history`` sums up, by exercise, the earlier sessions of the last
    ``PROGRESSION_WINDOW_DAYS`` days up to this session's date (those sessions only: the
    rules cannot tell one outside them); only the exercises of
    ``rules.progression_candidates`` are read (those of this session with every entry
    easy), others are ignored;
    ``check_ins`` at least those from ``BASELINE_DAYS`` days before the previous
    session to the day after it; ``recently_suggested`` the exercises whose
    progression was suggested in the last ``PROGRESSION_WINDOW_DAYS`` days.
    """

    date: dt.date  # the patient's local date of the session just logged
    entries: tuple[EntryFacts, ...]
    exercises: Mapping[str, ExerciseFacts] = field(default_factory=dict)
    history: tuple[ExerciseHistory, ...] = ()
    previous: PreviousSession | None = None
    check_ins: tuple[CheckInPain, ...] = ()
    recently_suggested: frozenset[str] = frozenset()
    hold: Hold | None = None


@dataclass(frozen=True)
class Advice:
    """One piece of advice. ``level`` only on the hold's safety advice."""

    kind: str
    rule: str
    exercise: str | None
    exercise_name: str | None
    suggestion: Step | None
    message: str
    source: str
    level: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stored and returned shape (the session's ``advice`` items)."""
        data: dict[str, Any] = {"kind": self.kind, "rule": self.rule}
        if self.level is not None:
            data["level"] = self.level
        data["exercise"] = self.exercise
        data["exercise_name"] = self.exercise_name
        data["suggestion"] = (
            {"slug": self.suggestion.slug, "name": self.suggestion.name}
            if self.suggestion is not None
            else None
        )
        data["message"] = self.message
        data["source"] = self.source
        return data
