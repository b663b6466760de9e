"""Test factories: they write through the services and return ids or headers.

No request is ever made inside an app context: each factory opens its own
context and closes it before returning.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask

from api.accounts import care, credentials
from api.accounts.models import Role, User
from api.database import get_session

PASSWORD = "correct horse battery staple"
PATIENT_TIMEZONE = "UTC"  # the default zone of new users (tests at DST changes move it)
_counter = itertools.count(1)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return credentials.hash_password(PASSWORD)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Actors:
    """Headers for each actor, plus the ids the matrix needs."""

    headers: dict[str, dict[str, str]]
    owner_id: int
    other_patient_id: int
    linked_therapist_id: int
    unlinked_therapist_id: int
    admin_id: int

    NAMES = (
        "anonymous",
        "owner",
        "other_patient",
        "linked_therapist",
        "unlinked_therapist",
        "admin",
    )


class Factory:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def user(self, role: Role | str = Role.patient, **fields: Any) -> int:
        n = next(_counter)
        values: dict[str, Any] = {
            "email": f"{role}{n}@example.org",
            "display_name": f"{str(role).title()} {n}",
            "timezone": PATIENT_TIMEZONE,
            "health_history": [],
            "conditions": [],
        }
        values.update(fields)
        values["email_key"] = values["email"].lower()
        with self.app.app_context():
            session = get_session()
            user = User(role=Role(role), password_hash=_password_hash(), **values)
            session.add(user)
            session.commit()
            return user.id

    def patient(self, **fields: Any) -> int:
        return self.user(Role.patient, **fields)

    def therapist(self, **fields: Any) -> int:
        return self.user(Role.therapist, **fields)

    def admin(self, **fields: Any) -> int:
        return self.user(Role.admin, **fields)

    def token(self, user_id: int) -> str:
        with self.app.app_context():
            user = get_session().get(User, user_id)
            assert user is not None
            return credentials.create_access_token(
                user_id=user.id,
                role=str(user.role),
                token_key=user.token_key,
                secret=self.app.config["SECRET_KEY"],
                minutes=15,
            )

    def headers(self, user_id: int) -> dict[str, str]:
        return bearer(self.token(user_id))

    def link(self, therapist_id: int, patient_id: int) -> int:
        with self.app.app_context():
            session = get_session()
            therapist = session.get(User, therapist_id)
            patient = session.get(User, patient_id)
            invite = care.create_invite(db_session=session, therapist=therapist)
            link = care.redeem_invite(db_session=session, patient=patient, code=invite.code)
            session.commit()
            return link.id

    def actors(self, **owner_fields: Any) -> Actors:
        owner = self.patient(**owner_fields)
        other = self.patient()
        linked = self.therapist()
        unlinked = self.therapist()
        admin = self.admin()
        self.link(linked, owner)
        return Actors(
            headers={
                "anonymous": {},
                "owner": self.headers(owner),
                "other_patient": self.headers(other),
                "linked_therapist": self.headers(linked),
                "unlinked_therapist": self.headers(unlinked),
                "admin": self.headers(admin),
            },
            owner_id=owner,
            other_patient_id=other,
            linked_therapist_id=linked,
            unlinked_therapist_id=unlinked,
            admin_id=admin,
        )
