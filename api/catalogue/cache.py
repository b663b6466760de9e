"""The catalogue's caches, kept on the app: the catalogue version as this process last
read it (what the catalogue's ETags and a sync pull's ``catalogue_version`` are made
of, without a query on every request) and the rendered public answers by ETag."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import Response, current_app, g, has_app_context
from sqlalchemy.orm import Session

from api.catalogue import service
from api.database import first_read_without_checkout_ping, get_session
from api.timeutil import clock

#: How long this process relies on the catalogue digest it read last, for every answer
#: (full or 304): within it, a cached public answer is served without a database round
#: trip. A catalogue load is therefore seen by every server within this many seconds,
#: and at once by the process that loaded it (``forget``).
DIGEST_MAX_AGE = 1.0
_DIGEST_STATE = "upright.catalogue_digest"


def _clock() -> float:
    return clock.now().timestamp()


def catalogue_version(*, fresh: bool = False) -> str:
    """The digest of the loaded catalogue: read again when ``fresh``, or when the one
    read last (kept on the app) is ``DIGEST_MAX_AGE`` seconds old (or from the future:
    a clock set back)."""
    state = current_app.extensions.setdefault(_DIGEST_STATE, {})
    now = _clock()
    if not fresh and "value" in state and 0 <= now - state["read_at"] < DIGEST_MAX_AGE:
        return state["value"]
    session = get_session()
    value = first_read_without_checkout_ping(session, lambda: service.catalogue_digest(session))
    state.update(value=value, read_at=now)
    return value


def forget() -> None:
    """Make this process read the catalogue version again on its next answer (after a
    catalogue load)."""
    current_app.extensions.pop(_DIGEST_STATE, None)


_KEPT_STATE = "upright.catalogue_exercises"


def kept_exercises(db_session: Session) -> service.KeptExercises:
    """The catalogue's exercises (``service.KeptExercises``), kept by this process for the
    catalogue version it trusts (``catalogue_version``): a catalogue load is seen as the
    catalogue's answers see it. One version kept, the last read. ``db_session``: the
    request's (outside a Flask app, or with another session, they are read from it)."""
    if not has_app_context() or g.get("db_session") is not db_session:
        return service.kept_exercises(db_session)
    version = catalogue_version()
    extensions = current_app.extensions
    kept = extensions.get(_KEPT_STATE)
    if kept is None or kept[0] != version:
        # Read after the version: at least as new as it (a newer one is read again
        # when the version moves on).
        kept = (version, service.kept_exercises(db_session))
        extensions[_KEPT_STATE] = kept
    return kept[1]


class RenderedAnswers:
    """Rendered public answers (body, status and headers, ETag and caching included) by
    ETag. The ETag covers the catalogue version and the URL, so a new catalogue load
    simply makes new keys; old ones age out."""

    def __init__(self, limit: int = 512) -> None:
        self._answers: OrderedDict[str, tuple[bytes, int, dict[str, str]]] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, etag: str) -> tuple[bytes, int, dict[str, str]] | None:
        return self._answers.get(etag)

    def remember(self, etag: str, response: Response) -> None:
        kept = ("Content-Type", "X-Pagination", "ETag", "Cache-Control", "Vary")
        headers = {k: v for k, v in response.headers.items() if k in kept}
        with self._lock:
            self._answers[etag] = (response.get_data(), response.status_code, headers)
            while len(self._answers) > self._limit:
                self._answers.popitem(last=False)


def rendered_answers() -> RenderedAnswers:
    """This app's rendered public answers."""
    extensions = current_app.extensions
    answers = extensions.get(_RENDERED)
    if answers is None:  # not setdefault: that would build a spare one on every request
        answers = extensions.setdefault(_RENDERED, RenderedAnswers())
    return answers


_RENDERED = "upright.catalogue_rendered"
