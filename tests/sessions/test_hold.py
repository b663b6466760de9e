"""Sessions logged while an exercise hold stands: kept, marked, and answered with the
hold's safety advice first, in the words of the triage verdict."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import delete

from api.checkins.models import PAUSING_VERDICT, CheckIn
from api.database import get_session
from api.sessions.models import PainNotice
from api.triage.messages import PAUSING_LEVELS
from tests.sessions.helpers import count, entry, log, session_body


@pytest.fixture
def care(make):
    patient = make.patient(country="GB", timezone="UTC", health_history=["osteoporosis"])
    therapist = make.therapist()
    make.link(therapist, patient)
    return patient, make.headers(patient), make.headers(therapist)


def check_in(client, headers, days_back: int = 0, **body) -> dict:
    body.setdefault("pain", 6)
    body["date"] = (dt.date.today() - dt.timedelta(days=days_back)).isoformat()
    response = client.post("/api/v1/check-ins", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["triage"]


def test_emergency_hold_answers_a_session_with_the_verdicts_safety_advice_first(app, client, care):
    _, headers, _ = care
    verdict = check_in(client, headers, symptoms=["chest_pain"])
    assert verdict["level"] == "emergency" and verdict["pause_exercise"]
    response = log(client, headers, entry("abdominal-curl-up", pain_during=9))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    first, *rest = body["advice"]
    assert first["kind"] == "hold" and first["level"] == "emergency"
    assert first["message"] == f"{verdict['headline']} {verdict['advice']}"
    assert "999" in first["message"]
    assert first["exercise"] is None and first["suggestion"] is None
    assert [item["kind"] for item in rest] == ["regress"]  # pain 9/10: still told
    assert body["logged_during_hold"] is True
    safety = body["safety"]
    assert safety["level"] == "emergency"
    assert (safety["headline"], safety["advice"]) == (verdict["headline"], verdict["advice"])
    assert safety["emergency_number"] == "999"
    assert safety["rules"] == [r["id"] for r in verdict["rules"]]
    # the hold's advice is not a pain notice: the therapist has the alert itself
    assert count(app, PainNotice) == 1


def test_the_therapist_sees_sessions_logged_during_a_hold(client, care):
    patient, headers, therapist = care
    check_in(client, headers, symptoms=["chest_pain"])
    session_id = log(client, headers, entry("bird-dog", pain_during=9)).get_json()["id"]
    listed = client.get(f"/api/v1/sessions?patient_id={patient}", headers=therapist).get_json()
    assert [(s["id"], s["logged_during_hold"]) for s in listed] == [(session_id, True)]
    one = client.get(f"/api/v1/sessions/{session_id}", headers=therapist).get_json()
    assert one["safety"]["level"] == "emergency" and one["advice"][0]["kind"] == "hold"
    report = client.get(f"/api/v1/patients/{patient}/progress", headers=therapist).get_json()
    [during] = report["sessions_during_hold"]
    assert during["session_id"] == session_id and during["level"] == "emergency"
    assert during["exercises"] == ["bird-dog"] and during["highest_pain_during"] == 9


def test_urgent_hold_gives_the_urgent_verdicts_words(client, care):
    _, headers, _ = care
    verdict = check_in(client, headers, symptoms=["fever"])
    assert verdict["level"] == "urgent"
    body = log(client, headers, entry("chin-tuck")).get_json()
    assert [a["kind"] for a in body["advice"]] == ["hold"]
    assert body["advice"][0]["message"] == f"{verdict['headline']} {verdict['advice']}"
    assert body["safety"]["level"] == "urgent"


def test_a_hold_raised_by_a_later_check_in_speaks_with_the_later_verdict(client, care):
    _, headers, _ = care
    check_in(client, headers, days_back=1, symptoms=["fever"])
    emergency = check_in(client, headers, symptoms=["chest_pain"])
    body = log(client, headers, entry("chin-tuck")).get_json()
    assert body["safety"]["level"] == "emergency"
    assert body["safety"]["advice"] == emergency["advice"]


def test_a_replay_returns_the_same_safety_advice(client, care):
    _, headers, _ = care
    check_in(client, headers, symptoms=["chest_pain"])
    body = session_body(entry("chin-tuck"))
    first = client.post("/api/v1/sessions", json=body, headers=headers)
    again = client.post("/api/v1/sessions", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["advice"] == first.get_json()["advice"]
    assert again.get_json()["safety"] == first.get_json()["safety"]


def test_no_hold_no_safety_advice_and_lifting_the_hold_ends_it(client, care):
    patient, headers, therapist = care
    before = log(client, headers, entry("chin-tuck")).get_json()
    assert before["logged_during_hold"] is False and before["safety"] is None
    assert before["advice"] == []
    check_in(client, headers, symptoms=["fever"])
    assert log(client, headers, entry("chin-tuck")).get_json()["logged_during_hold"] is True
    [alert] = client.get("/api/v1/alerts", headers=therapist).get_json()
    resolved = client.post(
        f"/api/v1/alerts/{alert['id']}/resolve",
        json={"note": "GP: viral illness", "outcome": "assessed_safe_to_continue"},
        headers=therapist,
    )
    assert resolved.status_code == 200
    after = log(client, headers, entry("chin-tuck")).get_json()
    assert after["logged_during_hold"] is False and after["advice"] == []
    report = client.get(f"/api/v1/patients/{patient}/progress", headers=therapist).get_json()
    assert len(report["sessions_during_hold"]) == 1


def test_a_hold_whose_check_in_is_gone_speaks_with_its_own_reason(app, client, care):
    """The verdict behind a hold is read with the session; with its check-in deleted (the
    hold keeps no check-in), the hold's own reason and the general pause advice answer."""
    patient, headers, _ = care
    verdict = check_in(client, headers, symptoms=["fever"])
    with app.app_context():
        session = get_session()
        session.execute(delete(CheckIn).where(CheckIn.patient_id == patient))
        session.commit()
    safety = log(client, headers, entry("chin-tuck")).get_json()["safety"]
    assert safety["level"] == "urgent"
    assert safety["headline"] == verdict["headline"]  # the hold's reason: the headline then
    assert safety["advice"].startswith("Your exercises are paused after your check-in answers.")
    assert safety["advice"] != verdict["advice"]
    assert (safety["emergency_number"], safety["rules"]) == (None, [])


def test_the_index_of_pausing_verdicts_names_exactly_the_levels_that_pause():
    """The verdict behind a hold is found through the index of the verdicts that pause
    exercise (``PAUSING_VERDICT``, also its read's condition): every level that places a
    hold must be in it, or that verdict would never be found."""
    assert set(re.findall(r"'([a-z]+)'", PAUSING_VERDICT)) == PAUSING_LEVELS
