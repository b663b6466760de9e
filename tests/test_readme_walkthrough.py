"""The README walk-through, pasted as it is into bash, against `flask demo` and `flask run`.

The test runs the two commands of the README on a fresh SQLite file (the demo's
own engine) with the server on a free loopback port, given as FLASK_RUN_HOST and
FLASK_RUN_PORT exactly as a reader would, with the development settings (and
sign-in limits) a reader gets, then runs the walk-through's shell block.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from api.cli import server_address

ROOT = Path(__file__).resolve().parent.parent


def walkthrough_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Walk-through", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "flask run stopped"
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        (None, None, "http://127.0.0.1:5000"),
        ("127.0.0.1", "8123", "http://127.0.0.1:8123"),
        ("0.0.0.0", "8080", "http://127.0.0.1:8080"),
        ("::1", "8080", "http://[::1]:8080"),
    ],
)
def test_demo_prints_the_address_flask_run_serves(runner, monkeypatch, host, port, expected):
    for name, value in (("FLASK_RUN_HOST", host), ("FLASK_RUN_PORT", port)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert server_address() == expected
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"{expected}/docs" in result.output
    assert f"{expected}/api/v1/auth/login" in result.output


@pytest.mark.walkthrough
def test_readme_walkthrough_succeeds_against_flask_demo(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "UPRIGHT_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "FLASK_RUN_HOST": "127.0.0.1",
        "FLASK_RUN_PORT": str(port),
    }
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    demo = subprocess.run(
        [*flask, "demo"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stderr
    assert f"http://127.0.0.1:{port}/docs" in demo.stdout

    server = subprocess.Popen(
        [*flask, "run"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/health", server)
        walk = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", walkthrough_block()],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    assert walk.returncode == 0, walk.stdout + walk.stderr
    lines = walk.stdout.splitlines()
    assert lines[0] == "2"  # the new programme version
    assert lines[1].isdigit()  # the session id
    assert "chin-tuck True 1" in lines  # the session counts for today's chin tuck
    assert lines[-4:] == ["urgent", "True", "resolved", "False"]
