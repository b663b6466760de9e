"""The triage engine: facts in, verdict out. Pure Python: no Flask, no database.

``evaluate(check_in, profile, history)`` runs every rule of ``rules.RULES`` and
returns a ``TriageResult``: the highest level that fired, every rule that fired
(most severe first, then registry order), the wording for the patient, the
emergency number and same-day services for the profile's country, and the checks
that could not run for lack of data (unknown age, missing pain onset, no earlier pain
to compare, not told whether a therapist is linked).

Input codes are validated: an unknown code raises ``ValueError`` (the API
validates first and answers 422; this is the last line of defence).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from operator import attrgetter
from typing import Any

from . import messages
from .emergency import emergency_number, normalise_country
from .facts import CheckInFacts, PastCheckIn, ProfileFacts
from .rules import (
    ASSESSMENT_ONSETS,
    RULES,
    Context,
    Rule,
    compute_age,
    trend_not_checkable,
)
from .urgent_care import urgent_care_advice
from .vocabulary import HEALTH_HISTORY, LEVEL_RANK, PAIN_AREAS, PAIN_ONSET, SYMPTOMS

#: Oldest plausible age; anything above is treated as a data error.
MAX_AGE = 130
#: In a rule's patient message, replaced by the same-day services of the patient's country.
URGENT_CARE_PLACEHOLDER = "{urgent_care}"


@dataclass(frozen=True)
class FiredRule:
    id: str
    version: int
    level: str
    title: str
    evidence: dict[str, Any]
    patient_message: str
    clinician_message: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TriageResult:
    level: str
    headline: str
    advice: str
    disclaimer: str
    rules: tuple[FiredRule, ...]
    checks_not_run: tuple[str, ...]
    emergency_number: str | None
    pause_exercise: bool

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.rules)

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "headline": self.headline,
            "advice": self.advice,
            "disclaimer": self.disclaimer,
            "rules": [rule.to_dict() for rule in self.rules],
            "checks_not_run": list(self.checks_not_run),
            "emergency_number": self.emergency_number,
            "pause_exercise": self.pause_exercise,
        }


# --------------------------------------------------------------------------- validation


def _check_codes(name: str, codes: Iterable[str], valid: dict[str, str]) -> frozenset[str]:
    if isinstance(codes, str):
        raise ValueError(f"{name} must be a collection of codes, not a string")
    codes = frozenset(codes)
    unknown = sorted(code for code in codes if code not in valid)
    if unknown:
        raise ValueError(
            f"unknown {name} code(s): {', '.join(map(repr, unknown))}; valid: {', '.join(valid)}"
        )
    return codes


def _check_pain(name: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError(f"{name} must be an integer from 0 to 10, got {value!r}")


def _check_onset(name: str, onset: str | None) -> None:
    if onset is not None and onset not in PAIN_ONSET:
        raise ValueError(f"unknown {name} {onset!r}; valid: {', '.join(PAIN_ONSET)}")


def _check_flag(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"{name} must be true, false or None, got {value!r}")


def _check_rule_ids(value: object) -> None:
    if not isinstance(value, set | frozenset | list | tuple) or not all(
        isinstance(item, str) for item in value
    ):
        raise ValueError(f"history rule_ids must be a collection of rule ids, got {value!r}")


def _check_date(name: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValueError(f"{name} must be a date, got {value!r}")


def _check_history(past: PastCheckIn) -> None:
    _check_date("history date", past.date)
    _check_pain("history pain", past.pain)
    _check_onset("history pain_onset", past.pain_onset)
    _check_date("history episode_started_on", past.episode_started_on, optional=True)
    _check_rule_ids(past.rule_ids)


def _plainly_valid(past: PastCheckIn) -> bool:
    """True for a history entry of the plain types a database read gives (a date, an int
    from 0 to 10, a known onset or None, a date or None, a frozenset of strings), which
    ``_check_history`` accepts: up to 180 of them per check-in, checked without its
    calls. False sends the entry to ``_check_history``, which raises or accepts it."""
    day, pain, onset, episode, rule_ids = past
    return (
        type(day) is datetime.date
        and type(pain) is int
        and 0 <= pain <= 10
        and (onset is None or onset in PAIN_ONSET)
        and (episode is None or type(episode) is datetime.date)
        and type(rule_ids) is frozenset
        and (not rule_ids or all(type(rule_id) is str for rule_id in rule_ids))
    )


def _validate(
    check_in: CheckInFacts, profile: ProfileFacts, history: Sequence[PastCheckIn]
) -> tuple[CheckInFacts, ProfileFacts, tuple[PastCheckIn, ...]]:
    _check_date("date", check_in.date)
    _check_pain("pain", check_in.pain)
    _check_pain("worst_pain", check_in.worst_pain, optional=True)
    _check_onset("pain_onset", check_in.pain_onset)
    _check_date("episode_started_on", check_in.episode_started_on, optional=True)
    if check_in.episode_started_on is not None and check_in.episode_started_on > check_in.date:
        raise ValueError("episode_started_on is after the check-in date")
    check_in = replace(
        check_in,
        symptoms=_check_codes("symptom", check_in.symptoms, SYMPTOMS),
        pain_areas=_check_codes("pain_area", check_in.pain_areas, PAIN_AREAS),
    )

    birth_year = profile.birth_year
    if birth_year is not None:
        if isinstance(birth_year, bool) or not isinstance(birth_year, int):
            raise ValueError(f"birth_year must be an integer, got {birth_year!r}")
        age = check_in.date.year - birth_year
        if not 0 <= age <= MAX_AGE:
            raise ValueError(f"birth_year {birth_year} gives an impossible age {age}")
    _check_flag("pain_assessed_by_clinician", profile.pain_assessed_by_clinician)
    _check_flag("therapist_linked", profile.therapist_linked)
    profile = replace(
        profile,
        health_history=_check_codes("health_history", profile.health_history, HEALTH_HISTORY),
        country=normalise_country(profile.country),
    )

    for past in history:
        if not _plainly_valid(past):
            _check_history(past)  # says what is wrong (or accepts what is valid but unusual)
    # Only check-ins up to today's date count as history; later ones are ignored.
    today = check_in.date
    earlier = [past for past in history if past.date <= today]
    if len({past.date for past in earlier}) == len(earlier):
        earlier.sort(key=_BY_DATE)  # one a day (as stored): the date alone orders them
    else:
        earlier.sort(
            key=lambda p: (p.date, p.pain, p.pain_onset or "", p.episode_started_on or p.date)
        )
    return check_in, profile, tuple(earlier)


_BY_DATE = attrgetter("date")


# --------------------------------------------------------------------------- evaluation


def _fire(rule: Rule, evidence: dict[str, Any], country: str | None) -> FiredRule:
    return FiredRule(
        id=rule.id,
        version=rule.version,
        level=rule.level,
        title=rule.title,
        evidence=evidence,
        patient_message=rule.patient_message.replace(
            URGENT_CARE_PLACEHOLDER, urgent_care_advice(country)
        ),
        clinician_message=rule.clinician_message,
        source=rule.source,
    )


def _not_run(rule: Rule, ctx: Context, fired: bool) -> list[str]:
    """Why (part of) ``rule`` could not be checked, in plain words."""
    if fired:
        return []
    reasons = []
    if rule.age_check and ctx.age is None:
        reasons.append(f"{rule.age_check} not checked: year of birth unknown")
    if rule.needs_onset and ctx.onset is None:
        reasons.append("not checked: not told whether the pain is new, changed or usual")
    if rule.id == "RF-DUR-02" and trend_not_checkable(ctx):
        reasons.append(
            "not checked: no pain recorded at least 2 weeks earlier in this bout to compare with"
        )
    if (
        rule.id == "RF-ASSESS-01"
        and ctx.onset in ASSESSMENT_ONSETS
        and ctx.profile.therapist_linked is None
    ):
        reasons.append("not checked: not told whether a therapist is linked")
    return [f"{rule.id} ({rule.title}): {reason}" for reason in reasons]


def evaluate(
    check_in: CheckInFacts,
    profile: ProfileFacts,
    history: Sequence[PastCheckIn] = (),
) -> TriageResult:
    """Run every red-flag rule on one check-in; deterministic for the same input."""
    check_in, profile, earlier = _validate(check_in, profile, history)
    ctx = Context(
        check_in=check_in,
        profile=profile,
        history=earlier,
        age=compute_age(check_in.date, profile.birth_year),
    )

    fired: list[FiredRule] = []
    checks_not_run: list[str] = []
    for rule in RULES:
        evidence = rule.evaluate(ctx)
        if evidence is not None:
            fired.append(_fire(rule, evidence, profile.country))
        checks_not_run.extend(_not_run(rule, ctx, evidence is not None))

    order = {rule.id: index for index, rule in enumerate(RULES)}
    fired.sort(key=lambda r: (-LEVEL_RANK[r.level], order[r.id]))
    level = fired[0].level if fired else "none"
    number = emergency_number(profile.country)
    return TriageResult(
        level=level,
        headline=messages.headline(level, number),
        advice=messages.advice(level, number, profile.country),
        disclaimer=messages.DISCLAIMER,
        rules=tuple(fired),
        checks_not_run=tuple(checks_not_run),
        emergency_number=number,
        pause_exercise=level in messages.PAUSING_LEVELS,
    )
