"""Care links: a therapist invites, a patient accepts, either side may end it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts import credentials
from api.accounts.models import CareInvite, CareLink, Role, User
from api.database import utcnow
from api.errors import Conflict, InvalidInput, NotFound

INVITE_DAYS = 7
_link_ended: list[Callable[..., None]] = []


def on_link_ended(listener: Callable[..., None]) -> Callable[..., None]:
    """Call ``listener(db_session=, link=, ended_by=)`` when a care link ends (alerts keep it)."""
    _link_ended.append(listener)
    return listener


@dataclass(frozen=True)
class NewInvite:
    code: str
    expires_at: dt.datetime


def create_invite(*, db_session: Session, therapist: User) -> NewInvite:
    code = credentials.new_invite_code()
    expires_at = utcnow() + dt.timedelta(days=INVITE_DAYS)
    db_session.add(
        CareInvite(
            therapist_id=therapist.id,
            code_hash=credentials.digest(credentials.normalise_invite_code(code)),
            expires_at=expires_at,
        )
    )
    db_session.flush()
    return NewInvite(code=code, expires_at=expires_at)


_BAD_CODE = "This code is not valid. Check it, or ask your therapist for a new one."


def redeem_invite(*, db_session: Session, patient: User, code: str) -> CareLink:
    """Link a patient to the inviting therapist. The claim is one conditional UPDATE."""
    now = utcnow()
    code_hash = credentials.digest(credentials.normalise_invite_code(code))
    invite = db_session.scalar(select(CareInvite).where(CareInvite.code_hash == code_hash))
    if invite is None:
        raise InvalidInput({"code": [_BAD_CODE]}, _BAD_CODE)
    if invite.used_at is not None:
        raise InvalidInput({"code": ["This code has already been used."]}, _BAD_CODE)
    if invite.expires_at <= now:
        raise InvalidInput({"code": ["This code has expired."]}, _BAD_CODE)
    claimed = db_session.execute(
        update(CareInvite)
        .where(CareInvite.id == invite.id, CareInvite.used_at.is_(None))
        .values(used_at=now, used_by_id=patient.id)
    ).rowcount
    if claimed != 1:
        raise InvalidInput({"code": ["This code has already been used."]}, _BAD_CODE)
    link = CareLink(therapist_id=invite.therapist_id, patient_id=patient.id, created_at=now)
    db_session.add(link)
    try:
        with db_session.begin_nested():
            db_session.flush()
    except IntegrityError as error:
        raise Conflict("You are already linked to this therapist.") from error
    return link


def links_stmt(user: User, active: bool | None) -> Select:
    column = CareLink.patient_id if user.role == Role.patient else CareLink.therapist_id
    stmt = select(CareLink).where(column == user.id)
    if active is True:
        stmt = stmt.where(CareLink.ended_at.is_(None))
    elif active is False:
        stmt = stmt.where(CareLink.ended_at.is_not(None))
    return stmt.order_by(CareLink.created_at.desc(), CareLink.id.desc())


def end_link(*, db_session: Session, user: User, link_id: int) -> CareLink:
    link = db_session.get(CareLink, link_id)
    if link is None or user.id not in (link.patient_id, link.therapist_id):
        raise NotFound("Care link not found.")
    if link.ended_at is None:
        link.ended_at = utcnow()
        link.ended_by_id = user.id
        db_session.flush()
        for listener in _link_ended:
            listener(db_session=db_session, link=link, ended_by=user)
    return link


def patients_stmt(therapist: User) -> Select:
    return (
        select(User, CareLink.created_at)
        .join(CareLink, CareLink.patient_id == User.id)
        .where(*_active_links(therapist))
        .order_by(User.display_name, User.id)
    )


def _active_links(therapist: User) -> tuple[Any, ...]:
    return (CareLink.therapist_id == therapist.id, CareLink.ended_at.is_(None))


def patients_count_stmt(therapist: User) -> Select:
    """How many rows ``patients_stmt`` has: its active links (each names an existing
    user, the foreign key sees to it), counted on the links' index alone."""
    return select(func.count()).select_from(CareLink).where(*_active_links(therapist))


def has_active_therapist(db_session: Session, *, patient_id: int) -> bool:
    """True while at least one care link of the patient is active."""
    stmt = select(CareLink.id).where(CareLink.patient_id == patient_id, CareLink.ended_at.is_(None))
    return db_session.scalar(stmt.limit(1)) is not None


def linked_since(db_session: Session, *, therapist_id: int, patient_id: int) -> dt.datetime | None:
    return db_session.scalar(
        select(CareLink.created_at).where(
            CareLink.therapist_id == therapist_id,
            CareLink.patient_id == patient_id,
            CareLink.ended_at.is_(None),
        )
    )
