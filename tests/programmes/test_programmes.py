"""Programmes: templates, assignment, contraindications, versions, status and today."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from api.database import get_session
from api.programmes.models import Programme
from exercises.load import load_content
from exercises.vocabulary import DAYS_OF_WEEK
from tests import factories


@lru_cache(maxsize=1)
def content():
    return load_content()


def today(tz: str | None = None) -> dt.date:
    return dt.datetime.now(ZoneInfo(tz or factories.PATIENT_TIMEZONE)).date()


def weekday(day: dt.date) -> str:
    return DAYS_OF_WEEK[day.weekday()]


def osteoporosis_unsafe() -> str:
    return next(
        e.slug for e in content().exercises.values() if "osteoporosis" in e.contraindications
    )


def assign(client, headers, **body):
    body.setdefault("starts_on", today().isoformat())
    return client.post("/api/v1/programmes", json=body, headers=headers)


def test_templates_include_the_built_ins(client, make):
    headers = make.headers(make.patient())
    body = client.get("/api/v1/programme-templates?page_size=100", headers=headers).get_json()
    slugs = {t["slug"] for t in body}
    assert set(content().templates) <= slugs
    assert len(content().templates) >= 6
    assert all(t["built_in"] for t in body)
    one = client.get("/api/v1/programme-templates/bone-safe-strength", headers=headers)
    assert one.status_code == 200 and one.get_json()["items"]


def test_therapist_templates_are_private_and_editable(client, make):
    owner, other = make.therapist(), make.therapist()
    body = {
        "name": "Office reset",
        "duration_weeks": 4,
        "days_of_week": ["mon", "wed", "fri"],
        "items": [{"exercise": "chin-tuck"}, {"exercise": "wall-angel", "reps": 8}],
    }
    created = client.post("/api/v1/programme-templates", json=body, headers=make.headers(owner))
    assert created.status_code == 201
    template = created.get_json()
    assert template["built_in"] is False
    assert template["items"][0]["sets"] == content().exercises["chin-tuck"].dose.sets
    slug = template["slug"]
    assert (
        client.get(f"/api/v1/programme-templates/{slug}", headers=make.headers(other)).status_code
        == 404
    )
    patched = client.patch(
        f"/api/v1/programme-templates/{slug}",
        json={"name": "Office reset v2"},
        headers=make.headers(owner),
    )
    assert patched.get_json()["name"] == "Office reset v2"
    assert (
        client.patch(
            f"/api/v1/programme-templates/{slug}", json={"name": "x"}, headers=make.headers(other)
        ).status_code
        == 404
    )
    builtin = client.patch(
        "/api/v1/programme-templates/core-routine", json={"name": "x"}, headers=make.headers(owner)
    )
    assert builtin.status_code == 403
    assert (
        client.delete(
            f"/api/v1/programme-templates/{slug}", headers=make.headers(owner)
        ).status_code
        == 204
    )
    assert (
        client.get(f"/api/v1/programme-templates/{slug}", headers=make.headers(owner)).status_code
        == 404
    )


def test_patients_cannot_create_templates(client, make):
    response = client.post(
        "/api/v1/programme-templates",
        json={
            "name": "x",
            "duration_weeks": 1,
            "days_of_week": ["mon"],
            "items": [{"exercise": "chin-tuck"}],
        },
        headers=make.headers(make.patient()),
    )
    assert response.status_code == 403


def test_therapist_assigns_template_with_dose_defaults(client, care):
    patient, _, _, therapist_h = care
    response = assign(client, therapist_h, patient_id=patient, template="desk-posture-reset")
    assert response.status_code == 201
    body = response.get_json()
    template = content().templates["desk-posture-reset"]
    assert body["title"] == template.name
    assert body["status"] == "active"
    expected_end = today() + dt.timedelta(weeks=template.duration_weeks, days=-1)
    assert body["ends_on"] == expected_end.isoformat()
    items = body["version"]["items"]
    assert [i["exercise"] for i in items] == [i.exercise for i in template.items]
    assert items[0]["sets"] == template.items[0].sets
    assert body["version"]["days_of_week"] == list(template.days_of_week)


def test_item_dose_defaults_from_the_exercise(client, care):
    patient, _, _, therapist_h = care
    body = assign(
        client, therapist_h, patient_id=patient, items=[{"exercise": "chin-tuck"}]
    ).get_json()
    dose = content().exercises["chin-tuck"].dose
    item = body["version"]["items"][0]
    assert (item["sets"], item["reps"], item["hold_seconds"]) == (
        dose.sets,
        dose.reps,
        dose.hold_seconds,
    )
    assert body["version"]["days_of_week"] == list(DAYS_OF_WEEK)


@pytest.mark.parametrize(
    "item",
    [
        {"exercise": "chin-tuck", "sets": 11},
        {"exercise": "chin-tuck", "sets": 0},
        {"exercise": "chin-tuck", "reps": 101},
        {"exercise": "chin-tuck", "hold_seconds": 301},
        {"exercise": "chin-tuck", "reps": None, "hold_seconds": None},
        {"exercise": "chin-tuck", "rest_seconds": -1},
        {"exercise": "chin-tuck", "times_per_day": 11},
        {"exercise": "chin-tuck", "side": "middle"},
        {"exercise": "chin-tuck", "days_of_week": ["someday"]},
        {"exercise": "no-such-exercise"},
        {"exercise": "chin-tuck", "sets": "3"},
    ],
)
def test_dose_bounds_and_unknown_exercises_are_422(app, client, care, item):
    patient, _, _, therapist_h = care
    response = assign(client, therapist_h, patient_id=patient, items=[item])
    assert response.status_code == 422
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Programme)) == 0


def test_unlinked_therapist_cannot_assign(client, care, make):
    patient = care[0]
    response = assign(
        client, make.headers(make.therapist()), patient_id=patient, template="core-routine"
    )
    assert response.status_code == 404


def test_patient_starts_a_template_for_themself_only(client, care, make):
    _, patient_h, _, _ = care
    assert assign(client, patient_h, template="core-routine").status_code == 201
    assert assign(client, patient_h, items=[{"exercise": "chin-tuck"}]).status_code == 422
    assert (
        assign(
            client, patient_h, template="core-routine", items=[{"exercise": "chin-tuck"}]
        ).status_code
        == 422
    )
    other = make.patient()
    assert assign(client, patient_h, template="core-routine", patient_id=other).status_code == 404


def test_contraindicated_item_is_refused_with_alternatives(client, make):
    patient = make.patient(health_history=["osteoporosis"])
    therapist = make.therapist()
    make.link(therapist, patient)
    unsafe = osteoporosis_unsafe()
    response = assign(
        client,
        make.headers(therapist),
        patient_id=patient,
        items=[{"exercise": "chin-tuck"}, {"exercise": unsafe}],
    )
    assert response.status_code == 422
    refusal = response.get_json()["errors"]["contraindications"][0]
    assert refusal["exercise"] == unsafe and refusal["item"] == 1
    assert "osteoporosis" in refusal["reasons"]
    assert refusal["name"] in response.get_json()["errors"]["json"]["items"]["1"][0]
    for alternative in refusal["alternatives"]:
        assert "osteoporosis" not in content().exercises[alternative["slug"]].contraindications


def test_override_needs_a_therapist_and_a_reason_and_is_recorded(client, make):
    patient = make.patient(health_history=["osteoporosis"])
    therapist = make.therapist()
    make.link(therapist, patient)
    unsafe = osteoporosis_unsafe()
    t_headers = make.headers(therapist)
    no_reason = assign(
        client,
        t_headers,
        patient_id=patient,
        items=[{"exercise": unsafe}],
        override_contraindications=True,
    )
    assert no_reason.status_code == 422
    ok = assign(
        client,
        t_headers,
        patient_id=patient,
        items=[{"exercise": unsafe}],
        override_contraindications=True,
        override_reason="DEXA normal; supervised",
    )
    assert ok.status_code == 201
    version = ok.get_json()["version"]
    assert version["override_reason"] == "DEXA normal; supervised"
    assert version["overridden"][0]["exercise"] == unsafe


def test_precautions_come_back_as_warnings(client, make):
    candidates = [
        (e.slug, p.code)
        for e in content().exercises.values()
        for p in e.precautions
        if p.code in {"osteoporosis", "spinal_surgery", "heart_disease", "smoker"}
        and p.code not in e.contraindications
    ]
    assert candidates
    slug, code = candidates[0]
    patient = make.patient(health_history=[code])
    therapist = make.therapist()
    make.link(therapist, patient)
    body = assign(
        client, make.headers(therapist), patient_id=patient, items=[{"exercise": slug}]
    ).get_json()
    assert any(w["exercise"] == slug and w["code"] == code for w in body["version"]["warnings"])


def test_editing_items_creates_a_version_and_keeps_the_old(client, care):
    patient, _, _, therapist_h = care
    created = assign(
        client, therapist_h, patient_id=patient, items=[{"exercise": "chin-tuck", "sets": 2}]
    ).get_json()
    first_item_id = created["version"]["items"][0]["id"]
    patched = client.patch(
        f"/api/v1/programmes/{created['id']}",
        json={"items": [{"exercise": "chin-tuck", "sets": 3}, {"exercise": "wall-angel"}]},
        headers=therapist_h,
    )
    assert patched.status_code == 200
    assert patched.get_json()["current_version"] == 2
    versions = client.get(f"/api/v1/programmes/{created['id']}/versions", headers=therapist_h)
    body = versions.get_json()
    assert [v["number"] for v in body] == [1, 2]
    assert body[0]["items"][0]["id"] == first_item_id and body[0]["items"][0]["sets"] == 2
    assert [i["exercise"] for i in body[1]["items"]] == ["chin-tuck", "wall-angel"]
    days = client.patch(
        f"/api/v1/programmes/{created['id']}",
        json={"days_of_week": ["tue", "thu"]},
        headers=therapist_h,
    ).get_json()
    assert days["current_version"] == 3
    assert days["version"]["days_of_week"] == ["tue", "thu"]
    assert days["version"]["items"][0]["sets"] == 3


def test_patient_may_pause_and_resume_but_not_edit(client, care):
    patient, patient_h, _, therapist_h = care
    created = assign(client, therapist_h, patient_id=patient, template="core-routine").get_json()
    url = f"/api/v1/programmes/{created['id']}"
    assert (
        client.patch(
            url, json={"items": [{"exercise": "chin-tuck"}]}, headers=patient_h
        ).status_code
        == 403
    )
    paused = client.patch(url, json={"status": "paused"}, headers=patient_h).get_json()
    assert (paused["status"], paused["paused_by"]) == ("paused", "patient")
    assert (
        client.patch(url, json={"status": "active"}, headers=patient_h).get_json()["status"]
        == "active"
    )
    client.patch(url, json={"status": "paused"}, headers=therapist_h)
    assert client.patch(url, json={"status": "active"}, headers=patient_h).status_code == 409
    assert client.patch(url, json={"status": "completed"}, headers=therapist_h).status_code == 200
    assert client.patch(url, json={"status": "active"}, headers=therapist_h).status_code == 409
    assert client.patch(url, json={}, headers=therapist_h).status_code == 422


def test_triage_hold_pauses_programmes_and_today_shows_the_banner(client, care):
    patient, patient_h, _, therapist_h = care
    created = assign(client, therapist_h, patient_id=patient, template="core-routine").get_json()
    check_in = client.post(
        "/api/v1/check-ins", json={"pain": 4, "symptoms": ["fever"]}, headers=patient_h
    )
    assert check_in.get_json()["triage"]["level"] == "urgent"
    programme = client.get(f"/api/v1/programmes/{created['id']}", headers=patient_h).get_json()
    assert (programme["status"], programme["paused_by"]) == ("paused", "triage")
    today_body = client.get("/api/v1/me/today", headers=patient_h).get_json()
    assert today_body["items"] == []
    assert today_body["safety_banner"]["level"] == "urgent"
    resume = client.patch(
        f"/api/v1/programmes/{created['id']}", json={"status": "active"}, headers=therapist_h
    )
    assert resume.status_code == 409
    alert = client.get("/api/v1/alerts", headers=therapist_h).get_json()[0]
    client.post(
        f"/api/v1/alerts/{alert['id']}/resolve",
        json={"note": "GP: viral", "outcome": "assessed_safe_to_continue"},
        headers=therapist_h,
    )
    programme = client.get(f"/api/v1/programmes/{created['id']}", headers=patient_h).get_json()
    assert programme["status"] == "active"
    assert client.get("/api/v1/me/today", headers=patient_h).get_json()["safety_banner"] is None


def test_today_follows_the_schedule_and_the_patients_time_zone(client, make):
    tz = "Pacific/Kiritimati"  # UTC+14: often a different date than UTC
    patient = make.patient(timezone=tz)
    therapist = make.therapist()
    make.link(therapist, patient)
    local = today(tz)
    assign(
        client,
        make.headers(therapist),
        patient_id=patient,
        starts_on=local.isoformat(),
        days_of_week=[weekday(local)],
        items=[{"exercise": "chin-tuck", "times_per_day": 2}],
    )
    body = client.get("/api/v1/me/today", headers=make.headers(patient)).get_json()
    assert body["date"] == local.isoformat()
    assert [i["exercise"] for i in body["items"]] == ["chin-tuck"]
    assert body["items"][0]["times_per_day"] == 2 and body["items"][0]["done"] is False
    tomorrow = local + dt.timedelta(days=1)
    other = client.get(f"/api/v1/me/today?date={tomorrow}", headers=make.headers(patient))
    assert other.get_json()["items"] == []
    before = local - dt.timedelta(days=7)
    assert (
        client.get(f"/api/v1/me/today?date={before}", headers=make.headers(patient)).get_json()[
            "items"
        ]
        == []
    )


def test_therapist_lists_a_linked_patients_programmes(client, care, make):
    patient, _, _, therapist_h = care
    assign(client, therapist_h, patient_id=patient, template="core-routine")
    listed = client.get(f"/api/v1/programmes?patient_id={patient}", headers=therapist_h)
    assert listed.status_code == 200 and len(listed.get_json()) == 1
    stranger = make.headers(make.therapist())
    assert (
        client.get(f"/api/v1/programmes?patient_id={patient}", headers=stranger).status_code == 404
    )


def test_dates_are_checked(client, care):
    patient, _, _, therapist_h = care
    ends_before = assign(
        client,
        therapist_h,
        patient_id=patient,
        template="core-routine",
        ends_on=(today() - dt.timedelta(days=1)).isoformat(),
    )
    assert ends_before.status_code == 422
    too_old = assign(
        client,
        therapist_h,
        patient_id=patient,
        template="core-routine",
        starts_on=(today() - dt.timedelta(days=31)).isoformat(),
    )
    assert too_old.status_code == 422
