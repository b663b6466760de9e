"""The catalogue version as this process last read it: what the catalogue's ETags and
a sync pull's ``catalogue_version`` are made of, without a query on every request."""

from __future__ import annotations

import time

from flask import current_app

from api.catalogue import service
from api.database import get_session

#: How long a revalidation (If-None-Match) may rely on the catalogue digest this
#: process read last, instead of reading it again. A new catalogue load is seen by
#: revalidations within this many seconds, and by every full answer at once.
DIGEST_MAX_AGE = 5.0
_clock = time.monotonic


def catalogue_version(*, fresh: bool = False) -> str:
    """The digest of the loaded catalogue: read again when ``fresh``, or when the one
    read last (kept on the app) is older than ``DIGEST_MAX_AGE`` seconds."""
    state = current_app.extensions.setdefault("upright.catalogue_digest", {})
    now = _clock()
    if not fresh and "value" in state and now - state["read_at"] < DIGEST_MAX_AGE:
        return state["value"]
    value = service.catalogue_digest(get_session())
    state.update(value=value, read_at=now)
    return value
