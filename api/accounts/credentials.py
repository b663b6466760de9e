"""Password hashing (argon2id) and tokens (JWT access, opaque refresh)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from functools import lru_cache
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

JWT_ALGORITHM = "HS256"
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A hash of a random password, checked when the email is unknown so that both
# failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(
        line.strip().lower()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why a password is refused, or None when it is acceptable."""
    if len(password) < 10:
        return "Use at least 10 characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    lowered = password.lower()
    if lowered in common_passwords():
        return "This password is too common. Choose one that is harder to guess."
    if email and lowered == email.lower():
        return "Do not use your email address as your password."
    return None


def create_access_token(
    *,
    user_id: int,
    role: str,
    token_key: str,
    secret: str,
    minutes: int,
    now: dt.datetime | None = None,
    jti: str | None = None,
) -> str:
    """An HS256 access token for one account: ``key`` is the account's ``token_key``."""
    now = now or dt.datetime.now(dt.UTC)
    claims = {
        "sub": str(user_id),
        "key": token_key,
        "role": role,
        "type": "access",
        "iat": now,
        "exp": now + dt.timedelta(minutes=minutes),
        "jti": jti or secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> dict:
    """Claims of a valid access token; raises ``jwt.InvalidTokenError`` otherwise.

    A phone sends the same token with every request until it expires: the checks that
    cannot change (signature, type, required claims) are made once per token and kept
    (``_verified``); those of time are made on every call, as PyJWT makes them."""
    claims = _verified(token, secret)
    now = dt.datetime.now(dt.UTC).timestamp()
    if int(claims["exp"]) <= now:
        raise jwt.ExpiredSignatureError("Signature has expired")
    if int(claims["iat"]) > now:
        raise jwt.ImmatureSignatureError("The token is not yet valid (iat)")
    if "nbf" in claims and int(claims["nbf"]) > now:
        raise jwt.ImmatureSignatureError("The token is not yet valid (nbf)")
    return dict(claims)


@lru_cache(maxsize=1024)
def _verified(token: str, secret: str) -> dict:
    """The claims of a valid access token, all checked by PyJWT at the first call (the
    time claims are integers, so ``int()`` above cannot fail); an invalid token raises
    and is not kept. PyJWT costs about 50 microseconds a token (it also rules out, on
    every call, that the secret is an asymmetric key)."""
    claims = jwt.decode(
        token,
        secret,
        algorithms=[JWT_ALGORITHM],
        options={"require": ["exp", "iat", "sub", "type", "key"]},
    )
    if claims.get("type") != "access":
        raise jwt.InvalidTokenError("not an access token")
    return claims


def same_key(presented: object, expected: str) -> bool:
    return isinstance(presented, str) and hmac.compare_digest(presented, expected)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def _mac(secret: str, purpose: str, value: str) -> bytes:
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def successor_refresh_token(previous: str, *, secret: str) -> str:
    """The refresh token that replaces ``previous`` when it is rotated.

    Derived, not random, so that a retry of the same rotation can be answered with the same
    token again without keeping any refresh token in plain text: only the server, which
    holds the secret, can compute it, and only from the previous token itself.
    """
    mac = _mac(secret, "refresh-successor", previous)
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def access_token_id(refresh_token: str, *, secret: str) -> str:
    """The ``jti`` of the access token issued with ``refresh_token`` by a rotation."""
    return _mac(secret, "access-jti", refresh_token)[:8].hex()


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


_INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no I/L/O/U/0/1: easy to read aloud


def new_invite_code() -> str:
    """An 8-character code shown as XXXX-XXXX."""
    raw = "".join(secrets.choice(_INVITE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_invite_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())
