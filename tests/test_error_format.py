"""Pins the one error wire format: {code, status, message, errors?} for every error."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

KEYS = {"code", "status", "message"}


def assert_error(response, code: int, status: str) -> dict:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= KEYS, body
    assert set(body) <= KEYS | {"errors"}, body
    assert body["code"] == code
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_unknown_path_is_404(client):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "Not Found")


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/health")
    assert_error(response, 405, "Method Not Allowed")
    assert "GET" in response.headers["Allow"]


def test_body_over_limit_is_413(client):
    body = '{"email": "' + "a" * (70 * 1024) + '"}'
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert_error(response, 413, "Request Entity Too Large")


def test_non_json_body_is_415(client):
    response = client.post(
        "/api/v1/auth/login",
        data="email=a&password=b",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 415, "Unsupported Media Type")


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{nope", content_type="application/json")
    assert_error(response, 400, "Bad Request")


def test_validation_error_is_422_naming_fields(client):
    response = client.post("/api/v1/auth/register", json={"email": "not-an-email", "extra": 1})
    body = assert_error(response, 422, "Unprocessable Entity")
    fields = body["errors"]["json"]
    assert "email" in fields
    assert "password" in fields  # missing
    assert "extra" in fields  # unknown fields are named


@pytest.fixture
def faulty_app(app):
    """Routes that fail on purpose, registered before the first request."""

    def boom():
        raise RuntimeError("secret internal detail /srv/app.py line 3")

    def integrity():
        raise IntegrityError("INSERT INTO users ... duplicate key", {}, Exception("pg detail"))

    def db_down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused on 10.0.0.5"))

    app.add_url_rule("/test-only/boom", view_func=boom)
    app.add_url_rule("/test-only/integrity", view_func=integrity)
    app.add_url_rule("/test-only/db-down", view_func=db_down)
    return app


def test_unexpected_error_is_500_without_internals(faulty_app, caplog):
    response = faulty_app.test_client().get("/test-only/boom")
    body = assert_error(response, 500, "Internal Server Error")
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text
    assert "Traceback" not in text
    assert "RuntimeError" not in body["message"]


def test_integrity_error_is_409_without_database_text(faulty_app):
    response = faulty_app.test_client().get("/test-only/integrity")
    assert_error(response, 409, "Conflict")
    text = response.get_data(as_text=True)
    assert "INSERT" not in text and "duplicate" not in text and "pg detail" not in text


def test_database_down_is_503_with_retry_after(faulty_app):
    response = faulty_app.test_client().get("/test-only/db-down")
    assert_error(response, 503, "Service Unavailable")
    assert response.headers["Retry-After"].isdigit()
    assert "10.0.0.5" not in response.get_data(as_text=True)


def test_unauthorised_is_401_with_challenge(client):
    response = client.get("/api/v1/me")
    assert_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


# --- one format for every 422 -------------------------------------------------------------

UNPROCESSABLE = "The submitted data is not valid."


def assert_422(response, location: str) -> dict:
    """A 422 with the one message, its field errors under ``errors.<location>`` only."""
    body = assert_error(response, 422, "Unprocessable Entity")
    assert body["message"] == UNPROCESSABLE
    assert set(body["errors"]) == {location}, body
    return body["errors"][location]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/exercises?difficulty=9",  # a query schema's own validation
        "/api/v1/outcomes?instrument=xyz",
        "/api/v1/me/progress?from=2025-02-01&to=2025-01-01",  # a rule checked in the service
        "/api/v1/check-ins?from=2025-02-01&to=2025-01-01",
        "/api/v1/sessions?from=2025-02-01&to=2025-01-01",
    ],
)
def test_query_parameter_errors_are_under_errors_query(client, make, path):
    headers = make.headers(make.patient())
    assert_422(client.get(path, headers=headers), "query")


def test_a_therapist_listing_without_patient_id_is_a_query_error(client, make):
    headers = make.headers(make.therapist())
    errors = assert_422(client.get("/api/v1/outcomes", headers=headers), "query")
    assert "patient_id" in errors


def test_progress_range_too_long_is_a_query_error(client, make):
    headers = make.headers(make.patient())
    response = client.get("/api/v1/me/progress?from=2024-01-01&to=2025-06-01", headers=headers)
    assert "from" in assert_422(response, "query")


def test_body_errors_are_under_errors_json_with_the_same_message(client, make):
    headers = make.headers(make.patient())
    schema_error = client.post("/api/v1/check-ins", json={"pain": 11}, headers=headers)
    assert "pain" in assert_422(schema_error, "json")
    service_error = client.post(
        "/api/v1/check-ins", json={"pain": 3, "date": "2001-01-01"}, headers=headers
    )
    assert "date" in assert_422(service_error, "json")


def test_every_field_error_of_a_body_is_reported_at_once(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "new@example.org", "password": "short", "display_name": "N", "x": 1},
    )
    errors = assert_422(response, "json")
    assert set(errors) == {"password", "x"}
    assert "at least 10" in errors["password"][0]


def test_a_common_password_is_reported_with_the_other_errors(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "nope", "password": "password123", "display_name": "N"},
    )
    errors = assert_422(response, "json")
    assert set(errors) == {"email", "password"}
    assert "too common" in errors["password"][0]


def test_registering_with_the_email_as_password_is_refused(client):
    email = "someone.long@example.org"
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": email, "display_name": "S"}
    )
    assert "email" in assert_422(response, "json")["password"][0]


def _patch_targets(client, make):
    patient = make.patient()
    therapist = make.therapist()
    make.link(therapist, patient)
    as_patient, as_therapist = make.headers(patient), make.headers(therapist)
    check_in = client.post("/api/v1/check-ins", json={"pain": 3}, headers=as_patient).get_json()
    template = client.post(
        "/api/v1/programme-templates",
        json={
            "name": "Mine",
            "duration_weeks": 4,
            "days_of_week": ["mon"],
            "items": [{"exercise": "chin-tuck"}],
        },
        headers=as_therapist,
    ).get_json()
    programme = client.post(
        "/api/v1/programmes",
        json={"patient_id": patient, "template": "core-routine", "starts_on": _today()},
        headers=as_therapist,
    ).get_json()
    return [
        ("/api/v1/me", as_patient),
        (f"/api/v1/check-ins/{check_in['id']}", as_patient),
        (f"/api/v1/programme-templates/{template['slug']}", as_therapist),
        (f"/api/v1/programmes/{programme['id']}", as_therapist),
    ]


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


@pytest.mark.parametrize("body", [None, {}])
def test_a_patch_that_changes_nothing_is_422(client, make, body):
    for path, headers in _patch_targets(client, make):
        response = client.patch(path, json=body, headers=headers)
        errors = assert_422(response, "json")
        assert errors == {"_schema": ["Send at least one field to change."]}, path


def test_every_patch_body_says_at_least_one_field_in_the_spec(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    patches = [op for item in spec["paths"].values() for m, op in item.items() if m == "patch"]
    assert len(patches) == 4
    for operation in patches:
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["minProperties"] == 1


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/exercises?page_size=5&page_size=7", "page_size"),  # pagination
        ("/api/v1/exercises?difficulty=1&difficulty=2", "difficulty"),  # a query schema
        ("/api/v1/check-ins?from=2025-01-01&from=2025-01-02", "from"),
    ],
)
def test_a_repeated_single_value_query_parameter_is_422(client, make, path, name):
    headers = make.headers(make.patient())
    errors = assert_422(client.get(path, headers=headers), "query")
    assert errors[name] == ["Give this parameter once."]


def test_a_repeated_parameter_is_reported_with_the_other_query_errors(client, make):
    headers = make.headers(make.patient())
    path = "/api/v1/exercises?difficulty=1&difficulty=2&region=moon"
    response = client.get(path, headers=headers)
    assert set(assert_422(response, "query")) == {"difficulty", "region"}


def test_a_list_parameter_may_repeat(client):
    response = client.get("/api/v1/exercises?equipment=wall&equipment=chair")
    assert response.status_code == 200


def test_invalid_json_names_the_body_as_a_whole(client):
    response = client.post("/api/v1/auth/login", data="{nope", content_type="application/json")
    body = assert_error(response, 400, "Bad Request")
    assert body["errors"] == {"json": {"_schema": ["Invalid JSON body."]}}


def test_an_outcome_without_its_instrument_reports_the_other_errors_too(client, make):
    headers = make.headers(make.patient())
    response = client.post(
        "/api/v1/outcomes", json={"completed_on": "someday", "x": 1}, headers=headers
    )
    errors = assert_422(response, "json")
    assert {"instrument", "completed_on"} <= set(errors)
