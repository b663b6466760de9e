"""Pain-guided advice after a session (Silbernagel 2007; Smith 2017): each rule firing
and not firing."""

from __future__ import annotations

import datetime as dt

import pytest

from api.database import utcnow
from tests.sessions.helpers import entry, insert_session, log, today


@pytest.fixture
def patient(make):
    return make.patient()


@pytest.fixture
def headers(make, patient):
    return make.headers(patient)


def advice(response) -> list[dict]:
    assert response.status_code == 201, response.get_json()
    return response.get_json()["advice"]


def test_pain_above_5_suggests_the_first_regression(client, headers):
    [item] = advice(log(client, headers, entry("bird-dog", pain_during=6)))
    assert item["kind"] == "regress" and item["rule"] == "pain_during"
    assert item["suggestion"] == {"slug": "dead-bug", "name": "Dead bug"}
    assert "Dead bug" in item["message"] and "6/10" in item["message"]
    assert "Silbernagel" in item["source"] and "Smith" in item["source"]


def test_pain_above_5_without_a_regression_suggests_a_lower_dose(client, headers):
    [item] = advice(log(client, headers, entry("chin-tuck", pain_during=9)))
    assert item["kind"] == "reduce_dose" and item["suggestion"] is None
    assert "lower dose" in item["message"]


def test_pain_of_5_or_less_gives_no_advice(client, headers):
    assert advice(log(client, headers, entry("bird-dog", pain_during=5))) == []
    assert advice(log(client, headers, entry("bird-dog"))) == []  # no pain given


def test_advice_is_a_notice_for_the_therapist_not_an_alert(client, make, patient, headers):
    therapist = make.therapist()
    make.link(therapist, patient)
    log(client, headers, entry("bird-dog", pain_during=8))
    report = client.get(
        f"/api/v1/patients/{patient}/progress", headers=make.headers(therapist)
    ).get_json()
    assert [n["kind"] for n in report["pain_notices"]] == ["regress"]
    assert report["open_alerts"] == []
    assert client.get("/api/v1/alerts", headers=make.headers(therapist)).get_json() == []


def _check_in(client, headers, day: dt.date, pain: int) -> None:
    response = client.post(
        "/api/v1/check-ins", json={"date": day.isoformat(), "pain": pain}, headers=headers
    )
    assert response.status_code == 201, response.get_json()


def _previous_session_and_check_ins(client, headers, next_day_pain: int | None) -> dt.date:
    """A session 3 days ago; check-ins at pain 2 on the 7 days before it."""
    session_day = today() - dt.timedelta(days=3)
    for n in range(1, 8):
        _check_in(client, headers, session_day - dt.timedelta(days=n), 2)
    started = dt.datetime.combine(session_day, dt.time(10, 0), dt.UTC)
    advice(log(client, headers, entry("wall-slide"), entry("chin-tuck"), started_at=started))
    if next_day_pain is not None:
        _check_in(client, headers, session_day + dt.timedelta(days=1), next_day_pain)
    return session_day


def test_next_day_pain_2_above_baseline_lowers_the_dose(client, headers):
    session_day = _previous_session_and_check_ins(client, headers, next_day_pain=4)
    items = advice(log(client, headers, entry("bird-dog")))
    assert [(i["kind"], i["rule"], i["exercise"]) for i in items] == [
        ("reduce_dose", "next_day_pain", "wall-slide"),
        ("reduce_dose", "next_day_pain", "chin-tuck"),
    ]
    assert session_day.isoformat() in items[0]["message"]
    assert "4/10" in items[0]["message"] and "2.0/10" in items[0]["message"]


def test_next_day_pain_1_above_baseline_gives_no_advice(client, headers):
    _previous_session_and_check_ins(client, headers, next_day_pain=3)
    assert advice(log(client, headers, entry("bird-dog"))) == []


def test_no_next_day_check_in_or_no_baseline_gives_no_advice(client, make):
    headers = make.headers(make.patient())
    _previous_session_and_check_ins(client, headers, next_day_pain=None)
    assert advice(log(client, headers, entry("bird-dog"))) == []
    fresh = make.headers(make.patient())
    started = utcnow() - dt.timedelta(days=2)
    advice(log(client, fresh, entry("wall-slide"), started_at=started))
    _check_in(client, fresh, (started + dt.timedelta(days=1)).date(), 9)
    assert advice(log(client, fresh, entry("bird-dog"))) == []  # no baseline check-ins


def _easy_history(app, patient, days_back, exercise="chin-tuck", effort=3, pain=1):
    for n in days_back:
        insert_session(
            app,
            patient,
            today() - dt.timedelta(days=n),
            [{"exercise": exercise, "effort": effort, "pain_during": pain}],
        )


def test_easy_for_14_days_suggests_the_first_progression(app, client, patient, headers):
    _easy_history(app, patient, (12, 8, 4))
    items = advice(log(client, headers, entry("chin-tuck", effort=2, pain_during=0)))
    assert [(i["kind"], i["rule"]) for i in items] == [("progress", "progression")]
    assert items[0]["suggestion"]["slug"] == "chin-tuck-head-lift"
    assert "4 sessions" in items[0]["message"]
    # not suggested again within 14 days
    assert advice(log(client, headers, entry("chin-tuck", effort=2, pain_during=0))) == []


@pytest.mark.parametrize(
    ("days_back", "effort", "pain", "today_entry"),
    [
        ((6, 4, 2), 3, 1, {"effort": 2, "pain_during": 0}),  # spans only 6 days
        ((12, 8), 3, 1, {"effort": 2, "pain_during": 0}),  # only 3 sessions
        ((12, 8, 4), 5, 1, {"effort": 2, "pain_during": 0}),  # effort too high before
        ((12, 8, 4), 3, 3, {"effort": 2, "pain_during": 0}),  # pain too high before
        ((12, 8, 4), 3, 1, {"effort": 2}),  # pain not reported today
        ((20, 16, 15), 3, 1, {"effort": 2, "pain_during": 0}),  # outside the 14 days
    ],
)
def test_progression_needs_every_condition(
    app, client, patient, headers, days_back, effort, pain, today_entry
):
    _easy_history(app, patient, days_back, effort=effort, pain=pain)
    assert advice(log(client, headers, entry("chin-tuck", **today_entry))) == []


EASY = {"exercise": "chin-tuck", "effort": 3, "pain_during": 1}
TODAY_EASY = entry("chin-tuck", effort=2, pain_during=0)


def _history(app, patient, days: dict[int, list[dict]]) -> None:
    """Earlier sessions by days back (negative: after today), each with its entries."""
    for n, entries in days.items():
        insert_session(app, patient, today() - dt.timedelta(days=n), entries)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param({13: [EASY], 8: [EASY], 4: [EASY]}, "4 sessions over 14 days", id="13-in"),
        pytest.param({14: [EASY], 8: [EASY], 4: [EASY]}, None, id="14-days-back-is-outside"),
        pytest.param(
            {14: [{**EASY, "pain_during": 9}], 12: [EASY], 8: [EASY], 4: [EASY]},
            "4 sessions over 13 days",
            id="a-painful-session-outside-is-ignored",
        ),
        pytest.param(
            {30: [EASY], 20: [EASY], 15: [EASY], 14: [EASY], 9: [EASY], 4: [EASY]},
            None,
            id="only-those-inside-count",
        ),
        pytest.param({12: [EASY], 8: [EASY], -1: [EASY]}, None, id="a-later-session-not-counted"),
        pytest.param(
            {12: [EASY], 8: [EASY], 4: [EASY], -1: [{**EASY, "effort": 9}]},
            "4 sessions over 13 days",
            id="a-later-hard-session-is-ignored",
        ),
        # The entries of one earlier session count as one session.
        pytest.param({12: [EASY, EASY], 8: [EASY]}, None, id="3-sessions-not-4-entries"),
        pytest.param(
            {12: [EASY, EASY], 8: [EASY, EASY], 4: [EASY]},
            "4 sessions over 13 days",
            id="4-sessions-not-6-entries",
        ),
        pytest.param(
            {12: [EASY, {**EASY, "effort": 5}], 8: [EASY], 4: [EASY]},
            None,
            id="the-second-entry-of-a-session-too-hard",
        ),
    ],
)
def test_progression_reads_the_sessions_of_the_14_day_window(
    app, client, patient, headers, days, expected
):
    _history(app, patient, days)
    items = advice(log(client, headers, TODAY_EASY))
    assert [expected in i["message"] for i in items] == ([True] if expected else [])


@pytest.mark.parametrize(
    ("odd_one", "fires"),
    [
        pytest.param({"effort": 4, "pain_during": 2}, True, id="effort-4-pain-2"),
        pytest.param({"effort": 5, "pain_during": 0}, False, id="effort-5"),
        pytest.param({"effort": 0, "pain_during": 3}, False, id="pain-3"),
        pytest.param({"pain_during": 0}, False, id="effort-not-given"),
        pytest.param({"effort": 0}, False, id="pain-not-given"),
        pytest.param({}, False, id="neither-given"),
    ],
)
def test_one_earlier_entry_not_easy_stops_progression(
    app, client, patient, headers, odd_one, fires
):
    _history(
        app,
        patient,
        {12: [EASY], 10: [EASY], 8: [{"exercise": "chin-tuck", **odd_one}], 4: [EASY]},
    )
    items = advice(log(client, headers, TODAY_EASY))
    assert [(i["rule"], i["exercise"]) for i in items] == (
        [("progression", "chin-tuck")] if fires else []
    )
    if fires:
        assert "5 sessions over 13 days" in items[0]["message"]


def test_no_progression_for_an_exercise_without_one(app, client, patient, headers):
    _easy_history(app, patient, (12, 8, 4), exercise="bridge")
    assert advice(log(client, headers, entry("bridge", effort=2, pain_during=0))) == []


# --- ladders skip what the patient's conditions and history rule out -------------------


@pytest.mark.parametrize(
    ("history", "suggested"),
    [
        ([], "side-lying-open-book"),
        # open book and its bent-elbow version are ruled out: the next safe step
        (["osteoporosis"], "seated-thoracic-rotation"),
        (["long_term_steroids"], "seated-thoracic-rotation"),
    ],
)
def test_pain_above_5_suggests_the_next_regression_open_to_the_patient(
    client, make, history, suggested
):
    headers = make.headers(make.patient(health_history=history))
    [item] = advice(log(client, headers, entry("thread-the-needle", pain_during=8)))
    assert item["kind"] == "regress" and item["suggestion"]["slug"] == suggested


def test_pain_above_5_with_every_regression_ruled_out_lowers_the_dose(client, make):
    headers = make.headers(
        make.patient(health_history=["spinal_surgery"], spinal_surgery_year=today().year)
    )
    [item] = advice(log(client, headers, entry("side-lying-open-book", pain_during=7)))
    assert item["kind"] == "reduce_dose" and item["suggestion"] is None


@pytest.mark.parametrize(
    ("history", "exercise", "suggested"),
    [
        ([], "thoracic-extension-chair", "thoracic-extension-foam-roller"),
        (["osteoporosis"], "thoracic-extension-chair", None),
        (["long_term_steroids"], "thoracic-extension-chair", None),
        ([], "seated-thoracic-rotation", "side-lying-open-book-bent-elbow"),
        (["osteoporosis"], "seated-thoracic-rotation", None),
        (["long_term_steroids"], "seated-thoracic-rotation", None),
        (["osteoporosis"], "dead-bug", "bird-dog"),
    ],
)
def test_progression_is_only_suggested_when_open_to_the_patient(
    app, client, make, history, exercise, suggested
):
    patient = make.patient(health_history=history)
    _easy_history(app, patient, (12, 8, 4), exercise=exercise)
    items = advice(log(client, make.headers(patient), entry(exercise, effort=2, pain_during=0)))
    assert [i["suggestion"]["slug"] for i in items] == ([suggested] if suggested else [])


@pytest.mark.parametrize("gaps", [(), (-8, -3, 0), (-7, 1), tuple(range(-9, 3))])
def test_the_check_ins_around_the_previous_session_are_those_of_the_baseline_window(
    app, client, make, gaps
):
    """Read with the earlier sessions (the last check-ins on or before the previous
    session's day and the first after it): exactly the check-ins from the baseline days
    before the previous session to the day after, oldest first."""
    from api.checkins import service as checkins
    from api.database import get_session
    from api.sessions import service

    patient = make.patient()
    headers = make.headers(patient)
    session_day = today() - dt.timedelta(days=3)
    for n in range(-9, 3):
        if n not in gaps and n != 3:
            _check_in(client, headers, session_day + dt.timedelta(days=n), 2 + (n % 5))
    started = dt.datetime.combine(session_day, dt.time(10, 0), dt.UTC)
    advice(log(client, headers, entry("chin-tuck"), started_at=started))
    with app.app_context():
        db_session = get_session()
        user = db_session.get(service.User, patient)
        body = {"client_id": "around-0001", "entries": [{"exercise": "chin-tuck"}]}
        earlier = service._earlier(db_session, user, body, utcnow())
        expected = checkins.pain_days(
            db_session,
            patient,
            session_day - dt.timedelta(days=service.advice.BASELINE_DAYS),
            session_day + dt.timedelta(days=1),
        )
    assert earlier.previous is not None and earlier.previous.date == session_day
    assert [(c.date, c.pain) for c in earlier.check_ins] == [
        (day.local_date, day.pain) for day in expected
    ]
