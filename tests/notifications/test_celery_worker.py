"""End to end with a real Redis and a real Celery worker process.

Slow (about 15-25 s): the worker starts once per test; 20 red-flag check-ins are
timed from the request to the local FCM server receiving the push.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from api import create_app
from api.alerts.models import Alert
from api.database import get_session, state
from api.jobs.dispatch import TICK_TASK, celery_app
from tests.factories import Factory
from tests.notifications.conftest import inbox, push_settings, tick
from tests.notifications.test_alerts import health_words_in
from tests.run_all import stop_process

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
EMERGENCY = {"pain": 7, "symptoms": ["saddle_numbness", "bladder_change"]}
THERAPIST_TOKEN = "worker-test-therapist-phone-token-000000-TTTTTT"


@pytest.fixture
def app_config(app_config, fcm_credentials, fcm_server, redis_url):
    return {
        **app_config,
        **push_settings(fcm_credentials, fcm_server),
        "CELERY_BROKER_URL": redis_url,
    }


@pytest.fixture
def worker(app, app_config, redis_url):
    """A real ``celery -A api.jobs.worker worker`` process on the test database."""
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "UPRIGHT_ENV": "testing",
        "DATABASE_URL": app_config["DATABASE_URL"],
        "SECRET_KEY": app_config["SECRET_KEY"],
        "CELERY_BROKER_URL": redis_url,
        "FCM_CREDENTIALS_FILE": app_config["FCM_CREDENTIALS_FILE"],
        "FCM_BASE_URL": app_config["FCM_BASE_URL"],
    }
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "api.jobs.worker", "worker",
            "--pool=solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
            "--loglevel=WARNING", "-n", f"test-{uuid.uuid4().hex[:8]}@localhost",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    celery = celery_app(app)
    try:
        deadline = time.monotonic() + 60
        while not celery.control.ping(timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the Celery worker did not start:\n{log.read()[-3000:]}")
        yield process
    finally:
        stop_process(process)
        log.close()


def test_red_flag_check_ins_reach_the_therapists_phone_through_a_real_worker_within_60_s(
    app, client, make, fcm, worker, capsys
):
    therapist = make.therapist()
    registered = client.post(
        "/api/v1/me/devices",
        json={"platform": "android", "token": THERAPIST_TOKEN},
        headers=make.headers(therapist),
    )
    assert registered.status_code == 201
    latencies = []
    for n in range(20):
        patient = make.patient(country="GB", birth_year=1970, display_name=f"Zebedee Quill {n}")
        make.link(therapist, patient)
        headers = make.headers(patient)
        started = time.time()
        response = client.post("/api/v1/check-ins", json=EMERGENCY, headers=headers)
        assert response.status_code == 201
        assert fcm.wait_for(n + 1, timeout=60), f"check-in {n}: no push within 60 s"
        latencies.append(fcm.received[n].at - started)
    messages = fcm.messages()
    assert {m["token"] for m in messages} == {THERAPIST_TOKEN}
    assert len({m["data"]["alert_id"] for m in messages}) == 20
    for message in messages:
        text = json.dumps(message)
        assert health_words_in(text) == set() and "Zebedee" not in text
    assert max(latencies) < 60
    with capsys.disabled():
        print(
            f"\n[latency] check-in to push through Redis and a Celery worker, 20 red flags: "
            f"median {statistics.median(latencies) * 1000:.0f} ms, "
            f"worst {max(latencies) * 1000:.0f} ms"
        )


def test_the_worker_runs_the_periodic_round_that_beat_sends(app, client, make, fcm, worker):
    patient = make.patient(country="IE", birth_year=1970, pain_assessed_by_clinician=True)
    client.post(
        "/api/v1/me/devices",
        json={"platform": "ios", "token": "worker-test-patient-phone-token-0000-PPPPPP"},
        headers=make.headers(patient),
    )
    client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    with app.app_context():  # the alert is 31 minutes old
        session = get_session()
        (alert,) = session.scalars(select(Alert)).all()
        alert.created_at -= dt.timedelta(minutes=31)
        session.commit()
    celery_app(app).send_task(TICK_TASK)
    assert fcm.wait_for(1, timeout=60)
    (message,) = fcm.messages()
    assert message["notification"]["body"] == (
        "Have you been able to get medical help? If you need help now, call 112 or 999."
    )
    assert [n.kind for n in inbox(app, patient)] == ["alert_follow_up"]


def test_an_unreachable_broker_never_fails_the_request_and_the_round_sends_later(
    app, database_url, fcm, fcm_credentials, fcm_server
):
    """(``app`` empties the tables afterwards; this test builds its own app.)"""
    import socket

    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    broken = create_app(
        {
            "UPRIGHT_ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "broker-down-secret-key-long-enough-0123456789",
            "RATELIMIT_ENABLED": False,
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0",
            **push_settings(fcm_credentials, fcm_server),
        }
    )
    client, make = broken.test_client(), Factory(broken)
    patient = make.patient(country="GB", birth_year=1970)
    therapist = make.therapist()
    make.link(therapist, patient)
    client.post(
        "/api/v1/me/devices",
        json={"platform": "android", "token": THERAPIST_TOKEN},
        headers=make.headers(therapist),
    )
    started = time.monotonic()
    response = client.post("/api/v1/check-ins", json=EMERGENCY, headers=make.headers(patient))
    assert response.status_code == 201
    assert time.monotonic() - started < 15
    assert fcm.received == []
    tick(broken, dt.datetime.now(dt.UTC))
    assert fcm.tokens() == [THERAPIST_TOKEN]
    state(broken).engine.dispose()
