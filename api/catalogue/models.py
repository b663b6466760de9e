"""The exercise catalogue, loaded from the reviewed files in ``exercises/``.

Each row keeps the whole reviewed entry in ``data`` (what the API serves) and
the columns that queries filter and order by. Rows are never deleted by the
loader: an entry removed from the files is *retired*, so history that points at
it (programmes, sessions) survives.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.database import Base, utcnow


class CatalogueEntry:
    """Columns shared by every kind of catalogue entry."""

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Cause(CatalogueEntry, Base):
    __tablename__ = "causes"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    exercise_allowed: Mapped[bool] = mapped_column(Boolean, default=True)


class Exercise(CatalogueEntry, Base):
    __tablename__ = "exercises"
    __table_args__ = (Index("ix_exercises_listing", "retired_at", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), index=True)
    region: Mapped[str] = mapped_column(String(32), index=True)
    difficulty: Mapped[int] = mapped_column(SmallInteger)
    contraindications: Mapped[list[str]] = mapped_column(JSON, default=list)
    search_text: Mapped[str] = mapped_column(Text)


class ExerciseCause(Base):
    __tablename__ = "exercise_causes"

    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True
    )
    cause_id: Mapped[int] = mapped_column(
        ForeignKey("causes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    why: Mapped[str] = mapped_column(Text)


class ExerciseEquipment(Base):
    __tablename__ = "exercise_equipment"

    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True
    )
    equipment: Mapped[str] = mapped_column(String(32), primary_key=True)


class LifestyleAdvice(CatalogueEntry, Base):
    __tablename__ = "lifestyle_advice"

    id: Mapped[int] = mapped_column(primary_key=True)


class ProgrammeTemplate(CatalogueEntry, Base):
    """Built-in templates (owner_id NULL, from ``exercises/``) and therapists' own."""

    __tablename__ = "programme_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def built_in(self) -> bool:
        return self.owner_id is None


class CatalogueVersion(Base):
    """One row: a digest of the loaded content, the base of every catalogue ETag."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


#: The catalogue's tables: loaded from ``exercises/``, the same for every patient.
CATALOGUE_TABLES = frozenset(
    model.__tablename__
    for model in (
        Cause,
        Exercise,
        ExerciseCause,
        ExerciseEquipment,
        LifestyleAdvice,
        ProgrammeTemplate,
        CatalogueVersion,
    )
)
