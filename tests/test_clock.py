"""The one clock: every "now" and "today" in the code comes from api.timeutil.clock."""

from __future__ import annotations

import datetime as dt
import gc
import re
import weakref
import zoneinfo
from pathlib import Path

import pytest

from api.timeutil import clock, local_today, time_zone, utcnow

API = Path(__file__).resolve().parent.parent / "api"
SYSTEM_TIME = re.compile(
    r"\b(datetime\.(now|utcnow|today)|date\.today|time\.time(_ns)?|time\.localtime)\("
)
# Access tokens: PyJWT checks `exp` against the system time itself, so their issuing time
# follows the same system time (the test suite freezes that with time-machine). The rate
# limiter's windows are kept by the limits library in system time, so a 429's Retry-After
# is computed against that same time.
READS_SYSTEM_TIME = {"timeutil.py", "accounts/credentials.py", "extensions.py"}


def test_the_code_reads_the_time_only_through_the_clock():
    offenders = [
        f"{path.relative_to(API)}:{number}: {line.strip()}"
        for path in sorted(API.rglob("*.py"))
        if str(path.relative_to(API)) not in READS_SYSTEM_TIME
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if SYSTEM_TIME.search(line)
    ]
    assert offenders == []


def test_a_clock_source_moves_now_and_every_local_day():
    moment = dt.datetime(2031, 6, 1, 23, 30, tzinfo=dt.UTC)
    with clock.source(lambda: moment):
        assert utcnow() == moment
        assert local_today("Europe/London") == dt.date(2031, 6, 2)  # 00:30 BST
        assert local_today("America/New_York") == dt.date(2031, 6, 1)
    assert utcnow() != moment


def test_a_naive_clock_source_is_refused():
    with clock.source(lambda: dt.datetime(2031, 6, 1)), pytest.raises(ValueError):
        utcnow()


def test_check_in_dates_and_birth_years_follow_the_clock(client, make):
    headers = make.headers(make.patient(timezone="Pacific/Kiritimati"))  # UTC+14
    moment = dt.datetime(2031, 12, 31, 10, 0, tzinfo=dt.UTC)  # already 2032-01-01 there
    with clock.source(lambda: moment):
        check_in = client.post("/api/v1/check-ins", json={"pain": 2}, headers=headers)
        assert check_in.status_code == 201, check_in.get_json()
        assert check_in.get_json()["date"] == "2032-01-01"
        # the youngest birth year accepted is 10 years before the clock's year
        too_young = client.patch("/api/v1/me", json={"birth_year": 2022}, headers=headers)
        assert too_young.status_code == 422
        assert "2021" in too_young.get_json()["errors"]["json"]["birth_year"][0]
        assert (
            client.patch("/api/v1/me", json={"birth_year": 2021}, headers=headers).status_code
            == 200
        )


def test_a_time_zone_is_read_once_however_many_zones_come_between():
    """``ZoneInfo`` keeps only the 8 zones used last: ``time_zone`` keeps every one read,
    the same zone object each time (no file read again), and refuses unknown names."""
    first = weakref.ref(time_zone("Pacific/Auckland"))  # nothing else holds it
    others = sorted(zoneinfo.available_timezones() - {"Pacific/Auckland"})[:20]
    for name in others:
        assert time_zone(name).key == name
    gc.collect()
    assert first() is not None and time_zone("Pacific/Auckland") is first()
    assert local_today("Pacific/Auckland", dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)) == dt.date(
        2026, 1, 2
    )
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        time_zone("Mars/Olympus_Mons")
