"""Patient-reported outcome measures (NDI, PSFS) and their scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api import vocabulary
from api.database import Base, utcnow

INSTRUMENTS = vocabulary.INSTRUMENTS


class OutcomeScore(Base):
    __tablename__ = "outcome_scores"
    __table_args__ = (
        Index("ix_outcome_scores_patient_instrument", "patient_id", "instrument", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float, doc="NDI total 0-50 (pro-rated); PSFS mean 0-10")
    percent: Mapped[float | None] = mapped_column(Float, doc="NDI only: 0-100")
    band: Mapped[str | None] = mapped_column(String(16), doc="NDI only: Vernon & Mior 1991")
    completed_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
