"""Reminder times across DST changes, far-east zones and quiet hours (pure functions)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from api.notifications.schedule import Quiet, end_of_quiet, local_instant, next_occurrence
from tests.notifications.conftest import at

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")


def _times(zone, start, days, clock="19:00", weekdays=None, quiet=None):
    """Every occurrence over ``days`` days from ``start`` (UTC)."""
    hours, minutes = map(int, clock.split(":"))
    found, after = [], at(start)
    for _ in range(days):
        occurrence = next_occurrence(
            after, times=[dt.time(hours, minutes)], days=weekdays, zone=zone, quiet=quiet
        )
        found.append(occurrence)
        after = occurrence.nominal_at
    return found


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        # London, last Sunday of March: GMT on Saturday, BST on Sunday
        (LONDON, "2026-03-27T20:00Z", ["2026-03-28T19:00Z", "2026-03-29T18:00Z"]),
        # London, last Sunday of October: BST on Saturday, GMT on Sunday
        (LONDON, "2026-10-23T20:00Z", ["2026-10-24T18:00Z", "2026-10-25T19:00Z"]),
        # New York, second Sunday of March and first Sunday of November
        (NEW_YORK, "2026-03-07T12:00Z", ["2026-03-08T00:00Z", "2026-03-08T23:00Z"]),
        (NEW_YORK, "2026-10-31T12:00Z", ["2026-10-31T23:00Z", "2026-11-02T00:00Z"]),
        # Lord Howe moves its clocks by 30 minutes (first Sunday of October and April)
        (LORD_HOWE, "2026-10-02T12:00Z", ["2026-10-03T08:30Z", "2026-10-04T08:00Z"]),
        (LORD_HOWE, "2026-04-03T12:00Z", ["2026-04-04T08:00Z", "2026-04-05T08:30Z"]),
    ],
)
def test_a_local_time_fires_at_that_local_time_on_both_sides_of_a_dst_change(zone, start, expected):
    found = _times(zone, start, 2)
    assert [o.fires_at for o in found] == [at(e) for e in expected]
    assert all(o.fires_at.astimezone(zone).strftime("%H:%M") == "19:00" for o in found)


@pytest.mark.parametrize(
    ("zone", "day", "clock", "fires_local", "fires_utc"),
    [
        (LONDON, "2026-03-29", "01:30", "02:00", "2026-03-29T01:00Z"),
        (LONDON, "2026-03-29", "01:00", "02:00", "2026-03-29T01:00Z"),
        (NEW_YORK, "2026-03-08", "02:30", "03:00", "2026-03-08T07:00Z"),
        (LORD_HOWE, "2026-10-04", "02:10", "02:30", "2026-10-03T15:30Z"),
    ],
)
def test_a_time_skipped_by_spring_forward_fires_at_the_next_existing_minute(
    zone, day, clock, fires_local, fires_utc
):
    hours, minutes = map(int, clock.split(":"))
    instant = local_instant(dt.date.fromisoformat(day), dt.time(hours, minutes), zone)
    assert instant == at(fires_utc)
    assert instant.astimezone(zone).strftime("%H:%M") == fires_local


@pytest.mark.parametrize(
    ("zone", "start", "clock", "first_utc"),
    [
        (LONDON, "2026-10-24T12:00Z", "01:30", "2026-10-25T00:30Z"),  # BST 01:30, not GMT
        (NEW_YORK, "2026-10-31T12:00Z", "01:30", "2026-11-01T05:30Z"),  # EDT 01:30
        (LORD_HOWE, "2026-04-04T00:00Z", "01:45", "2026-04-04T14:45Z"),  # +11:00, not +10:30
    ],
)
def test_a_time_that_happens_twice_fires_once(zone, start, clock, first_utc):
    first, second = _times(zone, start, 2, clock=clock)
    assert first.fires_at == at(first_utc)
    # the next one is a day later, not the repeat an hour (or half an hour) on
    assert second.local[:10] != first.local[:10]
    assert second.fires_at - first.fires_at > dt.timedelta(hours=23)


def test_a_skipped_time_and_the_next_existing_minute_do_not_fire_twice():
    after = at("2026-03-28T20:00Z")
    times = [dt.time(1, 30), dt.time(2, 0)]
    first = next_occurrence(after, times=times, days=None, zone=LONDON)
    again = next_occurrence(first.nominal_at, times=times, days=None, zone=LONDON)
    assert first.fires_at == at("2026-03-29T01:00Z")
    assert again.fires_at == at("2026-03-30T00:30Z")  # Monday 01:30 BST


def test_kiritimati_is_fourteen_hours_ahead_and_a_day_earlier_in_utc():
    # 06:00 UTC on the 24th is already 20:00 on the 24th in Kiritimati
    occurrence = next_occurrence(
        at("2026-11-24T06:00Z"), times=[dt.time(19)], days=None, zone=KIRITIMATI
    )
    assert occurrence.local == "2026-11-25T19:00"
    assert occurrence.fires_at == at("2026-11-25T05:00Z")
    # days of the week are the local ones: a Tuesday in Kiritimati is Monday in UTC
    tuesday = next_occurrence(
        at("2026-11-22T00:00Z"), times=[dt.time(9)], days=["tue"], zone=KIRITIMATI
    )
    assert tuesday.local == "2026-11-24T09:00"
    assert tuesday.fires_at == at("2026-11-23T19:00Z")


def test_days_of_week_skip_the_other_days():
    found = _times(LONDON, "2026-11-23T00:00Z", 3, weekdays=["mon", "fri"])
    assert [o.local for o in found] == ["2026-11-23T19:00", "2026-11-27T19:00", "2026-11-30T19:00"]


def test_quiet_hours_across_midnight_move_a_reminder_to_their_end():
    quiet = Quiet(dt.time(22), dt.time(7))
    late = next_occurrence(
        at("2026-11-24T12:00Z"), times=[dt.time(23, 30)], days=None, zone=LONDON, quiet=quiet
    )
    assert late.local == "2026-11-24T23:30"
    assert late.fires_at == at("2026-11-25T07:00Z")
    early = next_occurrence(
        at("2026-11-24T12:00Z"), times=[dt.time(6, 15)], days=None, zone=LONDON, quiet=quiet
    )
    assert early.fires_at == at("2026-11-25T07:00Z")
    outside = next_occurrence(
        at("2026-11-24T12:00Z"), times=[dt.time(21, 59)], days=None, zone=LONDON, quiet=quiet
    )
    assert outside.fires_at == outside.nominal_at
    assert quiet.contains(dt.time(22)) and not quiet.contains(dt.time(7))


def test_quiet_hours_in_the_day_and_on_a_dst_night():
    nap = Quiet(dt.time(13), dt.time(15))
    assert end_of_quiet(at("2026-11-24T14:00Z"), nap, LONDON) == at("2026-11-24T15:00Z")
    assert end_of_quiet(at("2026-11-24T15:00Z"), nap, LONDON) == at("2026-11-24T15:00Z")
    night = Quiet(dt.time(23), dt.time(7))
    # the clocks go back in the night: quiet hours end at 07:00 GMT, 8 hours after 23:00 BST
    assert end_of_quiet(at("2026-10-24T22:30Z"), night, LONDON) == at("2026-10-25T07:00Z")


def test_nothing_to_fire_when_no_day_or_time_is_chosen():
    assert next_occurrence(at("2026-11-24T12:00Z"), times=[], days=None, zone=LONDON) is None
    assert (
        next_occurrence(at("2026-11-24T12:00Z"), times=[dt.time(9)], days=[], zone=LONDON) is None
    )
