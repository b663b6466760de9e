"""Daily check-ins: recording, validation, idempotency, triage and its effects."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from api.alerts.models import Alert
from api.checkins.models import CheckIn
from api.database import get_session
from api.triage import SYMPTOMS
from tests import factories


def today(tz: str | None = None) -> dt.date:
    return dt.datetime.now(ZoneInfo(tz or factories.PATIENT_TIMEZONE)).date()


def count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


@pytest.fixture
def patient(make):
    return make.patient(country="GB", birth_year=1980)


@pytest.fixture
def headers(make, patient):
    return make.headers(patient)


def post(client, headers, **body):
    body.setdefault("pain", 3)
    return client.post("/api/v1/check-ins", json=body, headers=headers)


def test_plain_check_in_is_recorded_with_a_none_verdict(client, headers):
    response = post(
        client, headers, pain=4, stiffness=5, sleep_quality=6, pain_areas=["upper_back"]
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["date"] == today().isoformat()
    assert body["triage"]["level"] == "none"
    assert body["triage"]["rules"] == []
    assert "not a diagnosis" in body["triage"]["disclaimer"].lower() or body["triage"]["disclaimer"]
    assert body["triage"]["pause_exercise"] is False


def test_severe_pain_alone_raises_no_flag(app, client, make):
    headers = make.headers(make.patient(country="GB", pain_assessed_by_clinician=True))
    body = post(client, headers, pain=9, worst_pain=10, pain_onset="new_episode").get_json()
    assert body["triage"]["level"] == "none"
    assert count(app, Alert) == 0


def test_emergency_answer_pauses_exercise_alerts_therapist(client, make, patient, headers):
    therapist = make.therapist()
    make.link(therapist, patient)
    response = post(client, headers, symptoms=["bladder_change"])
    triage = response.get_json()["triage"]
    assert triage["level"] == "emergency"
    assert "999" in triage["headline"] + triage["advice"]
    assert [r["id"] for r in triage["rules"]] and triage["rules"][0]["source"]
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["exercise_hold"]["active"] is True
    assert me["exercise_hold"]["level"] == "emergency"
    alerts = client.get("/api/v1/alerts", headers=make.headers(therapist)).get_json()
    assert [a["level"] for a in alerts] == ["emergency"]
    assert alerts[0]["evidence"][0]["answers"]
    patients = client.get("/api/v1/patients", headers=make.headers(therapist)).get_json()
    assert patients[0]["open_alerts"] == 1
    assert patients[0]["highest_open_level"] == "emergency"
    # the same object as GET /me's exercise_hold
    assert patients[0]["exercise_hold"] == me["exercise_hold"]


def test_soon_level_alerts_but_does_not_pause(client, headers):
    body = post(client, headers, symptoms=["arm_numbness"]).get_json()
    assert body["triage"]["level"] == "soon"
    assert client.get("/api/v1/me", headers=headers).get_json()["exercise_hold"]["active"] is False
    assert len(client.get("/api/v1/alerts", headers=headers).get_json()) == 1


def test_emergency_number_follows_country(client, make):
    us = make.headers(make.patient(country="US"))
    unknown = make.headers(make.patient())
    us_text = str(post(client, us, symptoms=["chest_pain"]).get_json()["triage"])
    unknown_text = str(post(client, unknown, symptoms=["chest_pain"]).get_json()["triage"])
    assert "911" in us_text
    assert "local emergency number" in unknown_text


def test_unknown_age_says_which_checks_did_not_run(client, make):
    headers = make.headers(make.patient())
    triage = post(client, headers, pain_onset="first_ever").get_json()["triage"]
    assert triage["checks_not_run"]


def test_second_check_in_same_day_is_409_pointing_at_the_first(app, client, headers):
    first = post(client, headers).get_json()
    second = post(client, headers, pain=7)
    assert second.status_code == 409
    assert second.headers["Location"] == f"/api/v1/check-ins/{first['id']}"
    assert str(first["id"]) in second.get_json()["message"]
    assert count(app, CheckIn) == 1


def test_replay_with_same_client_id_returns_the_original(app, client, headers):
    first = post(client, headers, client_id="phone-abc-0001", pain=5)
    assert first.status_code == 201
    replay = post(client, headers, client_id="phone-abc-0001", pain=5)
    assert replay.status_code == 200
    assert replay.get_json()["id"] == first.get_json()["id"]
    assert count(app, CheckIn) == 1


def test_a_replay_that_loses_the_race_to_the_original_returns_it(app, client, headers, monkeypatch):
    """The original is stored between the replay's look-up and its INSERT (two requests at
    once): the unique constraint decides and the replay still answers the original."""
    from api.checkins import service

    first = post(client, headers, client_id="phone-race-0001", pain=5)
    looked_up = service._prior
    monkeypatch.setattr(service, "_prior", lambda *args: replace(looked_up(*args), replay_id=None))
    replay = post(client, headers, client_id="phone-race-0001", pain=5)
    assert replay.status_code == 200
    assert replay.get_json() == first.get_json()
    assert count(app, CheckIn) == 1


def test_client_ids_are_per_patient(client, make):
    a, b = make.headers(make.patient()), make.headers(make.patient())
    assert post(client, a, client_id="same-id-123").status_code == 201
    assert post(client, b, client_id="same-id-123").status_code == 201


@pytest.mark.parametrize(("days_back", "status"), [(0, 201), (90, 201), (91, 422), (-1, 422)])
def test_date_bounds(client, headers, days_back, status):
    date = today() - dt.timedelta(days=days_back)
    assert post(client, headers, date=date.isoformat()).status_code == status


def test_default_date_is_today_in_the_patients_time_zone(client, make):
    for tz in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        headers = make.headers(make.patient(timezone=tz))
        assert post(client, headers).get_json()["date"] == today(tz).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pain": 11}, "pain"),
        ({"pain": -1}, "pain"),
        ({"pain": "5"}, "pain"),
        ({"pain": 4.5}, "pain"),
        ({"pain": None}, "pain"),
        ({"worst_pain": 12}, "worst_pain"),
        ({"symptoms": ["headache"]}, "symptoms"),
        ({"symptoms": "fever"}, "symptoms"),
        ({"symptoms": ["fever", "fever"]}, "symptoms"),
        ({"pain_areas": ["knee"]}, "pain_areas"),
        ({"pain_onset": "sudden"}, "pain_onset"),
        ({"notes": "x" * 2001}, "notes"),
        ({"date": "2024-13-40"}, "date"),
        ({"client_id": "short"}, "client_id"),
        ({"mood": 3, "favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_input_is_422_and_nothing_is_written(app, client, headers, body, field):
    body = {"pain": 3, **body}
    response = client.post("/api/v1/check-ins", json=body, headers=headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert count(app, CheckIn) == 0


def test_unknown_symptom_lists_the_valid_codes(client, headers):
    response = post(client, headers, symptoms=["headache"])
    message = str(response.get_json()["errors"]["json"]["symptoms"])
    assert all(code in message for code in SYMPTOMS)


def test_episode_cannot_start_after_the_check_in(client, headers):
    tomorrow = today() + dt.timedelta(days=1)
    response = post(client, headers, episode_started_on=tomorrow.isoformat())
    assert response.status_code == 422


def test_patch_today_re_triages(client, headers):
    created = post(client, headers, pain=3).get_json()
    assert created["triage"]["level"] == "none"
    patched = client.patch(
        f"/api/v1/check-ins/{created['id']}", json={"symptoms": ["fever"]}, headers=headers
    )
    assert patched.status_code == 200
    assert patched.get_json()["triage"]["level"] == "urgent"
    assert patched.get_json()["pain"] == 3
    assert client.get("/api/v1/me", headers=headers).get_json()["exercise_hold"]["active"]


def test_patch_of_an_earlier_day_is_409(client, headers):
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    created = post(client, headers, date=yesterday).get_json()
    response = client.patch(f"/api/v1/check-ins/{created['id']}", json={"pain": 1}, headers=headers)
    assert response.status_code == 409


def test_patch_cannot_change_date(client, headers):
    created = post(client, headers).get_json()
    response = client.patch(
        f"/api/v1/check-ins/{created['id']}", json={"date": "2020-01-01"}, headers=headers
    )
    assert response.status_code == 422


def test_repeated_flag_attaches_evidence_to_the_open_alert(app, client, headers):
    for days_back in (2, 1, 0):
        date = (today() - dt.timedelta(days=days_back)).isoformat()
        post(client, headers, date=date, symptoms=["night_pain"])
    alerts = client.get("/api/v1/alerts", headers=headers).get_json()
    assert len(alerts) == 1
    assert len(alerts[0]["evidence"]) == 3
    assert [e["action"] for e in alerts[0]["events"]] == [
        "raised",
        "evidence_added",
        "evidence_added",
    ]


def test_list_and_filter_check_ins(client, headers):
    for days_back in range(5):
        post(client, headers, date=(today() - dt.timedelta(days=days_back)).isoformat())
    listed = client.get("/api/v1/check-ins", headers=headers).get_json()
    assert [c["date"] for c in listed] == sorted((c["date"] for c in listed), reverse=True)
    start = (today() - dt.timedelta(days=3)).isoformat()
    end = (today() - dt.timedelta(days=1)).isoformat()
    ranged = client.get(f"/api/v1/check-ins?from={start}&to={end}", headers=headers).get_json()
    assert len(ranged) == 3
    bad = client.get(f"/api/v1/check-ins?from={end}&to={start}", headers=headers)
    assert bad.status_code == 422


def test_therapist_reads_linked_patients_check_ins_only(client, make, patient, headers):
    post(client, headers)
    linked, unlinked = make.therapist(), make.therapist()
    make.link(linked, patient)
    ok = client.get(f"/api/v1/check-ins?patient_id={patient}", headers=make.headers(linked))
    assert ok.status_code == 200 and len(ok.get_json()) == 1
    hidden = client.get(f"/api/v1/check-ins?patient_id={patient}", headers=make.headers(unlinked))
    assert hidden.status_code == 404
    missing = client.get("/api/v1/check-ins", headers=make.headers(linked))
    assert missing.status_code == 422
    log = client.get("/api/v1/me/access-log", headers=headers).get_json()
    assert [entry["resource"] for entry in log] == ["check-ins"]


def test_export_includes_check_ins_alerts_and_holds(client, headers):
    post(client, headers, symptoms=["fever"], notes="felt shivery")
    body = client.get("/api/v1/me/export", headers=headers).get_json()
    sections = body["sections"]
    assert sections["check_ins"][0]["notes"] == "felt shivery"
    assert sections["alerts"][0]["level"] == "urgent"
    assert sections["exercise_holds"][0]["lifted_at"] is None
