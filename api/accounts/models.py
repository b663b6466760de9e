"""People, their sign-in tokens, care links and the access log."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.database import Base, utcnow


class Role(enum.StrEnum):
    patient = "patient"
    therapist = "therapist"
    admin = "admin"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, validate_strings=True)
    )
    display_name: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    country: Mapped[str | None] = mapped_column(String(2))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    health_history: Mapped[list[str]] = mapped_column(JSON, default=list)
    spinal_surgery_year: Mapped[int | None] = mapped_column(Integer)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Has a clinician assessed this pain? None: not answered (triage RF-ASSESS-01).
    pain_assessed_by_clinician: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Carried in every access token and checked on every request: a token only works for
    # the account it was issued to, never for a later one (erasure destroys the key).
    token_key: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))


class RefreshToken(Base):
    """A refresh token, stored as a SHA-256 digest. Rotation keeps the family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    rotated_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class CareInvite(Base):
    """A single-use code a therapist gives a patient to link their accounts."""

    __tablename__ = "care_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class CareLink(Base):
    """A therapist may see a patient's data while the link is active (not ended)."""

    __tablename__ = "care_links"
    __table_args__ = (
        Index(
            "uq_care_links_active_pair",
            "therapist_id",
            "patient_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id], lazy="joined")
    patient: Mapped[User] = relationship(foreign_keys=[patient_id], lazy="joined")

    @property
    def active(self) -> bool:
        return self.ended_at is None


class AccessLogEntry(Base):
    """Each read of a patient's data by a therapist: who, what and when."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    therapist_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    therapist_name: Mapped[str] = mapped_column(String(80))
    resource: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[int | None]
    accessed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_access_log_patient_time", "patient_id", "accessed_at"),)
