"""Scoring rules for the outcome measures: pure functions, no Flask, no database.

NDI (Neck Disability Index; Vernon H, Mior S. J Manipulative Physiol Ther
1991;14(7):409-415): ten items scored 0-5, total 0-50 (x2 for a percentage).
Up to two unanswered items are pro-rated (percent = sum / (5 x answered) x 100);
with three or more the score is not valid (Vernon H. The Neck Disability Index:
state-of-the-art, 1991-2008. J Manipulative Physiol Ther 2008;31(7):491-502).
Meaningful change: 10 points of 50. Young BA et al. (Spine J 2009;9(10):802-808)
found an MCID of 7.5 and an MDC of 10.2 and concluded: "Because the MCID is within
the bounds of measurement error, a 10-point change (the MDC) should be used as the
MCID." Lower is better. The NDI was developed and validated for neck pain, not
thoracic pain (see ``NDI_SCOPE``).

PSFS (Patient-Specific Functional Scale; Stratford P et al. Physiother Can
1995;47:258-263): 3-5 activities the person chooses, each 0 (unable) to 10 (as
before); the score is the mean. Stratford 1995's 2 points on the mean and 3 points on
one activity are minimal *detectable* changes (90 % confidence), not meaningful ones;
Abbott JH, Schmitt JS (J Orthop Sports Phys Ther 2014;44(8):560-564) found minimum
important differences of 1.3 (small), 2.3 (medium) and 2.7 (large) on the mean. The
label (improved, worse) comes from the mean alone, at 2 points: a change that is
both detectable and within the meaningful range. An activity that moved 3 points is
reported separately, as a detectable change in that activity. Higher is better.

Differences are rounded to 2 decimals (as scores are) before they are compared, so
an exact boundary is never lost to floating point.
"""

from __future__ import annotations

from typing import Any

NDI_ITEMS = (
    "pain_intensity",
    "personal_care",
    "lifting",
    "reading",
    "headaches",
    "concentration",
    "work",
    "driving",
    "sleeping",
    "recreation",
)
NDI_MAX_UNANSWERED = 2
#: Young 2009: the MDC (10.2) used as the MCID, rounded to 10 as the authors advise.
NDI_MCID = 10.0
NDI_BANDS = ((5, "none"), (15, "mild"), (25, "moderate"), (35, "severe"))  # Vernon & Mior 1991
#: Stratford 1995 MDC on the mean; within Abbott & Schmitt 2014's MIDs (1.3-2.7).
PSFS_MEAN_CHANGE = 2.0
#: Stratford 1995 MDC for one activity: a detectable change in that activity, not a label.
PSFS_ACTIVITY_DETECTABLE = 3

VERNON_2008 = "Vernon H. J Manipulative Physiol Ther 2008;31(7):491-502"
YOUNG_2009 = (
    "Young BA et al. Spine J 2009;9(10):802-808 (MCID 7.5, MDC 10.2: 'Because the MCID is "
    "within the bounds of measurement error, a 10-point change (the MDC) should be used as the "
    "MCID.')"
)
SOURCES = {
    "ndi": (
        "Vernon H, Mior S. J Manipulative Physiol Ther 1991;14(7):409-415 (scoring, bands); "
        f"{VERNON_2008} (missing items); {YOUNG_2009}; MacDermid JC et al. J Orthop Sports "
        "Phys Ther 2009;39(5):400-417 (measurement properties, in neck pain); Leahy E et al. "
        "Man Ther 2016;22:22-30 (no questionnaire validated for thoracic pain)"
    ),
    "psfs": (
        "Stratford P et al. Physiother Can 1995;47:258-263 (minimal detectable changes: 2 "
        "points on the mean, 3 on one activity); Abbott JH, Schmitt JS. J Orthop Sports Phys "
        "Ther 2014;44(8):560-564 (minimum important differences 1.3 to 2.7 on the mean); Horn "
        "KK et al. J Orthop Sports Phys Ther 2012;42(1):30-42 (valid across body regions)"
    ),
}
#: What the NDI is validated for, said wherever it is offered.
NDI_SCOPE = (
    "The NDI was developed and validated for neck pain, not thoracic pain, and no "
    "questionnaire has been validated for thoracic pain alone (Leahy et al. 2016 found only "
    "whole-spine ones). Upright offers it because upper-back pain often involves the neck and "
    "shoulders; for pain confined to the upper back read its score and the 10-point change "
    "with caution and prefer the PSFS, which is not tied to a body region."
)


class TooManyUnanswered(ValueError):
    """Three or more NDI items unanswered: no valid score."""


def score_ndi(answers: dict[str, int | None]) -> dict[str, Any]:
    """{score (0-50), percent (0-100), band}; raises TooManyUnanswered."""
    given = [answers.get(item) for item in NDI_ITEMS]
    answered = [value for value in given if value is not None]
    missing = len(NDI_ITEMS) - len(answered)
    if missing > NDI_MAX_UNANSWERED:
        raise TooManyUnanswered(
            f"{missing} of the 10 NDI items are unanswered. Answer at least 8: with up to 2 "
            f"missing the score is pro-rated, with 3 or more it is not valid ({VERNON_2008})."
        )
    percent = sum(answered) / (5 * len(answered)) * 100
    total = percent / 2
    return {"score": round(total, 2), "percent": round(percent, 2), "band": ndi_band(total)}


def ndi_band(total: float) -> str:
    for upper, band in NDI_BANDS:
        if total < upper:
            return band
    return "complete"


def score_psfs(answers: dict[str, Any]) -> dict[str, Any]:
    scores = [activity["score"] for activity in answers["activities"]]
    return {"score": round(sum(scores) / len(scores), 2), "percent": None, "band": None}


def score(instrument: str, answers: dict[str, Any]) -> dict[str, Any]:
    return score_ndi(answers) if instrument == "ndi" else score_psfs(answers)


def unanswered(instrument: str, answers: dict[str, Any]) -> list[str]:
    if instrument != "ndi":
        return []
    return [item for item in NDI_ITEMS if answers.get(item) is None]


def interpretation(instrument: str) -> dict[str, str | None]:
    if instrument == "ndi":
        return {
            "better": "lower",
            "meaningful_change": f"{NDI_MCID:g} points of 50 (Young 2009: the MDC as the MCID)",
            "detectable_change": None,
            "scope": NDI_SCOPE,
            "source": SOURCES["ndi"],
        }
    return {
        "better": "higher",
        "meaningful_change": (
            f"{PSFS_MEAN_CHANGE:g} points on the mean (Abbott & Schmitt 2014: 1.3 to 2.7)"
        ),
        "detectable_change": (
            f"{PSFS_ACTIVITY_DETECTABLE} points on one activity (Stratford 1995), reported as "
            "detectable_activity_changes, not as a label"
        ),
        "scope": None,
        "source": SOURCES["psfs"],
    }


def change(instrument: str, first_score: float, latest_score: float) -> str:
    """improved, unchanged or worse between two scores of one instrument.

    NDI: 10 points of 50, lower is better. PSFS: 2 points on the mean, higher is
    better; single activities never decide the label (see
    ``detectable_activity_changes``).
    """
    difference = round(latest_score - first_score, 2)
    if instrument == "ndi":
        if difference <= -NDI_MCID:
            return "improved"
        if difference >= NDI_MCID:
            return "worse"
        return "unchanged"
    if difference >= PSFS_MEAN_CHANGE:
        return "improved"
    if difference <= -PSFS_MEAN_CHANGE:
        return "worse"
    return "unchanged"


def _activities(answers: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """Normalised activity name -> (the words the person used, score)."""
    return {
        a["activity"].strip().lower(): (a["activity"].strip(), a["score"])
        for a in answers.get("activities", [])
    }


def detectable_activity_changes(
    first_answers: dict[str, Any], latest_answers: dict[str, Any]
) -> list[dict[str, Any]]:
    """PSFS activities named both times whose score moved 3 points or more.

    A detectable change in that activity (Stratford 1995), reported on its own and
    never turned into an improved/worse label. In the order of the latest answers.
    """
    before, after = _activities(first_answers), _activities(latest_answers)
    found = []
    for name, (words, latest) in after.items():
        if name not in before:
            continue
        first = before[name][1]
        difference = latest - first
        if abs(difference) >= PSFS_ACTIVITY_DETECTABLE:
            found.append(
                {
                    "activity": words,
                    "first": first,
                    "latest": latest,
                    "difference": difference,
                    "direction": "better" if difference > 0 else "worse",
                }
            )
    return found
