"""Facts for the triage tests: a fixed day, check-ins and profiles."""

from __future__ import annotations

import datetime

from api.triage import CheckInFacts, ProfileFacts

TODAY = datetime.date(2025, 6, 15)
AGE_UNKNOWN = object()


def ci(*symptoms: str, onset: str | None = "usual", pain: int = 4, **kwargs) -> CheckInFacts:
    return CheckInFacts(
        date=kwargs.pop("date", TODAY),
        pain=pain,
        symptoms=frozenset(symptoms),
        pain_onset=onset,
        **kwargs,
    )


def pf(
    *history: str,
    age=45,
    country: str | None = "GB",
    assessed: bool | None = None,
    linked: bool | None = None,
) -> ProfileFacts:
    """``linked=None`` (the caller did not say) keeps RF-ASSESS-01 out of other cases."""
    birth_year = None if age is AGE_UNKNOWN else TODAY.year - age
    return ProfileFacts(
        birth_year=birth_year,
        health_history=frozenset(history),
        country=country,
        pain_assessed_by_clinician=assessed,
        therapist_linked=linked,
    )


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)
