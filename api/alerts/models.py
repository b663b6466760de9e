"""Alerts raised by triage, their history, and exercise holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api import vocabulary
from api.database import Base, utcnow

OPEN_STATUSES = vocabulary.OPEN_ALERT_STATUSES


class Alert(Base):
    """One fired rule for one patient, until a clinician resolves it.

    While an alert is open or acknowledged, new evidence for the same rule is
    attached to it instead of raising a duplicate (a partial unique index
    guarantees it even under concurrent check-ins).
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_open_rule",
            "patient_id",
            "rule_id",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
        Index("ix_alerts_patient_status", "patient_id", "status"),
        Index("ix_alerts_triage_order", "status", "level_rank", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(32))
    rule_version: Mapped[int]
    level: Mapped[str] = mapped_column(String(16))
    level_rank: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200))
    patient_message: Mapped[str] = mapped_column(Text)
    clinician_message: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    # who closed it: "therapist" (a linked therapist) or "patient" (self-guided)
    resolved_by: Mapped[str | None] = mapped_column(String(16))
    # a self-resolution names the clinician who assessed the patient, and when
    assessed_by: Mapped[str | None] = mapped_column(String(120))
    assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Set once when the alert stayed unacknowledged past its deadline (api/alerts/escalation.py).
    escalated_at: Mapped[dt.datetime | None]

    events: Mapped[list[AlertEvent]] = relationship(
        order_by="AlertEvent.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",  # one query for a whole page of alerts, not one per alert
    )

    @property
    def kind(self) -> str:
        """Entries of a therapist's alert list are alerts or ``link_ended`` notices."""
        return "alert"


class AlertEvent(Base):
    """Every state change of an alert: who, what, when."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_name: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))
    check_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_ins.id", ondelete="SET NULL"), index=True
    )
    # action "link_ended": the care link that ended while the alert was open
    care_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_links.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ExerciseHold(Base):
    """Exercise paused by an urgent or emergency triage verdict until cleared."""

    __tablename__ = "exercise_holds"
    __table_args__ = (
        Index(
            "uq_exercise_holds_active",
            "patient_id",
            unique=True,
            sqlite_where=text("lifted_at IS NULL"),
            postgresql_where=text("lifted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    check_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_ins.id", ondelete="SET NULL"), index=True
    )
    placed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[dt.datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
