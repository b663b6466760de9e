"""Who may list alerts, and the access log of every therapist read or action on them."""

from __future__ import annotations

import pytest

from tests.alerts.helpers import URGENT, checkin


@pytest.fixture
def world(make):
    therapist = make.therapist(display_name="Dr Ives")
    ann, bo, quiet = make.patient(), make.patient(), make.patient()
    for patient in (ann, bo, quiet):
        make.link(therapist, patient)
    stranger = make.patient()
    return {
        "therapist": make.headers(therapist),
        "ann": ann,
        "bo": bo,
        "quiet": quiet,
        "stranger": stranger,
        "headers": {p: make.headers(p) for p in (ann, bo, quiet, stranger)},
    }


def access_log(client, headers) -> list[tuple[str, int | None]]:
    response = client.get("/api/v1/me/access-log?page_size=100", headers=headers)
    assert response.status_code == 200
    return sorted(((e["resource"], e["resource_id"]) for e in response.get_json()), key=str)


@pytest.mark.parametrize("asker", ["therapist", "other_patient"])
@pytest.mark.parametrize("whose", ["stranger", "unknown", "absurd"])
def test_alerts_of_a_patient_not_yours_are_404_like_every_other_list(client, world, asker, whose):
    checkin(client, world["headers"][world["stranger"]], symptoms=URGENT)
    patient_id = {"stranger": world["stranger"], "unknown": 2_000_000_000, "absurd": "x"}[whose]
    headers = world["therapist"] if asker == "therapist" else world["headers"][world["ann"]]
    response = client.get(f"/api/v1/alerts?patient_id={patient_id}", headers=headers)
    assert response.status_code == (422 if whose == "absurd" else 404), response.get_json()
    assert "errors" in response.get_json() or response.get_json()["message"]


def test_patients_may_name_themselves(client, world):
    headers = world["headers"][world["ann"]]
    checkin(client, headers, symptoms=URGENT)
    response = client.get(f"/api/v1/alerts?patient_id={world['ann']}", headers=headers)
    assert response.status_code == 200 and len(response.get_json()) == 1


def test_the_therapists_list_logs_one_read_per_patient_on_the_page(client, world):
    ann, bo, quiet = world["ann"], world["bo"], world["quiet"]
    checkin(client, world["headers"][ann], symptoms=URGENT)
    checkin(client, world["headers"][bo], symptoms=URGENT)
    listed = client.get("/api/v1/alerts?page_size=1", headers=world["therapist"]).get_json()
    [shown] = [a["patient_id"] for a in listed]
    hidden = bo if shown == ann else ann
    assert access_log(client, world["headers"][shown]) == [("alerts", None)]
    assert access_log(client, world["headers"][hidden]) == []
    assert access_log(client, world["headers"][quiet]) == []  # no alerts: nothing read
    client.get(f"/api/v1/alerts?patient_id={quiet}", headers=world["therapist"])
    assert access_log(client, world["headers"][quiet]) == [("alerts", None)]


def test_reading_acknowledging_and_resolving_are_logged(client, world):
    ann = world["ann"]
    checkin(client, world["headers"][ann], symptoms=URGENT)
    alert_id = client.get("/api/v1/alerts", headers=world["headers"][ann]).get_json()[0]["id"]
    therapist = world["therapist"]
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=therapist).status_code == 200
    ack = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=therapist)
    assert ack.status_code == 200
    body = {"note": "GP saw her", "outcome": "assessed_safe_to_continue"}
    resolved = client.post(f"/api/v1/alerts/{alert_id}/resolve", json=body, headers=therapist)
    assert resolved.status_code == 200
    assert access_log(client, world["headers"][ann]) == [
        ("alert", alert_id),
        ("alert-acknowledge", alert_id),
        ("alert-resolve", alert_id),
    ]


def test_a_patients_own_reads_are_not_logged(client, world):
    headers = world["headers"][world["ann"]]
    checkin(client, headers, symptoms=URGENT)
    alert_id = client.get("/api/v1/alerts", headers=headers).get_json()[0]["id"]
    client.get(f"/api/v1/alerts/{alert_id}", headers=headers)
    assert access_log(client, headers) == []
