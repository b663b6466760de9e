"""What a kept progress report (api/answers.py) needs beyond the change feed: its pain
notices are those of the last NOTICE_DAYS, counted to the second."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from api.accounts.models import User
from api.progress.service import NOTICE_DAYS


def notices_end(_session: Session, _user: User, body: bytes) -> dt.datetime | None:
    """When the oldest pain notice of the report leaves it."""
    notices = json.loads(body)["pain_notices"]
    if not notices:
        return None
    oldest = min(dt.datetime.fromisoformat(n["created_at"]) for n in notices)
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    return oldest + dt.timedelta(days=NOTICE_DAYS)
