"""A Python client generated from the app's own spec drives a short journey.

openapi-python-client generates the client into a temporary folder (it must report
no warning), the test imports it and uses it against a live server on a loopback
port: register, sign in, list filtered exercises, post a check-in with ``fever``,
and read the triage level as a member of the generated ``TriageLevel`` enum.
Generated function names follow operationIds, so operations are found by method
and path instead.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.client

PACKAGE = "upright_generated_client"


@pytest.fixture
def generated(app, tmp_path) -> Iterator[ModuleType]:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(app.test_client().get("/api/v1/openapi.json").get_json()))
    bin_dir = str(Path(sys.executable).parent)  # openapi-python-client runs ruff from PATH
    result = subprocess.run(
        [
            os.path.join(bin_dir, "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")},
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def base_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def operation(package: ModuleType, method: str, url: str) -> ModuleType:
    """The generated module of the operation ``method url``."""
    root = Path(package.__file__).parent / "api"
    needle = f'"method": "{method}",\n        "url": "{url}",'
    for path in sorted(root.rglob("*.py")):
        if needle in path.read_text(encoding="utf-8"):
            relative = path.relative_to(root.parent).with_suffix("")
            return importlib.import_module(".".join((package.__name__, *relative.parts)))
    raise AssertionError(f"no generated operation for {method.upper()} {url}")


def test_a_generated_client_registers_signs_in_and_reads_its_triage(generated, base_url):
    models = importlib.import_module(f"{PACKAGE}.models")
    client = generated.Client(base_url=base_url, raise_on_unexpected_status=True)
    email, password = "journey@example.org", "a long and unusual passphrase"

    register = operation(generated, "post", "/api/v1/auth/register")
    profile = register.sync(
        client=client, body=models.Register(email=email, password=password, display_name="Jo")
    )
    assert isinstance(profile, models.Profile)
    assert profile.role == models.Role.PATIENT
    assert profile.exercise_hold.active is False

    login = operation(generated, "post", "/api/v1/auth/login")
    tokens = login.sync(client=client, body=models.Login(email=email, password=password))
    assert isinstance(tokens, models.TokenPair)
    signed_in = generated.AuthenticatedClient(
        base_url=base_url, token=tokens.access_token, raise_on_unexpected_status=True
    )

    exercises = operation(generated, "get", "/api/v1/exercises").sync(
        client=signed_in,
        category=models.ExerciseCategory.MOBILITY,
        equipment=[models.Equipment.NONE, models.Equipment.CHAIR],
    )
    assert exercises
    assert {e.category for e in exercises} == {models.ExerciseCategory.MOBILITY}
    owned = {models.Equipment.NONE, models.Equipment.CHAIR}
    assert all(set(e.equipment) <= owned for e in exercises)

    create_check_in = operation(generated, "post", "/api/v1/check-ins")
    check_in = create_check_in.sync(
        client=signed_in,
        body=models.CheckInCreate(pain=5, symptoms=[models.Symptom.FEVER]),
    )
    assert isinstance(check_in, models.CheckIn)
    assert isinstance(check_in.triage.level, models.TriageLevel)
    assert check_in.triage.level is models.TriageLevel.URGENT
    assert check_in.triage.rules[0].level is models.AlertLevel.URGENT
    assert check_in.triage.rules[0].evidence.symptoms == [models.Symptom.FEVER]
