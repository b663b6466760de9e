"""Programmes: what a patient is asked to do, versioned so history stays true."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api import vocabulary
from api.database import Base, utcnow

STATUSES = vocabulary.PROGRAMME_STATUSES


class Programme(Base):
    __tablename__ = "programmes"
    __table_args__ = (Index("ix_programmes_patient_status", "patient_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    template_slug: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="active")
    paused_by: Mapped[str | None] = mapped_column(
        String(16), doc="therapist, patient or triage while paused"
    )
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    current_version: Mapped[int] = mapped_column(SmallInteger, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[ProgrammeVersion]] = relationship(
        order_by="ProgrammeVersion.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="programme",
    )


class ProgrammeVersion(Base):
    __tablename__ = "programme_versions"
    __table_args__ = (
        UniqueConstraint("programme_id", "number", name="uq_programme_versions_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(SmallInteger)
    days_of_week: Mapped[list[str]] = mapped_column(JSON)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    override_reason: Mapped[str | None] = mapped_column(Text)
    overridden: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="versions")
    items: Mapped[list[ProgrammeItem]] = relationship(
        order_by="ProgrammeItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )


class ProgrammeItem(Base):
    __tablename__ = "programme_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("programme_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    exercise_slug: Mapped[str] = mapped_column(String(80))
    sets: Mapped[int] = mapped_column(SmallInteger)
    reps: Mapped[int | None] = mapped_column(SmallInteger)
    hold_seconds: Mapped[int | None] = mapped_column(SmallInteger)
    rest_seconds: Mapped[int] = mapped_column(SmallInteger)
    times_per_day: Mapped[int] = mapped_column(SmallInteger)
    days_of_week: Mapped[list[str]] = mapped_column(JSON)
    load: Mapped[str | None] = mapped_column(String(50))
    side: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)


class ProgrammePause(Base):
    """A period during which a programme was paused: those days are not "missed"."""

    __tablename__ = "programme_pauses"
    __table_args__ = (Index("ix_programme_pauses_programme", "programme_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    paused_by: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]
