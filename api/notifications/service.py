"""Devices, the inbox, and ``notify``: the one way a notification is made.

``notify`` inserts the notification under its unique key (a duplicate is
silently skipped: exactly once, whoever calls), adds one queued delivery per
device of the recipient when push is on, and remembers the notification on the
session. After the transaction commits, ``api.jobs.dispatch`` hands it to the
queue (or, without a broker, delivers it in-process).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.errors import Conflict
from api.notifications.models import (
    Delivery,
    DeliveryStatus,
    Device,
    Kind,
    Notification,
    Platform,
    ReminderSettings,
)
from api.notifications.schedule import Quiet, end_of_quiet, parse_time
from api.notifications.texts import THERAPIST_ALERT_KINDS, Text
from api.policy import own_record
from api.timeutil import time_zone

#: Session.info key: ids of notifications to hand to the queue after commit.
PENDING = "upright.notifications.pending"
#: Session.info key: set by the job round, which delivers what it creates itself.
DEFER = "upright.notifications.defer"


def push_enabled() -> bool:
    if not has_app_context():
        return False
    push = current_app.extensions.get("upright.push")
    return bool(push and push.enabled)


def dedup_key(kind: Kind, recipient_id: int, subject: str, due: str) -> str:
    return f"{kind}|{recipient_id}|{subject}|{due}"


def notify(
    db_session: Session,
    *,
    recipient_id: int,
    kind: Kind,
    subject: str,
    due: str,
    text: Text,
    data: dict[str, Any],
    now: dt.datetime,
    patient_id: int | None = None,
) -> Notification | None:
    """Create a notification once per (kind, recipient, subject, due); None if it exists."""
    notification = Notification(
        recipient_id=recipient_id,
        patient_id=patient_id,
        kind=kind,
        subject=subject,
        dedup_key=dedup_key(kind, recipient_id, subject, due),
        title=text.title,
        body=text.body,
        data=data,
        created_at=now,
    )
    try:
        with db_session.begin_nested():
            db_session.add(notification)
            db_session.flush()
    except IntegrityError:
        return None
    if push_enabled():
        send_at = (
            now
            if kind in THERAPIST_ALERT_KINDS
            else after_quiet_hours(db_session, recipient_id, now)
        )
        devices = db_session.scalars(select(Device).where(Device.user_id == recipient_id)).all()
        for device in devices:
            db_session.add(
                Delivery(
                    notification_id=notification.id,
                    device_id=device.id,
                    platform=device.platform,
                    status=DeliveryStatus.queued,
                    attempts=0,
                    next_attempt_at=send_at,
                    created_at=now,
                    updated_at=now,
                )
            )
        db_session.flush()
        if devices:
            db_session.info.setdefault(PENDING, []).append(notification.id)
    return notification


def after_quiet_hours(db_session: Session, user_id: int, now: dt.datetime) -> dt.datetime:
    """``now``, or the end of the person's quiet hours when ``now`` falls inside them."""
    row = db_session.execute(
        select(ReminderSettings.quiet_start, ReminderSettings.quiet_end, User.timezone)
        .join(User, User.id == ReminderSettings.user_id)
        .where(ReminderSettings.user_id == user_id)
    ).first()
    if row is None or row.quiet_start is None or row.quiet_end is None:
        return now
    quiet = Quiet(parse_time(row.quiet_start), parse_time(row.quiet_end))
    return end_of_quiet(now, quiet, time_zone(row.timezone))


# --- devices ---------------------------------------------------------------------------


def register_device(
    *,
    db_session: Session,
    user: User,
    platform: str,
    token: str,
    now: dt.datetime,
    app_version: str | None = None,
    locale: str | None = None,
) -> tuple[Device, bool]:
    """Register a push token for ``user``: (device, created).

    The same token again updates the device (created=False). A token known under
    another account moves here: the old record goes, with its pending pushes, so
    nothing meant for the previous account reaches this one.
    """
    existing = db_session.scalar(select(Device).where(Device.token == token))
    if existing is not None and existing.user_id == user.id:
        existing.platform = Platform(platform)
        existing.app_version = app_version
        existing.locale = locale
        existing.last_seen_at = now
        db_session.flush()
        return existing, False
    if existing is not None:
        db_session.delete(existing)
        db_session.flush()
    device = Device(
        user_id=user.id,
        platform=Platform(platform),
        token=token,
        app_version=app_version,
        locale=locale,
        created_at=now,
        last_seen_at=now,
    )
    try:
        with db_session.begin_nested():
            db_session.add(device)
            db_session.flush()
    except IntegrityError as error:  # the same token registered at the same instant
        raced = db_session.scalar(select(Device).where(Device.token == token))
        if raced is not None and raced.user_id == user.id:
            return raced, False
        raise Conflict("This device was just registered to another account; retry.") from error
    return device, True


def devices_stmt(user: User) -> Select:
    return select(Device).where(Device.user_id == user.id).order_by(Device.id)


def delete_device(*, db_session: Session, user: User, device_id: int) -> None:
    device = own_record(db_session, user, Device, device_id, label="Device", owners=("user_id",))
    db_session.delete(device)
    db_session.flush()


# --- inbox -----------------------------------------------------------------------------


def inbox_stmt(user: User, *, unread: bool | None) -> Select:
    stmt = select(Notification).where(Notification.recipient_id == user.id)
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def inbox_ids(
    db_session: Session, *, recipient_ids: list[int], after_id: int, limit: int
) -> list[int]:
    """Ids of the recipients' notifications after ``after_id``, in id order (sync pages)."""
    return list(
        db_session.scalars(
            select(Notification.id)
            .where(Notification.recipient_id.in_(recipient_ids), Notification.id > after_id)
            .order_by(Notification.id)
            .limit(limit)
        )
    )


def inbox_items(
    db_session: Session, *, recipient_ids: list[int], ids: list[int]
) -> dict[int, Notification]:
    """The recipients' notifications among ``ids`` (others' are left out), by id."""
    rows = db_session.scalars(
        select(Notification).where(
            Notification.id.in_(ids), Notification.recipient_id.in_(recipient_ids)
        )
    )
    return {n.id: n for n in rows}


def mark_read(
    *, db_session: Session, user: User, notification_id: int, now: dt.datetime
) -> Notification:
    notification = own_record(
        db_session,
        user,
        Notification,
        notification_id,
        label="Notification",
        owners=("recipient_id",),
    )
    if notification.read_at is None:
        notification.read_at = now
        db_session.flush()
    return notification


# --- data rights -----------------------------------------------------------------------


def _export_devices(db_session: Session, user: User) -> list[Device]:
    """Dumped by ``ExportDeviceSchema``, the REST device without its id."""
    return list(db_session.scalars(devices_stmt(user)))


def _export_notifications(db_session: Session, user: User) -> list[Notification]:
    """Dumped by ``ExportNotificationSchema``, the REST notification without its id."""
    return list(
        db_session.scalars(
            select(Notification)
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.created_at, Notification.id)
        )
    )
