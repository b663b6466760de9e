"""Pins the one error wire format: {code, status, message, errors?} for every error."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

KEYS = {"code", "status", "message"}


def assert_error(response, code: int, status: str) -> dict:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= KEYS, body
    assert set(body) <= KEYS | {"errors"}, body
    assert body["code"] == code
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_unknown_path_is_404(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "Not Found")


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/health")
    assert_error(response, 405, "Method Not Allowed")
    assert "GET" in response.headers["Allow"]


def test_body_over_limit_is_413(client):
    body = '{"email": "' + "a" * (70 * 1024) + '"}'
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert_error(response, 413, "Request Entity Too Large")


def test_non_json_body_is_415(client):
    response = client.post(
        "/api/v1/auth/login",
        data="email=a&password=b",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 415, "Unsupported Media Type")


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{nope", content_type="application/json")
    assert_error(response, 400, "Bad Request")


def test_validation_error_is_422_naming_fields(client):
    response = client.post("/api/v1/auth/register", json={"email": "not-an-email", "extra": 1})
    body = assert_error(response, 422, "Unprocessable Entity")
    fields = body["errors"]["json"]
    assert "email" in fields
    assert "password" in fields  # missing
    assert "extra" in fields  # unknown fields are named


@pytest.fixture
def faulty_app(app):
    """Routes that fail on purpose, registered before the first request."""

    def boom():
        raise RuntimeError("secret internal detail /srv/app.py line 3")

    def integrity():
        raise IntegrityError("INSERT INTO users ... duplicate key", {}, Exception("pg detail"))

    def db_down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused on 10.0.0.5"))

    app.add_url_rule("/test-only/boom", view_func=boom)
    app.add_url_rule("/test-only/integrity", view_func=integrity)
    app.add_url_rule("/test-only/db-down", view_func=db_down)
    return app


def test_unexpected_error_is_500_without_internals(faulty_app, caplog):
    response = faulty_app.test_client().get("/test-only/boom")
    body = assert_error(response, 500, "Internal Server Error")
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text
    assert "Traceback" not in text
    assert "RuntimeError" not in body["message"]


def test_integrity_error_is_409_without_database_text(faulty_app):
    response = faulty_app.test_client().get("/test-only/integrity")
    assert_error(response, 409, "Conflict")
    text = response.get_data(as_text=True)
    assert "INSERT" not in text and "duplicate" not in text and "pg detail" not in text


def test_database_down_is_503_with_retry_after(faulty_app):
    response = faulty_app.test_client().get("/test-only/db-down")
    assert_error(response, 503, "Service Unavailable")
    assert response.headers["Retry-After"].isdigit()
    assert "10.0.0.5" not in response.get_data(as_text=True)


def test_unauthorised_is_401_with_challenge(client):
    response = client.get("/api/v1/me")
    assert_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"
