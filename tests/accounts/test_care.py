"""Care links: invites, linking, ending, and what a therapist may see."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from api.accounts.models import CareInvite
from api.database import get_session


def invite(client, make, therapist):
    response = client.post("/api/v1/care-links/invites", headers=make.headers(therapist))
    assert response.status_code == 201
    return response.get_json()


def test_invite_code_is_short_and_expires_in_seven_days(client, make):
    body = invite(client, make, make.therapist())
    assert len(body["code"]) == 9 and body["code"][4] == "-"
    expires = dt.datetime.fromisoformat(body["expires_at"])
    delta = expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=6, hours=23) < delta <= dt.timedelta(days=7)


def test_patient_links_with_code_and_therapist_sees_them(client, make):
    therapist, patient = make.therapist(), make.patient(display_name="Gus")
    code = invite(client, make, therapist)["code"]
    response = client.post(
        "/api/v1/care-links", json={"code": code.lower()}, headers=make.headers(patient)
    )
    assert response.status_code == 201
    link = response.get_json()
    assert link["active"] is True and link["patient"]["id"] == patient
    patients = client.get("/api/v1/patients", headers=make.headers(therapist))
    assert [p["display_name"] for p in patients.get_json()] == ["Gus"]
    assert "X-Pagination" in patients.headers
    detail = client.get(f"/api/v1/patients/{patient}", headers=make.headers(therapist))
    assert detail.status_code == 200 and detail.get_json()["linked_since"]
    for side in (therapist, patient):
        links = client.get("/api/v1/care-links", headers=make.headers(side)).get_json()
        assert [item["id"] for item in links] == [link["id"]]


def test_code_is_single_use(client, make):
    code = invite(client, make, make.therapist())["code"]
    assert (
        client.post(
            "/api/v1/care-links", json={"code": code}, headers=make.headers(make.patient())
        ).status_code
        == 201
    )
    reuse = client.post(
        "/api/v1/care-links", json={"code": code}, headers=make.headers(make.patient())
    )
    assert reuse.status_code == 422
    assert "already been used" in str(reuse.get_json()["errors"])


def test_expired_code_is_refused(client, make, app):
    code = invite(client, make, make.therapist())["code"]
    with app.app_context():
        session = get_session()
        session.execute(
            update(CareInvite).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
        session.commit()
    response = client.post(
        "/api/v1/care-links", json={"code": code}, headers=make.headers(make.patient())
    )
    assert response.status_code == 422
    assert "expired" in str(response.get_json()["errors"])


def test_unknown_code_is_refused(client, make):
    response = client.post(
        "/api/v1/care-links", json={"code": "ABCD-EFGH"}, headers=make.headers(make.patient())
    )
    assert response.status_code == 422


def test_second_link_to_same_therapist_is_409(client, make):
    therapist, patient = make.therapist(), make.patient()
    make.link(therapist, patient)
    code = invite(client, make, therapist)["code"]
    response = client.post("/api/v1/care-links", json={"code": code}, headers=make.headers(patient))
    assert response.status_code == 409


def test_ending_a_link_ends_access_at_once_and_keeps_history(client, make):
    therapist, patient = make.therapist(), make.patient()
    link_id = make.link(therapist, patient)
    assert (
        client.get(f"/api/v1/patients/{patient}", headers=make.headers(therapist)).status_code
        == 200
    )
    ended = client.delete(f"/api/v1/care-links/{link_id}", headers=make.headers(patient))
    assert ended.status_code == 200 and ended.get_json()["active"] is False
    assert (
        client.get(f"/api/v1/patients/{patient}", headers=make.headers(therapist)).status_code
        == 404
    )
    assert client.get("/api/v1/patients", headers=make.headers(therapist)).get_json() == []
    history = client.get("/api/v1/care-links", headers=make.headers(therapist)).get_json()
    assert [item["active"] for item in history] == [False]
    active_only = client.get(
        "/api/v1/care-links?active=true", headers=make.headers(therapist)
    ).get_json()
    assert active_only == []
    # relinking after an ended link is allowed
    make.link(therapist, patient)
    assert (
        client.get(f"/api/v1/patients/{patient}", headers=make.headers(therapist)).status_code
        == 200
    )


def test_therapist_reads_are_in_the_patients_access_log(client, make):
    therapist, patient = make.therapist(display_name="Dr Hale"), make.patient()
    make.link(therapist, patient)
    client.get(f"/api/v1/patients/{patient}", headers=make.headers(therapist))
    log = client.get("/api/v1/me/access-log", headers=make.headers(patient)).get_json()
    assert [(e["therapist_name"], e["resource"]) for e in log] == [("Dr Hale", "profile")]


def test_patient_list_is_paginated(client, make):
    therapist = make.therapist()
    for n in range(5):
        make.link(therapist, make.patient(display_name=f"P{n}"))
    page = client.get("/api/v1/patients?page=2&page_size=2", headers=make.headers(therapist))
    assert [p["display_name"] for p in page.get_json()] == ["P2", "P3"]
    import json

    assert json.loads(page.headers["X-Pagination"])["total"] == 5
    assert (
        client.get("/api/v1/patients?page_size=1000", headers=make.headers(therapist)).status_code
        == 422
    )
