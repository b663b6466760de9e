"""Alerts when a care link ends: the history says so, the former therapist is told
(without health details), and a self-guided patient's resolution says who assessed them."""

from __future__ import annotations

import datetime as dt

import pytest

from api.alerts.service import LINK_ENDED_DAYS
from api.timeutil import utcnow
from tests.alerts.helpers import EMERGENCY, SOON, URGENT, alerts, checkin
from tests.sessions.helpers import today

ASSESSMENT = {"assessed_by": "Dr Rao, GP at Hill Street surgery", "outcome": "not_a_concern"}
LINK_ENDED_KEYS = {"kind", "care_link_id", "patient_id", "patient_name", "ended_at", "alert_open"}


@pytest.fixture
def care(make):
    patient = make.patient(country="GB", display_name="Ann Lee")
    therapist = make.therapist(display_name="Dr Ives")
    make.link(therapist, patient)
    return make.headers(patient), make.headers(therapist), patient, therapist


def end_link(client, headers):
    link_id = client.get("/api/v1/care-links?active=true", headers=headers).get_json()[0]["id"]
    response = client.delete(f"/api/v1/care-links/{link_id}", headers=headers)
    assert response.status_code == 200
    return link_id


def resolve(client, headers, alert_id, **body):
    body = {"note": "Seen in clinic", "outcome": "assessed_safe_to_continue", **body}
    return client.post(f"/api/v1/alerts/{alert_id}/resolve", json=body, headers=headers)


def hold_active(client, headers) -> bool:
    return client.get("/api/v1/me", headers=headers).get_json()["exercise_hold"]["active"]


def test_ending_a_link_with_an_open_alert_is_in_the_alert_history(client, care):
    patient_h, _, _, _ = care
    checkin(client, patient_h, symptoms=EMERGENCY)
    checkin(client, patient_h, days_back=1, symptoms=SOON)
    end_link(client, patient_h)
    for alert in alerts(client, patient_h):
        last = alert["events"][-1]
        assert last["action"] == "link_ended"
        assert last["actor_name"] == "Ann Lee"
        assert "Dr Ives" in last["note"]


def test_a_link_ended_with_no_open_alert_leaves_the_history_alone(client, care):
    patient_h, therapist_h, _, _ = care
    checkin(client, patient_h, symptoms=URGENT)
    [alert] = alerts(client, therapist_h)
    assert resolve(client, therapist_h, alert["id"]).status_code == 200
    end_link(client, patient_h)
    [alert] = alerts(client, patient_h)
    assert [e["action"] for e in alert["events"]] == ["raised", "resolved"]
    assert alerts(client, therapist_h) == []  # nothing was open: no link_ended entry


@pytest.mark.parametrize("symptoms", [URGENT, EMERGENCY])
def test_self_resolving_an_urgent_alert_states_who_assessed_and_when(client, care, symptoms):
    patient_h, _, _, _ = care
    checkin(client, patient_h, days_back=2, symptoms=symptoms)
    end_link(client, patient_h)
    [alert] = alerts(client, patient_h)
    confirmed = {"assessed_by_clinician": True}
    missing = resolve(client, patient_h, alert["id"], **confirmed)
    assert missing.status_code == 422
    assert {"assessed_by", "assessed_on"} <= set(missing.get_json()["errors"]["json"])
    for bad in (
        {"assessed_by": "", "assessed_on": today().isoformat()},
        {"assessed_by": "   ", "assessed_on": today().isoformat()},
        {"assessed_by": "x" * 121, "assessed_on": today().isoformat()},
        {"assessed_by": "Dr Rao", "assessed_on": "yesterday"},
        {"assessed_by": "Dr Rao", "assessed_on": (today() + dt.timedelta(days=1)).isoformat()},
        {"assessed_by": "Dr Rao", "assessed_on": (today() - dt.timedelta(days=3)).isoformat()},
        {"assessed_by": None, "assessed_on": today().isoformat()},
    ):
        response = resolve(client, patient_h, alert["id"], **confirmed, **bad)
        assert response.status_code == 422, bad
    assert hold_active(client, patient_h)
    assessed_on = (today() - dt.timedelta(days=1)).isoformat()
    done = resolve(
        client, patient_h, alert["id"], **confirmed, **ASSESSMENT, assessed_on=assessed_on
    )
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["resolved_by"] == "patient"
    assert body["assessed_by"] == ASSESSMENT["assessed_by"]
    assert body["assessed_on"] == assessed_on
    assert not hold_active(client, patient_h)


def test_a_soon_alert_may_be_self_resolved_without_naming_the_assessor(client, make):
    headers = make.headers(make.patient())
    checkin(client, headers, symptoms=SOON)
    [alert] = alerts(client, headers)
    response = resolve(client, headers, alert["id"], assessed_by_clinician=True)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["resolved_by"] == "patient"
    assert response.get_json()["assessed_by"] is None


def test_resolved_by_is_in_the_item_the_list_and_the_export(client, care, make):
    patient_h, therapist_h, _, _ = care
    checkin(client, patient_h, days_back=1, symptoms=URGENT)
    checkin(client, patient_h, symptoms=SOON)
    by_therapist, soon = alerts(client, therapist_h)
    assert resolve(client, therapist_h, by_therapist["id"]).status_code == 200
    end_link(client, patient_h)
    checkin_day = today()
    response = resolve(
        client,
        patient_h,
        soon["id"],
        assessed_by_clinician=True,
        assessed_by="  Practice nurse ",
        assessed_on=checkin_day.isoformat(),
    )
    assert response.status_code == 200, response.get_json()
    expected = {by_therapist["id"]: "therapist", soon["id"]: "patient"}
    listed = {a["id"]: a["resolved_by"] for a in alerts(client, patient_h)}
    assert listed == expected
    for alert_id, who in expected.items():
        item = client.get(f"/api/v1/alerts/{alert_id}", headers=patient_h).get_json()
        assert item["resolved_by"] == who
    export = client.get("/api/v1/me/export", headers=patient_h).get_json()["sections"]["alerts"]
    assert {a["id"]: a["resolved_by"] for a in export} == expected
    [exported_soon] = [a for a in export if a["id"] == soon["id"]]
    assert exported_soon["assessed_by"] == "Practice nurse"
    assert exported_soon["assessed_on"] == checkin_day.isoformat()


def test_unresolved_alerts_have_no_resolver(client, care):
    patient_h, _, _, _ = care
    checkin(client, patient_h, symptoms=URGENT)
    [alert] = alerts(client, patient_h)
    assert alert["kind"] == "alert"
    assert (alert["resolved_by"], alert["assessed_by"], alert["assessed_on"]) == (None,) * 3


def test_a_therapist_linked_later_sees_the_self_resolution_and_the_ended_link(client, care, make):
    patient_h, _, patient, _ = care
    checkin(client, patient_h, symptoms=EMERGENCY)
    end_link(client, patient_h)
    [alert] = alerts(client, patient_h)
    resolved = resolve(
        client,
        patient_h,
        alert["id"],
        assessed_by_clinician=True,
        assessed_on=today().isoformat(),
        **ASSESSMENT,
    )
    assert resolved.status_code == 200, resolved.get_json()
    new_therapist = make.therapist(display_name="Dr Okafor")
    make.link(new_therapist, patient)
    seen = client.get(f"/api/v1/alerts/{alert['id']}", headers=make.headers(new_therapist))
    assert seen.status_code == 200
    body = seen.get_json()
    assert (body["resolved_by"], body["assessed_by"]) == ("patient", ASSESSMENT["assessed_by"])
    assert body["assessed_on"] == today().isoformat()
    assert [e["action"] for e in body["events"]] == ["raised", "link_ended", "resolved"]


def test_the_former_therapist_is_told_the_link_ended_without_health_details(client, care):
    patient_h, therapist_h, patient, _ = care
    checkin(client, patient_h, symptoms=EMERGENCY)
    link_id = end_link(client, patient_h)
    renamed = client.patch("/api/v1/me", json={"display_name": "A. N. Other"}, headers=patient_h)
    assert renamed.status_code == 200  # after the link ended: the therapist keeps the old name
    for query in ("", "?status=open"):
        [entry] = alerts(client, therapist_h, query)
        assert set(entry) == LINK_ENDED_KEYS
        assert entry["kind"] == "link_ended"
        assert (entry["care_link_id"], entry["patient_id"]) == (link_id, patient)
        assert (entry["patient_name"], entry["alert_open"]) == ("Ann Lee", True)
        assert entry["ended_at"]
    for query in ("?status=acknowledged", "?status=resolved", "?level=emergency"):
        assert alerts(client, therapist_h, query) == []
    assert client.get(f"/api/v1/alerts?patient_id={patient}", headers=therapist_h).status_code == (
        404
    )


def test_the_former_therapist_still_knows_after_the_patient_self_resolves(client, care):
    patient_h, therapist_h, _, _ = care
    checkin(client, patient_h, symptoms=URGENT)
    end_link(client, patient_h)
    [alert] = alerts(client, patient_h)
    resolve(
        client,
        patient_h,
        alert["id"],
        assessed_by_clinician=True,
        assessed_on=today().isoformat(),
        **ASSESSMENT,
    )
    [entry] = alerts(client, therapist_h, "?status=open")
    assert entry["kind"] == "link_ended" and set(entry) == LINK_ENDED_KEYS


def test_the_link_ended_entry_comes_first_and_lasts_30_days(client, care, make, time_machine):
    patient_h, therapist_h, _, therapist = care
    other = make.patient()
    make.link(make.therapist(), other)  # someone else's patient: never listed
    checkin(client, make.headers(other), symptoms=EMERGENCY)
    still_linked = make.patient()
    make.link(therapist, still_linked)
    checkin(client, make.headers(still_linked), symptoms=EMERGENCY)
    checkin(client, patient_h, symptoms=URGENT)
    end_link(client, patient_h)
    assert [e["kind"] for e in alerts(client, therapist_h)] == ["link_ended", "alert"]
    listed = client.get("/api/v1/alerts?page_size=1&page=2", headers=therapist_h)
    assert [e["kind"] for e in listed.get_json()] == ["alert"]
    time_machine.move_to(utcnow() + dt.timedelta(days=LINK_ENDED_DAYS, minutes=1))
    assert [e["kind"] for e in alerts(client, make.headers(therapist))] == ["alert"]


def test_a_link_the_therapist_ends_is_in_the_history_but_not_listed_to_them(client, care):
    patient_h, therapist_h, _, _ = care
    checkin(client, patient_h, symptoms=URGENT)
    end_link(client, therapist_h)
    [alert] = alerts(client, patient_h)
    assert alert["events"][-1]["action"] == "link_ended"
    assert alert["events"][-1]["actor_name"] == "Dr Ives"
    assert alerts(client, therapist_h) == []


def test_relinking_replaces_the_link_ended_entry_with_the_alerts(client, care, make):
    patient_h, therapist_h, patient, therapist = care
    checkin(client, patient_h, symptoms=URGENT)
    end_link(client, patient_h)
    make.link(therapist, patient)
    [alert] = alerts(client, therapist_h)
    assert alert["kind"] == "alert" and alert["status"] == "open"
