"""Devices, the inbox, data export and erasure."""

from __future__ import annotations

import json
import logging

import pytest

from api.notifications.models import Kind
from api.notifications.service import notify
from api.notifications.texts import check_in_reminder
from tests.factories import PASSWORD
from tests.notifications.conftest import at, inbox

TOKEN = "dGVzdC1mY20tdG9rZW4tZm9yLXVwcmlnaHQ:APA91b-device-one-SECRET-Xk9_q2"


def _register(client, headers, token=TOKEN, **fields):
    body = {"platform": "android", "token": token, **fields}
    return client.post("/api/v1/me/devices", json=body, headers=headers)


def test_register_list_update_and_delete_a_device(client, make):
    headers = make.headers(make.patient())
    created = _register(client, headers, app_version="1.0.0", locale="en-GB")
    assert created.status_code == 201
    device = created.get_json()
    assert device["token_suffix"] == "Xk9_q2" and "token" not in device
    again = _register(client, headers, app_version="1.1.0", platform="ios")
    assert again.status_code == 200
    assert again.get_json()["id"] == device["id"]
    assert again.get_json()["app_version"] == "1.1.0" and again.get_json()["platform"] == "ios"
    listed = client.get("/api/v1/me/devices", headers=headers).get_json()
    assert [d["id"] for d in listed] == [device["id"]]
    assert TOKEN not in json.dumps(listed)
    assert client.delete(f"/api/v1/me/devices/{device['id']}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/me/devices/{device['id']}", headers=headers).status_code == 404
    assert client.get("/api/v1/me/devices", headers=headers).get_json() == []


def test_a_token_belongs_to_one_account_at_a_time(client, make):
    first, second = make.headers(make.patient()), make.headers(make.therapist())
    device = _register(client, first).get_json()
    moved = _register(client, second)
    assert moved.status_code == 201
    assert client.get("/api/v1/me/devices", headers=first).get_json() == []
    assert [d["token_suffix"] for d in client.get("/api/v1/me/devices", headers=second).get_json()]
    assert client.delete(f"/api/v1/me/devices/{device['id']}", headers=first).status_code == 404


def test_someone_elses_device_is_not_found(client, make):
    owner, other = make.headers(make.patient()), make.headers(make.patient())
    device = _register(client, owner).get_json()
    assert client.delete(f"/api/v1/me/devices/{device['id']}", headers=other).status_code == 404
    assert len(client.get("/api/v1/me/devices", headers=owner).get_json()) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "blackberry", "token": TOKEN}, "platform"),
        ({"platform": "android", "token": "short"}, "token"),
        ({"platform": "android", "token": "x" * 1025}, "token"),
        ({"platform": "android"}, "token"),
        ({"token": TOKEN}, "platform"),
        ({"platform": "android", "token": TOKEN, "locale": "english please"}, "locale"),
        ({"platform": "android", "token": TOKEN, "app_version": "9" * 33}, "app_version"),
        ({"platform": "android", "token": TOKEN, "owner": 1}, "owner"),
    ],
)
def test_bad_device_bodies_are_refused_without_echoing_the_token(client, make, body, field):
    response = client.post("/api/v1/me/devices", json=body, headers=make.headers(make.patient()))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert TOKEN not in response.get_data(as_text=True)


def _notifications(app, user_id: int, count: int) -> list[int]:
    from api.database import get_session

    ids = []
    with app.app_context():
        session = get_session()
        for n in range(count):
            made = notify(
                session,
                recipient_id=user_id,
                kind=Kind.check_in_reminder,
                subject="reminder",
                due=f"2026-11-{n + 1:02d}T19:00",
                text=check_in_reminder(),
                data={"path": "/check-ins/new"},
                now=at(f"2026-11-{n + 1:02d}T19:00Z"),
                patient_id=user_id,
            )
            ids.append(made.id if made else None)
        session.commit()
    return ids


def test_the_inbox_is_newest_first_paginated_and_filters_unread(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    ids = _notifications(app, patient, 5)
    page = client.get("/api/v1/me/notifications?page_size=2", headers=headers)
    assert [n["id"] for n in page.get_json()] == [ids[4], ids[3]]
    assert json.loads(page.headers["X-Pagination"])["total"] == 5
    read = client.post(f"/api/v1/me/notifications/{ids[4]}/read", headers=headers)
    assert read.status_code == 200
    first_read = read.get_json()["read_at"]
    assert first_read is not None
    again = client.post(f"/api/v1/me/notifications/{ids[4]}/read", headers=headers).get_json()
    assert again["read_at"] == first_read
    unread = client.get("/api/v1/me/notifications?unread=true", headers=headers).get_json()
    assert [n["id"] for n in unread] == ids[3::-1]
    read_only = client.get("/api/v1/me/notifications?unread=false", headers=headers).get_json()
    assert [n["id"] for n in read_only] == [ids[4]]
    assert client.get("/api/v1/me/notifications?unread=maybe", headers=headers).status_code == 422


def test_someone_elses_notification_is_not_found(app, client, make):
    owner, other = make.patient(), make.patient()
    (notification,) = _notifications(app, owner, 1)
    response = client.post(
        f"/api/v1/me/notifications/{notification}/read", headers=make.headers(other)
    )
    assert response.status_code == 404
    assert (
        client.post("/api/v1/me/notifications/999999/read", headers=make.headers(owner)).status_code
        == 404
    )
    assert inbox(app, owner)[0].read_at is None


def test_the_same_notification_is_made_once(app, make):
    patient = make.patient()
    assert None not in _notifications(app, patient, 2)
    assert _notifications(app, patient, 2) == [None, None]  # the same keys again
    assert len(inbox(app, patient)) == 2


def test_export_holds_devices_reminders_and_notifications_with_short_tokens(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    _register(client, headers, locale="en-GB")
    _notifications(app, patient, 1)
    sections = client.get("/api/v1/me/export", headers=headers).get_json()["sections"]
    assert sections["devices"] == [
        {
            "platform": "android",
            "token_suffix": "Xk9_q2",
            "app_version": None,
            "locale": "en-GB",
            "created_at": sections["devices"][0]["created_at"],
            "last_seen_at": sections["devices"][0]["last_seen_at"],
        }
    ]
    assert sections["reminders"]["check_in"]["time"] == "19:00"
    assert [n["kind"] for n in sections["notifications"]] == ["check_in_reminder"]
    assert TOKEN not in json.dumps(sections)


def test_erasure_removes_devices_reminders_and_notifications(app, client, make):
    from tests.accounts.test_profile import _rows_pointing_at

    patient = make.patient(country="GB", birth_year=1970)
    therapist = make.therapist()
    make.link(therapist, patient)
    headers = make.headers(patient)
    _register(client, headers)
    client.put(
        "/api/v1/me/reminders",
        json={
            "check_in": {"enabled": True, "time": "20:00", "days_of_week": ["mon"]},
            "exercise": {"enabled": False, "times": ["08:00"]},
            "missed_sessions": {"enabled": True, "after_days": 2},
            "quiet_hours": None,
        },
        headers=headers,
    )
    _notifications(app, patient, 2)
    client.post("/api/v1/check-ins", json={"pain": 5, "symptoms": ["night_pain"]}, headers=headers)
    assert len(inbox(app, therapist)) == 1  # about the patient
    found = _rows_pointing_at(app, patient)
    assert {"devices.user_id", "reminder_settings.user_id", "notifications.recipient_id"} <= set(
        found
    )
    assert (
        client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers).status_code == 204
    )
    assert _rows_pointing_at(app, patient) == {}
    assert inbox(app, therapist) == []  # nothing left about an erased patient


def test_tokens_never_reach_a_log(app, client, make, caplog):
    caplog.set_level(logging.DEBUG)
    headers = make.headers(make.patient())
    _register(client, headers)
    _register(client, headers)
    _register(client, make.headers(make.patient()))  # moved
    client.post("/api/v1/me/devices", json={"platform": "x", "token": TOKEN}, headers=headers)
    client.get("/api/v1/me/devices", headers=headers)
    assert TOKEN not in caplog.text
    assert "Xk9_q2" not in caplog.text
