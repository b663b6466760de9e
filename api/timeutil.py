"""The one clock, and a person's "day" computed in their own time zone.

Every "now" in Upright comes from ``clock`` (through ``utcnow``, which
``api.database`` re-exports for column defaults): services, validators and
models never call ``datetime.now`` or ``date.today`` themselves. The clock reads
the system time; a tool or a test may give it another source for a while
(``with clock.source(lambda: moment): ...``). The test suite freezes the system
time itself with time-machine, which also covers libraries that read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from zoneinfo import ZoneInfo

Source = Callable[[], dt.datetime]


def _system_time() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Clock:
    """Where the time comes from: the system's, unless a source is given."""

    def __init__(self) -> None:
        self._source: Source = _system_time

    def now(self) -> dt.datetime:
        moment = self._source()
        if moment.tzinfo is None:
            raise ValueError("the clock's source gave a naive datetime")
        return moment.astimezone(dt.UTC)

    @contextmanager
    def source(self, source: Source) -> Iterator[Clock]:
        """Read the time from ``source`` inside the block (a function returning aware times)."""
        previous, self._source = self._source, source
        try:
            yield self
        finally:
            self._source = previous


clock = Clock()


def utcnow() -> dt.datetime:
    """Now, as a timezone-aware UTC datetime, from the one clock."""
    return clock.now()


def local_today(timezone: str, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the person is (``timezone`` is an IANA name)."""
    return (now or utcnow()).astimezone(time_zone(timezone)).date()


@cache
def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, kept once read. ``ZoneInfo`` itself keeps only the 8
    zones used last (and those still referenced), so with patients in more zones than
    that it read a zone's file again on most requests. The names are those
    ``api.validation.validate_timezone`` accepts: a bounded cache."""
    return ZoneInfo(name)
