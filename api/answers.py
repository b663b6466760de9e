"""Personal answers kept per server process, for their own caller only, served again
while exact.

A few read endpoints (``GET /me/today``, ``GET /me/progress``, a therapist's
``GET /patients`` and ``GET /alerts``) are asked again and again with nothing changed in
between. Each process keeps their serialised answers (body, status and headers) in a
byte-bounded LRU (``ANSWER_MEMO_BYTES``; 0 turns it off), keyed by

- the caller (id, role and token key, so an id given again to another account never
  matches), the endpoint, its path and its query arguments (sorted);
- the caller's local date (patients' answers: "today", the default range, the streak) or
  the current 15-minute UTC slot (therapists' answers; every patient's local midnight
  falls on a 15-minute UTC boundary), and what else an endpoint names (the catalogue
  version for exercise names).

Every entry holds a watermark of the caller's change feed, read BEFORE the answer is
computed (api/sync/watermark.py): every change of a record an answer is made of writes the
change log in the same transaction. The entry is served only if that watermark is
unchanged, re-read in one statement, and before any time the endpoint names (a pain
notice or a ``link_ended`` notice leaving its window). Nothing is shared between users,
and nothing is served stale: the memo saves the Python, not the check.

A hit repeats the endpoint's side effects (a therapist's alert list writes the access
log, ``replay``; on PostgreSQL in the statement of the check, ``along``) and answers the
same headers as the miss did.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Response, current_app, request

from api.accounts.models import Role, User
from api.blueprint import current_user
from api.database import get_session, utcnow
from api.timeutil import local_today

_EXTENSION = "upright.answers"
SLOT_SECONDS = 15 * 60
#: An answer bigger than this share of the memo is not kept (it would evict the others).
LARGEST_SHARE = 8
_OVERHEAD = 256  # bytes counted per entry beyond its body and headers (key, object)

Watermark = Callable[[Any, User], Any]
Unchanged = Callable[..., bool]  # (session, user, mark[, along]) -> bool
_feed: list[tuple[Watermark, Unchanged]] = []


def register_feed(watermark: Watermark, unchanged: Unchanged) -> None:
    """The caller's change feed (api/sync/watermark.py), registered at start-up: sync sits
    above the domains whose answers are kept."""
    _feed[:] = [(watermark, unchanged)]


@dataclass(frozen=True)
class Answer:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    mark: Any
    expires_at: dt.datetime | None
    reads: Any
    size: int

    def response(self) -> Response:
        return current_app.response_class(self.body, status=self.status, headers=self.headers)


class AnswerMemo:
    """A thread-safe LRU of answers, bounded by the bytes of their bodies and headers."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.hits = 0  # answers served again (for tests and profiling)
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: tuple, answer: Answer) -> bool:
        """Keep ``answer`` (evicting the least recently used); False when too large."""
        if answer.size * LARGEST_SHARE > self.limit:
            return False
        with self._lock:
            self._drop(key)
            self._answers[key] = answer
            self.used += answer.size
            while self.used > self.limit:
                self._drop(next(iter(self._answers)))
        return True

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self.used = 0

    def forget(self, key: tuple) -> None:
        with self._lock:
            self._drop(key)

    def _drop(self, key: tuple) -> None:
        old = self._answers.pop(key, None)
        if old is not None:
            self.used -= old.size


def memo() -> AnswerMemo | None:
    """This process's memo of this app (None when ``ANSWER_MEMO_BYTES`` is 0)."""
    extensions = current_app.extensions
    if _EXTENSION not in extensions:
        limit = current_app.config["ANSWER_MEMO_BYTES"]
        extensions[_EXTENSION] = AnswerMemo(limit) if limit > 0 else None
    return extensions[_EXTENSION]


def clock_key(user: User, now: dt.datetime) -> Any:
    """A patient's local date; a therapist's 15-minute UTC slot."""
    if user.role == Role.patient:
        return local_today(user.timezone, now)
    return int(now.timestamp()) // SLOT_SECONDS


def _size(body: bytes, headers: tuple[tuple[str, str], ...]) -> int:
    return len(body) + sum(len(k) + len(v) for k, v in headers) + _OVERHEAD


def memoised(
    endpoint: str,
    *,
    key: Callable[[], Any] | None = None,
    when: Callable[[User], bool] | None = None,
    expires: Callable[[Any, User, bytes], dt.datetime | None] | None = None,
    reads: Callable[[User, bytes], Any] | None = None,
    replay: Callable[[Any, User, Any], None] | None = None,
    along: Callable[[Any, User, Any], Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve the caller's answer again while exact (put it under ``login_required``, above
    the arguments and response decorators: it keeps the rendered response).

    ``key()``: more of the key (e.g. the catalogue version); ``when(user)``: whether this
    request may be kept; ``expires(session, user, body)``: the instant the answer changes
    by the clock alone, if any (read on a miss); ``reads(user, body)``: what a hit must
    repeat (kept with the answer) and ``replay(session, user, reads)`` repeats it (and
    commits), as the endpoint would have. ``along(session, user, reads)``, where the feed
    can send a write with its check (PostgreSQL), gives that write instead (or None:
    ``replay``); it is committed with a hit and rolled back before a miss computes the
    answer again (and writes it itself).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            answers = memo()
            user = current_user()
            if answers is None or not _feed or (when is not None and not when(user)):
                return view(*args, **kwargs)
            watermark, unchanged = _feed[0]
            session = get_session()
            now = utcnow()
            memo_key = (
                user.id,
                user.role,
                user.token_key,
                endpoint,
                tuple(sorted(kwargs.items())),
                tuple(sorted(request.args.items(multi=True))),
                clock_key(user, now),
                key() if key is not None else None,
            )
            kept = answers.get(memo_key)
            if kept is not None:
                if kept.expires_at is None or now < kept.expires_at:
                    write = along(session, user, kept.reads) if along is not None else None
                    if write is None:
                        if unchanged(session, user, kept.mark):
                            if replay is not None:
                                replay(session, user, kept.reads)
                            answers.hits += 1
                            return kept.response()
                    elif unchanged(session, user, kept.mark, write):
                        session.commit()
                        answers.hits += 1
                        return kept.response()
                    else:  # the write is the miss's to make: not twice
                        session.rollback()
                answers.forget(memo_key)
            mark = watermark(session, user)  # before computing: see api/sync/watermark.py
            response = view(*args, **kwargs)
            if mark is None or not isinstance(response, Response) or response.status_code != 200:
                return response
            if response.is_streamed or response.direct_passthrough:
                return response
            body = response.get_data()
            headers = tuple(response.headers.items())
            answers.put(
                memo_key,
                Answer(
                    body=body,
                    status=response.status_code,
                    headers=headers,
                    mark=mark,
                    expires_at=expires(session, user, body) if expires is not None else None,
                    reads=reads(user, body) if reads is not None else None,
                    size=_size(body, headers),
                ),
            )
            return response

        return wrapper

    return decorator
