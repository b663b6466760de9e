"""Faults: a database that stops, freezes and comes back, and a request failing half-way."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, text

from api import create_app
from api.alerts import service as alerts_service
from api.alerts.models import Alert
from api.checkins.models import CheckIn
from api.database import REPLY_GRACE, get_session, state
from api.migrate import alembic_config
from tests.factories import Factory
from tests.run_all import ThrowawayPostgres, _pg_bin, stop_process
from tests.test_authorisation_matrix import ENTRIES, build_world

NO_DATABASE_NEEDED = {
    "/health",
    "/docs",
    "/docs/assets/<name>",
    "/api/v1/openapi.json",
    "/api/v1/fhir/metadata",
}


@pytest.fixture
def own_postgres():
    """A private PostgreSQL server that this test may stop and start."""
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.fail(
            "PostgreSQL binaries are missing: run the suite with 'python -m tests.run_all', "
            "which installs them."
        )
    server = ThrowawayPostgres(pg_bin)
    url = server.start()
    yield server, url
    server.stop()


def test_database_outage_answers_503_then_recovers_without_restart(own_postgres):
    server, url = own_postgres
    command.upgrade(alembic_config(url), "head")
    app = create_app(
        {
            "UPRIGHT_ENV": "testing",
            "DATABASE_URL": url,
            "SECRET_KEY": "s" * 40,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        app.extensions["upright.catalogue_loader"]()
    client = app.test_client()
    world = build_world(client, Factory(app))
    owner = world.headers("owner")
    assert client.get("/ready").status_code == 200

    server.pause()
    try:
        outcomes = {}
        for entry in ENTRIES:
            kwargs = {"headers": owner}
            if entry.body is not None:
                kwargs["json"] = entry.body(world.ids)
            started = time.monotonic()
            response = client.open(entry.url(world.ids), method=entry.method, **kwargs)
            elapsed = time.monotonic() - started
            response.close()  # static files are streamed from an open file
            outcomes[(entry.method, entry.rule)] = response.status_code
            assert elapsed < 10, (entry.rule, elapsed)
            if entry.rule in NO_DATABASE_NEEDED:
                assert response.status_code == 200, entry.rule
                continue
            assert response.status_code == 503, (entry.method, entry.rule, response.status_code)
            body = response.get_json()
            assert body["code"] == 503 and body["message"]
            assert int(response.headers["Retry-After"]) > 0
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert client.get("/health").status_code == 200
    finally:
        server.resume()

    deadline = time.monotonic() + 30
    while client.get("/ready").status_code != 200:
        assert time.monotonic() < deadline, "the app did not reconnect"
        time.sleep(0.5)
    assert client.get("/api/v1/me", headers=owner).status_code == 200
    assert client.get("/api/v1/exercises").status_code == 200
    state(app).engine.dispose()


def test_failure_between_two_writes_leaves_nothing_behind(app, make, monkeypatch):
    patient = make.patient()
    headers = make.headers(patient)

    def fail_after_alerts(**_kwargs):
        raise RuntimeError("injected failure after the check-in and its alert were flushed")

    monkeypatch.setattr(alerts_service, "place_hold", fail_after_alerts)
    response = app.test_client().post(
        "/api/v1/check-ins", json={"pain": 5, "symptoms": ["fever"]}, headers=headers
    )
    assert response.status_code == 500
    assert "injected" not in response.get_data(as_text=True)
    with app.app_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(CheckIn)) == 0
        assert session.scalar(select(func.count()).select_from(Alert)) == 0
    monkeypatch.undo()
    retry = app.test_client().post(
        "/api/v1/check-ins", json={"pain": 5, "symptoms": ["fever"]}, headers=headers
    )
    assert retry.status_code == 201


def test_pool_settings_bound_the_wait(app):
    engine = state(app).engine
    if engine.dialect.name == "postgresql":
        assert engine.pool._pre_ping is True
        assert engine.pool._timeout <= 10
    assert os.environ.get("UPRIGHT_ENV") in (None, "", "testing")


# A frozen server: every process of the cluster is stopped (SIGSTOP), as when a host
# stalls or a VM is paused. Connections stay open and new ones are accepted by the kernel,
# but nothing ever answers: only the client's own bounds can end the wait.

STATEMENT_TIMEOUT = 1  # seconds, kept short so that fault tests take seconds
MARGIN = 1.5  # seconds of slack on a loaded machine


def _cluster_pids(server) -> list[int]:
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
            children.append(int(entry))
    return [postmaster, *children]


@contextlib.contextmanager
def frozen(server):
    """Stop the postmaster first (so it starts no new backend), then its children."""
    stopped: list[int] = []
    try:
        postmaster, *_ = _cluster_pids(server)
        os.kill(postmaster, signal.SIGSTOP)
        stopped.append(postmaster)
        for pid in _cluster_pids(server)[1:]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
        yield
    finally:
        for pid in reversed(stopped):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def within(seconds: float, call):
    """Run ``call`` in a thread; fail (instead of hanging the suite) if it takes longer."""
    outcome: dict[str, object] = {}

    def run():
        started = time.monotonic()
        try:
            outcome["value"] = call()
        except BaseException as error:  # reported in the test's thread
            outcome["error"] = error
        outcome["elapsed"] = time.monotonic() - started

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still waiting after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"], outcome["elapsed"]


def _frozen_app(url: str, **overrides):
    command.upgrade(alembic_config(url), "head")
    return create_app(
        {
            "UPRIGHT_ENV": "testing",
            "DATABASE_URL": url,
            "SECRET_KEY": "s" * 40,
            "RATELIMIT_ENABLED": False,
            "DB_STATEMENT_TIMEOUT": STATEMENT_TIMEOUT,
            "DB_CONNECT_TIMEOUT": 2,
            "DB_POOL_TIMEOUT": 2,
            **overrides,
        }
    )


def test_frozen_database_answers_503_within_the_statement_timeout(own_postgres):
    server, url = own_postgres
    app = _frozen_app(url)
    make = Factory(app)
    headers = make.headers(make.patient())
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # a pooled connection

    bound = STATEMENT_TIMEOUT + REPLY_GRACE + MARGIN
    with frozen(server):
        # The pooled connection's check hangs: the client gives up after the bound.
        response, elapsed = within(30, lambda: client.get("/api/v1/me", headers=headers))
        assert response.status_code == 503, response.get_json()
        assert response.get_json()["code"] == 503
        assert int(response.headers["Retry-After"]) > 0
        assert elapsed < bound, elapsed
        # A write, and a request that must open a new connection: no longer wait either.
        write, elapsed = within(
            30, lambda: client.post("/api/v1/check-ins", json={"pain": 3}, headers=headers)
        )
        assert write.status_code == 503 and "Retry-After" in write.headers
        assert elapsed < bound, elapsed
        ready, elapsed = within(30, lambda: client.get("/ready"))
        assert ready.status_code == 503 and elapsed < bound
        health, elapsed = within(30, lambda: client.get("/health"))
        assert health.status_code == 200 and elapsed < 0.1, elapsed

    deadline = time.monotonic() + 30
    while client.get("/ready").status_code != 200:
        assert time.monotonic() < deadline, "the app did not reconnect"
        time.sleep(0.2)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    state(app).engine.dispose()


def test_a_slow_statement_is_cancelled_by_the_server(own_postgres):
    _server, url = own_postgres
    app = _frozen_app(url)
    with app.app_context():
        session = get_session()
        started = time.monotonic()
        with pytest.raises(sa_exc.OperationalError, match="statement timeout"):
            session.execute(text("SELECT pg_sleep(30)"))
        assert time.monotonic() - started < STATEMENT_TIMEOUT + MARGIN
        session.rollback()
        # Cancelled by the server, so the connection is still good.
        assert session.execute(text("SHOW statement_timeout")).scalar() == "1s"
    state(app).engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(method: str, url: str, headers: dict[str, str] | None = None, timeout: float = 30):
    """(status, headers, parsed JSON body) of one request, whatever its status."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *extra_args: str):
    """The app under real gunicorn with the shipped config, on a free loopback port.

    Yields the base URL and the path of gunicorn's log; always stopped afterwards.
    """
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    log_path = Path(env["UPRIGHT_TEST_LOG"])
    env = {**os.environ, "UPRIGHT_ENV": "testing", "SECRET_KEY": "s" * 40, **env}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:api.gunicorn_conf",
                "-b",
                f"127.0.0.1:{port}",
                *extra_args,
                "wsgi:app",
            ],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if http("GET", f"{base}/health", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield base, log_path
    finally:
        stop_process(process, timeout=15)


def test_under_gunicorn_a_frozen_database_kills_no_worker_and_health_stays_fast(
    own_postgres, tmp_path
):
    server, url = own_postgres
    statement_timeout = 3  # the request waits longer than gunicorn's --timeout below
    _frozen_app(url).extensions["upright.db"].engine.dispose()  # migrated
    env = {
        "UPRIGHT_TEST_LOG": str(tmp_path / "gunicorn.log"),
        "DATABASE_URL": url,
        "DB_STATEMENT_TIMEOUT": str(statement_timeout),
        "DB_CONNECT_TIMEOUT": "2",
        "RATELIMIT_ENABLED": "false",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
    }
    # A 2 s worker timeout: a worker blocked by the request below would be killed.
    with gunicorn(env, "--timeout", "2") as (base, log_path):
        assert http("GET", f"{base}/api/v1/causes")[0] == 200  # a pooled connection
        with frozen(server):
            pending = {}

            def blocked_request():
                started = time.monotonic()
                # Not an answer the catalogue cache already holds (those need no database).
                pending["answer"] = http("GET", f"{base}/api/v1/exercises?page=2")
                pending["elapsed"] = time.monotonic() - started

            waiter = threading.Thread(target=blocked_request, daemon=True)
            waiter.start()
            time.sleep(0.5)
            health_ms = []
            for _ in range(5):
                started = time.monotonic()
                assert http("GET", f"{base}/health", timeout=5)[0] == 200
                health_ms.append((time.monotonic() - started) * 1000)
                time.sleep(0.2)
            waiter.join(30)
            assert not waiter.is_alive(), "the request is still waiting"
        status, headers, body = pending["answer"]
        assert status == 503 and body["code"] == 503
        assert int(headers["Retry-After"]) > 0
        assert pending["elapsed"] < statement_timeout + REPLY_GRACE + MARGIN, pending["elapsed"]
        assert max(health_ms) < 100, health_ms
        print(f"503 after {pending['elapsed']:.2f} s; /health {max(health_ms):.1f} ms at most")
        time.sleep(statement_timeout)  # the app answers 503 at once for this long
        deadline = time.monotonic() + 30
        while http("GET", f"{base}/api/v1/causes")[0] != 200:
            assert time.monotonic() < deadline, "the app did not reconnect"
            time.sleep(0.2)
    log = log_path.read_text()
    assert "WORKER TIMEOUT" not in log, log
    assert log.count("Booting worker") == 1, log
