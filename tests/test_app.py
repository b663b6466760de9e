"""The application shell: configuration, probes, docs, request ids and logging."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from api import create_app
from api.config import ConfigError, settings_table_markdown


def test_production_refuses_missing_secret(tmp_path):
    with pytest.raises(ConfigError) as info:
        create_app({"UPRIGHT_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    message = str(info.value)
    assert "SECRET_KEY" in message and "\n" not in message


@pytest.mark.parametrize("secret", ["dev-only-insecure-secret-key-change-me", "short"])
def test_production_refuses_default_or_weak_secret(tmp_path, secret):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(
            {
                "UPRIGHT_ENV": "production",
                "SECRET_KEY": secret,
                "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            }
        )


def test_production_starts_with_real_secret(tmp_path):
    app = create_app(
        {
            "UPRIGHT_ENV": "production",
            "SECRET_KEY": "x" * 48,
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        }
    )
    assert app.config["UPRIGHT_ENV"] == "production"


def test_production_refusal_is_one_line_from_the_command_line():
    env = {"UPRIGHT_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(Path(__file__).resolve().parent.parent),
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Refusing to start")
    assert result.stderr.strip().count("\n") == 0


def test_environment_variables_configure_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "1234")
    monkeypatch.setenv("ACCESS_TOKEN_MINUTES", "5")
    app = create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["MAX_CONTENT_LENGTH"] == 1234
    assert app.config["ACCESS_TOKEN_MINUTES"] == 5


def test_default_database_is_sqlite_in_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"UPRIGHT_ENV": "testing"})
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    assert app.config["DATABASE_URL"].endswith("instance/upright.sqlite3")


def test_readme_lists_every_setting():
    with open("README.md", encoding="utf-8") as readme:
        assert settings_table_markdown() in readme.read()


def test_health_is_200_without_auth(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_when_database_at_head(client):
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_ready_is_503_when_database_unreachable(tmp_path):
    app = create_app(
        {"UPRIGHT_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/x.db"}
    )
    client = app.test_client()
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert client.get("/health").status_code == 200


def test_ready_is_503_when_not_migrated(tmp_path):
    app = create_app({"UPRIGHT_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"})
    response = app.test_client().get("/ready")
    assert response.status_code == 503
    assert "migrated" in response.get_json()["message"]


def test_openapi_document_is_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert all(
        path.startswith("/api/v1/") or path in {"/health", "/ready"} for path in spec["paths"]
    )


def test_swagger_ui_is_served(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert b"swagger" in response.data.lower()


def test_docs_page_loads_only_its_own_files(client):
    page = client.get("/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/docs/assets/swagger-ui-bundle.js" in assets
    assert all(url.startswith("/docs/assets/") for url in assets), assets
    assert "<script>" not in page  # no inline script: a CSP of 'self' is enough
    for url in assets:
        with client.get(url) as response:
            assert response.status_code == 200, url
    assert client.get("/docs/assets/index.css").status_code == 404
    assert client.get("/docs/assets/..%2F__init__.py").status_code == 404


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == (
        "abc-123"
    )
    generated = client.get("/health").headers["X-Request-ID"]
    assert len(generated) == 32
    hostile = client.get("/health", headers={"X-Request-ID": "bad id <script>"})
    assert hostile.headers["X-Request-ID"] != "bad id <script>"


def test_one_structured_log_line_per_request(client, caplog):
    caplog.set_level(logging.INFO, logger="upright.request")
    client.post(
        "/api/v1/auth/login",
        json={"email": "someone@example.org", "password": "my secret password"},
        headers={"X-Request-ID": "req-1"},
    )
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "upright.request"]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {"event", "method", "path", "status", "duration_ms", "request_id"}
    assert line["method"] == "POST"
    assert line["path"] == "/api/v1/auth/login"
    assert line["status"] == 401
    assert line["request_id"] == "req-1"
    assert "someone@example.org" not in caplog.text
    assert "my secret password" not in caplog.text


def test_the_log_line_is_plain_json_for_every_kind_of_request(client, caplog):
    caplog.set_level(logging.INFO, logger="upright.request")
    client.get("/api/v1/exercises/no-such-exercise")
    client.get("/no/such/route")
    client.get("/health", headers={"X-Request-ID": "a.b:c-1"})
    lines = [r.getMessage() for r in caplog.records if r.name == "upright.request"]
    parsed = [json.loads(line) for line in lines]
    assert [line == json.dumps(p) for line, p in zip(lines, parsed, strict=True)] == [True] * 3
    assert [p["path"] for p in parsed] == [
        "/api/v1/exercises/<slug>",
        "<unmatched>",
        "/health",
    ]
    assert [p["status"] for p in parsed] == [404, 404, 200]
    assert parsed[2]["request_id"] == "a.b:c-1"
    assert all(isinstance(p["duration_ms"], float) for p in parsed)


def test_security_headers(client):
    response = client.get("/health")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Server" not in response.headers


def test_readme_has_the_current_rule_table():
    from api.triage import rules_table_markdown

    with open("README.md", encoding="utf-8") as readme:
        assert rules_table_markdown() in readme.read()
