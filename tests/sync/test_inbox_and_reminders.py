"""Sync of the notification inbox and the reminder settings: pulled as their REST bodies,
pushed through the same service functions (``notification.read``, ``reminders.update``),
with tombstones, replays, rejections and per-part conflicts."""

from __future__ import annotations

import datetime as dt

from tests.factories import PASSWORD
from tests.sync.helpers import apply, notify, pull_all, push, strip

REMINDERS = {
    "check_in": {"enabled": True, "time": "20:00", "days_of_week": ["mon", "tue"]},
    "exercise": {"enabled": True, "times": ["08:00"]},
    "missed_sessions": {"enabled": True, "after_days": 3},
    "quiet_hours": {"start": "22:00", "end": "07:00"},
}
URGENT = {"pain": 6, "symptoms": ["fever"]}


def _inbox(client, headers) -> dict[int, dict]:
    listed = client.get("/api/v1/me/notifications", headers=headers).get_json()
    return {n["id"]: n for n in listed}


def test_reminders_and_the_inbox_are_pulled_as_their_rest_bodies(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    first = notify(app, patient, "first")
    changes, cursor = pull_all(client, headers, limit=1)
    rest = client.get("/api/v1/me/reminders", headers=headers).get_json()
    [reminders] = changes["reminders"]["upserted"]
    assert strip(reminders) == rest and "id" not in reminders
    assert changes["reminders"]["deleted"] == []
    [pulled] = changes["notifications"]["upserted"]
    assert strip(pulled) == _inbox(client, headers)[first]
    assert pulled["version"] >= 1 and pulled["updated_at"]

    nothing, cursor = pull_all(client, headers, cursor)
    assert nothing["notifications"] == {"upserted": [], "deleted": []}
    assert nothing["reminders"] == {"upserted": [], "deleted": []}

    read = client.post(f"/api/v1/me/notifications/{first}/read", headers=headers)
    assert read.status_code == 200
    second = notify(app, patient, "second")
    changes, cursor = pull_all(client, headers, cursor)
    by_id = {n["id"]: n for n in changes["notifications"]["upserted"]}
    assert set(by_id) == {first, second}
    assert strip(by_id[first]) == read.get_json()
    assert by_id[first]["version"] > pulled["version"]


def test_new_settings_or_a_new_time_zone_change_the_reminders_record(client, make):
    headers = make.headers(make.patient(timezone="Europe/London"))
    changes, cursor = pull_all(client, headers)
    before = changes["reminders"]["upserted"][0]
    put = client.put("/api/v1/me/reminders", json=REMINDERS, headers=headers)
    assert put.status_code == 200
    changes, cursor = pull_all(client, headers, cursor)
    [after] = changes["reminders"]["upserted"]
    assert strip(after) == put.get_json() and after["version"] > before["version"]
    client.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}, headers=headers)
    changes, cursor = pull_all(client, headers, cursor)
    [moved] = changes["reminders"]["upserted"]
    assert moved["timezone"] == "Asia/Tokyo" and moved["version"] > after["version"]
    assert strip(moved) == client.get("/api/v1/me/reminders", headers=headers).get_json()
    client.patch("/api/v1/me", json={"display_name": "Only the name"}, headers=headers)
    changes, _ = pull_all(client, headers, cursor)
    assert changes["reminders"]["upserted"] == []  # the name does not touch reminders


def test_reminders_update_is_the_put_with_replay_rejection_and_per_part_conflicts(client, make):
    headers = make.headers(make.patient())
    mutation = {"id": "m-rem-000001", "type": "reminders.update", "data": REMINDERS}
    result = push(client, headers, mutation).get_json()["results"][0]
    assert result["status"] == "applied"
    rest = client.get("/api/v1/me/reminders", headers=headers).get_json()
    assert strip(result["record"]) == rest
    again = push(client, headers, mutation).get_json()["results"][0]
    assert again == {**result, "status": "replayed"}

    bad = {**REMINDERS, "quiet_hours": {"start": "22:00", "end": "22:00"}}
    rest_error = client.put("/api/v1/me/reminders", json=bad, headers=headers)
    assert rest_error.status_code == 422
    rejected = push(client, headers, {**mutation, "id": "m-rem-000002", "data": bad})
    assert rejected.get_json()["results"][0]["error"] == rest_error.get_json()

    base = result["record"]["version"]
    server_side = {**REMINDERS, "check_in": {**REMINDERS["check_in"], "time": "06:15"}}
    client.put("/api/v1/me/reminders", json=server_side, headers=headers)
    phone_side = {
        **REMINDERS,
        "check_in": {**REMINDERS["check_in"], "time": "21:45"},
        "missed_sessions": {"enabled": False, "after_days": 5},
    }
    conflict = {"id": "m-rem-000003", "type": "reminders.update", "data": phone_side}
    result = push(client, headers, {**conflict, "base_version": base}).get_json()["results"][0]
    assert result["status"] == "conflict" and result["conflicts"] == ["check_in"]
    assert result["record"]["check_in"]["time"] == "06:15"  # the server's part is kept
    assert result["record"]["missed_sessions"] == {"enabled": False, "after_days": 5}
    assert strip(result["record"]) == client.get("/api/v1/me/reminders", headers=headers).get_json()
    fresh = {**conflict, "id": "m-rem-000004", "base_version": result["record"]["version"]}
    result = push(client, headers, fresh).get_json()["results"][0]
    assert result["status"] == "applied" and result["record"]["check_in"]["time"] == "21:45"


def test_notification_read_is_the_rest_read_with_replay_and_rejection(app, client, make):
    patient, other = make.patient(), make.patient()
    headers = make.headers(patient)
    mine, theirs = notify(app, patient, "mine"), notify(app, other, "theirs")
    mutation = {"id": "m-read-00001", "type": "notification.read", "data": {"id": mine}}
    result = push(client, headers, mutation).get_json()["results"][0]
    assert result["status"] == "applied" and result["record"]["read_at"]
    assert strip(result["record"]) == _inbox(client, headers)[mine]
    later = {**mutation, "id": "m-read-00002"}
    again = push(client, headers, later).get_json()["results"][0]
    assert again["record"]["read_at"] == result["record"]["read_at"]  # the first read stays
    replayed = push(client, headers, mutation).get_json()["results"][0]
    assert replayed == {**result, "status": "replayed"}

    rest = client.post(f"/api/v1/me/notifications/{theirs}/read", headers=headers)
    assert rest.status_code == 404
    pushed = push(
        client, headers, {"id": "m-read-00003", "type": "notification.read", "data": {"id": theirs}}
    )
    assert pushed.get_json()["results"][0]["error"] == rest.get_json()
    assert _inbox(client, make.headers(other))[theirs]["read_at"] is None
    missing_id = push(
        client, headers, {"id": "m-read-00004", "type": "notification.read", "data": {}}
    )
    assert missing_id.get_json()["results"][0]["error"]["code"] == 422


def test_a_therapist_pulls_their_inbox_and_an_erased_patient_leaves_it_all(client, make):
    therapist, patient = make.therapist(), make.patient()
    make.link(therapist, patient)
    t_headers, p_headers = make.headers(therapist), make.headers(patient)
    _, cursor = pull_all(client, t_headers)
    assert client.post("/api/v1/check-ins", json=URGENT, headers=p_headers).status_code == 201
    device: dict = {}
    changes, cursor = pull_all(client, t_headers, cursor)
    apply(device, changes)
    assert device["patients"] and device["alerts"]
    inbox = _inbox(client, t_headers)
    assert inbox, "the alert notified the therapist"
    assert {k: strip(v) for k, v in device["notifications"].items()} == inbox
    patient_inbox = set(_inbox(client, p_headers))
    assert not patient_inbox & set(device["notifications"])  # only their own inbox

    erased = client.delete("/api/v1/me", json={"password": PASSWORD}, headers=p_headers)
    assert erased.status_code == 204
    changes, cursor = pull_all(client, t_headers, cursor)
    apply(device, changes)
    assert set(changes["notifications"]["deleted"]) == set(inbox)
    assert device["notifications"] == {} == _inbox(client, t_headers)
    assert patient in changes["patients"]["deleted"]
    assert device["patients"] == {} and device["alerts"] == {}  # the erased patient is gone


def _access_log(client, headers) -> list[tuple[str, int | None]]:
    entries = client.get("/api/v1/me/access-log?page_size=100", headers=headers).get_json()
    return [(e["resource"], e["resource_id"]) for e in entries]


def test_a_therapists_pull_writes_the_access_log_as_the_alert_list_does(client, make):
    therapist, patient, quiet = make.therapist(), make.patient(), make.patient()
    make.link(therapist, patient)
    make.link(therapist, quiet)
    t_headers, p_headers = make.headers(therapist), make.headers(patient)
    client.post("/api/v1/check-ins", json=URGENT, headers=p_headers)
    client.get("/api/v1/alerts", headers=t_headers)
    by_rest = _access_log(client, p_headers)
    assert by_rest == [("alerts", None)]
    changes, cursor = pull_all(client, t_headers)
    assert changes["alerts"]["upserted"]
    assert _access_log(client, p_headers) == by_rest * 2  # the same row as the REST list
    assert _access_log(client, make.headers(quiet)) == []  # no alerts: nothing read
    pull_all(client, t_headers, cursor)
    assert len(_access_log(client, p_headers)) == 2  # nothing new sent: nothing read
    acknowledged = client.get("/api/v1/alerts", headers=t_headers).get_json()[0]["id"]
    client.post(f"/api/v1/alerts/{acknowledged}/acknowledge", json={}, headers=t_headers)
    before = len(_access_log(client, p_headers))
    changes, _ = pull_all(client, t_headers, cursor)
    assert [a["id"] for a in changes["alerts"]["upserted"]] == [acknowledged]
    assert _access_log(client, p_headers)[0] == ("alerts", None)
    assert len(_access_log(client, p_headers)) > before


def test_deliveries_recorded_by_the_push_worker_and_a_removed_device_reach_the_inbox(
    app, client, make
):

    patient = make.patient()
    headers = make.headers(patient)
    device = _device(client, headers, f"sync-test-token-{patient:08d}-abcdef")
    notification = notify(app, patient, "pushed")
    _queued_delivery(app, notification, device)
    _, cursor = pull_all(client, headers)
    _send_the_due_push(app)
    changes, cursor = pull_all(client, headers, cursor)
    [pulled] = changes["notifications"]["upserted"]
    assert pulled["deliveries"][0]["status"] == "sent"
    assert strip(pulled) == _inbox(client, headers)[notification]
    assert client.delete(f"/api/v1/me/devices/{device}", headers=headers).status_code == 204
    changes, _ = pull_all(client, headers, cursor)
    [pulled] = changes["notifications"]["upserted"]
    assert pulled["deliveries"][0]["device_id"] is None
    assert strip(pulled) == _inbox(client, headers)[notification]


def test_an_up_to_date_pull_reads_the_caller_and_the_change_log_in_one_statement(app, client, make):
    from sqlalchemy import event

    from api.database import state

    therapist, patient = make.therapist(), make.patient()
    make.link(therapist, patient)
    for user in (patient, therapist):
        headers = make.headers(user)
        _, cursor = pull_all(client, headers)
        statements: list[str] = []

        def seen(_conn, _cursor, statement, *_args, into=statements):
            into.append(statement.split()[0].upper())

        event.listen(state(app).engine, "before_cursor_execute", seen)
        try:
            response = client.get(f"/api/v1/sync?cursor={cursor}", headers=headers)
        finally:
            event.remove(state(app).engine, "before_cursor_execute", seen)
        assert response.status_code == 200
        assert all(c == {"upserted": [], "deleted": []} for c in response.json["changes"].values())
        assert statements.count("SELECT") == 1, statements  # the caller with the probe
        assert "INSERT" not in statements


def test_a_therapist_who_erases_their_account_leaves_the_patients_care_links(client, make):
    therapist, patient = make.therapist(), make.patient()
    link = make.link(therapist, patient)
    headers = make.headers(patient)
    device: dict = {}
    changes, cursor = pull_all(client, headers)
    apply(device, changes)
    assert set(device["care_links"]) == {link}
    erased = client.delete(
        "/api/v1/me", json={"password": PASSWORD}, headers=make.headers(therapist)
    )
    assert erased.status_code == 204
    changes, _ = pull_all(client, headers, cursor)
    apply(device, changes)
    assert changes["care_links"]["deleted"] == [link]
    assert device["care_links"] == {}
    assert client.get("/api/v1/care-links", headers=headers).get_json() == []


def _send_the_due_push(app) -> None:
    """The push worker claims the one due delivery and records it sent."""
    from api.database import get_session, utcnow
    from api.jobs import delivery, fcm

    with app.app_context():
        session = get_session()
        [claimed] = delivery.claim(session, now=utcnow())
        session.commit()
        delivery.record(session, claimed, fcm.SendResult("sent"), now=utcnow())
        session.commit()


def _device(client, headers, token: str) -> int:
    return client.post(
        "/api/v1/me/devices", json={"platform": "android", "token": token}, headers=headers
    ).get_json()["id"]


def _queued_delivery(app, notification: int, device: int) -> None:
    from api.database import get_session, utcnow
    from api.notifications.models import Delivery, DeliveryStatus, Platform

    with app.app_context():
        session = get_session()
        now = utcnow()
        session.add(
            Delivery(
                notification_id=notification,
                device_id=device,
                platform=Platform.android,
                status=DeliveryStatus.queued,
                attempts=0,
                next_attempt_at=now - dt.timedelta(seconds=1),
                created_at=now,
                updated_at=now,
            )
        )
        session.commit()


def test_a_token_refused_by_the_push_service_empties_every_delivery_to_it_in_the_pull(
    app, client, make
):
    """The refused device goes; the database empties ``device_id`` in the deliveries of
    other notifications too, and those notifications reach the phone changed."""
    from api.database import get_session, utcnow
    from api.jobs import delivery, fcm

    patient = make.patient()
    headers = make.headers(patient)
    device = _device(client, headers, f"refused-token-{patient:08d}-abcdef")
    refused, other = notify(app, patient, "refused"), notify(app, patient, "other")
    _queued_delivery(app, refused, device)
    _queued_delivery(app, other, device)
    with app.app_context():
        session = get_session()
        claimed = delivery.claim(session, now=utcnow(), notification_id=refused)
        session.commit()
    _, cursor = pull_all(client, headers)
    with app.app_context():
        session = get_session()
        delivery.record(
            session, claimed[0], fcm.SendResult("token_gone", "UNREGISTERED"), now=utcnow()
        )
        session.commit()
    assert client.get("/api/v1/me/devices", headers=headers).get_json() == []
    changes, _ = pull_all(client, headers, cursor)
    pulled = {n["id"]: n for n in changes["notifications"]["upserted"]}
    assert set(pulled) == {refused, other}
    assert pulled[other]["deliveries"][0]["device_id"] is None
    inbox = _inbox(client, headers)
    assert {k: strip(v) for k, v in pulled.items()} == {k: inbox[k] for k in pulled}


def test_deliveries_pruned_after_90_days_leave_the_notification_changed_in_the_pull(
    app, client, make
):
    from api.database import get_session, utcnow
    from api.jobs import delivery

    patient = make.patient()
    headers = make.headers(patient)
    device = _device(client, headers, f"pruned-token-{patient:08d}-abcdef")
    notification = notify(app, patient, "old news")
    _queued_delivery(app, notification, device)
    _send_the_due_push(app)
    changes, cursor = pull_all(client, headers)
    [pulled] = changes["notifications"]["upserted"]
    assert len(pulled["deliveries"]) == 1
    with app.app_context():
        session = get_session()
        assert delivery.prune(session, now=utcnow() + dt.timedelta(days=89)) == 0
        session.commit()
    assert pull_all(client, headers, cursor)[0]["notifications"]["upserted"] == []
    with app.app_context():
        session = get_session()
        assert delivery.prune(session, now=utcnow() + dt.timedelta(days=91)) == 1
        session.commit()
    changes, _ = pull_all(client, headers, cursor)
    [pulled] = changes["notifications"]["upserted"]
    assert pulled["deliveries"] == []
    assert strip(pulled) == _inbox(client, headers)[notification]
