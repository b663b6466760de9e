"""Registration, sign-in, token rotation and logout."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest

from api.accounts.credentials import JWT_ALGORITHM
from tests.factories import PASSWORD, bearer

STRONG = "a sturdy passphrase 42"


def register(client, **overrides):
    body = {"email": "ana@example.org", "password": STRONG, "display_name": "Ana"}
    body.update(overrides)
    return client.post("/api/v1/auth/register", json=body)


def login(client, email="ana@example.org", password=STRONG):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_register_creates_patient_without_echoing_password(client):
    response = register(client, timezone="Europe/Dublin", country="IE", birth_year=1970)
    assert response.status_code == 201
    body = response.get_json()
    assert body["role"] == "patient"
    assert body["email"] == "ana@example.org"
    assert body["timezone"] == "Europe/Dublin" and body["country"] == "IE"
    assert "password" not in body and "password_hash" not in body
    assert STRONG not in response.get_data(as_text=True)


def test_password_is_stored_as_argon2id(app, client):
    register(client)
    from sqlalchemy import select

    from api.accounts.models import User
    from api.database import get_session

    with app.app_context():
        stored = get_session().scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$")
    assert STRONG not in stored


def test_duplicate_email_in_another_case_is_409(client):
    assert register(client).status_code == 201
    response = register(client, email="ANA@Example.ORG")
    assert response.status_code == 409
    assert response.get_json()["errors"]["json"]["email"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short1", "at least 10"), ("password123", "too common"), ("QWERTYUIOP", "too common")],
)
def test_weak_passwords_are_refused_with_a_clear_message(client, password, reason):
    response = register(client, password=password)
    assert response.status_code == 422
    assert reason in response.get_json()["errors"]["json"]["password"][0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "utc+1"),
        ("country", "XX"),
        ("country", "gb"),
        ("country", "GBR"),
        ("birth_year", 1850),
        ("birth_year", 2030),
        ("birth_year", "1970"),
        ("email", "no-at-sign"),
        ("display_name", ""),
    ],
)
def test_bad_registration_fields_are_422(client, field, value):
    response = register(client, **{field: value})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


def test_login_returns_bearer_pair(client, app):
    register(client)
    response = login(client)
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    claims = jwt.decode(body["access_token"], app.config["SECRET_KEY"], algorithms=["HS256"])
    assert claims["type"] == "access"
    assert claims["exp"] - claims["iat"] == 15 * 60
    me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.get_json()["email"] == "ana@example.org"


def test_wrong_email_and_wrong_password_give_the_same_401(client):
    register(client)
    wrong_password = login(client, password="not the password at all")
    wrong_email = login(client, email="nobody@example.org")
    assert wrong_password.status_code == wrong_email.status_code == 401
    assert wrong_password.get_json() == wrong_email.get_json()


def test_login_email_is_case_insensitive(client):
    register(client)
    assert login(client, email="  ANA@example.org ").status_code == 200


def _token(app, **claims):
    now = dt.datetime.now(dt.UTC)
    base = {"sub": "1", "type": "access", "iat": now, "exp": now + dt.timedelta(minutes=5)}
    base.update(claims)
    return jwt.encode(base, app.config["SECRET_KEY"], algorithm=JWT_ALGORITHM)


def test_expired_tampered_and_wrong_type_tokens_are_401(app, client, make):
    patient = make.patient()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    expired = _token(app, sub=str(patient), iat=past, exp=past + dt.timedelta(minutes=15))
    good = make.token(patient)
    head, payload, signature = good.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    refresh_type = _token(app, sub=str(patient), type="refresh")
    other_key = jwt.encode(
        {"sub": str(patient), "type": "access", "iat": past, "exp": past + dt.timedelta(days=2)},
        "another-secret-another-secret-another-secret",
        algorithm="HS256",
    )
    none_alg = jwt.encode(
        {"sub": str(patient), "type": "access", "iat": past, "exp": past + dt.timedelta(days=2)},
        None,
        algorithm="none",
    )
    for token in (expired, tampered, refresh_type, other_key, none_alg, "garbage"):
        response = client.get("/api/v1/me", headers=bearer(token))
        assert response.status_code == 401, token
    assert client.get("/api/v1/me", headers=bearer(good)).status_code == 200


def test_refresh_rotates_and_old_token_stops_working(client):
    register(client)
    first = login(client).get_json()
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = rotated.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/me", headers=bearer(second["access_token"])).status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_family(client):
    register(client)
    first = login(client).get_json()
    second = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    ).get_json()
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    assert "already used" in reuse.get_json()["message"]
    # the thief's (or the owner's) newer token is revoked too
    after = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401
    # another sign-in (another family) is unaffected
    assert login(client).status_code == 200


def test_logout_revokes_the_refresh_token(client):
    register(client)
    pair = login(client).get_json()
    assert (
        client.post(
            "/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}
        ).status_code
        == 204
    )
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert again.status_code == 401
    assert client.post("/api/v1/auth/logout", json={"refresh_token": "unknown"}).status_code == 204


def test_expired_refresh_token_is_401(app, client):
    register(client)
    pair = login(client).get_json()
    from sqlalchemy import update

    from api.accounts.models import RefreshToken
    from api.database import get_session

    with app.app_context():
        session = get_session()
        session.execute(
            update(RefreshToken).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
        session.commit()
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 401


def test_refresh_tokens_are_stored_hashed(app, client):
    register(client)
    pair = login(client).get_json()
    from sqlalchemy import select

    from api.accounts.models import RefreshToken
    from api.database import get_session

    with app.app_context():
        stored = get_session().scalars(select(RefreshToken.token_hash)).all()
    assert pair["refresh_token"] not in stored
    assert all(len(h) == 64 for h in stored)


@pytest.fixture
def app_config(app_config):
    return app_config


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

    def test_login_is_limited_per_email(self, client):
        for _ in range(3):
            assert login(client, email="x@example.org", password=PASSWORD).status_code == 401
        limited = login(client, email="x@example.org", password=PASSWORD)
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) > 0
        assert limited.get_json()["code"] == 429

    def test_login_is_limited_per_ip_across_emails(self, client):
        codes = [
            login(client, email=f"user{i}@example.org", password=PASSWORD).status_code
            for i in range(5)
        ]
        assert codes[:3] == [401, 401, 401]
        assert codes[3] == 429
