"""Shared validators: time zone names."""

from __future__ import annotations

import zoneinfo

import pytest

from api.validation import canonical_timezones

NOT_CANONICAL = [
    "localtime",  # the host's own setting, not an IANA name
    "posixrules",
    "Factory",
    "EST5EDT",  # System V rule names
    "EST",
    "Etc/GMT+5",  # inverted sign: UTC-5
    "Etc/UTC",
    "GMT",
    "US/Eastern",  # backward-compatibility links
    "Asia/Calcutta",
    "Europe/Kiev",
    "GB",
]
CANONICAL = [
    "UTC",
    "Europe/London",
    "Europe/Amsterdam",  # listed for its country though its data is Brussels'
    "Europe/Kyiv",
    "Asia/Kolkata",
    "America/Argentina/Buenos_Aires",
    "Pacific/Kiritimati",
]


@pytest.mark.parametrize("name", NOT_CANONICAL)
def test_non_canonical_time_zones_are_422(client, make, name):
    headers = make.headers(make.patient())
    response = client.patch("/api/v1/me", json={"timezone": name}, headers=headers)
    assert response.status_code == 422
    assert "timezone" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("name", CANONICAL)
def test_canonical_time_zones_are_accepted(client, make, name):
    headers = make.headers(make.patient())
    response = client.patch("/api/v1/me", json={"timezone": name}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["timezone"] == name


@pytest.mark.parametrize(
    ("old", "new"), [("Asia/Calcutta", "Asia/Kolkata"), ("US/Eastern", "America/New_York")]
)
def test_an_old_name_is_answered_with_the_current_one(client, old, new):
    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": "tz@example.org",
            "password": "a long enough passphrase",
            "display_name": "Tz",
            "timezone": old,
        },
    )
    assert response.status_code == 422
    assert new in response.get_json()["errors"]["json"]["timezone"][0]


def test_every_canonical_name_loads_and_none_is_a_legacy_name():
    names = canonical_timezones()
    assert len(names) > 400
    for name in names:
        zoneinfo.ZoneInfo(name)
        assert name == "UTC" or ("/" in name and not name.startswith("Etc/")), name
