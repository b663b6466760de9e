"""Exercise sessions: logging, validation, idempotency, deleting, "today" and export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import update

from api.database import get_session, utcnow
from api.sessions.models import ExerciseSession, PainNotice, SessionEntry
from tests.sessions.helpers import (
    count,
    entry,
    insert_session,
    iso,
    local_time,
    log,
    session_body,
    today,
)


def assign(client, therapist_headers, patient, items, **body):
    body = {
        "patient_id": patient,
        "starts_on": today().isoformat(),
        "items": items,
        **body,
    }
    response = client.post("/api/v1/programmes", json=body, headers=therapist_headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_log_a_session_with_a_programme_item(client, care):
    patient, headers, _, therapist_headers = care
    programme = assign(client, therapist_headers, patient, [{"exercise": "chin-tuck"}])
    item = programme["version"]["items"][0]["id"]
    response = log(
        client,
        headers,
        entry("chin-tuck", programme_item=item, pain_during=1, effort=3),
        programme_id=programme["id"],
        pain_before=3,
        pain_after=2,
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["programme_id"] == programme["id"] and body["programme_version"] == 1
    assert body["date"] == today().isoformat()
    assert body["entries"][0]["programme_item"] == item
    assert body["entries"][0]["exercise"] == "chin-tuck"
    assert body["advice"] == []


def test_replay_with_same_client_id_returns_the_original(app, client, care):
    _, headers, _, _ = care
    body = session_body(entry(pain_during=7))
    first = client.post("/api/v1/sessions", json=body, headers=headers)
    assert first.status_code == 201
    replay = client.post("/api/v1/sessions", json=body, headers=headers)
    assert replay.status_code == 200
    assert replay.get_json() == first.get_json()
    assert count(app, ExerciseSession) == 1
    assert count(app, PainNotice) == 1  # advice is not repeated on replay


def test_a_replay_that_loses_the_race_to_the_original_returns_it(app, client, care, monkeypatch):
    """The original is stored between the replay's look-up and its INSERT (two requests at
    once): the unique constraint decides and the replay still answers the original."""
    from api.sessions import service

    _, headers, _, _ = care
    body = session_body(entry(pain_during=7))
    first = client.post("/api/v1/sessions", json=body, headers=headers)
    looked_up = service._earlier
    monkeypatch.setattr(
        service, "_earlier", lambda *args: replace(looked_up(*args), replay_id=None)
    )
    replay = client.post("/api/v1/sessions", json=body, headers=headers)
    assert replay.status_code == 200
    assert replay.get_json() == first.get_json()
    assert count(app, ExerciseSession) == 1
    assert count(app, PainNotice) == 1


def test_a_replay_after_the_logging_window_returns_the_original(app, client, care, monkeypatch):
    """A phone offline for more than a week sends the session again: still the original,
    not a 422 for a start too long ago."""
    from api.sessions import service

    _, headers, _, _ = care
    body = session_body(entry(pain_during=7))
    first = client.post("/api/v1/sessions", json=body, headers=headers)
    monkeypatch.setattr(service, "utcnow", lambda: utcnow() + dt.timedelta(days=8))
    replay = client.post("/api/v1/sessions", json=body, headers=headers)
    assert replay.status_code == 200
    assert replay.get_json() == first.get_json()
    late = client.post(
        "/api/v1/sessions", json={**body, "client_id": "another-late-one"}, headers=headers
    )
    assert late.status_code == 422
    assert count(app, ExerciseSession) == 1


def test_client_ids_are_per_patient(client, make):
    body = session_body()
    for patient in (make.patient(), make.patient()):
        response = client.post("/api/v1/sessions", json=body, headers=make.headers(patient))
        assert response.status_code == 201


def _ago(**delta) -> Callable[[], str]:
    """A time relative to the test's "now" (computed when the test runs, not when collected)."""
    return lambda: iso(utcnow() - dt.timedelta(**delta))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"started_at": _ago(days=8)}, "started_at"),
        ({"started_at": _ago(minutes=-30)}, "started_at"),  # in the future
        ({"started_at": "2025-01-01T10:00:00"}, "started_at"),  # naive
        ({"ended_at": "2025-01-01T10:00:00"}, "ended_at"),  # naive
        ({"ended_at": _ago(hours=2)}, "ended_at"),  # before start
        ({"started_at": _ago(hours=8), "ended_at": _ago(hours=1)}, "ended_at"),  # 7 hours
        ({"entries": []}, "entries"),
        ({"entries": [entry()] * 31}, "entries"),
        ({"entries": [entry(sets_done=21)]}, "entries"),
        ({"entries": [entry(sets_done=-1)]}, "entries"),
        ({"entries": [entry(reps_done=201)]}, "entries"),
        ({"entries": [entry(hold_seconds=601)]}, "entries"),
        ({"entries": [entry(pain_during=11)]}, "entries"),
        ({"entries": [entry(effort=11)]}, "entries"),
        ({"entries": [entry(effort="3")]}, "entries"),
        ({"entries": [entry(pain_during=2.5)]}, "entries"),
        ({"entries": [entry(surprise=1)]}, "entries"),
        ({"entries": [entry("no-such-exercise")]}, "entries"),
        ({"pain_before": 11}, "pain_before"),
        ({"pain_after": -1}, "pain_after"),
        ({"client_id": "short"}, "client_id"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_422_and_nothing_is_written(app, client, care, change, field):
    _, headers, _, _ = care
    body = session_body(started_at=utcnow() - dt.timedelta(hours=1))
    body.update({key: value() if callable(value) else value for key, value in change.items()})
    response = client.post("/api/v1/sessions", json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]
    assert count(app, ExerciseSession) == 0
    assert count(app, SessionEntry) == 0


def test_seven_days_late_and_clock_skew_are_accepted(client, care):
    _, headers, _, _ = care
    late = utcnow() - dt.timedelta(days=6, hours=23)
    assert log(client, headers, started_at=late).status_code == 201
    skewed = utcnow() + dt.timedelta(minutes=3)
    body = session_body(started_at=skewed)
    body.pop("ended_at")
    assert client.post("/api/v1/sessions", json=body, headers=headers).status_code == 201


def test_other_patients_programme_is_404_and_nothing_is_written(app, client, make, care):
    _, headers, therapist, therapist_headers = care
    other = make.patient()
    make.link(therapist, other)
    programme = assign(client, therapist_headers, other, [{"exercise": "chin-tuck"}])
    item = programme["version"]["items"][0]["id"]
    response = log(client, headers, entry(programme_item=item), programme_id=programme["id"])
    assert response.status_code == 404
    assert count(app, ExerciseSession) == 0


def test_item_of_another_programme_or_exercise_is_422(app, client, make, care):
    patient, headers, therapist, therapist_headers = care
    mine = assign(client, therapist_headers, patient, [{"exercise": "chin-tuck"}])
    other = make.patient()
    make.link(therapist, other)
    theirs = assign(client, therapist_headers, other, [{"exercise": "chin-tuck"}])
    their_item = theirs["version"]["items"][0]["id"]
    my_item = mine["version"]["items"][0]["id"]
    cases = [
        ({"programme_id": mine["id"]}, entry(programme_item=their_item)),
        ({"programme_id": mine["id"]}, entry("wall-slide", programme_item=my_item)),
        ({}, entry(programme_item=my_item)),  # an item needs its programme
    ]
    for fields, bad in cases:
        response = log(client, headers, bad, **fields)
        assert response.status_code == 422, response.get_json()
    assert count(app, ExerciseSession) == 0


def test_items_of_an_older_version_are_accepted(client, care):
    patient, headers, _, therapist_headers = care
    programme = assign(client, therapist_headers, patient, [{"exercise": "chin-tuck"}])
    old_item = programme["version"]["items"][0]["id"]
    client.patch(
        f"/api/v1/programmes/{programme['id']}",
        json={"items": [{"exercise": "wall-slide"}]},
        headers=therapist_headers,
    )
    response = log(client, headers, entry(programme_item=old_item), programme_id=programme["id"])
    assert response.status_code == 201
    assert response.get_json()["programme_version"] == 2


def test_local_date_is_the_start_in_the_patients_time_zone(client, make):
    headers = make.headers(make.patient(timezone="Pacific/Kiritimati"))  # UTC+14
    started = dt.datetime.combine(today("UTC"), dt.time(11, 0), dt.UTC)
    if started > utcnow():
        started -= dt.timedelta(days=1)
    body = log(client, headers, started_at=started).get_json()
    assert body["date"] == (started.date() + dt.timedelta(days=1)).isoformat()


def test_delete_within_24_hours_then_409(app, client, care):
    _, headers, _, _ = care
    fresh = log(client, headers, entry(pain_during=8)).get_json()
    assert client.delete(f"/api/v1/sessions/{fresh['id']}", headers=headers).status_code == 204
    assert count(app, ExerciseSession) == 0 and count(app, PainNotice) == 0
    old = log(client, headers).get_json()
    with app.app_context():
        session = get_session()
        session.execute(
            update(ExerciseSession)
            .where(ExerciseSession.id == old["id"])
            .values(created_at=utcnow() - dt.timedelta(hours=25))
        )
        session.commit()
    response = client.delete(f"/api/v1/sessions/{old['id']}", headers=headers)
    assert response.status_code == 409
    assert count(app, ExerciseSession) == 1


def test_list_newest_first_with_dates(client, app, care):
    patient, headers, _, therapist_headers = care
    for days_back in (3, 1, 2):
        log(client, headers, started_at=utcnow() - dt.timedelta(days=days_back))
    body = client.get("/api/v1/sessions", headers=headers)
    dates = [s["date"] for s in body.get_json()]
    assert dates == sorted(dates, reverse=True) and len(dates) == 3
    assert "X-Pagination" in body.headers
    since = (today() - dt.timedelta(days=2)).isoformat()
    assert len(client.get(f"/api/v1/sessions?from={since}", headers=headers).get_json()) == 2
    bad = client.get(f"/api/v1/sessions?from={today()}&to={since}", headers=headers)
    assert bad.status_code == 422
    therapist = client.get(f"/api/v1/sessions?patient_id={patient}", headers=therapist_headers)
    assert len(therapist.get_json()) == 3


def test_today_counts_sessions_per_item(client, care):
    patient, headers, _, therapist_headers = care
    programme = assign(
        client, therapist_headers, patient, [{"exercise": "chin-tuck", "times_per_day": 2}]
    )
    item = programme["version"]["items"][0]["id"]
    due = client.get("/api/v1/me/today", headers=headers).get_json()["items"]
    assert due[0]["sessions_done"] == 0 and due[0]["done"] is False
    log(client, headers, entry(programme_item=item), programme_id=programme["id"])
    due = client.get("/api/v1/me/today", headers=headers).get_json()["items"]
    assert due[0]["sessions_done"] == 1 and due[0]["done"] is False
    log(
        client,
        headers,
        entry(programme_item=item),
        entry(programme_item=item),  # the same item twice in one session counts once
        programme_id=programme["id"],
    )
    due = client.get("/api/v1/me/today", headers=headers).get_json()["items"]
    assert due[0]["sessions_done"] == 2 and due[0]["done"] is True


def test_today_with_a_template_programme(client, make):
    """The template is due on weekdays only: the test uses the latest day of the past week
    on which something was due (today when it is a weekday), whatever day it is."""
    headers = make.headers(make.patient())
    response = client.post(
        "/api/v1/programmes",
        json={
            "template": "desk-posture-reset",
            "starts_on": (today() - dt.timedelta(days=6)).isoformat(),
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    programme = response.get_json()

    def due_on(day: dt.date) -> list[dict]:
        return client.get(f"/api/v1/me/today?date={day}", headers=headers).get_json()["items"]

    day = next(day for n in range(7) if due_on(day := today() - dt.timedelta(days=n)))
    due = due_on(day)
    first = due[0]
    started_at = None if day == today() else local_time(day, 12)
    log(
        client,
        headers,
        entry(first["exercise"], programme_item=first["programme_item_id"]),
        programme_id=programme["id"],
        started_at=started_at,
    )
    after = client.get(f"/api/v1/me/today?date={day}", headers=headers).get_json()["items"]
    assert after[0]["sessions_done"] == 1
    assert all(i["sessions_done"] == 0 for i in after[1:] if i["exercise"] != first["exercise"])


def test_export_has_sessions_and_notices(client, app, care):
    patient, headers, _, _ = care
    log(client, headers, entry("bird-dog", pain_during=8, notes="sore"))
    insert_session(app, patient, today() - dt.timedelta(days=20), [{"exercise": "wall-slide"}])
    export = client.get("/api/v1/me/export", headers=headers).get_json()["sections"]
    assert [s["entries"][0]["exercise"] for s in export["sessions"]] == ["wall-slide", "bird-dog"]
    assert export["sessions"][1]["entries"][0]["notes"] == "sore"
    assert export["sessions"][1]["advice"][0]["kind"] == "regress"
    assert [n["kind"] for n in export["pain_notices"]] == ["regress"]
    assert "outcomes" in export
