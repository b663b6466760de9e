"""A person's "day" is computed in their own time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from api.database import utcnow


def local_today(timezone: str, now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(ZoneInfo(timezone)).date()
