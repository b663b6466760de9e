"""A patient's check-ins and sessions read their account with their own first statement
(api/accounts/caller.py): one statement fewer once this process has signed them in, and
exactly the answers of a sign-in first whenever the token no longer holds, the role is
another or the time zone has changed. Nothing is written for a token that no longer holds."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import event, func, select, update

from api.accounts.caller import Vouched, Zones
from api.accounts.models import Role, User
from api.blueprint import Blueprint, current_caller
from api.checkins.models import CheckIn
from api.database import get_session, state, utcnow
from api.errors import Unauthorized
from api.sessions.models import ExerciseSession
from tests.sessions.helpers import entry, session_body, today


@pytest.fixture
def sent(app):
    """The statements sent from now on."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_):
        seen.append(statement)

    engine = state(app).engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def _set(app, user_id: int, **values) -> None:
    with app.app_context():
        session = get_session()
        session.execute(update(User).where(User.id == user_id).values(**values))
        session.commit()


def _signed_in_once(client, headers) -> None:
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def _statements_of(sent: list[str], call) -> tuple[object, int]:
    sent.clear()
    response = call()
    return response, len([s for s in sent if "catalogue_version" not in s])


def test_a_check_in_needs_no_sign_in_statement_once_the_patient_has_signed_in(
    app, client, make, sent
):
    headers = make.headers(make.patient())

    def check_in(days_back: int):
        day = today() - dt.timedelta(days=days_back)  # the patient's own date
        body = {"pain": 3, "date": day.isoformat()}
        return lambda: client.post("/api/v1/check-ins", json=body, headers=headers)

    first, first_count = _statements_of(sent, check_in(2))
    again, again_count = _statements_of(sent, check_in(1))
    assert first.status_code == again.status_code == 201
    assert again_count == first_count - 1  # the sign-in's read of the account
    assert not any(s.lstrip().upper().startswith("SELECT USERS.ID") for s in sent)


def test_a_session_needs_no_sign_in_statement_once_the_patient_has_signed_in(
    app, client, make, sent
):
    warm = client.post(
        "/api/v1/sessions", json=session_body(entry()), headers=make.headers(make.patient())
    )
    assert warm.status_code == 201  # the catalogue's exercises are read once, then kept
    headers = make.headers(make.patient())

    def log():
        return client.post("/api/v1/sessions", json=session_body(entry()), headers=headers)

    first, first_count = _statements_of(sent, log)
    again, count = _statements_of(sent, log)
    assert first.status_code == again.status_code == 201
    assert count == first_count - 1  # the sign-in's read of the account
    if state(app).engine.dialect.name == "postgresql":
        assert count == 2


@pytest.mark.parametrize("route", ["check-ins", "sessions"])
def test_a_token_whose_key_the_account_no_longer_has_gets_401_and_nothing_is_written(
    app, client, make, route
):
    patient = make.patient()
    headers = make.headers(patient)
    _signed_in_once(client, headers)  # this process remembers the patient
    _set(app, patient, token_key="0" * 32)  # the account erased, its id given to another
    model = CheckIn if route == "check-ins" else ExerciseSession
    body = {"pain": 3} if route == "check-ins" else session_body(entry())
    before = _count(app, model)
    response = client.post(f"/api/v1/{route}", json=body, headers=headers)
    assert response.status_code == 401, response.get_json()
    assert response.get_json()["message"] == "The access token is missing, invalid or expired."
    assert _count(app, model) == before


@pytest.mark.parametrize("route", ["check-ins", "sessions"])
def test_an_account_that_is_no_longer_a_patients_gets_403_and_nothing_is_written(
    app, client, make, route
):
    patient = make.patient()
    headers = make.headers(patient)
    _signed_in_once(client, headers)
    _set(app, patient, role=Role.therapist)
    model = CheckIn if route == "check-ins" else ExerciseSession
    body = {"pain": 3} if route == "check-ins" else session_body(entry())
    before = _count(app, model)
    response = client.post(f"/api/v1/{route}", json=body, headers=headers)
    assert response.status_code == 403, response.get_json()
    assert _count(app, model) == before


@pytest.mark.parametrize("route", ["check-ins", "sessions"])
def test_a_refused_body_with_a_token_that_no_longer_holds_gets_401_first(app, client, make, route):
    patient = make.patient()
    headers = make.headers(patient)
    _signed_in_once(client, headers)
    bad = {"pain": 11} if route == "check-ins" else {**session_body(entry()), "pain_before": -1}
    refused = client.post(f"/api/v1/{route}", json=bad, headers=headers)
    assert refused.status_code == 422  # the token holds: the body is refused
    _set(app, patient, token_key="0" * 32)
    response = client.post(f"/api/v1/{route}", json=bad, headers=headers)
    assert response.status_code == 401, response.get_json()


def test_a_changed_time_zone_dates_the_session_in_the_new_zone(app, client, make):
    patient = make.patient(timezone="Etc/GMT+12")  # UTC-12
    headers = make.headers(patient)
    _signed_in_once(client, headers)  # remembered: UTC-12
    _set(app, patient, timezone="Pacific/Kiritimati")  # UTC+14: another date, always
    started = utcnow().replace(microsecond=0) - dt.timedelta(minutes=30)
    logged = client.post(
        "/api/v1/sessions", json=session_body(entry(), started_at=started), headers=headers
    )
    assert logged.status_code == 201, logged.get_json()
    expected = (started + dt.timedelta(hours=14)).date()
    assert logged.get_json()["date"] == expected.isoformat()
    assert expected != (started - dt.timedelta(hours=12)).date()


def test_a_changed_time_zone_dates_the_check_in_in_the_new_zone(app, client, make):
    patient = make.patient(timezone="Etc/GMT+12")
    headers = make.headers(patient)
    _signed_in_once(client, headers)
    _set(app, patient, timezone="Pacific/Kiritimati")
    created = client.post("/api/v1/check-ins", json={"pain": 3}, headers=headers)
    assert created.status_code == 201, created.get_json()
    now = utcnow()
    expected = (now + dt.timedelta(hours=14)).date()
    assert created.get_json()["date"] == expected.isoformat()
    assert expected != (now - dt.timedelta(hours=12)).date()


def test_the_check_in_is_triaged_with_the_stored_profile(app, client, make):
    """The profile triage reads comes from the same statement: a birth year that makes
    the patient 60 or over with a first-ever pain fires the age rule as after a sign-in."""
    patient = make.patient(birth_year=1940, country="GB")
    headers = make.headers(patient)
    _signed_in_once(client, headers)
    body = {"pain": 5, "pain_onset": "first_ever"}
    vouched = client.post("/api/v1/check-ins", json=body, headers=headers)
    assert vouched.status_code == 201, vouched.get_json()
    other = make.patient(birth_year=1940, country="GB")  # its first request: signed in
    loaded = client.post("/api/v1/check-ins", json=body, headers=make.headers(other))
    assert loaded.status_code == 201
    assert vouched.get_json()["triage"] == loaded.get_json()["triage"]
    assert vouched.get_json()["triage"]["rules"], vouched.get_json()["triage"]


def test_zones_forget_the_oldest_past_their_bound():
    zones = Zones(limit=2)
    zones.remember(1, "UTC")
    zones.remember(2, "Europe/London")
    zones.remember(3, "Asia/Tokyo")
    assert (zones.get(1), zones.get(2), zones.get(3)) == (None, "Europe/London", "Asia/Tokyo")
    assert len(zones) == 2


def test_a_vouching_route_that_answers_without_confirming_signs_the_caller_in_first(
    app: Flask, make
):
    """Defence in depth: a route that never ran its confirming statement still answers
    only a caller whose token holds."""
    blp = Blueprint("probe", __name__)
    seen = []

    @blp.login_required(Role.patient, vouch=True)
    def view():
        seen.append(current_caller())
        return "answer"

    patient = make.patient()
    headers = make.headers(patient)
    with app.test_request_context(headers=headers):
        assert view() == "answer"  # first: signed in the usual way (the zone is learnt)
    assert not isinstance(seen[-1], Vouched)
    with app.test_request_context(headers=headers):
        assert view() == "answer"
    assert isinstance(seen[-1], Vouched)
    _set(app, patient, token_key="0" * 32)
    with app.test_request_context(headers=headers), pytest.raises(Unauthorized):
        view()
