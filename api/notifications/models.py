"""Devices, notifications with one delivery record per device, and reminder schedules."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.database import Base, utcnow


class Platform(enum.StrEnum):
    android = "android"
    ios = "ios"
    web = "web"


class Kind(enum.StrEnum):
    alert_raised = "alert_raised"
    alert_escalated = "alert_escalated"
    alert_follow_up = "alert_follow_up"
    soon_digest = "soon_digest"
    check_in_reminder = "check_in_reminder"
    exercise_reminder = "exercise_reminder"
    missed_sessions = "missed_sessions"
    programme_changed = "programme_changed"
    hold_lifted = "hold_lifted"
    link_ended = "link_ended"


class DeliveryStatus(enum.StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"  # the token is gone or FCM refused for good: not retried
    dead = "dead"  # gave up after the last attempt


def _enum(kind: type[enum.StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=24, validate_strings=True)


class Device(Base):
    """A push token of one app install. A token belongs to one account at a time."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[Platform] = mapped_column(_enum(Platform))
    token: Mapped[str] = mapped_column(String(1024), unique=True)
    app_version: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str | None] = mapped_column(String(35))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def token_suffix(self) -> str:
        """The last 6 characters: enough to recognise a device, useless to send to it."""
        return self.token[-6:]


class Notification(Base):
    """One message to one person: in their inbox, and pushed to each of their devices.

    ``dedup_key`` (kind, recipient, subject, due time) is unique: however many
    workers and schedulers run, the same notification is created once.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
        Index("ix_notifications_recipient_subject", "recipient_id", "kind", "subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The patient it is about (erasing them removes it from their therapists' inboxes too).
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    subject: Mapped[str] = mapped_column(String(64))
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]

    deliveries: Mapped[list[Delivery]] = relationship(
        order_by="Delivery.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )


class Delivery(Base):
    """A notification's push to one device: queued, sent, failed or dead."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "device_id", name="uq_deliveries_notification_device"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL"), index=True
    )
    platform: Mapped[Platform] = mapped_column(_enum(Platform))
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus), default=DeliveryStatus.queued
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    #: While set and in the future, one worker holds this delivery; when it passes, the
    #: delivery is free again (the worker died between claim and send).
    lease_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def next_attempt(self) -> dt.datetime | None:
        """When the next attempt is due, while the delivery is queued (else None)."""
        return self.next_attempt_at if self.status == DeliveryStatus.queued else None


class ReminderSettings(Base):
    """A patient's reminder choices; absent means the defaults."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    check_in_enabled: Mapped[bool] = mapped_column(Boolean)
    check_in_time: Mapped[str] = mapped_column(String(5))
    check_in_days: Mapped[list[str]] = mapped_column(JSON)
    exercise_enabled: Mapped[bool] = mapped_column(Boolean)
    exercise_times: Mapped[list[str]] = mapped_column(JSON)
    missed_enabled: Mapped[bool] = mapped_column(Boolean)
    missed_after_days: Mapped[int] = mapped_column(SmallInteger)
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReminderSchedule(Base):
    """When a patient's next reminder of one kind is due (UTC), claimed by the job round.

    ``occurrence`` is the nominal local date and time ("2026-11-24T19:00") that the
    reminder stands for; ``due_at`` may be later (quiet hours, a DST gap). ``timezone``
    is the zone the times were computed in: a new profile time zone recomputes them.
    """

    __tablename__ = "reminder_schedules"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", name="uq_reminder_schedules_user_kind"),
        Index("ix_reminder_schedules_due", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    due_at: Mapped[dt.datetime | None]
    occurrence: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
