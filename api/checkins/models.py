"""Daily check-ins: one per patient per local date, with the triage verdict."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.database import Base, utcnow

#: The verdicts that pause exercise (``api.triage.messages.PAUSING_LEVELS``) as SQL: the
#: predicate of the index of the check-ins that can stand behind an exercise hold, which a
#: statement repeats word for word for PostgreSQL to use that index.
PAUSING_VERDICT = "triage_level IN ('emergency', 'urgent')"


class CheckIn(Base):
    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("patient_id", "local_date", name="uq_check_ins_patient_date"),
        UniqueConstraint("patient_id", "client_id", name="uq_check_ins_patient_client_id"),
        # The verdict behind a standing hold (read with every session logged during one):
        # a few rows per patient, where the date index made it read their every check-in.
        Index(
            "ix_check_ins_pausing",
            "patient_id",
            "local_date",
            sqlite_where=text(PAUSING_VERDICT),
            postgresql_where=text(PAUSING_VERDICT),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str | None] = mapped_column(String(64))
    local_date: Mapped[dt.date] = mapped_column(Date)
    pain: Mapped[int] = mapped_column(SmallInteger)
    worst_pain: Mapped[int | None] = mapped_column(SmallInteger)
    stiffness: Mapped[int | None] = mapped_column(SmallInteger)
    interference: Mapped[int | None] = mapped_column(SmallInteger)
    sleep_quality: Mapped[int | None] = mapped_column(SmallInteger)
    mood: Mapped[int | None] = mapped_column(SmallInteger)
    medication_taken: Mapped[bool | None] = mapped_column(Boolean)
    pain_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    symptoms: Mapped[list[str]] = mapped_column(JSON, default=list)
    pain_onset: Mapped[str | None] = mapped_column(String(16))
    episode_started_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    triage_level: Mapped[str] = mapped_column(String(16), default="none")
    triage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
