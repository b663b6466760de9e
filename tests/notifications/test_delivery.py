"""Push delivery through FCM HTTP v1 against a local server that answers as FCM does."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging

import pytest
from sqlalchemy import select, update

from api import create_app
from api.config import ConfigError
from api.database import get_session, utcnow
from api.jobs import delivery, dispatch
from api.jobs import fcm as fcm_api
from api.notifications.models import Delivery, Device
from tests.notifications.conftest import at, inbox, push_settings, tick
from tests.notifications.fake_fcm import ACCESS_TOKEN

EMERGENCY = {"pain": 6, "symptoms": ["saddle_numbness", "bladder_change"]}
THERAPIST_TOKEN = "therapist-phone-token-0000000000000000-AAAAAA"


@pytest.fixture
def app_config(app_config, fcm_credentials, fcm_server):
    return {**app_config, **push_settings(fcm_credentials, fcm_server)}


def _device(client, headers, token, platform="android"):
    response = client.post(
        "/api/v1/me/devices", json={"platform": platform, "token": token}, headers=headers
    )
    assert response.status_code == 201
    return response.get_json()["id"]


def _linked(make, **patient):
    patient_id = make.patient(**{"country": "GB", "birth_year": 1970, **patient})
    therapist = make.therapist()
    make.link(therapist, patient_id)
    return patient_id, therapist


def _deliveries(app):
    with app.app_context():
        return get_session().scalars(select(Delivery).order_by(Delivery.id)).all()


def test_a_red_flag_check_in_is_pushed_to_the_therapist_with_the_exact_payload(
    app, client, make, fcm
):
    patient, therapist = _linked(make, display_name="Zebedee Quill")
    _device(client, make.headers(therapist), THERAPIST_TOKEN)
    response = client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    assert response.status_code == 201
    # no queue configured: delivered in-process before the response came back
    (received,) = fcm.received
    (note,) = inbox(app, therapist)
    alert_id = note.data["alert_id"]
    assert received.authorization == f"Bearer {ACCESS_TOKEN}"
    assert received.message == {
        "token": THERAPIST_TOKEN,
        "notification": {"title": "Upright", "body": "A patient's check-in needs your attention."},
        "data": {
            "notification_id": str(note.id),
            "kind": "alert_raised",
            "alert_id": str(alert_id),
            "patient_id": str(patient),
            "path": f"/alerts/{alert_id}",
        },
        "android": {"priority": "HIGH", "collapse_key": f"notification-{note.id}"},
    }
    assert "Zebedee" not in json.dumps(received.message)
    listed = client.get("/api/v1/me/notifications", headers=make.headers(therapist)).get_json()
    (record,) = listed[0]["deliveries"]
    assert record["status"] == "sent" and record["attempts"] == 1 and record["last_error"] is None


def test_ios_and_web_payloads_for_a_patients_notification(app, client, make, fcm):
    patient, therapist = _linked(make)
    headers = make.headers(patient)
    _device(client, headers, "patient-iphone-token-00000000000000-IIIIII", "ios")
    _device(client, headers, "patient-browser-token-0000000000000-WWWWWW", "web")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    body = {"patient_id": patient, "template": "core-routine", "starts_on": today}
    client.post("/api/v1/programmes", json=body, headers=make.headers(therapist))
    by_token = {m["token"]: m for m in fcm.messages()}
    ios = by_token["patient-iphone-token-00000000000000-IIIIII"]
    assert ios["apns"]["headers"]["apns-priority"] == "5"
    assert ios["apns"]["headers"]["apns-collapse-id"].startswith("notification-")
    assert ios["notification"]["body"] == "Your therapist has updated your exercise programme."
    web = by_token["patient-browser-token-0000000000000-WWWWWW"]
    assert web["webpush"] == {"headers": {"Urgency": "normal"}}
    assert "android" not in web and "apns" not in web


@pytest.mark.parametrize("answer", ["unregistered", "invalid"])
def test_a_refused_token_removes_the_device(app, client, make, fcm, answer):
    patient, therapist = _linked(make)
    headers = make.headers(therapist)
    _device(client, headers, THERAPIST_TOKEN)
    fcm.script(THERAPIST_TOKEN, [answer])
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    assert client.get("/api/v1/me/devices", headers=headers).get_json() == []
    (record,) = client.get("/api/v1/me/notifications", headers=headers).get_json()[0]["deliveries"]
    assert record["status"] == "failed"
    assert record["last_error"] == answer.upper().replace("INVALID", "INVALID_ARGUMENT")
    assert record["device_id"] is None
    assert fcm.received == []


def test_503_is_retried_after_retry_after_and_then_sent(app, client, make, fcm):
    patient, therapist = _linked(make)
    _device(client, make.headers(therapist), THERAPIST_TOKEN)
    fcm.script(THERAPIST_TOKEN, ["unavailable"])  # 503, Retry-After: 120
    before = utcnow()
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    (record,) = _deliveries(app)
    assert record.status == "queued" and record.attempts == 1
    assert record.last_error == "UNAVAILABLE"
    wait = record.next_attempt_at - before
    assert dt.timedelta(seconds=120) <= wait < dt.timedelta(seconds=130)  # not the 30 s backoff
    tick(app, before + dt.timedelta(seconds=60))
    assert fcm.received == []
    tick(app, record.next_attempt_at)
    assert len(fcm.received) == 1
    (record,) = _deliveries(app)
    assert record.status == "sent" and record.attempts == 2 and record.last_error is None


def test_after_five_attempts_the_delivery_is_dead(app, client, make, fcm):
    patient, therapist = _linked(make)
    _device(client, make.headers(therapist), THERAPIST_TOKEN)
    fcm.script(THERAPIST_TOKEN, ["quota", "unavailable", "quota", "unavailable", "quota", "ok"])
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    now = utcnow()
    waits = []
    for _ in range(6):
        (record,) = _deliveries(app)
        if record.status != "queued":
            break
        waits.append(record.next_attempt_at)
        now = max(now, record.next_attempt_at)
        tick(app, now)
    (record,) = _deliveries(app)
    assert record.status == "dead" and record.attempts == 5
    assert fcm.received == []
    gaps = [later - earlier for earlier, later in itertools.pairwise(waits)]
    assert gaps == sorted(gaps)  # the waits grow: 30 s, 1, 2, 4 minutes (or Retry-After)
    assert (
        client.get("/api/v1/me/notifications", headers=make.headers(therapist)).get_json()[0][
            "deliveries"
        ][0]["status"]
        == "dead"
    )


def test_backoff_doubles_up_to_an_hour():
    assert [delivery.backoff(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]


def test_retry_after_as_an_http_date():
    assert fcm_api.parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == 30
    assert fcm_api.parse_retry_after("soon") is None
    assert fcm_api.parse_retry_after("15") == 15


def test_a_worker_that_dies_after_claiming_leaves_the_push_to_the_next_round(
    app, client, make, fcm, monkeypatch
):
    patient, therapist = _linked(make)
    _device(client, make.headers(therapist), THERAPIST_TOKEN)
    monkeypatch.setattr(dispatch, "deliver_now", lambda *a, **k: {})  # no in-process push
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    now = utcnow()
    with app.app_context():  # a worker claims ... and dies before sending
        session = get_session()
        (claimed,) = delivery.claim(session, now=now)
        session.commit()
    tick(app, now + dt.timedelta(minutes=1))  # the lease still holds: nobody sends
    assert fcm.received == []
    tick(app, now + delivery.LEASE)
    tick(app, now + delivery.LEASE + dt.timedelta(minutes=1))
    assert fcm.tokens() == [THERAPIST_TOKEN]  # once
    (record,) = _deliveries(app)
    assert record.status == "sent" and record.attempts == 2
    # the dead worker's late record cannot overwrite the outcome
    with app.app_context():
        session = get_session()
        result = delivery.record(session, claimed, fcm_api.SendResult("retry", "HTTP 503"), now=now)
        session.commit()
    assert result == "lost_lease"
    assert _deliveries(app)[0].status == "sent"


def test_quiet_hours_hold_a_patients_push_but_not_the_inbox(app, client, make, fcm):
    patient, therapist = _linked(make, timezone="UTC")
    headers = make.headers(patient)
    _device(client, headers, "patient-phone-token-00000000000000-PPPPPP")
    now = utcnow()
    start = (now - dt.timedelta(minutes=5)).strftime("%H:%M")
    end = (now + dt.timedelta(hours=2)).strftime("%H:%M")
    # A check-in reminder on a day three days off: none falls due at the tick below
    # (a fixed weekday made a second push whenever the test ran on it before its time).
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    settings = {
        "check_in": {
            "enabled": True,
            "time": "19:00",
            "days_of_week": [days[(now.weekday() + 3) % 7]],
        },
        "exercise": {"enabled": False, "times": ["08:00"]},
        "missed_sessions": {"enabled": False, "after_days": 2},
        "quiet_hours": {"start": start, "end": end},
    }
    assert client.put("/api/v1/me/reminders", json=settings, headers=headers).status_code == 200
    today = now.date().isoformat()
    body = {"patient_id": patient, "template": "core-routine", "starts_on": today}
    client.post("/api/v1/programmes", json=body, headers=make.headers(therapist))
    assert [n.kind for n in inbox(app, patient)] == ["programme_changed"]
    assert fcm.received == []
    (record,) = _deliveries(app)
    assert record.status == "queued" and record.attempts == 0
    assert record.next_attempt_at.strftime("%H:%M") == end
    tick(app, record.next_attempt_at)
    assert len(fcm.received) == 1


def test_therapist_alerts_ignore_quiet_hours(app, client, make, fcm):
    patient, therapist = _linked(make)
    _device(client, make.headers(therapist), THERAPIST_TOKEN)
    with app.app_context():  # even a therapist with quiet hours set is alerted at once
        from api.notifications.models import ReminderSettings

        session = get_session()
        session.add(
            ReminderSettings(
                user_id=therapist,
                check_in_enabled=False,
                check_in_time="19:00",
                check_in_days=["mon"],
                exercise_enabled=False,
                exercise_times=["08:00"],
                missed_enabled=False,
                missed_after_days=2,
                quiet_start="00:00",
                quiet_end="23:59",
            )
        )
        session.commit()
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    assert fcm.tokens() == [THERAPIST_TOKEN]


def test_a_moved_token_does_not_receive_the_previous_accounts_pushes(app, client, make, fcm):
    patient, therapist = _linked(make)
    _device(client, make.headers(therapist), THERAPIST_TOKEN)
    fcm.script(THERAPIST_TOKEN, ["unavailable"])
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    _device(client, make.headers(make.patient()), THERAPIST_TOKEN)  # the phone changes hands
    tick(app, utcnow() + dt.timedelta(minutes=5))
    assert fcm.received == []
    (record,) = _deliveries(app)
    assert record.status == "failed" and record.last_error == "DEVICE_REMOVED"


def test_delivered_records_are_pruned_after_90_days(app, client, make, fcm):
    patient, therapist = _linked(make)
    _device(client, make.headers(therapist), THERAPIST_TOKEN)
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    (record,) = _deliveries(app)
    alert = client.get("/api/v1/alerts", headers=make.headers(therapist)).get_json()[0]
    client.post(
        f"/api/v1/alerts/{alert['id']}/acknowledge", json={}, headers=make.headers(therapist)
    )
    assert tick(app, record.updated_at + dt.timedelta(days=89))["pruned"] == 0
    assert tick(app, record.updated_at + dt.timedelta(days=91))["pruned"] == 1
    assert _deliveries(app) == []
    assert len(inbox(app, therapist)) == 1  # the notification itself stays


def test_the_job_round_cli_takes_an_injected_clock(app, runner, make):
    patient = make.patient(timezone="Europe/London")
    first = runner.invoke(args=["jobs", "tick", "--now", "2026-11-24T12:00:00Z"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["schedules_created"] == 1
    fired = runner.invoke(args=["jobs", "tick", "--now", "2026-11-24T19:00:00Z"])
    assert json.loads(fired.output)["reminders"] == 1
    assert [n.created_at for n in inbox(app, patient)] == [at("2026-11-24T19:00Z")]
    for bad in ("yesterday", "2026-11-24T19:00:00"):
        result = runner.invoke(args=["jobs", "tick", "--now", bad])
        assert result.exit_code == 2 and "--now" in result.output


def test_now_is_refused_in_production(tmp_path, database_url):
    app = create_app(
        {"UPRIGHT_ENV": "production", "SECRET_KEY": "p" * 48, "DATABASE_URL": database_url}
    )
    result = app.test_cli_runner().invoke(args=["jobs", "tick", "--now", "2026-11-24T19:00:00Z"])
    assert result.exit_code != 0
    assert "refused in production" in result.output
    from api.database import state

    state(app).engine.dispose()


def test_push_off_is_said_once_at_start_up(database_url, caplog, monkeypatch):
    monkeypatch.setattr(dispatch, "_said_push_is_off", False)
    caplog.set_level(logging.WARNING, logger="upright.jobs")
    config = {"UPRIGHT_ENV": "testing", "DATABASE_URL": database_url}
    first, second = create_app(config), create_app(config)
    said = [r for r in caplog.records if "push notifications are off" in r.getMessage()]
    assert len(said) == 1
    assert not first.extensions["upright.push"].enabled
    assert not second.extensions["upright.push"].enabled


def test_a_broken_credentials_file_stops_start_up_with_one_line(tmp_path, database_url):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    for path in (broken, tmp_path / "missing.json"):
        with pytest.raises(ConfigError) as info:
            create_app(
                {
                    "UPRIGHT_ENV": "testing",
                    "DATABASE_URL": database_url,
                    "FCM_CREDENTIALS_FILE": str(path),
                }
            )
        assert "FCM_CREDENTIALS_FILE" in str(info.value) and "\n" not in str(info.value)


def test_push_off_keeps_notifications_in_the_inbox_only(database_url, make, fcm):
    app = create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": database_url})
    client = app.test_client()
    from tests.factories import Factory

    maker = Factory(app)
    patient, therapist = _linked(maker)
    _device(client, maker.headers(therapist), THERAPIST_TOKEN)
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=maker.headers(patient))
    assert len(inbox(app, therapist)) == 1
    assert _deliveries(app) == [] and fcm.received == []
    from api.database import state

    state(app).engine.dispose()


def test_a_device_deleted_while_queued_fails_its_delivery(app, client, make, fcm):
    patient, therapist = _linked(make)
    headers = make.headers(therapist)
    device = _device(client, headers, THERAPIST_TOKEN)
    fcm.script(THERAPIST_TOKEN, ["unavailable"])
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    assert client.delete(f"/api/v1/me/devices/{device}", headers=headers).status_code == 204
    with app.app_context():
        session = get_session()
        session.execute(update(Delivery).values(next_attempt_at=utcnow()))
        session.commit()
        assert session.scalars(select(Device)).all() == []
    tick(app, utcnow() + dt.timedelta(seconds=1))
    assert _deliveries(app)[0].status == "failed"


def test_no_token_reaches_a_log_when_pushes_fail_and_devices_go(app, client, make, fcm, caplog):
    caplog.set_level(logging.DEBUG)
    patient, therapist = _linked(make)
    _device(client, make.headers(therapist), THERAPIST_TOKEN)
    _device(client, make.headers(therapist), "second-phone-token-000000000000000-SSSSSS")
    fcm.script(THERAPIST_TOKEN, ["unavailable"])
    fcm.script("second-phone-token-000000000000000-SSSSSS", ["unregistered"])
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    tick(app, utcnow() + dt.timedelta(minutes=5))
    assert fcm.tokens() == [THERAPIST_TOKEN]
    assert "device" in caplog.text  # the removal is logged, by id
    for secret in (THERAPIST_TOKEN, "second-phone-token", "SSSSSS", ACCESS_TOKEN):
        assert secret not in caplog.text


def test_an_in_process_push_that_fails_never_fails_the_committed_request(
    app, client, make, fcm, monkeypatch
):
    patient, therapist = _linked(make)
    _device(client, make.headers(therapist), THERAPIST_TOKEN)

    def broken(*_args, **_kwargs):
        raise RuntimeError("push machinery broke")

    monkeypatch.setattr(dispatch, "deliver_now", broken)
    response = client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    assert response.status_code == 201
    monkeypatch.undo()
    tick(app, utcnow() + dt.timedelta(seconds=1))  # the next round sends it
    assert fcm.tokens() == [THERAPIST_TOKEN]
