"""An access token's signature is checked once per token; its times on every request."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
import time_machine

from api.accounts.credentials import JWT_ALGORITHM, create_access_token, decode_access_token

SECRET = "a secret long enough for HS256, used by these tests only"


def _token(**overrides) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": "7",
        "key": "k" * 32,
        "type": "access",
        "iat": now,
        "exp": now + dt.timedelta(minutes=15),
        **overrides,
    }
    return jwt.encode(claims, SECRET, algorithm=JWT_ALGORITHM)


def test_a_token_accepted_before_it_expires_is_refused_after(client, make):
    patient = make.patient()
    headers = make.headers(patient)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["message"] == "The access token is missing, invalid or expired."
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_the_time_claims_are_checked_on_every_decode():
    token = create_access_token(
        user_id=7, role="patient", token_key="k" * 32, secret=SECRET, minutes=1
    )
    assert decode_access_token(token, secret=SECRET)["sub"] == "7"
    later_on = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    with time_machine.travel(later_on), pytest.raises(jwt.ExpiredSignatureError):
        decode_access_token(token, secret=SECRET)
    early = _token(iat=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    later = _token(nbf=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    for token in (early, later):
        with pytest.raises(jwt.ImmatureSignatureError):
            decode_access_token(token, secret=SECRET)
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)):
            assert decode_access_token(token, secret=SECRET)["sub"] == "7"
        with pytest.raises(jwt.ImmatureSignatureError):
            decode_access_token(token, secret=SECRET)


def test_a_decoded_token_is_checked_again_with_another_secret_and_never_shared():
    token = _token()
    claims = decode_access_token(token, secret=SECRET)
    claims["sub"] = "8"
    assert decode_access_token(token, secret=SECRET)["sub"] == "7"
    with pytest.raises(jwt.InvalidSignatureError):
        decode_access_token(token, secret=SECRET + " rotated")
    with pytest.raises(jwt.InvalidTokenError):
        decode_access_token(_token(type="refresh"), secret=SECRET)
