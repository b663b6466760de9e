"""The clinical safety review through the API: the pain-assessment answer, advice once
per episode, country-aware wording, the new codes in the contract, kept verdicts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from api.alerts.models import Alert
from api.checkins.models import CheckIn
from api.database import get_session
from api.triage import LEVEL_RANK, SYMPTOMS

README = Path(__file__).resolve().parents[2] / "README.md"


def day(days_back: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days_back)).isoformat()


def check_in(client, headers, days_back=0, **body):
    body.setdefault("pain", 4)
    body["date"] = day(days_back)
    response = client.post("/api/v1/check-ins", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def rule_ids(body) -> list[str]:
    return [rule["id"] for rule in body["triage"]["rules"]]


def test_new_unassessed_pain_is_urgent_once_per_episode(client, make):
    headers = make.headers(make.patient(country="GB"))
    first = check_in(client, headers, days_back=1, pain_onset="first_ever")
    assert first["triage"]["level"] == "urgent"
    assert rule_ids(first) == ["RF-ASSESS-01"]
    fired = first["triage"]["rules"][0]
    assert "GP" in fired["patient_message"] and "111" in fired["patient_message"]
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["exercise_hold"]["active"] is True
    second = check_in(client, headers, pain_onset="new_episode")
    assert "RF-ASSESS-01" not in rule_ids(second)  # same episode: not again
    alerts = client.get("/api/v1/alerts", headers=headers).get_json()
    assert [(a["rule_id"], len(a["evidence"])) for a in alerts] == [("RF-ASSESS-01", 1)]


def test_a_linked_therapist_ends_it(client, make):
    patient = make.patient(country="GB")
    make.link(make.therapist(), patient)
    body = check_in(client, make.headers(patient), pain_onset="first_ever")
    assert body["triage"]["level"] == "none"


def test_stating_a_clinician_assessed_it_ends_it(client, make):
    headers = make.headers(make.patient(country="GB"))
    changed = client.patch("/api/v1/me", json={"pain_assessed_by_clinician": True}, headers=headers)
    assert changed.status_code == 200
    assert changed.get_json()["pain_assessed_by_clinician"] is True
    body = check_in(client, headers, pain_onset="new_episode")
    assert body["triage"]["level"] == "none"
    not_sure = client.patch(
        "/api/v1/me", json={"pain_assessed_by_clinician": None}, headers=headers
    )
    assert not_sure.get_json()["pain_assessed_by_clinician"] is None


def test_advice_uses_the_patients_country(client, make):
    headers = make.headers(make.patient(country="US"))
    body = check_in(client, headers, pain_onset="first_ever")
    text = body["triage"]["advice"] + body["triage"]["rules"][0]["patient_message"]
    assert "urgent care" in text and "111" not in text
    assert "911" in body["triage"]["advice"]


def test_sign_up_asks_whether_a_clinician_assessed_the_pain(client):
    body = {
        "email": "asked@example.org",
        "password": "a sturdy passphrase 42",
        "display_name": "Asked",
        "pain_assessed_by_clinician": False,
    }
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["pain_assessed_by_clinician"] is False
    default = {k: v for k, v in body.items() if k != "pain_assessed_by_clinician"}
    created = client.post("/api/v1/auth/register", json={**default, "email": "none@example.org"})
    assert created.get_json()["pain_assessed_by_clinician"] is None


@pytest.mark.parametrize("value", ["maybe", 3, [True]])
def test_pain_assessed_answer_must_be_true_false_or_null(client, make, value):
    headers = make.headers(make.patient())
    response = client.patch(
        "/api/v1/me", json={"pain_assessed_by_clinician": value}, headers=headers
    )
    assert response.status_code == 422
    assert "pain_assessed_by_clinician" in response.get_json()["errors"]["json"]
    register = client.post(
        "/api/v1/auth/register",
        json={
            "email": "bad@example.org",
            "password": "a sturdy passphrase 42",
            "display_name": "Bad",
            "pain_assessed_by_clinician": value,
        },
    )
    assert register.status_code == 422


def test_therapist_sees_the_answer_and_export_keeps_it(client, make):
    patient = make.patient(pain_assessed_by_clinician=True)
    therapist = make.therapist()
    make.link(therapist, patient)
    seen = client.get(f"/api/v1/patients/{patient}", headers=make.headers(therapist)).get_json()
    assert seen["pain_assessed_by_clinician"] is True
    export = client.get("/api/v1/me/export", headers=make.headers(patient)).get_json()
    assert export["profile"]["pain_assessed_by_clinician"] is True


@pytest.mark.parametrize(
    ("symptoms", "level", "first_rule"),
    [
        (["coughing_blood"], "emergency", "RF-LUNG-02"),
        (["pain_on_breathing"], "urgent", "RF-RESP-02"),
        (["worse_on_cough_sneeze_strain"], "urgent", "RF-NEURO-03"),
        (["new_sexual_dysfunction"], "emergency", "RF-CES-01"),
    ],
)
def test_new_and_changed_rules_through_the_api(client, make, symptoms, level, first_rule):
    patient = make.patient(country="GB", birth_year=1990)
    make.link(make.therapist(), patient)
    body = check_in(client, make.headers(patient), symptoms=symptoms)
    assert body["triage"]["level"] == level
    assert rule_ids(body)[0] == first_rule


def test_old_verdicts_stay_as_they_were_with_their_version(app, client, make):
    patient = make.patient(country="GB", birth_year=1990, pain_assessed_by_clinician=True)
    headers = make.headers(patient)
    old = check_in(client, headers, days_back=1, symptoms=["coughing_blood"])
    stored_earlier = {  # what the previous release stored: RF-LUNG-02 version 1, urgent
        **old["triage"],
        "level": "urgent",
        "rules": [{**old["triage"]["rules"][0], "version": 1, "level": "urgent"}],
    }
    with app.app_context():
        session = get_session()
        row = session.get(CheckIn, old["id"])
        row.triage, row.triage_level = stored_earlier, "urgent"
        session.commit()
    new = check_in(client, headers, symptoms=["coughing_blood"])
    assert (new["triage"]["level"], new["triage"]["rules"][0]["version"]) == ("emergency", 2)
    kept = client.get(f"/api/v1/check-ins/{old['id']}", headers=headers).get_json()
    assert (kept["triage"]["level"], kept["triage"]["rules"][0]["version"]) == ("urgent", 1)


def test_openapi_enums_list_the_new_codes_and_the_profile_answer(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    items = schemas["CheckInCreate"]["properties"]["symptoms"]["items"]
    assert items == {"$ref": "#/components/schemas/Symptom"}
    enum = schemas["Symptom"]["enum"]
    assert enum == list(SYMPTOMS)
    assert {"worse_on_cough_sneeze_strain", "new_sexual_dysfunction"} <= set(enum)
    for name in ("Register", "Profile", "ProfileUpdate"):
        assert "pain_assessed_by_clinician" in schemas[name]["properties"], name


def test_readme_lists_every_symptom_code():
    listed = set(re.findall(r"`([a-z_]+)`", README.read_text(encoding="utf-8")))
    assert set(SYMPTOMS) <= listed


def test_an_open_alert_takes_the_higher_level_of_a_newer_rule_version(app, client, make):
    """An alert raised as urgent by RF-LUNG-02 version 1 becomes an emergency, open again,
    when new coughing-blood evidence arrives under version 2."""
    patient = make.patient(country="GB", birth_year=1990, pain_assessed_by_clinician=True)
    therapist = make.therapist()
    make.link(therapist, patient)
    headers, therapist_h = make.headers(patient), make.headers(therapist)
    check_in(client, headers, days_back=1, symptoms=["coughing_blood"])
    alert_id = client.get("/api/v1/alerts", headers=therapist_h).get_json()[0]["id"]
    acknowledged = client.post(
        f"/api/v1/alerts/{alert_id}/acknowledge", json={"note": "Called"}, headers=therapist_h
    )
    assert acknowledged.status_code == 200
    with app.app_context():  # what the previous release raised: urgent, version 1
        session = get_session()
        row = session.get(Alert, alert_id)
        row.level, row.level_rank, row.rule_version = "urgent", LEVEL_RANK["urgent"], 1
        session.commit()
    check_in(client, headers, symptoms=["coughing_blood"])
    alert = client.get(f"/api/v1/alerts/{alert_id}", headers=therapist_h).get_json()
    assert (alert["level"], alert["rule_version"], alert["status"]) == ("emergency", 2, "open")
    assert [e["action"] for e in alert["events"]][-2:] == ["evidence_added", "level_raised"]
    listed = client.get("/api/v1/alerts", headers=therapist_h).get_json()
    assert [a["id"] for a in listed if a.get("level") == "emergency"] == [alert_id]
