"""Accounts: registration, sign-in, token rotation, profiles and erasure."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts import bulk, credentials
from api.accounts.export import export_sections
from api.accounts.models import AccessLogEntry, CareLink, RefreshToken, Role, User
from api.database import utcnow
from api.errors import Conflict, InvalidInput, Unauthorized


@dataclass(frozen=True)
class TokenSettings:
    secret: str
    access_minutes: int
    refresh_days: int
    refresh_grace_seconds: int = 30


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class RefreshTokenReused(Unauthorized):
    """A rotated refresh token came back: its whole family has been revoked."""


def email_key(email: str) -> str:
    return email.strip().lower()


def create_user(
    *,
    db_session: Session,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    timezone: str = "UTC",
    country: str | None = None,
    birth_year: int | None = None,
    pain_assessed_by_clinician: bool | None = None,
) -> User:
    problem = credentials.password_problem(password, email=email)
    if problem:
        raise InvalidInput({"password": [problem]}, "The password is not acceptable.")
    user = User(
        email=email.strip(),
        email_key=email_key(email),
        password_hash=credentials.hash_password(password),
        role=role,
        display_name=display_name.strip(),
        timezone=timezone,
        country=country,
        birth_year=birth_year,
        health_history=[],
        conditions=[],
        pain_assessed_by_clinician=pain_assessed_by_clinician,
    )
    db_session.add(user)
    try:
        with db_session.begin_nested():
            db_session.flush()
    except IntegrityError as error:
        raise Conflict(
            "An account with this email already exists.",
            errors={"json": {"email": ["Already registered."]}},
        ) from error
    return user


def find_by_email(db_session: Session, email: str) -> User | None:
    return db_session.scalar(select(User).where(User.email_key == email_key(email)))


def issue_tokens(
    *,
    db_session: Session,
    user: User,
    settings: TokenSettings,
    family_id: str | None = None,
    refresh: str | None = None,
    now: dt.datetime | None = None,
) -> TokenPair:
    """A new pair; ``refresh`` is given by a rotation (the derived successor)."""
    now = now or utcnow()
    rotation = refresh is not None
    refresh = refresh or credentials.new_refresh_token()
    db_session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or secrets.token_hex(16),
            token_hash=credentials.digest(refresh),
            issued_at=now,
            expires_at=now + dt.timedelta(days=settings.refresh_days),
        )
    )
    db_session.flush()
    return _pair(user, refresh, settings, issued_at=now, derived=rotation)


def _pair(
    user: User, refresh: str, settings: TokenSettings, *, issued_at: dt.datetime, derived: bool
) -> TokenPair:
    """The pair for ``refresh``; after a rotation its access token can be made again
    identically (same claims, same ``jti``), so a retried rotation gets the same pair."""
    access = credentials.create_access_token(
        user_id=user.id,
        role=str(user.role),
        token_key=user.token_key,
        secret=settings.secret,
        minutes=settings.access_minutes,
        now=issued_at,
        jti=credentials.access_token_id(refresh, secret=settings.secret) if derived else None,
    )
    return TokenPair(access, refresh, settings.access_minutes * 60)


_BAD_LOGIN = "Wrong email or password."


def login(*, db_session: Session, email: str, password: str, settings: TokenSettings) -> TokenPair:
    user = find_by_email(db_session, email)
    if not credentials.verify_password(user.password_hash if user else None, password):
        raise Unauthorized(_BAD_LOGIN)
    assert user is not None
    if credentials.needs_rehash(user.password_hash):
        user.password_hash = credentials.hash_password(password)
    return issue_tokens(db_session=db_session, user=user, settings=settings)


def refresh(*, db_session: Session, refresh_token: str, settings: TokenSettings) -> TokenPair:
    """Rotate a refresh token. Reuse of a rotated one revokes its whole family, except
    within the grace window, where it gets the pair its rotation gave (retries, and
    concurrent refreshes of one app).

    The rotation is a conditional UPDATE, so two requests racing with the same token
    cannot both rotate it. The successor is derived from the token (HMAC with the
    secret), so the pair can be given again without storing any token in plain text.
    """
    now = utcnow()
    token = db_session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == credentials.digest(refresh_token))
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthorized("The refresh token is invalid, expired or revoked.")
    successor = credentials.successor_refresh_token(refresh_token, secret=settings.secret)
    claimed = db_session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token.id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now)
    ).rowcount
    if claimed != 1:
        pair = _repeat_rotation(db_session, token, successor, settings, now)
        if pair is not None:
            return pair
        db_session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == token.family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        raise RefreshTokenReused(
            "This refresh token was already used. Every session it started has been "
            "signed out; please sign in again."
        )
    user = db_session.get(User, token.user_id)
    assert user is not None
    return issue_tokens(
        db_session=db_session,
        user=user,
        settings=settings,
        family_id=token.family_id,
        refresh=successor,
        now=now,
    )


def _repeat_rotation(
    db_session: Session,
    token: RefreshToken,
    successor: str,
    settings: TokenSettings,
    now: dt.datetime,
) -> TokenPair | None:
    """The pair an earlier rotation of ``token`` gave, if it happened within the grace
    window and that pair is still the live one; None means reuse."""
    rotated_at = db_session.scalar(  # read again: a concurrent rotation may just have committed
        select(RefreshToken.rotated_at).where(RefreshToken.id == token.id)
    )
    if rotated_at is None or rotated_at < now - dt.timedelta(
        seconds=settings.refresh_grace_seconds
    ):
        return None
    issued = db_session.scalar(
        select(RefreshToken).where(
            RefreshToken.token_hash == credentials.digest(successor),
            RefreshToken.family_id == token.family_id,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
    )
    if issued is None:
        return None
    user = db_session.get(User, issued.user_id)
    assert user is not None
    return _pair(user, successor, settings, issued_at=issued.issued_at, derived=True)


def logout(*, db_session: Session, refresh_token: str) -> None:
    db_session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == credentials.digest(refresh_token),
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def update_profile(*, db_session: Session, user: User, changes: dict[str, Any]) -> User:
    _check_spinal_surgery_year(user, changes)
    for field, value in changes.items():
        setattr(user, field, value)
    db_session.flush()
    return user


def _check_spinal_surgery_year(user: User, changes: dict[str, Any]) -> None:
    """The surgery year, as the profile will be after ``changes``: only with
    ``spinal_surgery`` in the health history, and not before the year of birth."""
    year = changes.get("spinal_surgery_year", user.spinal_surgery_year)
    if year is None:
        return
    history = changes.get("health_history", user.health_history) or []
    birth_year = changes.get("birth_year", user.birth_year)
    if "spinal_surgery" not in history:
        raise InvalidInput(
            {
                "spinal_surgery_year": [
                    "Add spinal_surgery to health_history, or set spinal_surgery_year to null."
                ]
            }
        )
    if birth_year is not None and year < birth_year:
        raise InvalidInput(
            {"spinal_surgery_year": [f"Cannot be before your year of birth ({birth_year})."]}
        )


def delete_account(*, db_session: Session, user: User, password: str) -> None:
    if not credentials.verify_password(user.password_hash, password):
        raise InvalidInput({"password": ["Wrong password."]}, "The password is not correct.")
    db_session.delete(user)
    db_session.flush()


def export_account(*, db_session: Session, user: User) -> dict[str, Any]:
    return {
        "exported_at": utcnow(),
        "profile": user,
        "sections": export_sections(db_session, user),
    }


def _export_access_log(db_session: Session, user: User) -> list[AccessLogEntry]:
    return bulk.access_log(db_session, patient_id=user.id)


def _export_care_links(db_session: Session, user: User) -> list[CareLink]:
    return list(
        db_session.scalars(
            select(CareLink)
            .where((CareLink.patient_id == user.id) | (CareLink.therapist_id == user.id))
            .order_by(CareLink.id)
        )
    )
