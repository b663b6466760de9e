"""SQL statements per request of each benchmarked endpoint, counted in-process.

    python -m benchmarks.statements [--url URL] [--credentials benchmarks/.seed.json]

Each endpoint is asked through the app's test client (no network) the way the load
runner asks it, after one warm-up request (so the catalogue cache and the caller's
first-request costs are as in a running server), and the SELECT, INSERT, UPDATE,
DELETE and WITH statements it sends are counted (transaction control is left out: it
differs between the engines). The POSTs write one new check-in, session and sync push;
the session is counted after a first one (a server's first session also reads the
catalogue's exercises, kept from then on).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks.requests_of import access_token, check_in_body, session_body
from benchmarks.seed import DEFAULT_OUT

COUNTED = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
CATALOGUE_LIST = "/api/v1/exercises?category=strengthening&equipment=none"
#: The endpoints whose answers each server process keeps per caller (api/answers.py), and
#: the suffix of their rows measured with the memo off.
MEMOISED = ("today", "progress_90d", "therapist_patients", "therapist_alerts")
MEMO_OFF = "_memo_off"


def _check_in(day: dt.date, pain: int, symptoms: list[str]) -> dict[str, Any]:
    return check_in_body(pain, symptoms, date=day.isoformat())


def _session(patient: dict[str, Any]) -> dict[str, Any]:
    started = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    return session_body(
        patient,
        client_id=f"count-{secrets.token_hex(6)}",
        started_at=started.isoformat(timespec="seconds"),
        sets_done=2,
        reps_done=10,
        pain_during=2,
        effort=5,
    )


def count_statements(database_url: str, credentials: dict[str, Any]) -> dict[str, int]:
    """{endpoint name: statements per request} for the endpoints the runner drives."""
    from zoneinfo import ZoneInfo

    from api import create_app
    from api.database import state
    from benchmarks.run import sync_cursors, sync_push_body

    secret = secrets.token_urlsafe(48)
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": secret, "RATELIMIT_ENABLED": False}
    )
    engine = state(app).engine
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(COUNTED):
            sent.append(statement)

    def token(account: dict[str, Any], role: str) -> str:
        return access_token(account, role, secret=secret, minutes=30)

    patients = credentials["patients"][:2]
    first, last = patients[0], patients[-1]
    tokens = [token(p, "patient") for p in patients]
    therapist = token(credentials["therapists"][0], "therapist")
    client = app.test_client()
    cursor = sync_cursors(database_url, secret, [first["id"]])[first["id"]]
    today = dt.datetime.now(dt.UTC).astimezone(ZoneInfo(last["timezone"])).date()
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat(timespec="seconds")
    push = sync_push_body(first, started)
    etag = client.get(CATALOGUE_LIST).headers.get("ETag", "")

    # name -> (method, path, bearer, json body or None, extra headers)
    requests: dict[str, Any] = {
        "catalogue_list": ("GET", CATALOGUE_LIST, None, None, {}),
        "exercise_detail": ("GET", "/api/v1/exercises/chin-tuck", None, None, {}),
        "catalogue_304": ("GET", CATALOGUE_LIST, None, None, {"If-None-Match": etag}),
        "today": ("GET", "/api/v1/me/today", tokens, None, {}),
        "progress_90d": ("GET", "/api/v1/me/progress", tokens, None, {}),
        "therapist_patients": ("GET", "/api/v1/patients", [therapist], None, {}),
        "therapist_alerts": ("GET", "/api/v1/alerts", [therapist], None, {}),
        "sync_pull_nothing_new": ("GET", f"/api/v1/sync?cursor={cursor}", tokens[:1], None, {}),
        "sync_snapshot": ("GET", "/api/v1/sync?limit=1000", tokens, None, {}),
    }
    counts: dict[str, int] = {}
    event.listen(engine, "before_cursor_execute", record)
    try:
        for name, (method, path, bearers, body, headers) in requests.items():
            bearer = (bearers or [None])[-1]
            auth = {"Authorization": f"Bearer {bearer}"} if bearer else {}
            # Warm up with another caller (or the same public URL), then count one request;
            # a memoised answer is warmed by its own caller (the runner's repeated reads).
            warm = bearer if name in MEMOISED else (bearers or [None])[0]
            warm_auth = {"Authorization": f"Bearer {warm}"} if warm else {}
            client.open(path, method=method, headers={**headers, **warm_auth}, json=body)
            sent.clear()
            client.open(path, method=method, headers={**headers, **auth}, json=body)
            counts[name] = len(sent)
        # The same answers computed (the memo off): a first read, or one after a change.
        with app.test_request_context():
            from api.answers import memo

            kept = memo()
        for name in MEMOISED:
            method, path, bearers, body, headers = requests[name]
            auth = {"Authorization": f"Bearer {bearers[-1]}"}
            sent.clear()
            if kept is not None:
                kept.clear()
            client.open(path, method=method, headers={**headers, **auth}, json=body)
            counts[f"{name}{MEMO_OFF}"] = len(sent)
        posts = {
            "check_in_post": (
                "/api/v1/check-ins",
                tokens[-1],
                _check_in(today, 4, []),
            ),
            "session_post": ("/api/v1/sessions", tokens[0], _session(first)),
            "sync_push_30": (
                "/api/v1/sync",
                tokens[0],
                json.loads(push.replace("@@", secrets.token_hex(4))),
            ),
        }
        for name, (path, bearer, body) in posts.items():
            if name == "session_post":  # the first session also reads the kept exercises
                client.post(
                    path, headers={"Authorization": f"Bearer {bearer}"}, json=_session(first)
                )
            sent.clear()
            response = client.post(path, headers={"Authorization": f"Bearer {bearer}"}, json=body)
            counts[name] = len(sent) if response.status_code < 400 else -1
    finally:
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.statements", description=__doc__)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--credentials", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("give --url or set DATABASE_URL")
    credentials = json.loads(args.credentials.read_text(encoding="utf-8"))
    for name, count in count_statements(args.url, credentials).items():
        print(f"{name:<24} {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
