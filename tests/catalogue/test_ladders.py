"""Ladders offered to a patient skip what their conditions and history rule out."""

from __future__ import annotations

import pytest

BONE_FRAGILE = ["osteoporosis", "long_term_steroids"]


def ladder(client, headers, slug: str) -> dict:
    response = client.get(f"/api/v1/exercises/{slug}?safe_for_me=true", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return {
        "progressions": [s["slug"] for s in body["progressions"]],
        "regressions": [s["slug"] for s in body["regressions"]],
        "contraindicated_for_me": body["contraindicated_for_me"],
    }


def public_ladder(client, slug: str) -> dict:
    body = client.get(f"/api/v1/exercises/{slug}").get_json()
    assert "contraindicated_for_me" not in body
    return {
        "progressions": [s["slug"] for s in body["progressions"]],
        "regressions": [s["slug"] for s in body["regressions"]],
    }


@pytest.mark.parametrize("code", BONE_FRAGILE)
@pytest.mark.parametrize(
    ("slug", "public", "safe"),
    [
        # chair thoracic extension -> foam roller: nothing beyond it, so none
        ("thoracic-extension-chair", ["thoracic-extension-foam-roller"], []),
        # seated rotation -> open book (bent elbow) -> open book -> thread the needle: all out
        ("seated-thoracic-rotation", ["side-lying-open-book-bent-elbow"], []),
        # dead bug -> bird dog, Pallof press, curl-up: the curl-up is left out
        (
            "dead-bug",
            ["bird-dog", "pallof-press", "abdominal-curl-up"],
            ["bird-dog", "pallof-press"],
        ),
        # prone extension -> superman, cobra: back-extensor work suits fragile bones (ROS
        # consensus); both stay, with their osteoporosis precautions
        ("prone-back-extension", ["superman", "cobra"], ["superman", "cobra"]),
    ],
)
def test_progressions_skip_what_fragile_bones_rule_out(client, make, code, slug, public, safe):
    headers = make.headers(make.patient(health_history=[code]))
    assert public_ladder(client, slug)["progressions"] == public
    mine = ladder(client, headers, slug)
    assert mine["progressions"] == safe
    assert mine["contraindicated_for_me"] == []


@pytest.mark.parametrize("code", BONE_FRAGILE)
def test_regressions_walk_past_a_ruled_out_step_to_the_next_safe_one(client, make, code):
    headers = make.headers(make.patient(health_history=[code]))
    # open book -> open book with a bent elbow (ruled out) -> seated rotation (safe)
    assert public_ladder(client, "side-lying-open-book")["regressions"] == [
        "side-lying-open-book-bent-elbow"
    ]
    mine = ladder(client, headers, "side-lying-open-book")
    assert mine["regressions"] == ["seated-thoracic-rotation"]
    assert mine["contraindicated_for_me"] == [code]
    # the foam roller's easier step, the chair version, stays
    assert ladder(client, headers, "thoracic-extension-foam-roller")["regressions"] == [
        "thoracic-extension-chair"
    ]


def test_prone_extension_ladder_skips_superman_and_cobra_with_spinal_stenosis(client, make):
    headers = make.headers(make.patient(conditions=["spinal-stenosis"]))
    assert ladder(client, headers, "prone-back-extension")["progressions"] == []
    assert ladder(client, headers, "superman")["contraindicated_for_me"] == ["spinal-stenosis"]


def test_without_restrictions_the_ladder_is_the_whole_ladder(client, make):
    headers = make.headers(make.patient())
    for slug in ("dead-bug", "thoracic-extension-chair", "side-lying-open-book"):
        mine = ladder(client, headers, slug)
        assert {k: mine[k] for k in ("progressions", "regressions")} == public_ladder(client, slug)


def test_a_see_a_doctor_first_condition_leaves_no_ladder(client, make):
    headers = make.headers(make.patient(conditions=["fracture"]))
    mine = ladder(client, headers, "dead-bug")
    assert mine == {"progressions": [], "regressions": [], "contraindicated_for_me": ["fracture"]}


def test_safe_for_me_detail_needs_sign_in_and_is_private(client, make):
    assert client.get("/api/v1/exercises/dead-bug?safe_for_me=true").status_code == 401
    a = make.headers(make.patient(health_history=["osteoporosis"]))
    b = make.headers(make.patient())
    path = "/api/v1/exercises/dead-bug?safe_for_me=true"
    first = client.get(path, headers=a)
    assert first.headers["Cache-Control"].startswith("private")
    assert first.headers["ETag"] != client.get(path, headers=b).headers["ETag"]
    assert client.get("/api/v1/exercises/dead-bug?safe_for_me=maybe", headers=a).status_code == 422


@pytest.mark.parametrize(
    "codes",
    [
        set(),
        {"osteoporosis"},
        {"long_term_steroids", "spinal_surgery", "spinal_surgery_first_year"},
        {"cancer"},
        {"suspected_fracture_or_serious_pathology", "acute_low_back_pain"},
    ],
)
def test_the_kept_exercises_answer_as_the_catalogue_does(app, codes):
    """``KeptExercises`` (kept per catalogue version for the session path) gives the
    exercises and the safe ladders the queries give, for every exercise."""
    from sqlalchemy import select

    from api.catalogue import service
    from api.catalogue.models import Cause, Exercise
    from api.database import get_session

    with app.app_context():
        session = get_session()
        kept = service.kept_exercises(session)
        slugs = set(session.scalars(select(Exercise.slug)))
        assert slugs and kept.by_slug(slugs | {"no-such-exercise"}) == (
            service.exercises_by_slug(session, slugs)
        )
        blocking = set(session.scalars(select(Cause.slug).where(~Cause.exercise_allowed)))
        assert blocking  # the catalogue has conditions that rule out everything
        exercises = list(service.exercises_by_slug(session, slugs).values())
        for tried in (codes, codes | blocking):
            assert kept.safe_ladders(exercises, tried) == service.safe_ladders(
                session, exercises, tried
            )
