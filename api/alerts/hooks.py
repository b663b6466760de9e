"""What other domains do when a hold is placed or lifted (programmes pause/resume),
and when alerts are raised or escalated (notifications).

Listeners are added by each domain's ``register()`` at start-up (api/routing.py), in
that order; adding one twice (an app built twice in a process) keeps one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class AlertNews:
    """An alert as the ``alerts_raised`` and ``alert_escalated`` listeners receive it.

    ``change`` says what the check-in did to it: ``raised`` it, ``evidence_added`` to it,
    or None (nothing new, e.g. the same check-in triaged again); ``escalated`` for an
    escalation."""

    id: int
    patient_id: int
    level: str
    status: str
    change: str | None


HoldListener = Callable[..., None]
_placed: list[HoldListener] = []
_lifted: list[HoldListener] = []


def _add(listeners: list[HoldListener], listener: HoldListener) -> HoldListener:
    if listener not in listeners:
        listeners.append(listener)
    return listener


def on_hold_placed(listener: HoldListener) -> HoldListener:
    return _add(_placed, listener)


def on_hold_lifted(listener: HoldListener) -> HoldListener:
    return _add(_lifted, listener)


def hold_placed(*, db_session: Session, patient_id: int) -> None:
    for listener in _placed:
        listener(db_session=db_session, patient_id=patient_id)


def hold_lifted(*, db_session: Session, patient_id: int) -> None:
    for listener in _lifted:
        listener(db_session=db_session, patient_id=patient_id)


_alerts_raised: list[HoldListener] = []
_alert_escalated: list[HoldListener] = []


def on_alerts_raised(listener: HoldListener) -> HoldListener:
    return _add(_alerts_raised, listener)


def on_alert_escalated(listener: HoldListener) -> HoldListener:
    return _add(_alert_escalated, listener)


def alerts_raised(
    *, db_session: Session, patient_id: int, check_in_id: int, alerts: list[AlertNews]
) -> None:
    """A check-in raised new alerts or added evidence to open ones (``alerts``: both)."""
    for listener in _alerts_raised:
        listener(
            db_session=db_session, patient_id=patient_id, check_in_id=check_in_id, alerts=alerts
        )


def alert_escalated(*, db_session: Session, alert: AlertNews, now) -> None:
    for listener in _alert_escalated:
        listener(db_session=db_session, alert=alert, now=now)
