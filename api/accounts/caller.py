"""A patient vouched for by their access token, confirmed by the route's first statement.

Signing in reads the caller's row before the route runs (is the token's key still the
account's?): a statement of its own. The patient's two everyday writes, ``createCheckIn``
and ``createSession``, read that row within their own first statement instead (the
read of earlier check-ins or sessions), one round trip fewer, and go on only when it
confirms the token:

- the token is a valid access token (signature, expiry) naming a role the route allows,
  and this process signed the account in before: it remembers their time zone
  (``Zones``), which the route needs before its first statement (the local date);
- that statement reads the stored role, token key and time zone along with its own rows;
  the route uses those rows only when all three are the token's and the remembered ones
  (``Vouched.confirm``);
- anything else (no row: the account is gone or has another role; another key; a new
  time zone) signs the caller in the usual way (``Vouched.load``: 401 or 403 as before)
  and the route starts again with the account loaded. An error raised before the
  confirmation (a body refused with 422) is answered only after that sign-in, so a token
  that no longer holds still gets its 401 first.

Nothing is answered, written or read beyond the statement itself before the confirmation,
and the remembered time zone is only a guess that the statement checks: a stale one costs
the usual sign-in, never a wrong date.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import suppress
from typing import NamedTuple

from api.accounts.credentials import same_key
from api.accounts.models import User

#: Time zones remembered per app (by account id): a few bytes each, the oldest
#: forgotten first past this many.
REMEMBERED_ZONES = 20_000


class Zones:
    """The time zones of the patients an app (a server process) has signed in."""

    def __init__(self, limit: int = REMEMBERED_ZONES) -> None:
        self.limit = limit
        self._zones: dict[int, str] = {}

    def remember(self, user_id: int, timezone: str) -> None:
        if self._zones.get(user_id) == timezone:
            return
        self._zones[user_id] = sys.intern(timezone)
        if len(self._zones) > self.limit:
            with suppress(KeyError, RuntimeError, StopIteration):  # another thread was first
                del self._zones[next(iter(self._zones))]

    def get(self, user_id: int) -> str | None:
        return self._zones.get(user_id)

    def __len__(self) -> int:
        return len(self._zones)


class StoredCaller(NamedTuple):
    """What a route's first statement read of the account the token names."""

    role: str
    token_key: str
    timezone: str


class Vouched:
    """A signed-in patient not loaded yet: ``id``, ``role`` and ``token_key`` from the
    token's claims, ``timezone`` remembered. ``load`` is the usual sign-in."""

    __slots__ = ("_load", "id", "role", "settled", "timezone", "token_key")

    def __init__(
        self, id: int, role: str, token_key: str, timezone: str, load: Callable[[], User]
    ) -> None:
        self.id = id
        self.role = role
        self.token_key = token_key
        self.timezone = timezone
        self._load = load
        #: Confirmed, or signed in the usual way: the route's answer stands as it is.
        self.settled = False

    def confirm(self, stored: StoredCaller | None) -> bool:
        """True when the account's stored role, key and zone are the token's and the one
        remembered: the route goes on with its rows."""
        confirmed = (
            stored is not None
            and stored.role == self.role
            and same_key(self.token_key, stored.token_key)
            and stored.timezone == self.timezone
        )
        self.settled = confirmed
        return confirmed

    def load(self) -> User:
        """The account, signed in the usual way (401 or 403 when the token no longer holds)."""
        user = self._load()
        self.settled = True
        return user

    def __repr__(self) -> str:
        return f"Vouched(id={self.id})"


Caller = User | Vouched
