"""Scoring rules for the outcome measures: pure functions, no Flask, no database.

NDI (Neck Disability Index; Vernon H, Mior S. J Manipulative Physiol Ther
1991;14(7):409-415): ten items scored 0-5, total 0-50 (x2 for a percentage).
Up to two unanswered items are pro-rated (percent = sum / (5 x answered) x 100);
with three or more the score is not valid (Vernon H. The Neck Disability Index:
state-of-the-art, 1991-2008. J Manipulative Physiol Ther 2008;31(7):491-502).
Minimal clinically important difference 7.5 points of 50 (Young BA et al. Spine J
2009;9(10):802-808). Lower is better.

PSFS (Patient-Specific Functional Scale; Stratford P et al. Physiother Can
1995;47:258-263): 3-5 activities the person chooses, each 0 (unable) to 10 (as
before); the score is the mean. Meaningful change: 2 points on the mean or 3 on
a single activity (Stratford 1995; Abbott JH, Schmitt JS. J Orthop Sports Phys
Ther 2014;44(8):560-564). Higher is better.
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
NDI_MCID = 7.5
NDI_BANDS = ((5, "none"), (15, "mild"), (25, "moderate"), (35, "severe"))  # Vernon & Mior 1991
PSFS_MEAN_MCID = 2.0
PSFS_ITEM_MCID = 3

VERNON_2008 = "Vernon H. J Manipulative Physiol Ther 2008;31(7):491-502"
SOURCES = {
    "ndi": (
        "Vernon H, Mior S. J Manipulative Physiol Ther 1991;14(7):409-415 (scoring, bands); "
        f"{VERNON_2008} (missing items); Young BA et al. Spine J 2009;9(10):802-808 (MCID)"
    ),
    "psfs": (
        "Stratford P et al. Physiother Can 1995;47:258-263; "
        "Abbott JH, Schmitt JS. J Orthop Sports Phys Ther 2014;44(8):560-564"
    ),
}


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


def interpretation(instrument: str) -> dict[str, str]:
    if instrument == "ndi":
        return {
            "better": "lower",
            "meaningful_change": f"{NDI_MCID} points of 50",
            "source": SOURCES["ndi"],
        }
    return {
        "better": "higher",
        "meaningful_change": (
            f"{PSFS_MEAN_MCID:g} points on the mean, or {PSFS_ITEM_MCID} on one activity"
        ),
        "source": SOURCES["psfs"],
    }


def _activities(answers: dict[str, Any]) -> dict[str, int]:
    return {a["activity"].strip().lower(): a["score"] for a in answers.get("activities", [])}


def change(
    instrument: str,
    first_score: float,
    latest_score: float,
    first_answers: dict[str, Any] | None = None,
    latest_answers: dict[str, Any] | None = None,
) -> str:
    """improved, unchanged or worse between two scores of one instrument.

    NDI: 7.5 points, lower is better. PSFS: 2 points on the mean decides; if the
    mean moved less, a change of 3 on an activity present both times counts,
    unless activities moved 3 points in both directions (then: unchanged).
    """
    difference = latest_score - first_score
    if instrument == "ndi":
        if difference <= -NDI_MCID:
            return "improved"
        if difference >= NDI_MCID:
            return "worse"
        return "unchanged"
    if difference >= PSFS_MEAN_MCID:
        return "improved"
    if difference <= -PSFS_MEAN_MCID:
        return "worse"
    before, after = _activities(first_answers or {}), _activities(latest_answers or {})
    moves = [after[name] - before[name] for name in before.keys() & after.keys()]
    up = any(move >= PSFS_ITEM_MCID for move in moves)
    down = any(move <= -PSFS_ITEM_MCID for move in moves)
    if up and not down:
        return "improved"
    if down and not up:
        return "worse"
    return "unchanged"
