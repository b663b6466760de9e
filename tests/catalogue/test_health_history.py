"""What health-history codes change for a patient: safe_for_me, assignment and ladders.

The oracle is the reviewed content (exercises/data, health_history.yaml), read through
the same loader the app uses.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import pytest

from api.accounts.models import User
from api.catalogue.service import personal_codes
from api.triage.vocabulary import HEALTH_HISTORY
from exercises.content import load_content
from exercises.vocabulary import FLEXION_TWIST_FLAGS, SPINAL_SURGERY_FIRST_YEAR

THIS_YEAR = dt.date.today().year
ONCOLOGY = "oncology"
SURGEON = "only as your surgeon or physiotherapist has cleared you"


@lru_cache(maxsize=1)
def content():
    return load_content()


def contraindicated_for(code: str) -> set[str]:
    return {s for s, e in content().exercises.items() if code in e.contraindications}


def safe_for_me(client, headers) -> dict[str, list[dict[str, Any]]]:
    response = client.get("/api/v1/exercises?safe_for_me=true&page_size=100", headers=headers)
    assert response.status_code == 200, response.get_json()
    return {item["slug"]: item["precautions_for_me"] for item in response.get_json()}


def assign(client, headers, patient_id: int, slugs: list[str], **extra):
    return client.post(
        "/api/v1/programmes",
        json={
            "patient_id": patient_id,
            "starts_on": dt.date.today().isoformat(),
            "items": [{"exercise": slug} for slug in slugs],
            **extra,
        },
        headers=headers,
    )


def linked_patient(make, **profile) -> tuple[int, dict, dict]:
    patient = make.patient(**profile)
    therapist = make.therapist()
    make.link(therapist, patient)
    return patient, make.headers(patient), make.headers(therapist)


# --------------------------------------------------------------------------- item 6


def test_long_term_steroids_rule_out_what_osteoporosis_rules_out(client, make):
    bone_unsafe = contraindicated_for("osteoporosis")
    assert {"abdominal-curl-up", "side-lying-open-book", "thread-the-needle"} <= bone_unsafe
    steroids = safe_for_me(
        client, make.headers(make.patient(health_history=["long_term_steroids"]))
    )
    osteoporosis = safe_for_me(client, make.headers(make.patient(health_history=["osteoporosis"])))
    assert set(steroids) == set(osteoporosis) == set(content().exercises) - bone_unsafe
    # the osteoporosis precautions reach people on steroids too (same texts)
    for slug, precautions in osteoporosis.items():
        assert [p["text"] for p in steroids[slug]] == [p["text"] for p in precautions], slug
    assert any(p["code"] == "long_term_steroids" for p in steroids["seated-thoracic-rotation"])


def test_long_term_steroids_refuse_loaded_flexion_at_assignment(client, make):
    patient, _, therapist = linked_patient(make, health_history=["long_term_steroids"])
    response = assign(client, therapist, patient, ["chin-tuck", "abdominal-curl-up"])
    assert response.status_code == 422
    [refusal] = response.get_json()["errors"]["contraindications"]
    assert refusal["exercise"] == "abdominal-curl-up"
    assert refusal["reasons"] == ["long_term_steroids"]
    assert "long_term_steroids" in refusal["message"]
    for alternative in refusal["alternatives"]:
        assert alternative["slug"] not in contraindicated_for("osteoporosis")


# --------------------------------------------------------------------------- item 7


def test_cancer_history_is_bone_fragile_and_asks_for_oncology_clearance(client, make):
    listed = safe_for_me(client, make.headers(make.patient(health_history=["cancer"])))
    assert set(listed) == set(content().exercises) - contraindicated_for("osteoporosis")
    for slug, precautions in listed.items():
        oncology = [p for p in precautions if p["code"] == "cancer" and ONCOLOGY in p["text"]]
        assert len(oncology) == 1, slug


def test_cancer_history_refuses_forceful_rotation_and_warns_at_assignment(client, make):
    patient, _, therapist = linked_patient(make, health_history=["cancer"])
    refused = assign(client, therapist, patient, ["thread-the-needle"])
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["contraindications"][0]["reasons"] == ["cancer"]
    allowed = assign(client, therapist, patient, ["chin-tuck"])
    assert allowed.status_code == 201
    warnings = allowed.get_json()["version"]["warnings"]
    assert any(w["code"] == "cancer" and ONCOLOGY in w["text"] for w in warnings)


def test_a_cancer_history_is_not_the_see_a_doctor_first_cause(client, make):
    """The history code is bone-fragile; the cause (a suspected cancer now) blocks all."""
    assert len(safe_for_me(client, make.headers(make.patient(health_history=["cancer"])))) > 0
    cause = make.headers(make.patient(conditions=["cancer-or-infection"]))
    assert safe_for_me(client, cause) == {}


# --------------------------------------------------------------------------- item 8


def test_spinal_surgery_puts_a_precaution_on_every_exercise(client, make):
    listed = safe_for_me(client, make.headers(make.patient(health_history=["spinal_surgery"])))
    assert set(listed) == set(content().exercises)  # no year given: nothing ruled out
    for slug, precautions in listed.items():
        assert [p["code"] for p in precautions if SURGEON in p["text"]] == ["spinal_surgery"], slug


@pytest.mark.parametrize(("years_ago", "ruled_out"), [(0, True), (1, True), (2, False)])
def test_spinal_surgery_rules_out_flexion_and_rotation_in_the_first_year(
    client, make, years_ago, ruled_out
):
    headers = make.headers(
        make.patient(health_history=["spinal_surgery"], spinal_surgery_year=THIS_YEAR - years_ago)
    )
    listed = safe_for_me(client, headers)
    flexion_or_rotation = {
        s
        for s, e in content().exercises.items()
        if (FLEXION_TWIST_FLAGS | {"rotation"}) & set(e.movement_flags)
    }
    assert {"abdominal-curl-up", "seated-thoracic-rotation", "cat-camel"} <= flexion_or_rotation
    assert flexion_or_rotation == contraindicated_for(SPINAL_SURGERY_FIRST_YEAR)
    if ruled_out:
        assert set(listed) == set(content().exercises) - flexion_or_rotation
    else:
        assert set(listed) == set(content().exercises)


def test_spinal_surgery_last_year_refuses_rotation_at_assignment(client, make):
    patient, _, therapist = linked_patient(
        make, health_history=["spinal_surgery"], spinal_surgery_year=THIS_YEAR - 1
    )
    response = assign(client, therapist, patient, ["seated-thoracic-rotation"])
    assert response.status_code == 422
    refusal = response.get_json()["errors"]["contraindications"][0]
    assert refusal["reasons"] == [SPINAL_SURGERY_FIRST_YEAR]
    override = assign(
        client,
        therapist,
        patient,
        ["seated-thoracic-rotation"],
        override_contraindications=True,
        override_reason="Surgeon cleared gentle rotation at 8 weeks",
    )
    assert override.status_code == 201


def test_first_year_is_the_surgery_year_and_the_next():
    def codes(year: int | None, history=("spinal_surgery",)) -> set[str]:
        user = User(health_history=list(history), conditions=[], spinal_surgery_year=year)
        user.timezone = "UTC"
        return personal_codes(user, dt.date(2026, 3, 1))

    assert SPINAL_SURGERY_FIRST_YEAR in codes(2026)
    assert SPINAL_SURGERY_FIRST_YEAR in codes(2025)
    assert SPINAL_SURGERY_FIRST_YEAR not in codes(2024)
    assert SPINAL_SURGERY_FIRST_YEAR not in codes(None)
    assert SPINAL_SURGERY_FIRST_YEAR not in codes(2026, history=())


def test_safe_for_me_etag_changes_when_the_surgery_year_is_set(client, make):
    headers = make.headers(make.patient(health_history=["spinal_surgery"]))
    path = "/api/v1/exercises?safe_for_me=true"
    before = client.get(path, headers=headers).headers["ETag"]
    patch = client.patch("/api/v1/me", json={"spinal_surgery_year": THIS_YEAR}, headers=headers)
    assert patch.status_code == 200, patch.get_json()
    again = client.get(path, headers={**headers, "If-None-Match": before})
    assert again.status_code == 200 and again.headers["ETag"] != before


# --------------------------------------------------------------------------- item 9


def test_chair_and_roller_extension_say_why_they_differ_for_fragile_bones(client, make):
    chair = content().exercises["thoracic-extension-chair"]
    roller = content().exercises["thoracic-extension-foam-roller"]
    assert "osteoporosis" not in chair.contraindications
    assert "osteoporosis" in roller.contraindications
    roller_why = [p.text for p in roller.precautions if p.code == "osteoporosis"]
    chair_why = [p.text for p in chair.precautions if p.code == "osteoporosis"]
    assert roller_why and "presses your body weight" in roller_why[0]
    assert chair_why and "shoulder blades, not on the spine" in chair_why[0]
    for exercise in (chair, roller):
        assert "Bone Health & Osteoporosis Foundation" in exercise.evidence.source
    # a patient on steroids, shown the roller, is told why it is not for them
    headers = make.headers(make.patient(health_history=["long_term_steroids"]))
    body = client.get(
        "/api/v1/exercises/thoracic-extension-foam-roller?safe_for_me=true", headers=headers
    ).get_json()
    assert body["contraindicated_for_me"] == ["long_term_steroids"]
    assert any("narrow strip of the spine" in p["text"] for p in body["precautions_for_me"])


# --------------------------------------------------------------------------- item 10


def _catalogue_effect(client, make, **profile) -> dict[str, Any]:
    """What a profile changes: the safe_for_me list with its precautions, and what an
    assignment of every exercise refuses (overridden, to see everything) and warns."""
    patient, headers, therapist = linked_patient(make, **profile)
    refused: set[tuple[str, tuple[str, ...]]] = set()
    warnings: set[tuple[str, str | None, str]] = set()
    slugs = sorted(content().exercises)
    for chunk in (slugs[: len(slugs) // 2], slugs[len(slugs) // 2 :]):
        response = assign(
            client,
            therapist,
            patient,
            chunk,
            override_contraindications=True,
            override_reason="walking the catalogue",
        )
        assert response.status_code == 201, response.get_json()
        version = response.get_json()["version"]
        refused |= {(o["exercise"], tuple(o["reasons"])) for o in version["overridden"]}
        warnings |= {(w["exercise"], w["code"], w["text"]) for w in version["warnings"]}
    listed = {
        slug: sorted((p["code"] or "", p["text"]) for p in precautions)
        for slug, precautions in safe_for_me(client, headers).items()
    }
    return {"safe_for_me": listed, "refused": refused, "warnings": warnings}


_BASELINES: dict[str, dict[str, Any]] = {}


def _baseline(client, make, key: str, **profile) -> dict[str, Any]:
    if key not in _BASELINES:
        _BASELINES[key] = _catalogue_effect(client, make, **profile)
    return _BASELINES[key]


WALK = [
    *[(code, {"health_history": [code]}, "nobody") for code in HEALTH_HISTORY],
    (
        SPINAL_SURGERY_FIRST_YEAR,
        {"health_history": ["spinal_surgery"], "spinal_surgery_year": THIS_YEAR},
        "spinal_surgery",
    ),
]


@pytest.mark.parametrize(("code", "profile", "against"), WALK, ids=[w[0] for w in WALK])
def test_every_health_history_code_changes_something_or_records_why_not(
    client, make, code, profile, against
):
    baseline = _baseline(
        client, make, against, **({} if against == "nobody" else {"health_history": [against]})
    )
    effect = _catalogue_effect(client, make, **profile)
    changed = [part for part in effect if effect[part] != baseline[part]]
    entry = content().history.get(code)
    assert entry is not None, f"{code}: no entry in health_history.yaml"
    if not changed:
        assert entry.effect == "none" and entry.why.strip(), (
            f"{code} changes nothing in safe_for_me or assignment, and health_history.yaml "
            "records no reason"
        )
    else:
        assert entry.effect != "none", (
            f"{code} is recorded as changing nothing, but changes {changed}"
        )
        assert entry.sources


@pytest.mark.parametrize(
    "cause", [slug for slug, c in load_content().causes.items() if not c.exercise_allowed]
)
def test_every_see_a_doctor_first_cause_rules_out_everything(client, make, cause):
    effect = _catalogue_effect(client, make, conditions=[cause])
    assert effect["safe_for_me"] == {}
    assert {slug for slug, _ in effect["refused"]} == set(content().exercises)
    assert all(cause in reasons for _, reasons in effect["refused"])
    patient, _, therapist = linked_patient(make, conditions=[cause])
    refused = assign(client, therapist, patient, ["chin-tuck"])
    assert refused.status_code == 422
    see_doctor = content().causes[cause].see_doctor_first
    assert see_doctor.split(".")[0] in refused.get_json()["errors"]["json"]["items"]["0"][0]
