"""Profile, export, erasure, admin and the users CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from api.database import Base, get_session
from tests.factories import PASSWORD


def test_me_shows_profile_and_no_hold(client, make):
    patient = make.patient(display_name="Bo", country="GB")
    body = client.get("/api/v1/me", headers=make.headers(patient)).get_json()
    assert body["display_name"] == "Bo"
    assert body["role"] == "patient"
    assert body["exercise_hold"]["active"] is False


def test_patch_me_updates_profile_fields(client, make):
    headers = make.headers(make.patient())
    changes = {
        "display_name": "Cleo",
        "timezone": "America/New_York",
        "country": "US",
        "birth_year": 1955,
        "health_history": ["osteoporosis", "smoker"],
        "conditions": ["poor-posture", "osteoporosis"],
    }
    response = client.patch("/api/v1/me", json=changes, headers=headers)
    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in changes} == changes
    assert client.get("/api/v1/me", headers=headers).get_json()["health_history"] == [
        "osteoporosis",
        "smoker",
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "admin"}, "role"),
        ({"email": "new@example.org"}, "email"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"country": "ZZ"}, "country"),
        ({"birth_year": 1800}, "birth_year"),
        ({"health_history": ["diabetes"]}, "health_history"),
        ({"health_history": ["smoker", "smoker"]}, "health_history"),
        ({"health_history": "smoker"}, "health_history"),
        ({"conditions": ["broken-heart"]}, "conditions"),
        ({"display_name": "x" * 81}, "display_name"),
    ],
)
def test_patch_me_rejects_bad_values_and_changes_nothing(client, make, changes, field):
    headers = make.headers(make.patient(display_name="Dee"))
    before = client.get("/api/v1/me", headers=headers).get_json()
    response = client.patch("/api/v1/me", json=changes, headers=headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert client.get("/api/v1/me", headers=headers).get_json() == before


def test_unknown_health_history_code_lists_valid_ones(client, make):
    response = client.patch(
        "/api/v1/me", json={"health_history": ["diabetes"]}, headers=make.headers(make.patient())
    )
    message = str(response.get_json()["errors"]["json"]["health_history"])
    assert "long_term_steroids" in message and "cancer" in message


def test_export_contains_profile_links_and_access_log(client, make):
    patient = make.patient(display_name="Eve")
    therapist = make.therapist(display_name="Dr Fox")
    make.link(therapist, patient)
    client.get(f"/api/v1/patients/{patient}", headers=make.headers(therapist))
    body = client.get("/api/v1/me/export", headers=make.headers(patient)).get_json()
    assert body["profile"]["display_name"] == "Eve"
    assert body["sections"]["care_links"][0]["therapist"] == "Dr Fox"
    assert body["sections"]["access_log"][0]["therapist_name"] == "Dr Fox"


def test_delete_me_needs_password(client, make):
    patient = make.patient()
    response = client.delete(
        "/api/v1/me", json={"password": "wrong password!!"}, headers=make.headers(patient)
    )
    assert response.status_code == 422
    assert client.get("/api/v1/me", headers=make.headers(patient)).status_code == 200


def _rows_pointing_at(app, user_id: int) -> dict[str, int]:
    """Rows in any table with a users foreign key pointing at user_id."""
    found = {}
    with app.app_context():
        session = get_session()
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                for fk in column.foreign_keys:
                    if fk.column.table.name == "users":
                        count = session.scalar(
                            select(func.count()).select_from(table).where(column == user_id)
                        )
                        if count:
                            found[f"{table.name}.{column.name}"] = count
        users = Base.metadata.tables["users"]
        if session.scalar(select(func.count()).select_from(users).where(users.c.id == user_id)):
            found["users.id"] = 1
    return found


def test_delete_me_erases_everything_and_tokens_stop_working(client, make, app):
    patient = make.patient()
    therapist = make.therapist()
    make.link(therapist, patient)
    headers = make.headers(patient)
    login = client.post(
        "/api/v1/auth/login",
        json={
            "email": client.get("/api/v1/me", headers=headers).get_json()["email"],
            "password": PASSWORD,
        },
    ).get_json()
    client.get(f"/api/v1/patients/{patient}", headers=make.headers(therapist))
    assert _rows_pointing_at(app, patient)  # there was data to erase
    response = client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert response.status_code == 204
    assert _rows_pointing_at(app, patient) == {}
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert refresh.status_code == 401
    # the therapist keeps their account; the patient is gone from their list
    assert client.get("/api/v1/patients", headers=make.headers(therapist)).get_json() == []


def test_admin_creates_therapist(client, make):
    response = client.post(
        "/api/v1/admin/therapists",
        json={"email": "t@example.org", "password": "a sturdy passphrase 42", "display_name": "T"},
        headers=make.headers(make.admin()),
    )
    assert response.status_code == 201
    assert response.get_json()["role"] == "therapist"
    login = client.post(
        "/api/v1/auth/login", json={"email": "t@example.org", "password": "a sturdy passphrase 42"}
    )
    assert login.status_code == 200


def test_cli_creates_user_from_stdin(runner, client):
    result = runner.invoke(
        args=["users", "create", "cli@example.org", "--role", "therapist", "--name", "CLI"],
        input="a sturdy passphrase 42\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created therapist account" in result.output
    login = client.post(
        "/api/v1/auth/login",
        json={"email": "cli@example.org", "password": "a sturdy passphrase 42"},
    )
    assert login.status_code == 200


def test_cli_refuses_weak_password(runner):
    result = runner.invoke(
        args=["users", "create", "weak@example.org", "--name", "W"], input="password123\n"
    )
    assert result.exit_code != 0
    assert "too common" in result.output


def test_demo_command_creates_linked_accounts_and_prints_credentials(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "therapist@demo.upright.example" in result.output
    from api.cli import DEMO_PATIENT, DEMO_THERAPIST

    therapist = client.post(
        "/api/v1/auth/login", json={"email": DEMO_THERAPIST[0], "password": DEMO_THERAPIST[1]}
    ).get_json()
    patients = client.get(
        "/api/v1/patients", headers={"Authorization": f"Bearer {therapist['access_token']}"}
    ).get_json()
    assert [p["email"] for p in patients] == [DEMO_PATIENT[0]]
    again = runner.invoke(args=["demo"])  # idempotent
    assert again.exit_code == 0, again.output


def test_spinal_surgery_year_is_kept_and_cleared(client, make):
    headers = make.headers(make.patient(birth_year=1960))
    this_year = dt.date.today().year
    body = client.patch(
        "/api/v1/me",
        json={"health_history": ["spinal_surgery"], "spinal_surgery_year": this_year},
        headers=headers,
    ).get_json()
    assert body["spinal_surgery_year"] == this_year
    assert client.get("/api/v1/me", headers=headers).get_json()["spinal_surgery_year"] == this_year
    # removing the history code needs the year removed with it
    cleared = client.patch(
        "/api/v1/me", json={"health_history": [], "spinal_surgery_year": None}, headers=headers
    )
    assert cleared.status_code == 200 and cleared.get_json()["spinal_surgery_year"] is None


@pytest.mark.parametrize(
    ("profile", "changes", "message"),
    [
        (
            {"health_history": ["spinal_surgery"]},
            {"spinal_surgery_year": dt.date.today().year + 1},
            "not in the future",
        ),
        (
            {"health_history": ["spinal_surgery"], "birth_year": 1980},
            {"spinal_surgery_year": 1979},
            "before your year of birth",
        ),
        (
            {"health_history": ["spinal_surgery"], "spinal_surgery_year": 1990},
            {"birth_year": 1991},
            "before your year of birth",
        ),
        ({}, {"spinal_surgery_year": 2020}, "Add spinal_surgery to health_history"),
        (
            {"health_history": ["spinal_surgery"], "spinal_surgery_year": 2020},
            {"health_history": ["smoker"]},
            "Add spinal_surgery to health_history",
        ),
        ({"health_history": ["spinal_surgery"]}, {"spinal_surgery_year": "2020"}, "integer"),
    ],
)
def test_spinal_surgery_year_is_validated(client, make, profile, changes, message):
    headers = make.headers(make.patient(**profile))
    before = client.get("/api/v1/me", headers=headers).get_json()
    response = client.patch("/api/v1/me", json=changes, headers=headers)
    assert response.status_code == 422
    assert message in str(response.get_json()["errors"]["json"]["spinal_surgery_year"])
    assert client.get("/api/v1/me", headers=headers).get_json() == before
