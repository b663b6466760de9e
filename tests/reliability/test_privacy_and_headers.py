"""No secrets or health details in logs; security headers; CORS; token hygiene."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from api.accounts.models import RefreshToken
from api.database import get_session

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
