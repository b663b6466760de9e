"""Push delivery: claim, send, record. Never lost, never doubled by the queue.

1. **Claim** (one short transaction): due ``queued`` deliveries whose lease is free
   are locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite
   serialises writers), given a lease and their attempt counted.
2. **Send** outside any transaction.
3. **Record** (one transaction per delivery), only while the lease is still ours.

A worker that dies between claim and send leaves a lease that runs out: the next
round claims the delivery again. The only window for a repeat is a death after
FCM accepted the message and before the record, and the push carries a collapse
key so a repeat replaces the first on the device instead of showing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from api.jobs import fcm
from api.notifications.models import Delivery, DeliveryStatus, Device, Notification
from api.notifications.texts import THERAPIST_ALERT_KINDS
from api.sync.changes import deliveries_changed

log = logging.getLogger("upright.jobs.delivery")

LEASE = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 5
FIRST_BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=1)
RETENTION = dt.timedelta(days=90)
DEVICE_GONE = fcm.SendResult("failed", "DEVICE_REMOVED")


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    lease_until: dt.datetime
    attempts: int
    device_id: int | None
    message: dict[str, Any] | None  # None: the device is gone


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min ... at most an hour, after the n-th failed attempt."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def claim(
    db_session: Session,
    *,
    now: dt.datetime,
    limit: int = 50,
    notification_id: int | None = None,
) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries (the caller commits at once)."""
    stmt = select(Delivery.id).where(
        Delivery.status == DeliveryStatus.queued,
        Delivery.next_attempt_at <= now,
        or_(Delivery.lease_until.is_(None), Delivery.lease_until <= now),
    )
    if notification_id is not None:
        stmt = stmt.where(Delivery.notification_id == notification_id)
    ids = db_session.scalars(
        stmt.order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not ids:
        return []
    lease_until = now + LEASE
    db_session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids))
        .values(lease_until=lease_until, attempts=Delivery.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    deliveries_changed(db_session, delivery_ids=list(ids))  # attempts shown in the inbox
    rows = db_session.execute(
        select(
            Delivery.id,
            Delivery.attempts,
            Delivery.device_id,
            Device.token,
            Device.platform,
            Notification.id,
            Notification.kind,
            Notification.title,
            Notification.body,
            Notification.data,
        )
        .join(Notification, Notification.id == Delivery.notification_id)
        .outerjoin(Device, Device.id == Delivery.device_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    ).all()
    claimed = []
    for row in rows:
        payload = None
        if row.token is not None:
            payload = fcm.message(
                token=row.token,
                platform=str(row.platform),
                notification_id=row[5],
                kind=str(row.kind),
                title=row.title,
                body=row.body,
                data=row.data or {},
                high_priority=row.kind in THERAPIST_ALERT_KINDS,
            )
        claimed.append(Claimed(row[0], lease_until, row.attempts, row.device_id, payload))
    return claimed


def record(db_session: Session, item: Claimed, result: fcm.SendResult, *, now: dt.datetime) -> str:
    """Write the outcome of one send (only while our lease holds). Returns the new status."""
    values: dict[str, Any] = {"lease_until": None, "updated_at": now, "last_error": result.error}
    if result.outcome == "sent":
        values.update(status=DeliveryStatus.sent, sent_at=now, last_error=None)
    elif result.outcome == "retry" and item.attempts < MAX_ATTEMPTS:
        wait = backoff(item.attempts)
        if result.retry_after is not None:
            wait = max(wait, dt.timedelta(seconds=result.retry_after))
        values.update(status=DeliveryStatus.queued, next_attempt_at=now + wait)
    elif result.outcome == "retry":
        values.update(status=DeliveryStatus.dead)
    else:
        values.update(status=DeliveryStatus.failed)
    changed = db_session.execute(
        update(Delivery)
        .where(
            Delivery.id == item.delivery_id,
            Delivery.status == DeliveryStatus.queued,
            Delivery.lease_until == item.lease_until,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        deliveries_changed(db_session, delivery_ids=[item.delivery_id])
    if changed and result.outcome == "token_gone" and item.device_id is not None:
        # The database empties ``device_id`` in every delivery to the device (ON DELETE
        # SET NULL), which no flush reports: those notifications change in the inbox.
        emptied = db_session.scalars(
            select(Delivery.id).where(Delivery.device_id == item.device_id)
        )
        deliveries_changed(db_session, delivery_ids=list(emptied))
        db_session.execute(delete(Device).where(Device.id == item.device_id))
        log.info("push token refused (%s): device %s removed", result.error, item.device_id)
    return str(values["status"]) if changed else "lost_lease"


def deliver_due(
    session_factory: Callable[[], Session],
    sender: Callable[[dict[str, Any]], fcm.SendResult],
    *,
    now: dt.datetime,
    notification_id: int | None = None,
    batch: int = 50,
) -> dict[str, int]:
    """Claim, send and record until nothing due is left. Counts per outcome."""
    counts: dict[str, int] = {}
    while True:
        with session_factory() as session:
            claimed = claim(session, now=now, limit=batch, notification_id=notification_id)
            session.commit()
        if not claimed:
            return counts
        for item in claimed:
            result = sender(item.message) if item.message is not None else DEVICE_GONE
            with session_factory() as session:
                status = record(session, item, result, now=now)
                session.commit()
            counts[status] = counts.get(status, 0) + 1


PRUNE_BATCH = 1000


def prune(db_session: Session, *, now: dt.datetime) -> int:
    """Delete finished delivery records older than 90 days.

    Each notification that loses a delivery changes in its recipient's inbox, so its
    change row is written first (the notification itself stays).
    """
    old = list(
        db_session.scalars(
            select(Delivery.id).where(
                Delivery.status.in_(
                    (DeliveryStatus.sent, DeliveryStatus.failed, DeliveryStatus.dead)
                ),
                Delivery.updated_at < now - RETENTION,
            )
        )
    )
    pruned = 0
    for start in range(0, len(old), PRUNE_BATCH):  # bounded lists of bound parameters
        batch = old[start : start + PRUNE_BATCH]
        deliveries_changed(db_session, delivery_ids=batch)
        pruned += db_session.execute(
            delete(Delivery)
            .where(Delivery.id.in_(batch))
            .execution_options(synchronize_session=False)
        ).rowcount
    return pruned
