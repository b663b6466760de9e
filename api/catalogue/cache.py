"""The catalogue's caches, kept on the app: the catalogue version as this process last
read it (what the catalogue's ETags and a sync pull's ``catalogue_version`` are made
of, without a query on every request) and the rendered public answers by ETag."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Response, current_app

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


class RenderedAnswers:
    """Rendered public answers by ETag. The ETag covers the catalogue version and the
    URL, so a new catalogue load simply makes new keys; old ones age out."""

    def __init__(self, limit: int = 512) -> None:
        self._answers: OrderedDict[str, tuple[bytes, int, dict[str, str]]] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, etag: str) -> tuple[bytes, int, dict[str, str]] | None:
        return self._answers.get(etag)

    def remember(self, etag: str, response: Response) -> None:
        headers = {
            k: v for k, v in response.headers.items() if k in ("Content-Type", "X-Pagination")
        }
        with self._lock:
            self._answers[etag] = (response.get_data(), response.status_code, headers)
            while len(self._answers) > self._limit:
                self._answers.popitem(last=False)


def rendered_answers() -> RenderedAnswers:
    """This app's rendered public answers."""
    return current_app.extensions.setdefault("upright.catalogue_rendered", RenderedAnswers())
