"""The benchmarked endpoints answer exactly as pinned, on the same seeded data.

The benchmark's seeder (fixed random seed, fixed clock) fills a scratch database; each
endpoint the load runner drives is then asked once and its status, JSON and
``X-Pagination`` are compared with ``pinned_responses.json``. Speeding an endpoint up
must not change a byte of what it answers.

To re-pin after a deliberate change of an answer (and only then), run this file with
``UPRIGHT_REPIN=1`` and review the diff of the JSON file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import time_machine

from api import create_app
from api.accounts.credentials import create_access_token
from api.database import state
from benchmarks.requests_of import check_in_body, session_body
from benchmarks.seed import seed
from tests.conftest import _config

PINNED = Path(__file__).with_name("pinned_responses.json")
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)


def _ask(client, method: str, path: str, token: str | None, body: Any = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.open(path, method=method, headers=headers, json=body)
    return {
        "status": response.status_code,
        "pagination": response.headers.get("X-Pagination"),
        "json": response.get_json(silent=True),
    }


def _answers(url: str, credentials: dict[str, Any]) -> dict[str, Any]:
    config = _config(url)
    app = create_app(config)

    def token(account: dict[str, Any], role: str) -> str:
        return create_access_token(
            user_id=account["id"],
            role=role,
            token_key=account["token_key"],
            secret=config["SECRET_KEY"],
            minutes=30,
        )

    patients = [(p, token(p, "patient")) for p in credentials["patients"]]
    therapist = token(credentials["therapists"][0], "therapist")
    client = app.test_client()
    answers: dict[str, Any] = {
        "catalogue_list": _ask(
            client, "GET", "/api/v1/exercises?category=strengthening&equipment=none", None
        ),
        "catalogue_page_2": _ask(client, "GET", "/api/v1/exercises?page=2&page_size=7", None),
        "catalogue_past_the_end": _ask(client, "GET", "/api/v1/exercises?page=30", None),
        "exercise_detail": _ask(client, "GET", "/api/v1/exercises/chin-tuck", None),
        "therapist_patients": _ask(client, "GET", "/api/v1/patients", therapist),
        "therapist_patients_page_2": _ask(
            client, "GET", "/api/v1/patients?page=2&page_size=2", therapist
        ),
        "therapist_patients_past_the_end": _ask(
            client, "GET", "/api/v1/patients?page=9&page_size=2", therapist
        ),
        "therapist_alerts": _ask(client, "GET", "/api/v1/alerts", therapist),
        "therapist_alerts_page_2": _ask(
            client, "GET", "/api/v1/alerts?page=2&page_size=3", therapist
        ),
        "therapist_alerts_last_page": _ask(
            client, "GET", "/api/v1/alerts?page=4&page_size=3", therapist
        ),
        "therapist_alerts_past_the_end": _ask(
            client, "GET", "/api/v1/alerts?page=5&page_size=3", therapist
        ),
    }
    for number, (_patient, bearer) in enumerate(patients):
        answers[f"today_{number}"] = _ask(client, "GET", "/api/v1/me/today", bearer)
        answers[f"progress_90d_{number}"] = _ask(client, "GET", "/api/v1/me/progress", bearer)
        answers[f"progress_30d_{number}"] = _ask(
            client, "GET", "/api/v1/me/progress?days=30", bearer
        )
    patient, bearer = patients[0]
    check_in = check_in_body(5)
    answers["check_in_post"] = _ask(client, "POST", "/api/v1/check-ins", bearer, check_in)
    flagged_bearer = patients[1][1]
    answers["check_in_post_red_flag"] = _ask(
        client,
        "POST",
        "/api/v1/check-ins",
        flagged_bearer,
        {**check_in, "pain": 7, "symptoms": ["night_pain"]},
    )
    session = session_body(
        patient,
        client_id="pinned-session-1",
        started_at=(NOW - dt.timedelta(hours=2)).isoformat(),
        sets_done=2,
        reps_done=10,
        pain_during=2,
        effort=5,
    )
    answers["session_post"] = _ask(client, "POST", "/api/v1/sessions", bearer, session)
    answers["today_after_posts"] = _ask(client, "GET", "/api/v1/me/today", bearer)
    answers["progress_after_posts"] = _ask(client, "GET", "/api/v1/me/progress", bearer)
    answers["therapist_alerts_after_posts"] = _ask(client, "GET", "/api/v1/alerts", therapist)
    state(app).engine.dispose()
    return answers


def test_benchmarked_endpoints_answer_exactly_as_pinned(scratch_url, tmp_path):
    with time_machine.travel(NOW, tick=False):
        report = seed(scratch_url, patients=5, days=120, therapists=1, out=None, now=NOW)
        answers = _answers(scratch_url, report.credentials)
    assert all(a["status"] in (200, 201) for a in answers.values()), {
        name: a["status"] for name, a in answers.items()
    }
    text = json.dumps(answers, indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPRIGHT_REPIN"):
        PINNED.write_text(text, encoding="utf-8")
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    for name in pinned:
        assert answers.get(name) == pinned[name], name
    assert set(answers) == set(pinned)
