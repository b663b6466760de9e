"""Registration, sign-in, token rotation and logout."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest

from api.accounts.credentials import JWT_ALGORITHM
from tests.factories import bearer

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


def _token(app, user_id, **claims):
    from api.accounts.models import User
    from api.database import get_session

    with app.app_context():
        key = get_session().get(User, user_id).token_key
    now = dt.datetime.now(dt.UTC)
    base = {
        "sub": str(user_id),
        "key": key,
        "type": "access",
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
    }
    base.update(claims)
    return jwt.encode(base, app.config["SECRET_KEY"], algorithm=JWT_ALGORITHM)


def test_expired_tampered_and_wrong_type_tokens_are_401(app, client, make):
    patient = make.patient()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    expired = _token(app, patient, iat=past, exp=past + dt.timedelta(minutes=15))
    good = make.token(patient)
    head, payload, signature = good.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    refresh_type = _token(app, patient, type="refresh")
    claims = jwt.decode(good, options={"verify_signature": False})
    other_key = jwt.encode(
        claims, "another-secret-another-secret-another-secret", algorithm="HS256"
    )
    none_alg = jwt.encode(claims, None, algorithm="none")
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


def later(monkeypatch, seconds):
    """The services' clock, ``seconds`` from now."""
    from api.accounts import service

    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    monkeypatch.setattr(service, "utcnow", lambda: moment)


def refresh(client, token):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def test_reusing_a_rotated_refresh_token_after_the_grace_window_revokes_the_family(
    client, monkeypatch
):
    register(client)
    first = login(client).get_json()
    second = refresh(client, first["refresh_token"]).get_json()
    later(monkeypatch, 31)
    reuse = refresh(client, first["refresh_token"])
    assert reuse.status_code == 401
    assert "already used" in reuse.get_json()["message"]
    # the thief's (or the owner's) newer token is revoked too
    after = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401
    # another sign-in (another family) is unaffected
    assert login(client).status_code == 200


def test_a_refresh_retried_within_the_grace_window_gets_the_same_pair(client, monkeypatch):
    register(client)
    first = login(client).get_json()
    second = refresh(client, first["refresh_token"])
    later(monkeypatch, 29)
    retried = refresh(client, first["refresh_token"])
    assert second.status_code == retried.status_code == 200
    assert retried.get_json() == second.get_json()
    assert "Retry-After" not in retried.headers
    # the sign-in lives on: the new refresh token rotates normally
    monkeypatch.undo()
    third = refresh(client, second.get_json()["refresh_token"])
    assert third.status_code == 200
    me = client.get("/api/v1/me", headers=bearer(third.get_json()["access_token"]))
    assert me.status_code == 200


def test_within_the_window_a_token_whose_successor_was_used_is_reuse(client):
    register(client)
    first = login(client).get_json()
    second = refresh(client, first["refresh_token"]).get_json()
    third = refresh(client, second["refresh_token"]).get_json()
    stale = refresh(client, first["refresh_token"])
    assert stale.status_code == 401
    assert "already used" in stale.get_json()["message"]
    assert refresh(client, third["refresh_token"]).status_code == 401  # family revoked


class TestNoGraceWindow:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "REFRESH_REUSE_GRACE_SECONDS": 0}

    def test_an_immediate_retry_is_reuse(self, client, monkeypatch):
        register(client)
        first = login(client).get_json()
        second = refresh(client, first["refresh_token"]).get_json()
        later(monkeypatch, 1)
        assert refresh(client, first["refresh_token"]).status_code == 401
        assert refresh(client, second["refresh_token"]).status_code == 401


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
