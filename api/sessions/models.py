"""Exercise sessions: what a patient did, how it felt, and the advice it gave."""

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
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.database import Base, utcnow

NOTICE_KINDS = ("regress", "reduce_dose", "progress")
#: The advice kind that carries an exercise hold's safety advice (first, never a notice).
HOLD_ADVICE_KIND = "hold"


class ExerciseSession(Base):
    """One exercise session as the app logged it (``client_id`` makes retries safe)."""

    __tablename__ = "exercise_sessions"
    __table_args__ = (
        UniqueConstraint("patient_id", "client_id", name="uq_exercise_sessions_patient_client_id"),
        Index("ix_exercise_sessions_patient_date", "patient_id", "local_date"),
        # The previous session (a new session's advice) and the list, newest first.
        Index("ix_exercise_sessions_patient_started", "patient_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL"), index=True
    )
    programme_version: Mapped[int | None] = mapped_column(SmallInteger)
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    local_date: Mapped[dt.date] = mapped_column(Date, doc="started_at in the patient's time zone")
    pain_before: Mapped[int | None] = mapped_column(SmallInteger)
    pain_after: Mapped[int | None] = mapped_column(SmallInteger)
    notes: Mapped[str | None] = mapped_column(Text)
    advice: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    logged_during_hold: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), doc="logged while triage paused exercise"
    )
    safety: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="the hold's safety advice given with the session (level, headline, advice)"
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    entries: Mapped[list[SessionEntry]] = relationship(
        order_by="SessionEntry.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )


class SessionEntry(Base):
    """One exercise within a session: what was done and how hard and painful it was."""

    __tablename__ = "session_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("exercise_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    exercise_slug: Mapped[str] = mapped_column(String(80))
    programme_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_items.id", ondelete="SET NULL"), index=True
    )
    sets_done: Mapped[int] = mapped_column(SmallInteger)
    reps_done: Mapped[int | None] = mapped_column(SmallInteger)
    hold_seconds: Mapped[int | None] = mapped_column(SmallInteger)
    load: Mapped[str | None] = mapped_column(String(50))
    pain_during: Mapped[int | None] = mapped_column(SmallInteger)
    effort: Mapped[int | None] = mapped_column(SmallInteger)
    notes: Mapped[str | None] = mapped_column(Text)


class PainNotice(Base):
    """Pain-guided advice given after a session, kept for the therapist to see."""

    __tablename__ = "pain_notices"
    __table_args__ = (Index("ix_pain_notices_patient_created", "patient_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("exercise_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), doc="regress, reduce_dose or progress")
    exercise_slug: Mapped[str] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
