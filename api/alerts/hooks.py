"""What other domains do when a hold is placed or lifted (programmes pause/resume)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

HoldListener = Callable[..., None]
_placed: list[HoldListener] = []
_lifted: list[HoldListener] = []


def on_hold_placed(listener: HoldListener) -> HoldListener:
    _placed.append(listener)
    return listener


def on_hold_lifted(listener: HoldListener) -> HoldListener:
    _lifted.append(listener)
    return listener


def hold_placed(*, db_session: Session, patient_id: int) -> None:
    for listener in _placed:
        listener(db_session=db_session, patient_id=patient_id)


def hold_lifted(*, db_session: Session, patient_id: int) -> None:
    for listener in _lifted:
        listener(db_session=db_session, patient_id=patient_id)
