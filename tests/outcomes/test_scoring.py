"""Outcome scoring without HTTP: change thresholds at their exact boundaries, the PSFS
activity changes reported apart from the label, and what each measure is said to mean."""

from __future__ import annotations

import datetime as dt

import pytest

from api.outcomes import scoring
from api.outcomes.models import OutcomeScore
from api.outcomes.service import summary


def psfs(*activities: tuple[str, int]) -> dict:
    return {"activities": [{"activity": name, "score": score} for name, score in activities]}


def mean(answers: dict) -> float:
    return scoring.score_psfs(answers)["score"]


# --------------------------------------------------------------------------- NDI: 10 points


@pytest.mark.parametrize(
    ("first", "latest", "label"),
    [
        (30, 20, "improved"),  # exactly -10
        (30, 20.01, "unchanged"),
        (30, 22.5, "unchanged"),  # the old 7.5-point threshold no longer labels
        (20, 30, "worse"),  # exactly +10
        (20, 29.99, "unchanged"),
        (20, 27.5, "unchanged"),
        (27.78, 17.78, "improved"),  # pro-rated scores: exactly -10 after rounding
        (17.78, 27.78, "worse"),
    ],
)
def test_ndi_meaningful_change_is_10_points(first, latest, label):
    assert scoring.change("ndi", first, latest) == label


def test_ndi_threshold_and_its_source_quote_young_2009():
    assert scoring.NDI_MCID == 10
    info = scoring.interpretation("ndi")
    assert info["meaningful_change"] == "10 points of 50 (Young 2009: the MDC as the MCID)"
    assert (
        "Because the MCID is within the bounds of measurement error, a 10-point change (the MDC) "
        "should be used as the MCID." in info["source"]
    )


def test_ndi_says_it_is_validated_for_neck_pain_not_thoracic_pain():
    info = scoring.interpretation("ndi")
    assert "validated for neck pain, not thoracic pain" in info["scope"]
    assert "prefer the PSFS" in info["scope"]
    assert "Leahy" in info["source"] and "MacDermid" in info["source"]
    assert scoring.interpretation("psfs")["scope"] is None


# --------------------------------------------------------------------------- PSFS: the mean


@pytest.mark.parametrize(
    ("first", "latest", "label"),
    [
        ((4, 4, 4), (6, 6, 6), "improved"),  # mean +2 exactly
        ((4, 4, 4), (5, 6, 6), "unchanged"),  # mean +1.67
        ((6, 6, 6), (4, 4, 4), "worse"),  # mean -2 exactly
        ((6, 6, 6), (5, 4, 4), "unchanged"),  # mean -1.67
        ((4, 4, 5), (6, 6, 7), "improved"),  # 4.33 -> 6.33 (rounded means): +2 exactly
        ((4, 4, 4), (7, 4, 4), "unchanged"),  # one activity +3: detectable, not a label
        ((6, 6, 6), (6, 6, 3), "unchanged"),  # one activity -3
        ((4, 4, 4), (10, 4, 4), "improved"),  # one activity +6 moves the mean by 2
    ],
)
def test_psfs_label_comes_from_the_mean_at_2_points(first, latest, label):
    a = psfs(*((f"a{n}", s) for n, s in enumerate(first)))
    b = psfs(*((f"a{n}", s) for n, s in enumerate(latest)))
    assert scoring.change("psfs", mean(a), mean(b)) == label


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(2, 5, [("better", 3)], id="plus-3-detectable"),
        pytest.param(2, 4, [], id="plus-2-not-detectable"),
        pytest.param(8, 5, [("worse", -3)], id="minus-3-detectable"),
        pytest.param(8, 6, [], id="minus-2-not-detectable"),
        pytest.param(0, 10, [("better", 10)], id="whole-scale"),
    ],
)
def test_single_activity_detectable_change_at_3_points(before, after, expected):
    first = psfs(("Reaching overhead", before), ("driving", 5), ("desk work", 5))
    latest = psfs(("reaching overhead ", after), ("driving", 5), ("desk work", 5))
    found = scoring.detectable_activity_changes(first, latest)
    assert [(item["direction"], item["difference"]) for item in found] == expected
    for item in found:
        assert item["activity"] == "reaching overhead"  # the latest wording, trimmed
        assert (item["first"], item["latest"]) == (before, after)


def test_activities_named_only_once_are_not_compared():
    first = psfs(("driving", 2), ("lifting", 2), ("sleeping", 2))
    latest = psfs(("driving", 2), ("gardening", 9), ("sleeping", 2))
    assert scoring.detectable_activity_changes(first, latest) == []


def test_activities_moving_both_ways_are_each_reported():
    first = psfs(("driving", 2), ("lifting", 8), ("sleeping", 5))
    latest = psfs(("driving", 6), ("lifting", 4), ("sleeping", 5))
    found = scoring.detectable_activity_changes(first, latest)
    assert [(i["activity"], i["direction"]) for i in found] == [
        ("driving", "better"),
        ("lifting", "worse"),
    ]
    assert scoring.change("psfs", mean(first), mean(latest)) == "unchanged"


def test_psfs_citations_name_detectable_and_meaningful_changes_apart():
    info = scoring.interpretation("psfs")
    assert info["meaningful_change"] == "2 points on the mean (Abbott & Schmitt 2014: 1.3 to 2.7)"
    assert info["detectable_change"].startswith("3 points on one activity (Stratford 1995)")
    assert "minimal detectable changes" in info["source"]
    assert "minimum important differences 1.3 to 2.7" in info["source"]


def test_summary_labels_psfs_by_the_mean_and_lists_the_activity_apart():
    first = psfs(("reaching", 3), ("driving", 5), ("desk work", 5))
    latest = psfs(("reaching", 6), ("driving", 5), ("desk work", 5))  # mean +1
    rows = [
        OutcomeScore(
            id=n,
            instrument="psfs",
            answers=answers,
            completed_on=dt.date(2025, 6, 1 + 14 * n),
            score=mean(answers),
            percent=None,
            band=None,
        )
        for n, answers in enumerate((first, latest))
    ]
    result = summary(rows)["psfs"]
    assert result["change"]["label"] == "unchanged"
    assert [s["change_from_first"] for s in result["scores"]] == [None, "unchanged"]
    assert [a["activity"] for a in result["change"]["detectable_activity_changes"]] == ["reaching"]
