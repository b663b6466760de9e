"""The facts triage reads: one check-in, the patient's profile and earlier check-ins.

Plain frozen dataclasses (and a named tuple) with no behaviour, so the rules
(``rules.py``) and the engine that validates and runs them (``engine.py``) both import
them from here and neither imports the other's module for them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class CheckInFacts:
    date: datetime.date  # the patient's local date of the check-in
    pain: int  # 0-10
    worst_pain: int | None = None
    symptoms: frozenset[str] = frozenset()
    pain_onset: str | None = None  # PAIN_ONSET code
    episode_started_on: datetime.date | None = None
    pain_areas: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProfileFacts:
    birth_year: int | None = None
    health_history: frozenset[str] = frozenset()
    country: str | None = None  # ISO 3166 alpha-2, upper case
    #: The patient's answer: has a clinician assessed this pain? (None: not answered)
    pain_assessed_by_clinician: bool | None = None
    #: Does the patient have an active therapist link? (None: the caller did not say)
    therapist_linked: bool | None = None


class PastCheckIn(NamedTuple):
    """An earlier check-in of the same patient (history may come in any order). A named
    tuple rather than a frozen dataclass, as immutable: a check-in reads up to 180 of
    them, and a tuple is made about five times faster."""

    date: datetime.date
    pain: int
    pain_onset: str | None = None
    episode_started_on: datetime.date | None = None
    #: Ids of the rules that fired on that check-in (for "once per episode" rules).
    rule_ids: frozenset[str] = frozenset()
