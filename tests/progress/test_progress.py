"""Progress: pain series and change, adherence (schedules, versions, pauses, holds,
time zones), streaks, range rules, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from api.accounts.models import User
from api.catalogue.models import Exercise
from api.checkins.models import CheckIn
from api.database import get_session, state, utcnow
from api.programmes.models import Programme, ProgrammeItem, ProgrammePause, ProgrammeVersion
from api.progress.service import pain_change
from exercises.vocabulary import DAYS_OF_WEEK
from tests import factories
from tests.sessions.helpers import insert_session, today


def ago(n: int, tz: str | None = None) -> dt.date:
    return today(tz) - dt.timedelta(days=n)


def add_programme(
    app, patient: int, starts_on: dt.date, *, days=DAYS_OF_WEEK, times_per_day=1, **fields
) -> tuple[int, int]:
    """A programme written straight to the database (the API allows at most 30 days
    back); returns (programme id, item id)."""
    with app.app_context():
        session = get_session()
        exercise = session.query(Exercise).filter_by(slug="chin-tuck").one()
        fields.setdefault("status", "active")
        programme = Programme(patient_id=patient, title="Test", starts_on=starts_on, **fields)
        version = ProgrammeVersion(number=1, days_of_week=list(days))
        version.items.append(
            ProgrammeItem(
                position=0,
                exercise_id=exercise.id,
                exercise_slug="chin-tuck",
                sets=2,
                reps=10,
                rest_seconds=30,
                times_per_day=times_per_day,
                days_of_week=list(days),
            )
        )
        programme.versions.append(version)
        session.add(programme)
        session.commit()
        return programme.id, version.items[0].id


def done(app, patient, item, *days_back, tz=None, programme=None):
    for n in days_back:
        insert_session(
            app,
            patient,
            ago(n, tz),
            [{"exercise": "chin-tuck", "programme_item": item}],
            tz=tz,
            programme_id=programme,
        )


def pause(app, programme: int, start: dt.datetime, end: dt.datetime | None) -> None:
    with app.app_context():
        session = get_session()
        session.add(
            ProgrammePause(
                programme_id=programme, paused_by="patient", started_at=start, ended_at=end
            )
        )
        session.commit()


def report(client, headers, **query):
    response = client.get("/api/v1/me/progress", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def record_psfs(client, headers) -> None:
    """A PSFS with three activities scored 5."""
    client.post(
        "/api/v1/outcomes",
        json={
            "instrument": "psfs",
            "answers": {"activities": [{"activity": f"a{n}", "score": 5} for n in range(3)]},
        },
        headers=headers,
    )


def midnight(day: dt.date, tz: str | None = None, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), ZoneInfo(tz or factories.PATIENT_TIMEZONE))


def test_adherence_with_pauses_caps_and_streak(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    programme, item = add_programme(app, patient, ago(13), times_per_day=2)
    done(app, patient, item, *[n for n in range(6, 14) for _ in range(2)])  # 2 a day, -13..-6
    done(app, patient, item, 6)  # a third on day -6: capped at 2
    pause(app, programme, midnight(ago(5), hour=9), midnight(ago(3), hour=18))  # -5..-3
    done(app, patient, item, 2, 2, 1, 1, 0)  # -2 and -1 complete, today half
    body = report(client, headers, **{"from": ago(13).isoformat()})
    adherence = body["adherence"]
    assert (adherence["prescribed"], adherence["completed"]) == (22, 21)
    assert adherence["rate"] == round(21 / 22, 2)
    assert sum(w["prescribed"] for w in adherence["weeks"]) == 22
    assert sum(w["completed"] for w in adherence["weeks"]) == 21
    assert all(w["week"].count("-W") == 1 for w in adherence["weeks"])
    # today is still going on; the paused days neither count nor break the streak
    assert adherence["current_streak_days"] == 10


def test_streak_breaks_on_a_missed_day(app, client, make):
    patient = make.patient()
    _, item = add_programme(app, patient, ago(10))
    done(app, patient, item, 0, 1, 3, 4)  # day -2 missed
    assert report(client, make.headers(patient))["adherence"]["current_streak_days"] == 2
    other = make.patient()
    _, item = add_programme(app, other, ago(10))
    done(app, other, item, 2, 3)  # yesterday missed: no current streak
    assert report(client, make.headers(other))["adherence"]["current_streak_days"] == 0


def test_only_scheduled_days_count(app, client, make):
    patient = make.patient()
    weekday = DAYS_OF_WEEK[today().weekday()]
    _, item = add_programme(app, patient, ago(13), days=[weekday])  # due today and day -7
    done(app, patient, item, 7, 6, 5)  # -6 and -5 are not due: they do not count
    adherence = report(client, make.headers(patient))["adherence"]
    assert (adherence["prescribed"], adherence["completed"]) == (2, 1)
    assert adherence["current_streak_days"] == 1  # today not done yet; day -7 done


def test_hold_days_and_ended_programmes_are_not_prescribed(app, client, make):
    from api.alerts.models import ExerciseHold

    patient = make.patient()
    add_programme(app, patient, ago(9), ends_on=ago(2))  # -9..-2: 8 days
    with app.app_context():
        session = get_session()
        session.add(
            ExerciseHold(
                patient_id=patient,
                level="urgent",
                reason="test",
                placed_at=midnight(ago(6), hour=10),
                lifted_at=midnight(ago(5), hour=10),
            )
        )
        session.commit()
    adherence = report(client, make.headers(patient))["adherence"]
    assert adherence["prescribed"] == 6  # 8 days minus the two touched by the hold


def test_cancelled_programme_stops_counting(app, client, make):
    patient = make.patient()
    add_programme(app, patient, ago(9), status="cancelled", updated_at=utcnow())
    assert report(client, make.headers(patient))["adherence"]["prescribed"] == 9


def test_the_version_in_effect_each_day(app, client, make):
    patient = make.patient()
    therapist = make.therapist()
    make.link(therapist, patient)
    programme, old_item = add_programme(app, patient, ago(6))
    response = client.patch(
        f"/api/v1/programmes/{programme}",
        json={"items": [{"exercise": "wall-slide"}]},
        headers=make.headers(therapist),
    )
    new_item = response.get_json()["version"]["items"][0]["id"]
    done(app, patient, old_item, 1, 0)  # today the old item is no longer due
    insert_session(app, patient, ago(0), [{"exercise": "wall-slide", "programme_item": new_item}])
    adherence = report(client, make.headers(patient))["adherence"]
    assert (adherence["prescribed"], adherence["completed"]) == (7, 2)


def test_days_and_pauses_are_in_the_patients_time_zone(app, client, make):
    tz = "Pacific/Kiritimati"  # UTC+14
    patient = make.patient(timezone=tz)
    programme, item = add_programme(app, patient, ago(5, tz))
    # paused 02:00-20:00 local on day -3: that is two UTC dates, but one local day
    pause(app, programme, midnight(ago(3, tz), tz, 2), midnight(ago(3, tz), tz, 20))
    done(app, patient, item, 1, tz=tz)
    body = report(client, make.headers(patient), to=ago(1, tz).isoformat())
    assert body["today"] == today(tz).isoformat()
    assert (body["adherence"]["prescribed"], body["adherence"]["completed"]) == (4, 1)


def test_pain_series_rolling_mean_and_change(app, client, make):
    patient = make.patient()
    with app.app_context():
        session = get_session()
        pains = [8, 8, 8, 7, 7, 6, 5, 4, 4, 4, 3, 3, 3, 3, 3, 3]  # days -15..0
        for n, pain in enumerate(pains):
            session.add(
                CheckIn(
                    patient_id=patient,
                    local_date=ago(15 - n),
                    pain=pain,
                    worst_pain=9,
                    interference=pain,
                    sleep_quality=5,
                    pain_areas=[],
                    symptoms=[],
                    triage={},
                )
            )
        session.commit()
    body = report(client, make.headers(patient), **{"from": ago(13).isoformat()})
    series = body["pain"]["series"]
    assert len(series) == 14 and series[0]["date"] == ago(13).isoformat()
    assert series[0]["rolling_mean_7d"] == 8.0  # days -15..-13 (the window reaches back)
    assert series[-1]["rolling_mean_7d"] == round(22 / 7, 2)  # days -6..0
    assert series[-1]["worst_pain"] == 9 and series[-1]["sleep_quality"] == 5
    change = body["pain"]["change"]
    assert change["baseline"] == round((8 + 7 + 7 + 6 + 5 + 4 + 4) / 7, 2)
    assert change["latest"] == round((4 + 3 * 6) / 7, 2) and change["label"] == "improved"
    assert change["check_ins_compared"] == 7 and "Farrar" in change["source"]


@pytest.mark.parametrize(
    ("pains", "label"),
    [
        ([5, 3], "improved"),  # -2 points
        ([5, 4], "unchanged"),  # -1 point, -20 %
        ([3, 2], "unchanged"),  # -33 %, but below a baseline of 4 only 2 points count
        ([1, 2], "unchanged"),  # +100 %, but 1 point
        ([3, 1], "improved"),  # -2 points below a baseline of 4
        ([3, 5], "worse"),  # +2 points
        ([6, 7], "unchanged"),  # +1, +17 %
        ([0, 1], "unchanged"),  # from 0 only points count
        ([0, 2], "worse"),
        ([4, 4, 4, 3, 3, 2], "improved"),  # baseline exactly 4: -1.33 is -33 %, 30 % counts
        ([4, 4, 4, 5, 5, 6], "worse"),  # baseline exactly 4: +33 %
        ([4, 4, 3, 2, 3, 2], "unchanged"),  # baseline 3.67 (below 4): -1.33 points only
        ([4, 4, 4, 4, 4, 3, 3, 3, 3, 2], "improved"),  # 4.0 -> 2.8: exactly -30 %
        ([4, 4, 4, 4, 4, 3, 3, 3, 3, 3], "unchanged"),  # 4.0 -> 3.0: -25 %
        ([5, 5, 6, 3, 3, 4], "improved"),  # 16/3 -> 10/3: exactly 2 points
        ([4, 4, 3, 2, 2, 1], "improved"),  # 11/3 -> 5/3: exactly -2 points below a baseline of 4
        ([3, 3, 5, 5, 5, 5], "unchanged"),  # 11/3 -> 5: +1.33 (+36 %) below a baseline of 4
    ],
)
def test_pain_change_labels(pains, label):
    assert pain_change(pains)["label"] == label


def test_pain_change_needs_two_check_ins():
    assert pain_change([]) is None and pain_change([4]) is None


def test_range_rules(client, make):
    headers = make.headers(make.patient(timezone="Asia/Tokyo"))
    body = report(client, headers)
    assert body["to"] == today("Asia/Tokyo").isoformat()
    assert body["from"] == ago(89, "Asia/Tokyo").isoformat()
    assert body["adherence"]["prescribed"] == 0 and body["pain"]["change"] is None
    year = {"from": ago(365).isoformat(), "to": ago(0).isoformat()}
    assert client.get("/api/v1/me/progress", query_string=year, headers=headers).status_code == 200
    too_long = {"from": ago(366).isoformat(), "to": ago(0).isoformat()}
    response = client.get("/api/v1/me/progress", query_string=too_long, headers=headers)
    assert response.status_code == 422
    backwards = {"from": ago(0).isoformat(), "to": ago(3).isoformat()}
    assert (
        client.get("/api/v1/me/progress", query_string=backwards, headers=headers).status_code
        == 422
    )


def _year_of_data(app, patient: int) -> None:
    _, item = add_programme(app, patient, ago(400))
    with app.app_context():
        session = get_session()
        for n in range(366):
            session.add(
                CheckIn(
                    patient_id=patient,
                    local_date=ago(n),
                    pain=n % 10,
                    pain_areas=[],
                    symptoms=[],
                    triage={},
                )
            )
        session.commit()
    done(app, patient, item, *range(0, 366))


def test_a_fixed_number_of_queries_whatever_the_range(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    _year_of_data(app, patient)
    record_psfs(client, headers)
    engine = state(app).engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        counts = {}
        for days in (30, 365):
            statements.clear()
            body = report(client, headers, **{"from": ago(days - 1).isoformat()})
            counts[days] = len(statements)
            assert len(body["pain"]["series"]) == days
            assert body["adherence"]["prescribed"] == days
            assert body["adherence"]["completed"] == days
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[30] == counts[365]
    assert counts[365] <= 15, statements
    with app.app_context():
        assert get_session().get(User, patient) is not None


def test_delete_me_erases_sessions_outcomes_and_notices(app, client, make):
    from sqlalchemy import func, select

    from api.outcomes.models import OutcomeScore
    from api.sessions.models import ExerciseSession, PainNotice, SessionEntry
    from tests.factories import PASSWORD
    from tests.sessions.helpers import entry, log

    patient = make.patient()
    headers = make.headers(patient)
    log(client, headers, entry("bird-dog", pain_during=8))
    record_psfs(client, headers)

    def rows():
        with app.app_context():
            session = get_session()
            return [
                session.scalar(select(func.count()).select_from(model))
                for model in (ExerciseSession, SessionEntry, PainNotice, OutcomeScore)
            ]

    assert rows() == [1, 1, 1, 1]
    response = client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert response.status_code == 204
    assert rows() == [0, 0, 0, 0]
