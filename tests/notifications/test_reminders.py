"""Reminder settings and reminders fired by the job round with an injected clock."""

from __future__ import annotations

import datetime as dt

import pytest

from api.checkins.models import CheckIn
from api.database import get_session
from tests.notifications.conftest import at, inbox, tick

SETTINGS = {
    "check_in": {"enabled": True, "time": "19:00", "days_of_week": ["mon", "tue", "wed"]},
    "exercise": {"enabled": True, "times": ["08:00", "18:30"]},
    "missed_sessions": {"enabled": False, "after_days": 3},
    "quiet_hours": {"start": "22:00", "end": "07:00"},
}


@pytest.fixture
def clock(monkeypatch):
    """Set the time the routes see (the round takes its time from ``tick``)."""
    from api.notifications import routes

    def set_to(when: str) -> None:
        monkeypatch.setattr(routes, "utcnow", lambda: at(when))

    return set_to


def _put(client, headers, **changes):
    return client.put("/api/v1/me/reminders", json={**SETTINGS, **changes}, headers=headers)


def test_defaults_are_a_daily_check_in_at_19_and_a_missed_sessions_nudge(client, make):
    headers = make.headers(make.patient(timezone="Europe/London"))
    body = client.get("/api/v1/me/reminders", headers=headers).get_json()
    assert body["check_in"] == {
        "enabled": True,
        "time": "19:00",
        "days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    }
    assert body["exercise"]["enabled"] is False
    assert body["missed_sessions"] == {"enabled": True, "after_days": 2}
    assert body["quiet_hours"] is None
    assert body["timezone"] == "Europe/London"
    assert body["next"]["check_in"].endswith(("T19:00:00+00:00", "T18:00:00+00:00"))
    assert body["next"]["exercise"] is None


def test_put_replaces_the_settings_and_answers_the_next_times(client, make):
    headers = make.headers(make.patient(timezone="America/New_York"))
    response = _put(client, headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["exercise"]["times"] == ["08:00", "18:30"]
    assert body["quiet_hours"] == {"start": "22:00", "end": "07:00"}
    assert body["next"]["missed_sessions"] is None
    assert client.get("/api/v1/me/reminders", headers=headers).get_json() == body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"check_in": {"enabled": True, "time": "24:00", "days_of_week": ["mon"]}}, "check_in"),
        ({"check_in": {"enabled": True, "time": "7:00", "days_of_week": ["mon"]}}, "check_in"),
        ({"check_in": {"enabled": True, "time": "19:00", "days_of_week": []}}, "check_in"),
        ({"check_in": {"enabled": True, "time": "19:00", "days_of_week": ["funday"]}}, "check_in"),
        (
            {"check_in": {"enabled": True, "time": "19:00", "days_of_week": ["mon", "mon"]}},
            "check_in",
        ),
        ({"exercise": {"enabled": True, "times": []}}, "exercise"),
        ({"exercise": {"enabled": True, "times": ["08:00"] * 2}}, "exercise"),
        ({"exercise": {"enabled": True, "times": [f"0{n}:00" for n in range(7)]}}, "exercise"),
        ({"missed_sessions": {"enabled": True, "after_days": 0}}, "missed_sessions"),
        ({"missed_sessions": {"enabled": True, "after_days": "2"}}, "missed_sessions"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_reminder_settings_are_refused_naming_the_field(client, make, changes, field):
    headers = make.headers(make.patient())
    response = _put(client, headers, **changes)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


def test_a_missing_part_is_refused(client, make):
    headers = make.headers(make.patient())
    body = {k: v for k, v in SETTINGS.items() if k != "exercise"}
    response = client.put("/api/v1/me/reminders", json=body, headers=headers)
    assert response.status_code == 422
    assert "exercise" in response.get_json()["errors"]["json"]


def test_therapists_have_no_reminders(client, make):
    headers = make.headers(make.therapist())
    assert client.get("/api/v1/me/reminders", headers=headers).status_code == 403


def test_the_check_in_reminder_fires_once_at_19_local_and_not_before(app, make):
    patient = make.patient(timezone="Europe/London")
    tick(app, "2026-11-24T12:00Z")  # gives the patient their default schedule
    tick(app, "2026-11-24T18:59Z")
    assert inbox(app, patient) == []
    for minute in ("19:00", "19:00", "19:01", "19:30"):
        tick(app, f"2026-11-24T{minute}Z")
    reminders = inbox(app, patient, "check_in_reminder")
    assert len(reminders) == 1
    assert reminders[0].created_at == at("2026-11-24T19:00Z")
    assert reminders[0].data == {"path": "/check-ins/new"}
    tick(app, "2026-11-25T19:00Z")
    assert len(inbox(app, patient, "check_in_reminder")) == 2


def test_no_check_in_reminder_once_that_local_days_check_in_exists(app, client, make):
    patient = make.patient(timezone="Pacific/Kiritimati")
    tick(app, "2026-11-23T12:00Z")
    with app.app_context():  # the patient checked in on the 24th, local time
        session = get_session()
        session.add(CheckIn(patient_id=patient, local_date=dt.date(2026, 11, 24), pain=2))
        session.commit()
    tick(app, "2026-11-24T05:00Z")  # 19:00 on the 24th in Kiritimati (UTC+14)
    assert inbox(app, patient) == []
    tick(app, "2026-11-25T05:00Z")  # the 25th: no check-in yet
    assert [n.kind for n in inbox(app, patient)] == ["check_in_reminder"]


@pytest.mark.parametrize(
    ("zone", "days", "expected"),
    [
        # London: Saturday 19:00 GMT, Sunday 19:00 BST (last Sunday of March)
        ("Europe/London", ("2026-03-28", "2026-03-29"), ["2026-03-28T19:00Z", "2026-03-29T18:00Z"]),
        # ... and back in October
        ("Europe/London", ("2026-10-24", "2026-10-25"), ["2026-10-24T18:00Z", "2026-10-25T19:00Z"]),
        (
            "America/New_York",
            ("2026-03-07", "2026-03-08"),
            ["2026-03-08T00:00Z", "2026-03-08T23:00Z"],
        ),
        (
            "Australia/Lord_Howe",
            ("2026-10-03", "2026-10-04"),
            ["2026-10-03T08:30Z", "2026-10-04T08:00Z"],
        ),
    ],
)
def test_ticking_every_15_minutes_through_a_dst_change_fires_each_day_once(
    app, make, zone, days, expected
):
    patient = make.patient(timezone=zone)
    start = at(expected[0]) - dt.timedelta(hours=20)
    tick(app, start)
    now = start
    while now <= at(expected[1]) + dt.timedelta(hours=1):
        now += dt.timedelta(minutes=15)
        tick(app, now)
    fired = inbox(app, patient, "check_in_reminder")
    assert [n.created_at for n in fired] == [at(e) for e in expected]
    assert [n.dedup_key.rsplit("|", 1)[1] for n in fired] == [f"{d}T19:00" for d in days]


def test_an_ambiguous_time_fires_once_when_the_clocks_go_back(app, client, make, clock):
    clock("2026-10-24T12:00Z")
    patient = make.patient(timezone="Europe/London")
    headers = make.headers(patient)
    body = {**SETTINGS, "quiet_hours": None}
    body["check_in"] = {"enabled": True, "time": "01:30", "days_of_week": ["sun"]}
    assert client.put("/api/v1/me/reminders", json=body, headers=headers).status_code == 200
    now = at("2026-10-24T23:00Z")
    tick(app, now)
    while now < at("2026-10-25T03:00Z"):
        now += dt.timedelta(minutes=5)
        tick(app, now)
    fired = inbox(app, patient, "check_in_reminder")
    assert [n.created_at for n in fired] == [at("2026-10-25T00:30Z")]  # 01:30 BST only


def test_quiet_hours_hold_a_reminder_until_they_end(app, client, make, clock):
    clock("2026-11-24T12:00Z")
    patient = make.patient(timezone="Europe/London")
    headers = make.headers(patient)
    body = {**SETTINGS, "exercise": {"enabled": False, "times": ["08:00"]}}
    body["check_in"] = {"enabled": True, "time": "23:15", "days_of_week": list(_DAYS)}
    assert client.put("/api/v1/me/reminders", json=body, headers=headers).status_code == 200
    tick(app, "2026-11-24T23:15Z")
    tick(app, "2026-11-25T06:59Z")
    assert inbox(app, patient) == []
    tick(app, "2026-11-25T07:00Z")
    fired = inbox(app, patient, "check_in_reminder")
    assert len(fired) == 1 and fired[0].dedup_key.endswith("2026-11-24T23:15")


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def test_a_new_time_zone_recomputes_the_next_times(app, client, make):
    patient = make.patient(timezone="Europe/London")
    headers = make.headers(patient)
    tick(app, "2026-11-24T12:00Z")
    assert (
        client.patch("/api/v1/me", json={"timezone": "Asia/Tokyo"}, headers=headers).status_code
        == 200
    )
    tick(app, "2026-11-24T12:01Z")  # notices the change: next is 19:00 in Tokyo
    tick(app, "2026-11-24T19:00Z")  # 19:00 London: nothing any more
    assert inbox(app, patient) == []
    tick(app, "2026-11-25T10:00Z")  # 19:00 in Tokyo
    assert [n.kind for n in inbox(app, patient)] == ["check_in_reminder"]
    assert (
        client.get("/api/v1/me/reminders", headers=headers).get_json()["timezone"] == "Asia/Tokyo"
    )


def test_a_reminder_found_hours_late_is_skipped_not_sent(app, make):
    patient = make.patient(timezone="UTC")
    tick(app, "2026-11-24T12:00Z")
    tick(app, "2026-11-25T02:00Z")  # the scheduler was down from 19:00 until 02:00
    assert inbox(app, patient) == []
    tick(app, "2026-11-25T19:00Z")
    assert len(inbox(app, patient)) == 1


def test_switching_a_reminder_off_stops_it(app, client, make, clock):
    clock("2026-11-24T12:00Z")
    patient = make.patient(timezone="UTC")
    headers = make.headers(patient)
    tick(app, "2026-11-24T12:00Z")
    body = {**SETTINGS, "check_in": {"enabled": False, "time": "19:00", "days_of_week": ["mon"]}}
    body["exercise"] = {"enabled": False, "times": ["08:00"]}
    assert client.put("/api/v1/me/reminders", json=body, headers=headers).status_code == 200
    for day in range(24, 31):
        tick(app, f"2026-11-{day}T19:00Z")
    assert inbox(app, patient) == []


MISSED_AFTER_2 = {"enabled": True, "after_days": 2}


def _programme_world(app, client, make, clock, *, starts_days_before: int, **reminders):
    """A patient (UTC) with a daily programme; returns (patient, headers, day D)."""
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    patient = make.patient(timezone="UTC", country="GB", birth_year=1970)
    therapist = make.therapist()
    make.link(therapist, patient)
    headers = make.headers(patient)
    programme = {
        "patient_id": patient,
        "title": "Daily mobility",
        "starts_on": (day - dt.timedelta(days=starts_days_before)).isoformat(),
        "days_of_week": list(_DAYS),
        "items": [{"exercise": "chin-tuck", "days_of_week": list(_DAYS)}],
    }
    created = client.post("/api/v1/programmes", json=programme, headers=make.headers(therapist))
    assert created.status_code == 201, created.get_json()
    clock(f"{day - dt.timedelta(days=1)}T12:00Z")
    body = {**SETTINGS, "quiet_hours": None, **reminders}
    assert client.put("/api/v1/me/reminders", json=body, headers=headers).status_code == 200
    return patient, headers, day, created.get_json()


def test_exercise_reminders_fire_on_days_with_exercises_due(app, client, make, clock):
    patient, _, day, _ = _programme_world(app, client, make, clock, starts_days_before=0)
    tick(app, f"{day}T08:00Z")
    tick(app, f"{day}T18:30Z")
    fired = inbox(app, patient, "exercise_reminder")
    assert [n.created_at for n in fired] == [at(f"{day}T08:00Z"), at(f"{day}T18:30Z")]
    assert fired[0].body == "Your exercises for today are ready."


def test_no_exercise_reminder_when_nothing_is_due_or_all_is_done(app, client, make, clock):
    from tests.sessions.helpers import insert_session

    patient, _, day, programme = _programme_world(app, client, make, clock, starts_days_before=0)
    item = programme["version"]["items"][0]["id"]
    insert_session(
        app,
        patient,
        day,
        [{"exercise": "chin-tuck", "programme_item": item}],
        programme_id=programme["id"],
    )
    tick(app, f"{day}T08:00Z")  # today's one item is already done
    assert inbox(app, patient, "exercise_reminder") == []
    lonely = make.patient(timezone="UTC")  # no programme at all
    headers = make.headers(lonely)
    assert (
        client.put(
            "/api/v1/me/reminders", json={**SETTINGS, "quiet_hours": None}, headers=headers
        ).status_code
        == 200
    )
    tick(app, f"{day + dt.timedelta(days=1)}T08:00Z")
    assert inbox(app, lonely) == []


def test_no_exercise_nudges_while_an_exercise_hold_stands(app, client, make, clock):
    patient, headers, day, _ = _programme_world(
        app, client, make, clock, starts_days_before=3, missed_sessions=MISSED_AFTER_2
    )
    emergency = {"pain": 6, "symptoms": ["saddle_numbness", "bladder_change"]}
    assert client.post("/api/v1/check-ins", json=emergency, headers=headers).status_code == 201
    for when in ("08:00", "10:00", "18:30"):
        tick(app, f"{day}T{when}Z")
    kinds = {n.kind for n in inbox(app, patient)}
    assert "exercise_reminder" not in kinds and "missed_sessions" not in kinds


def test_a_missed_sessions_nudge_after_n_days_at_most_every_n_days(app, client, make, clock):
    patient, _, day, _ = _programme_world(
        app,
        client,
        make,
        clock,
        starts_days_before=3,
        exercise={"enabled": False, "times": ["08:00"]},
        missed_sessions=MISSED_AFTER_2,
    )
    for offset in range(4):
        tick(app, f"{day + dt.timedelta(days=offset)}T10:00Z")
    fired = inbox(app, patient, "missed_sessions")
    assert [n.created_at.date() for n in fired] == [day, day + dt.timedelta(days=2)]
    assert fired[0].body == (
        "No exercises logged for 2 days. A short session today helps you keep going."
    )


def test_no_missed_sessions_nudge_after_a_logged_session(app, client, make, clock):
    from tests.sessions.helpers import insert_session

    patient, _, day, _ = _programme_world(
        app, client, make, clock, starts_days_before=3, missed_sessions=MISSED_AFTER_2
    )
    insert_session(app, patient, day - dt.timedelta(days=1), [{"exercise": "chin-tuck"}])
    tick(app, f"{day}T10:00Z")
    assert inbox(app, patient, "missed_sessions") == []


def test_no_missed_sessions_nudge_when_a_day_had_nothing_due(app, client, make, clock):
    patient, _, day, _ = _programme_world(
        app, client, make, clock, starts_days_before=1, missed_sessions=MISSED_AFTER_2
    )  # the programme began yesterday: only one day was due
    tick(app, f"{day}T10:00Z")
    assert inbox(app, patient, "missed_sessions") == []


def test_two_exercise_times_moved_by_quiet_hours_fire_once(app, client, make, clock):
    patient, _, day, _ = _programme_world(
        app,
        client,
        make,
        clock,
        starts_days_before=0,
        exercise={"enabled": True, "times": ["06:00", "06:30"]},
        quiet_hours={"start": "22:00", "end": "07:00"},
    )
    for when in ("06:00", "06:30", "06:59", "07:00", "07:01"):
        tick(app, f"{day}T{when}Z")
    fired = inbox(app, patient, "exercise_reminder")
    assert [n.created_at for n in fired] == [at(f"{day}T07:00Z")]
