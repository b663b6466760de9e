"""Personal answers kept per server process, for their own caller only, served again
while exact.

A few read endpoints (``GET /me/today``, ``GET /me/progress``, a therapist's
``GET /patients`` and ``GET /alerts``) are asked again and again with nothing changed in
between. Each process keeps their serialised answers (body, status and headers) in a
byte-bounded LRU (``ANSWER_MEMO_BYTES``; 0 turns it off), keyed by

- the caller as the verified access token names them (id, role and token key, so an id
  given again to another account never matches), the endpoint, its path and its query
  arguments (sorted), and what else an endpoint names (the catalogue version for exercise
  names);

and kept for the caller's local date (patients' answers: "today", the default range, the
streak) or the current 15-minute UTC slot (therapists' answers; every patient's local
midnight falls on a 15-minute UTC boundary). A patient's date needs their time zone,
which is remembered with the answer: a change of time zone is a change of their profile,
which writes their change feed, so the check below then fails and the answer is computed
again in the new zone.

Every entry holds a watermark of the caller's change feed, read BEFORE the answer is
computed (api/sync/watermark.py): every change of a record an answer is made of writes the
change log in the same transaction. A kept answer is served before the caller is loaded,
from the claims of the access token: one statement reads the caller's stored role and
token key with the check of that watermark (on PostgreSQL outside any transaction and
without the pool's ping, as the sync pull that is up to date). It is served only when the
stored key is the token's, the stored role the token's and one the endpoint allows,
nothing of the feed changed, and no time the endpoint names has come (a pain notice or a
``link_ended`` notice leaving its window). Anything else takes the endpoint's normal
path, which signs the caller in and answers as without the memo (401, 403, 404, 422 or
the answer, computed again). Nothing is shared between users, and nothing is served
stale: the memo saves the Python, not the check.

A hit repeats the endpoint's side effects (a therapist's alert list writes the access
log: on PostgreSQL within the statement of the check, ``along``, written exactly when the
answer is served; elsewhere ``replay``, after loading the caller) and answers the same
headers as the miss did.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Response, current_app, g, request

from api.accounts.credentials import same_key
from api.accounts.models import Role, User
from api.blueprint import access_claims, current_user
from api.database import (
    first_read_without_checkout_ping,
    get_session,
    state,
    utcnow,
    without_checkout_ping,
)
from api.timeutil import time_zone

_EXTENSION = "upright.answers"
SLOT_SECONDS = 15 * 60
#: An answer bigger than this share of the memo is not kept (it would evict the others).
LARGEST_SHARE = 8
_OVERHEAD = 256  # bytes counted per entry beyond its body and headers (key, object)

Watermark = Callable[[Any, int, Role], Any]  # (session, owner, role) -> mark | None
Probe = Callable[..., Any]  # (connection, owner=, role=, token_key=, mark=, along=) -> probe
_feed: list[tuple[Watermark, Probe]] = []


def register_feed(watermark: Watermark, probe: Probe) -> None:
    """The caller's change feed (api/sync/watermark.py), registered at start-up: sync sits
    above the domains whose answers are kept."""
    _feed[:] = [(watermark, probe)]


@dataclass(frozen=True)
class Answer:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    mark: Any
    expires_at: dt.datetime | None
    reads: Any
    size: int
    clock: Any = None  # the local date or UTC slot the answer was computed for
    zone: dt.tzinfo = dt.UTC  # the patient's time zone then (a change writes their feed)

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


def clock_key(role: Role, zone: dt.tzinfo, now: dt.datetime) -> Any:
    """A patient's local date (in ``zone``, their time zone); a therapist's 15-minute UTC
    slot."""
    if role == Role.patient:
        return now.astimezone(zone).date()
    return int(now.timestamp()) // SLOT_SECONDS


def _size(body: bytes, headers: tuple[tuple[str, str], ...]) -> int:
    return len(body) + sum(len(k) + len(v) for k, v in headers) + _OVERHEAD


@dataclass(frozen=True)
class Caller:
    """Who the request's valid access token names (no database read yet)."""

    id: int
    role: Role
    token_key: str

    def is_(self, user: User | None) -> bool:
        """Whether ``user``, as signed in, is this caller with the token's role."""
        return (
            user is not None
            and user.id == self.id
            and user.role == self.role
            and same_key(self.token_key, user.token_key)
        )


def _caller(allowed: frozenset[Role]) -> Caller | None:
    """The token's caller when its claims are well formed and its role one of ``allowed``
    (else the normal path answers, 401 or 403, as without the memo)."""
    claims = access_claims()
    if claims is None:
        return None
    sub, role, token_key = claims["sub"], claims.get("role"), claims.get("key")
    if not (isinstance(sub, str) and sub.isascii() and sub.isdigit()):
        return None
    if not isinstance(token_key, str) or not isinstance(role, str) or role not in allowed:
        return None
    return Caller(int(sub), Role(role), token_key)


def _served_again(
    kept: Answer, caller: Caller, along: Callable[[Any], Any] | None, replay: Callable | None
) -> bool:
    """Whether ``kept`` may be served to ``caller``: one statement reads the caller's
    stored role and token key with the check of the feed (and, on PostgreSQL, writes what
    a hit repeats, ``along``, in that statement only when it is served)."""
    probe = _feed[0][1]
    check = {"owner": caller.id, "role": caller.role, "token_key": caller.token_key}
    engine = state().engine
    if engine.dialect.name == "postgresql":
        write = along(kept.reads) if along is not None and kept.reads else None
        # One statement, no transaction to begin or end, no ping on checkout. A
        # connection found dead gives no answer (the normal path, which reconnects, does).
        found = without_checkout_ping(
            engine, lambda connection: probe(connection, mark=kept.mark, along=write, **check)
        )
        replay = None
    else:  # SQLite: in the request's transaction (its write lock is taken at once)
        found = probe(get_session().connection(), mark=kept.mark, **check)
    if found is None or found.changed or found.role != caller.role:
        return False
    if not same_key(caller.token_key, found.token_key):
        return False
    if replay is not None and kept.reads:
        replay(get_session(), current_user(), kept.reads)  # loads the caller: one more
    return True


def memoised(
    endpoint: str,
    *roles: Role,
    key: Callable[[], Any] | None = None,
    when: Callable[[Role], bool] | None = None,
    expires: Callable[[Any, User, bytes], dt.datetime | None] | None = None,
    reads: Callable[[User, bytes], Any] | None = None,
    replay: Callable[[Any, User, Any], None] | None = None,
    along: Callable[[Any], Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Serve the caller's answer again while exact. Put it ABOVE ``login_required`` (a
    kept answer is served before the caller is loaded) with the ``roles`` that endpoint
    allows; below it the endpoint's arguments and response decorators (it keeps the
    rendered response).

    ``key()``: more of the key (e.g. the catalogue version); ``when(role)``: whether this
    request may be kept; ``expires(session, user, body)``: the instant the answer changes
    by the clock alone, if any (read on a miss); ``reads(user, body)``: what a hit must
    repeat (kept with the answer). ``along(reads)`` gives that write for PostgreSQL, as
    SQL sent with the check (``watermark.probe``: it reads the caller's row from ``hit``);
    elsewhere ``replay(session, user, reads)`` repeats it (and commits), as the endpoint
    would have.
    """
    allowed = frozenset(roles)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            answers = memo()
            caller = _caller(allowed) if answers is not None and _feed else None
            if caller is None or (when is not None and not when(caller.role)):
                return view(*args, **kwargs)
            assert answers is not None
            now = utcnow()
            memo_key = (
                caller.id,
                caller.role,
                caller.token_key,
                endpoint,
                tuple(sorted(kwargs.items())),
                tuple(sorted(request.args.items(multi=True))),
                key() if key is not None else None,
            )
            kept = answers.get(memo_key)
            if kept is not None:
                if (
                    (kept.expires_at is None or now < kept.expires_at)
                    and kept.clock == clock_key(caller.role, kept.zone, now)
                    and _served_again(kept, caller, along, replay)
                ):
                    answers.hits += 1
                    return kept.response()
                answers.forget(memo_key)
            session = get_session()
            # Before computing (api/sync/watermark.py), for the role the token names: kept
            # only when the caller signed in is that caller with that role.
            # Its first statement: on a connection checked out without the ping.
            mark = first_read_without_checkout_ping(
                session, lambda: _feed[0][0](session, caller.id, caller.role)
            )
            response = view(*args, **kwargs)
            user = g.get("current_user")
            if mark is None or not caller.is_(user) or not isinstance(response, Response):
                return response
            if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
                return response
            body = response.get_data()
            headers = tuple(response.headers.items())
            zone = time_zone(user.timezone)  # kept: no look-up of the zone on a hit
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
                    clock=clock_key(caller.role, zone, now),
                    zone=zone,
                ),
            )
            return response

        return wrapper

    return decorator
