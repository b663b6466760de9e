"""Exercise sessions (placeholder: filled in by the sessions work)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.accounts.models import User


def done_counts(
    session: Session, patient: User, day: dt.date, item_ids: list[int]
) -> dict[int, int]:
    """How many logged sessions on ``day`` include each programme item."""
    return {}
