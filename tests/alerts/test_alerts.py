"""Alerts: order, acknowledgement, resolution, holds and who may act."""

from __future__ import annotations

import pytest

from tests.alerts.helpers import alerts, checkin
from tests.sessions.helpers import today


@pytest.fixture
def care(make):
    patient = make.patient(country="GB")
    therapist = make.therapist(display_name="Dr Ives")
    make.link(therapist, patient)
    return make.headers(patient), make.headers(therapist), patient


def test_most_severe_then_oldest_first(client, care):
    patient_h, therapist_h, _ = care
    checkin(client, patient_h, days_back=3, symptoms=["arm_numbness"])  # soon, oldest
    checkin(client, patient_h, days_back=2, symptoms=["night_pain"])  # urgent
    checkin(client, patient_h, days_back=1, symptoms=["weight_loss"])  # urgent, newer
    listed = alerts(client, therapist_h)
    assert [a["level"] for a in listed] == ["urgent", "urgent", "soon"]
    assert listed[0]["created_at"] <= listed[1]["created_at"]
    assert [a["level"] for a in alerts(client, therapist_h, "?level=soon")] == ["soon"]
    assert alerts(client, therapist_h, "?status=resolved") == []
    assert client.get("/api/v1/alerts?level=none", headers=therapist_h).status_code == 422


def test_acknowledge_then_resolve_keeps_history_and_lifts_hold(client, care):
    patient_h, therapist_h, _ = care
    checkin(client, patient_h, symptoms=["fever"])
    alert = alerts(client, therapist_h)[0]
    ack = client.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge",
        json={"note": "Called the patient"},
        headers=therapist_h,
    )
    assert ack.status_code == 200 and ack.get_json()["status"] == "acknowledged"
    assert client.get("/api/v1/me", headers=patient_h).get_json()["exercise_hold"]["active"]
    resolved = client.post(
        f"/api/v1/alerts/{alert['id']}/resolve",
        json={"note": "GP saw her: viral illness", "outcome": "assessed_safe_to_continue"},
        headers=therapist_h,
    )
    assert resolved.status_code == 200
    body = resolved.get_json()
    assert body["status"] == "resolved" and body["outcome"] == "assessed_safe_to_continue"
    assert [(e["action"], e["actor_name"]) for e in body["events"]] == [
        ("raised", None),
        ("acknowledged", "Dr Ives"),
        ("resolved", "Dr Ives"),
    ]
    assert not client.get("/api/v1/me", headers=patient_h).get_json()["exercise_hold"]["active"]
    again = client.post(
        f"/api/v1/alerts/{alert['id']}/resolve",
        json={"note": "again", "outcome": "other"},
        headers=therapist_h,
    )
    assert again.status_code == 409


def test_hold_stays_until_the_last_urgent_alert_is_resolved(client, care):
    patient_h, therapist_h, _ = care
    checkin(client, patient_h, symptoms=["fever", "night_pain"])
    listed = alerts(client, therapist_h)
    assert len(listed) == 2
    body = {"note": "seen", "outcome": "referred_for_care"}
    client.post(f"/api/v1/alerts/{listed[0]['id']}/resolve", json=body, headers=therapist_h)
    assert client.get("/api/v1/me", headers=patient_h).get_json()["exercise_hold"]["active"]
    client.post(f"/api/v1/alerts/{listed[1]['id']}/resolve", json=body, headers=therapist_h)
    assert not client.get("/api/v1/me", headers=patient_h).get_json()["exercise_hold"]["active"]


def test_resolved_rule_can_fire_again_as_a_new_alert(client, care):
    patient_h, therapist_h, _ = care
    checkin(client, patient_h, days_back=1, symptoms=["night_pain"])
    first = alerts(client, therapist_h)[0]
    client.post(
        f"/api/v1/alerts/{first['id']}/resolve",
        json={"note": "ok", "outcome": "not_a_concern"},
        headers=therapist_h,
    )
    checkin(client, patient_h, symptoms=["night_pain"])
    assert len(alerts(client, therapist_h, "?status=open")) == 1
    assert len(alerts(client, therapist_h)) == 2


def test_resolve_needs_note_and_known_outcome(client, care):
    patient_h, therapist_h, _ = care
    checkin(client, patient_h, symptoms=["fever"])
    alert_id = alerts(client, therapist_h)[0]["id"]
    for body in (
        {"outcome": "other"},
        {"note": "x", "outcome": "cured"},
        {"note": "", "outcome": "other"},
    ):
        response = client.post(f"/api/v1/alerts/{alert_id}/resolve", json=body, headers=therapist_h)
        assert response.status_code == 422
    assert alerts(client, therapist_h)[0]["status"] == "open"


def test_linked_patient_cannot_resolve_their_own_alert(client, care):
    patient_h, _, _ = care
    checkin(client, patient_h, symptoms=["fever"])
    alert_id = alerts(client, patient_h)[0]["id"]
    response = client.post(
        f"/api/v1/alerts/{alert_id}/resolve",
        json={"note": "fine", "outcome": "other", "assessed_by_clinician": True},
        headers=patient_h,
    )
    assert response.status_code == 409


def test_self_guided_patient_resolves_after_confirming_assessment(client, make):
    headers = make.headers(make.patient())
    checkin(client, headers, symptoms=["fever"])
    alert_id = alerts(client, headers)[0]["id"]
    body = {"note": "Saw my GP", "outcome": "assessed_safe_to_continue"}
    refused = client.post(f"/api/v1/alerts/{alert_id}/resolve", json=body, headers=headers)
    assert refused.status_code == 422
    assert "assessed_by_clinician" in refused.get_json()["errors"]["json"]
    body["assessed_by_clinician"] = True
    unnamed = client.post(f"/api/v1/alerts/{alert_id}/resolve", json=body, headers=headers)
    assert unnamed.status_code == 422  # an urgent alert: who assessed them, and when
    body |= {"assessed_by": "Dr Rao, GP", "assessed_on": today().isoformat()}
    accepted = client.post(f"/api/v1/alerts/{alert_id}/resolve", json=body, headers=headers)
    assert accepted.status_code == 200
    assert not client.get("/api/v1/me", headers=headers).get_json()["exercise_hold"]["active"]


def test_unlinked_therapist_and_other_patient_see_nothing(client, care, make):
    patient_h, _, _ = care
    checkin(client, patient_h, symptoms=["fever"])
    alert_id = alerts(client, patient_h)[0]["id"]
    for outsider in (make.headers(make.therapist()), make.headers(make.patient())):
        assert alerts(client, outsider) == []
        assert client.get(f"/api/v1/alerts/{alert_id}", headers=outsider).status_code == 404
        response = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=outsider)
        assert response.status_code == 404


def test_ended_link_hides_alerts_at_once(client, care, make):
    patient_h, therapist_h, _ = care
    checkin(client, patient_h, symptoms=["fever"])
    link_id = client.get("/api/v1/care-links", headers=patient_h).get_json()[0]["id"]
    client.delete(f"/api/v1/care-links/{link_id}", headers=patient_h)
    assert [entry["kind"] for entry in alerts(client, therapist_h)] == ["link_ended"]
