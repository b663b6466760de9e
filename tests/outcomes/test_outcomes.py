"""Outcome measures: NDI and PSFS scoring with worked examples, change labels, export."""

from __future__ import annotations

import datetime as dt

import pytest

from api.outcomes import scoring
from api.outcomes.models import OutcomeScore
from tests.sessions.helpers import count, today

NDI_17 = dict(zip(scoring.NDI_ITEMS, [3, 2, 2, 1, 2, 2, 2, 1, 1, 1], strict=True))  # sums to 17


@pytest.fixture
def headers(make):
    return make.headers(make.patient())


def post(client, headers, **body):
    return client.post("/api/v1/outcomes", json=body, headers=headers)


def test_ndi_summing_to_17_is_34_percent_moderate(client, headers):
    response = post(client, headers, instrument="ndi", answers=NDI_17)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["score"], body["percent"], body["band"]) == (17, 34, "moderate")
    assert body["unanswered"] == []
    assert body["interpretation"]["better"] == "lower"
    assert "Young" in body["interpretation"]["source"]


def test_ndi_one_missing_item_is_pro_rated(client, headers):
    answers = {**NDI_17, "driving": None}  # 16 over 9 items
    body = post(client, headers, instrument="ndi", answers=answers).get_json()
    assert body["percent"] == round(16 / 45 * 100, 2)  # 35.56 %
    assert body["score"] == round(16 / 45 * 50, 2)  # 17.78 of 50
    assert body["band"] == "moderate" and body["unanswered"] == ["driving"]
    omitted = {k: v for k, v in NDI_17.items() if k != "driving"}  # leaving it out is the same
    assert post(client, headers, instrument="ndi", answers=omitted).get_json()["score"] == 17.78


def test_ndi_three_missing_items_is_422_citing_vernon(app, client, headers):
    answers = {**NDI_17, "driving": None, "work": None, "reading": None}
    response = post(client, headers, instrument="ndi", answers=answers)
    assert response.status_code == 422
    assert "3 of the 10" in response.get_json()["errors"]["json"]["answers"][0]
    assert "Vernon" in response.get_json()["errors"]["json"]["answers"][0]
    assert count(app, OutcomeScore) == 0


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (4, "none"),
        (5, "mild"),
        (14, "mild"),
        (15, "moderate"),
        (24, "moderate"),
        (25, "severe"),
        (34, "severe"),
        (35, "complete"),
        (50, "complete"),
    ],
)
def test_ndi_bands(total, band):
    assert scoring.ndi_band(total) == band


def test_psfs_mean(client, headers):
    activities = [
        {"activity": "reaching overhead", "score": 4},
        {"activity": "driving", "score": 6},
        {"activity": "sitting at a desk", "score": 8},
    ]
    response = post(client, headers, instrument="psfs", answers={"activities": activities})
    assert response.status_code == 201
    body = response.get_json()
    assert body["score"] == 6.0
    # NDI results only: a PSFS outcome has no percent, band or unanswered items
    assert not {"percent", "band", "unanswered"} & set(body)
    assert body["interpretation"]["better"] == "higher"
    two_thirds = [{"activity": f"a{n}", "score": s} for n, s in enumerate([1, 2, 2])]
    assert (
        post(client, headers, instrument="psfs", answers={"activities": two_thirds}).get_json()[
            "score"
        ]
        == 1.67
    )


@pytest.mark.parametrize(
    "body",
    [
        {"instrument": "odi", "answers": {}},
        {"instrument": "ndi", "answers": {**NDI_17, "lifting": 6}},
        {"instrument": "ndi", "answers": {**NDI_17, "lifting": "2"}},
        {"instrument": "ndi", "answers": {**NDI_17, "typing": 2}},
        {"instrument": "psfs", "answers": {"activities": [{"activity": "a", "score": 5}] * 2}},
        {"instrument": "psfs", "answers": {"activities": [{"activity": "a", "score": 11}] * 3}},
        {
            "instrument": "psfs",
            "answers": {"activities": [{"activity": f"a{n}", "score": 5} for n in range(6)]},
        },
        {
            "instrument": "psfs",
            "answers": {
                "activities": [
                    {"activity": "Same", "score": 5},
                    {"activity": "same ", "score": 5},
                    {"activity": "other", "score": 5},
                ]
            },
        },
        {"instrument": "psfs", "answers": NDI_17},
        {"instrument": "ndi", "answers": NDI_17, "completed_on": "2999-01-01"},
        {"instrument": "ndi", "answers": NDI_17, "extra": 1},
    ],
)
def test_bad_answers_are_422_and_nothing_is_written(app, client, headers, body):
    response = client.post("/api/v1/outcomes", json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert count(app, OutcomeScore) == 0


def _psfs(*scores):
    return {"activities": [{"activity": f"a{n}", "score": s} for n, s in enumerate(scores)]}


def test_ndi_is_offered_with_its_scope_and_the_10_point_change(client, headers):
    body = post(client, headers, instrument="ndi", answers=NDI_17).get_json()
    interpretation = body["interpretation"]
    assert interpretation["meaningful_change"].startswith("10 points of 50")
    assert "validated for neck pain, not thoracic pain" in interpretation["scope"]
    assert "a 10-point change (the MDC) should be used as the MCID" in interpretation["source"]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "not thoracic pain" in spec["components"]["schemas"]["OutcomeCreate"]["description"]
    ndi = spec["components"]["schemas"]["NdiOutcomeCreate"]["properties"]["instrument"]
    assert "not thoracic pain" in ndi["description"]


def test_progress_reports_a_single_activitys_3_points_apart_from_the_label(client, headers):
    earlier = (today() - dt.timedelta(days=14)).isoformat()
    first = {
        "activities": [{"activity": "Reaching overhead", "score": 3}, *_psfs(5, 5)["activities"]]
    }
    latest = {
        "activities": [{"activity": "reaching overhead ", "score": 6}, *_psfs(5, 5)["activities"]]
    }
    post(client, headers, instrument="psfs", answers=first, completed_on=earlier)
    post(client, headers, instrument="psfs", answers=latest)
    change = client.get("/api/v1/me/progress", headers=headers).get_json()["outcomes"]["psfs"][
        "change"
    ]
    assert change["label"] == "unchanged"  # the mean moved 1 point
    assert change["detectable_activity_changes"] == [
        {
            "activity": "reaching overhead",
            "first": 3,
            "latest": 6,
            "difference": 3,
            "direction": "better",
        }
    ]
    assert "Stratford" in change["detectable_change"]


def test_list_filters_and_progress_shows_change(client, headers):
    earlier = (today() - dt.timedelta(days=30)).isoformat()
    post(client, headers, instrument="ndi", answers=NDI_17, completed_on=earlier)
    better = dict.fromkeys(scoring.NDI_ITEMS, 0)  # 0 of 50
    post(client, headers, instrument="ndi", answers=better)
    post(client, headers, instrument="psfs", answers=_psfs(4, 6, 8))
    listed = client.get("/api/v1/outcomes?instrument=ndi", headers=headers).get_json()
    assert [o["score"] for o in listed] == [0, 17]  # newest first
    assert len(client.get("/api/v1/outcomes", headers=headers).get_json()) == 3
    assert client.get("/api/v1/outcomes?instrument=odi", headers=headers).status_code == 422
    report = client.get("/api/v1/me/progress", headers=headers).get_json()
    ndi = report["outcomes"]["ndi"]
    assert ndi["change"]["label"] == "improved" and ndi["change"]["difference"] == -17
    assert ndi["change"]["detectable_activity_changes"] is None
    assert [s["change_from_first"] for s in ndi["scores"]] == [None, "improved"]
    assert report["outcomes"]["psfs"]["change"] is None


def test_export_has_outcomes(client, headers):
    post(client, headers, instrument="ndi", answers=NDI_17)
    export = client.get("/api/v1/me/export", headers=headers).get_json()["sections"]
    assert export["outcomes"][0]["score"] == 17 and export["outcomes"][0]["band"] == "moderate"
