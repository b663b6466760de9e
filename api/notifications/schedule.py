"""Reminder times: pure functions of local times, days, quiet hours and a time zone.

Rules (a person's times are wall-clock times in their profile's time zone):

- a local time fires at that local time on both sides of a DST change;
- a time that does not exist that day (the clocks spring forward over it) fires at
  the next minute that exists;
- a time that happens twice (the clocks fall back) fires once, the first time;
- nothing fires inside quiet hours ``[start, end)`` (which may cross midnight): it
  moves to their end.

No Flask, no database: data in, instants (aware UTC datetimes) out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SEARCH_MINUTES = 48 * 60  # longest gap to step over (a country once skipped a whole day)


@dataclass(frozen=True)
class Quiet:
    start: dt.time
    end: dt.time

    def contains(self, wall: dt.time) -> bool:
        wall = wall.replace(second=0, microsecond=0, fold=0)
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end  # across midnight


@dataclass(frozen=True)
class Occurrence:
    """A reminder's nominal local date and time, and the instant it fires."""

    local: str  # "2026-11-24T19:00": the same on every worker, used in unique keys
    nominal_at: dt.datetime  # when that local time happens (after DST rules)
    fires_at: dt.datetime  # nominal_at, or the end of quiet hours


def parse_time(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def exists(wall: dt.datetime, zone: ZoneInfo) -> bool:
    """Does this naive local wall time happen in ``zone`` (not in a DST gap)?"""
    there_and_back = wall.replace(tzinfo=zone, fold=0).astimezone(dt.UTC).astimezone(zone)
    return there_and_back.replace(tzinfo=None) == wall


def local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of ``at`` on local ``day``: the first one when it happens twice,
    the next existing minute when it does not happen at all."""
    wall = dt.datetime.combine(day, at.replace(second=0, microsecond=0, fold=0))
    for minute in range(_SEARCH_MINUTES):
        candidate = wall + dt.timedelta(minutes=minute)
        if exists(candidate, zone):
            return candidate.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)
    raise ValueError(f"no existing local time after {wall} in {zone.key}")


def end_of_quiet(instant: dt.datetime, quiet: Quiet | None, zone: ZoneInfo) -> dt.datetime:
    """``instant`` if outside quiet hours, else the instant quiet hours end."""
    if quiet is None:
        return instant
    local = instant.astimezone(zone)
    if not quiet.contains(local.time()):
        return instant
    day = local.date()
    if quiet.start > quiet.end and local.time().replace(fold=0) >= quiet.start:
        day += dt.timedelta(days=1)  # quiet hours end tomorrow morning
    return max(instant, local_instant(day, quiet.end, zone))


def next_occurrence(
    after: dt.datetime,
    *,
    times: Iterable[dt.time],
    days: Iterable[str] | None,
    zone: ZoneInfo,
    quiet: Quiet | None = None,
) -> Occurrence | None:
    """The first nominal occurrence strictly after ``after``, or None (nothing to fire)."""
    times = sorted(set(times))
    allowed = set(DAYS) if days is None else set(days)
    if not times or not allowed:
        return None
    today = after.astimezone(zone).date()
    best: Occurrence | None = None
    for offset in range(-1, 9):
        day = today + dt.timedelta(days=offset)
        if DAYS[day.weekday()] not in allowed:
            continue
        for at in times:
            instant = local_instant(day, at, zone)
            if instant <= after or (best is not None and instant >= best.nominal_at):
                continue
            best = Occurrence(
                local=f"{day.isoformat()}T{at.strftime('%H:%M')}",
                nominal_at=instant,
                fires_at=end_of_quiet(instant, quiet, zone),
            )
    return best


def occurrence_date(local: str) -> dt.date:
    return dt.date.fromisoformat(local[:10])
