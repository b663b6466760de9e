"""No secrets or health details in logs; security headers; CORS; token hygiene."""

from __future__ import annotations

import base64
import hashlib
import logging
import re

import pytest
from sqlalchemy import func, select

from api import create_app
from api.accounts.models import RefreshToken
from api.database import get_session, state
from api.http import docs_csp

PASSWORD = "my very secret passphrase 9"
NOTES = "numbness after the fall on the stairs"


def test_no_password_token_or_symptom_reaches_the_logs(app, client, make, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)  # everything, from every logger
    client.post(
        "/api/v1/auth/register",
        json={"email": "log@example.org", "password": PASSWORD, "display_name": "Log"},
    )
    client.post(
        "/api/v1/auth/register",
        json={"email": "LOG@example.org", "password": PASSWORD, "display_name": "Dup"},
    )  # integrity path
    pair = client.post(
        "/api/v1/auth/login", json={"email": "log@example.org", "password": PASSWORD}
    ).get_json()
    client.post(
        "/api/v1/auth/login", json={"email": "log@example.org", "password": "wrong " + PASSWORD}
    )
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    client.post(
        "/api/v1/check-ins",
        headers=headers,
        json={"pain": 8, "symptoms": ["saddle_numbness", "bladder_change"], "notes": NOTES},
    )
    client.post(
        "/api/v1/check-ins",
        headers=headers,
        json={"pain": 8, "symptoms": ["saddle_numbness"], "notes": NOTES},
    )  # 409
    client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})  # reuse

    from api.alerts import service

    def explode(**_kwargs):
        raise ValueError(f"bad data: {NOTES} saddle_numbness {PASSWORD}")

    monkeypatch.setattr(service, "place_hold", explode)
    client.patch("/api/v1/me", headers=headers, json={"health_history": ["cancer"]})
    other = make.headers(make.patient())
    failed = client.post(
        "/api/v1/check-ins",
        headers=other,
        json={"pain": 8, "symptoms": ["saddle_numbness"], "notes": NOTES},
    )
    assert failed.status_code == 500
    text = caplog.text
    assert caplog.records, "the requests were logged"
    for secret in (
        PASSWORD,
        pair["access_token"],
        pair["refresh_token"],
        NOTES,
        "saddle_numbness",
        "bladder_change",
        "cancer",
    ):
        assert secret not in text, secret
    assert "ValueError" in text  # the failure itself is logged


def test_refresh_tokens_are_stored_as_digests(app, client):
    client.post(
        "/api/v1/auth/register",
        json={"email": "d@example.org", "password": PASSWORD, "display_name": "D"},
    )
    pair = client.post(
        "/api/v1/auth/login", json={"email": "d@example.org", "password": PASSWORD}
    ).get_json()
    with app.app_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(RefreshToken)) == 1
        assert (
            session.scalar(
                select(func.count())
                .select_from(RefreshToken)
                .where(RefreshToken.token_hash == pair["refresh_token"])
            )
            == 0
        )


def test_personal_data_is_never_cached(client, make):
    headers = make.headers(make.patient())
    for path in ("/api/v1/me", "/api/v1/me/export", "/api/v1/check-ins", "/api/v1/alerts"):
        response = client.get(path, headers=headers)
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Server" not in response.headers


def test_cors_is_closed_by_default(client):
    response = client.get("/api/v1/causes", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


class TestConfiguredCors:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "CORS_ORIGINS": "https://app.upright.example"}

    def test_allowed_origin_gets_cors_headers(self, client):
        response = client.options(
            "/api/v1/check-ins",
            headers={
                "Origin": "https://app.upright.example",
                "Access-Control-Request-Method": "POST",
            },
        )
        assert response.headers["Access-Control-Allow-Origin"] == "https://app.upright.example"
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
        assert "Origin" in response.headers["Vary"]

    def test_other_origins_get_none(self, client):
        response = client.get("/api/v1/causes", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in response.headers


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def test_every_api_response_has_a_strict_content_security_policy(client, make):
    headers = make.headers(make.patient())
    for response in (
        client.get("/health"),
        client.get("/api/v1/me", headers=headers),
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/nowhere"),
        client.patch("/api/v1/me", json={"timezone": "localtime"}, headers=headers),
    ):
        policy = _directives(response.headers["Content-Security-Policy"])
        assert policy["default-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


def _inline_script_hashes(html: bytes) -> set[str]:
    scripts = re.findall(rb"<script>(.*?)</script>", html, re.DOTALL)
    assert scripts, "the docs page has an inline script"
    return {f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in scripts}


def test_the_docs_page_allows_what_swagger_ui_needs_and_nothing_inline_by_default(client):
    response = client.get("/docs")
    policy = _directives(response.headers["Content-Security-Policy"])
    scripts = policy["script-src"]
    assert re.findall(rb"<script>", response.get_data()) == []  # no inline script at all
    assert scripts == ["'self'"]
    assert "'self'" in scripts and "'self'" in policy["style-src"]
    sources = [*scripts, *policy["style-src"], *policy["img-src"]]
    assert [s for s in sources if s.startswith(("http:", "https:", "*"))] == []  # self-hosted
    assert "'unsafe-inline'" in policy["style-src"]  # Swagger UI sets inline styles
    assert "data:" in policy["img-src"]  # and draws its icons as data: images
    assert policy["connect-src"] == ["'self'"]  # the spec and "Try it out" stay on this host
    assert policy["frame-ancestors"] == ["'none'"]


def test_self_hosted_docs_may_load_scripts_and_styles_from_this_host_only(app):
    app.config["OPENAPI_SWAGGER_UI_URL"] = "/static/swagger-ui/"  # the app's own files
    html = b'<script src="/static/swagger-ui/swagger-ui-bundle.js"></script><script>go()</script>'
    policy = _directives(docs_csp(app, html))
    assert policy["script-src"] == ["'self'", *_inline_script_hashes(html)]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


def test_no_hsts_over_plain_http_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/health").headers


@pytest.mark.parametrize(
    "settings", [{"PREFERRED_URL_SCHEME": "https"}, {"HSTS_ENABLED": True, "HSTS_MAX_AGE": 600}]
)
def test_hsts_when_served_over_https_or_enabled(app_config, settings):
    app = create_app({**app_config, **settings})
    response = app.test_client().get("/health")
    max_age = settings.get("HSTS_MAX_AGE", 31536000)
    assert response.headers["Strict-Transport-Security"] == f"max-age={max_age}"
    state(app).engine.dispose()
