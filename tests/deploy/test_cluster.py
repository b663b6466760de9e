"""The production topology, started by deploy/local-cluster: HAProxy, 2 gunicorn servers,
PgBouncer in transaction mode, PostgreSQL, Redis, a Celery worker and its scheduler."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from sqlalchemy import text

from api.database import make_engine
from api.migrate import head_revisions
from deploy import load
from deploy import local_cluster as cluster

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "local-cluster"
LOAD_SECONDS = 20


def _cli(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args],
        env={**env, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    state_file = tmp_path_factory.mktemp("cluster") / "state.json"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "TEST_DATABASE_URL", "UPRIGHT_ENV", "SECRET_KEY"}
    }
    env.update(
        UPRIGHT_CLUSTER_STATE=str(state_file),
        UPRIGHT_ENV="production",
        REGISTER_RATE_LIMIT="1000 per hour",  # the load registers its patients
        LOGIN_RATE_LIMIT="10 per minute",
    )
    # one worker of 4 threads per server: the machine running the suite is small
    started = _cli(env, "up", "--servers", "2", "--workers", "1", "--threads", "4")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        state = json.loads(state_file.read_text())
        yield {
            "env": env,
            "state_file": state_file,
            "url": cluster.url(state),
            "up_output": started.stdout,
        }
    finally:
        stopped = _cli(env, "down")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert not state_file.exists()


def _state(running: dict[str, Any]) -> dict[str, Any]:
    return json.loads(running["state_file"].read_text())


def _sql(running: dict[str, Any], query: str) -> list[str]:
    return cluster.psql(_state(running), query).splitlines()


def test_up_prints_the_url_and_status_sees_every_piece(running):
    assert f"URL={running['url']}" in running["up_output"].splitlines()
    status = _cli(running["env"], "status")
    assert status.returncode == 0, status.stdout + status.stderr
    for piece in ("haproxy", "pgbouncer", "redis", "server1", "server2", "celery-worker"):
        assert f"{piece} " in status.stdout
    assert "STOPPED" not in status.stdout
    assert requests.get(f"{running['url']}/ready", timeout=5).json()["database"] == "ok"


def test_a_killed_server_under_load_loses_and_doubles_nothing(running):
    """20 s of mixed load through HAProxy; server 1 is SIGKILLed and started again."""
    env = running["env"]

    def kill_server_1() -> None:
        assert _cli(env, "stop-server", "1", "--kill").returncode == 0

    def restart_server_1() -> None:
        started = _cli(env, "start-server", "1")
        assert started.returncode == 0, started.stdout + started.stderr

    figures, marks = load.run(
        running["url"],
        clients=6,
        seconds=LOAD_SECONDS,
        events=[(5, kill_server_1), (6, restart_server_1)],
    )
    check_ins = _sql(running, "SELECT client_id FROM check_ins WHERE client_id LIKE 'load-%'")
    sessions = _sql(
        running, "SELECT client_id FROM exercise_sessions WHERE client_id LIKE 'load-%'"
    )
    print(
        "kill test:",
        json.dumps(
            {
                **figures.summary(),
                "check_ins_expected": len(figures.check_ins),
                "check_ins_found": len(check_ins),
                "sessions_expected": len(figures.sessions),
                "sessions_found": len(sessions),
                "marks": [(name, round(at - marks[0][1], 2)) for name, at in marks],
            }
        ),
    )
    assert figures.failed == []
    assert figures.unexpected == []
    assert figures.check_ins and figures.sessions
    # every check-in and session the client sent exists exactly once
    assert sorted(check_ins) == sorted(figures.check_ins)
    assert sorted(sessions) == sorted(figures.sessions)
    # the kill cost something, and retries made up for every error
    assert figures.retries >= figures.errors


def test_a_reload_and_a_rolling_restart_under_load_lose_no_request(running):
    env = running["env"]
    server2 = _state(running)["pids"]["server2"]

    def reload_server_2() -> None:
        old = _workers(server2)
        os.kill(server2, signal.SIGHUP)  # gunicorn starts new workers, old ones finish
        # until the new worker answers: meanwhile requests wait in the listen queue, and
        # HAProxy may count the server down for a moment (it is not taken out while the
        # rolling restart that follows has another server out)
        deadline = time.monotonic() + 30
        while (not _workers(server2) or _workers(server2) & old) and time.monotonic() < deadline:
            time.sleep(0.1)
        cluster.wait_ready(_state(running), 2)
        time.sleep(3)  # two health checks
        cluster.wait_in_service(_state(running), 2)

    def rolling_restart() -> None:
        for number in (1, 2):
            restarted = _cli(env, "restart-server", str(number))
            assert restarted.returncode == 0, restarted.stdout + restarted.stderr

    figures, marks = load.run(
        running["url"], clients=4, seconds=15, events=[(1, reload_server_2), (2, rolling_restart)]
    )
    print(
        "reload and rolling restart:",
        json.dumps(figures.summary()),
        [round(at - marks[0][1], 2) for at in figures.error_times],
        [(name, round(at - marks[0][1], 2)) for name, at in marks],
    )
    assert figures.failed == [] and figures.unexpected == []
    assert figures.errors == 0


def _workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def test_sign_in_limits_hold_across_both_servers(running):
    """11 failed sign-ins for one email within a minute, alternating between the servers
    (directly, not through HAProxy): the limit counts them together in Redis."""
    ports = _state(running)["ports"]["servers"]
    email = f"limit-{time.time_ns()}@example.org"
    codes = []
    for attempt in range(11):
        port = ports[attempt % 2]
        answer = requests.post(
            f"http://127.0.0.1:{port}/api/v1/auth/login",
            json={"email": email, "password": "not the password"},
            timeout=10,
        )
        codes.append(answer.status_code)
    assert codes == [401] * 10 + [429]


def test_two_upgrades_at_once_on_an_empty_database_both_succeed(running):
    state = _state(running)
    cluster.psql(state, "CREATE DATABASE upgrade_race OWNER upright", database="postgres")
    env = {
        **cluster.app_environment(state),
        "DATABASE_URL": cluster.database_url(state, "upgrade_race"),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    rows = cluster.psql(state, "SELECT version_num FROM alembic_version", database="upgrade_race")
    assert rows.split() == sorted(head_revisions())


def test_the_same_query_more_than_5_times_through_pgbouncer_transaction_mode(running):
    """psycopg would prepare the query on its 6th run; behind PgBouncer in transaction mode
    two clients then share one server connection and collide on the statement's name."""
    state = _state(running)
    engine = make_engine(cluster.database_url(state))
    query = text("SELECT count(*) FROM users WHERE id > :id")
    try:
        with engine.connect() as first, engine.connect() as second:
            for run in range(12):
                for connection in (first, second):
                    assert connection.execute(query, {"id": run}).scalar() >= 0
                    connection.commit()
    finally:
        engine.dispose()


def test_without_the_setting_pgbouncer_breaks_prepared_statements(running):
    """The trap the setting avoids, shown with psycopg's default (prepare after 5 runs)."""
    state = _state(running)
    password = state["secrets"]["UPRIGHT_DB_PASSWORD"]
    dsn = (
        f"host=127.0.0.1 port={state['ports']['pgbouncer']} dbname=upright user=upright "
        f"password={password}"
    )
    collisions = (psycopg.errors.DuplicatePreparedStatement, psycopg.errors.InvalidSqlStatementName)
    with (
        psycopg.connect(dsn, autocommit=True) as first,
        psycopg.connect(dsn, autocommit=True) as second,
        pytest.raises(collisions),
    ):
        for run in range(12):
            for connection in (first, second):
                connection.execute("SELECT count(*) FROM users WHERE id > %s", (run,))
