"""Fuzzing every operation of our own OpenAPI document with schemathesis.

Each operation is called with generated data, signed in as a patient and as a
therapist (each linked to the other, with a check-in, an alert and a programme
in place), and checked for: no 5xx, documented status codes, documented content
types, response bodies and headers matching their schemas.

CI uses a fixed seed and a few examples per operation; for a bigger local run:
``FUZZ_EXAMPLES=200 FUZZ_SEED=0 .venv/bin/pytest tests/test_openapi_fuzz.py``
(``FUZZ_SEED=0`` picks a random seed, printed on failure).

Every test here is marked ``fuzz``: skip them locally with ``-m "not fuzz"``.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from api import create_app
from api.parsing import DATE_BOUNDS, DATE_MESSAGE, NUL_MESSAGE, SURROGATE_MESSAGE

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("FUZZ_SEED", "20261123"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def _world(client, make):
    patient = make.patient(country="GB", birth_year=1960)
    therapist = make.therapist()
    make.link(therapist, patient)
    client.post(
        "/api/v1/check-ins",
        json={"pain": 4, "symptoms": ["night_pain"]},
        headers=make.headers(patient),
    )
    client.post(
        "/api/v1/programmes",
        json={
            "patient_id": patient,
            "template": "core-routine",
            "starts_on": dt.date.today().isoformat(),
        },
        headers=make.headers(therapist),
    )
    return make.headers(patient), make.headers(therapist)


@pytest.fixture
def as_patient(client, make):
    return _world(client, make)[0]


@pytest.fixture
def as_therapist(client, make):
    return _world(client, make)[1]


def _settings(test):
    test = settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )(test)
    return seed(SEED)(test) if SEED else test


@schema.parametrize()
@_settings
def test_every_operation_as_a_patient(case, as_patient):
    case.call_and_validate(headers=as_patient, checks=CHECKS)


@schema.parametrize()
@_settings
def test_every_operation_as_a_therapist(case, as_therapist):
    case.call_and_validate(headers=as_therapist, checks=CHECKS)


# Text no database can store, and dates out of bounds, in every field of the spec.
# The cases are found by walking the OpenAPI document, so a new string field or query
# parameter is covered without editing this file.

BAD_TEXT = {"nul": ("a\x00b", NUL_MESSAGE), "lone-surrogate": ("a\ud800b", SURROGATE_MESSAGE)}
BAD_DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"]


def _spec() -> dict:
    app = create_app(
        {"UPRIGHT_ENV": "testing", "DATABASE_URL": "sqlite://", "SECRET_KEY": "s" * 40}
    )
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _leaves(spec: dict, schema: dict, path: tuple = (), depth: int = 0):
    """(path, schema) of every string a request body can carry."""
    schema = _resolve(spec, schema)
    if depth > 6 or schema.get("readOnly"):
        return
    for key in ("allOf", "oneOf", "anyOf"):
        for option in schema.get(key, []):
            yield from _leaves(spec, option, path, depth + 1)
    kind = schema.get("type")
    if kind == "string":
        yield path, schema
    if kind == "array" and isinstance(schema.get("items"), dict):
        yield from _leaves(spec, schema["items"], (*path, 0), depth + 1)
    for name, field in schema.get("properties", {}).items():
        yield from _leaves(spec, field, (*path, name), depth + 1)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        if not extra or "type" not in _resolve(spec, extra):
            yield (*path, "any"), {"type": "string"}  # free-form: any value may be text
        else:
            yield from _leaves(spec, extra, (*path, "any"), depth + 1)


def _operations(spec: dict):
    for template, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield template, method, operation


def _fields(spec: dict, want):
    """One case per (operation, body field or query parameter) whose schema ``want``s."""
    cases = []
    for template, method, operation in _operations(spec):
        path = re.sub(r"\{[^}]+\}", "1", template)
        for parameter in operation.get("parameters", []):
            schema = _resolve(spec, parameter.get("schema", {}))
            schema = (
                _resolve(spec, schema.get("items", {})) if schema.get("type") == "array" else schema
            )
            if parameter["in"] == "query" and want(schema):
                cases.append((method, path, "query", (parameter["name"],)))
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        for field_path, schema in _leaves(spec, body["schema"]) if body else ():
            if field_path and want(schema):
                cases.append((method, path, "json", field_path))
    return sorted(set(cases))


SPEC = _spec()
TEXT_FIELDS = _fields(SPEC, lambda schema: schema.get("type") == "string")
DATE_FIELDS = _fields(SPEC, lambda schema: schema.get("format") == "date")
DATE_TIME_FIELDS = _fields(SPEC, lambda schema: schema.get("format") == "date-time")


def _case_id(case) -> str:
    method, path, location, field = case
    return f"{method.upper()} {path} {location}:{'.'.join(map(str, field))}"


def _nest(field_path: tuple, value):
    for key in reversed(field_path):
        value = [value] if key == 0 else {key: value}
    return value


def _send(client, actors, method, path, location, field_path, value):
    """The request as the first actor allowed to make it (any id: arguments come first)."""
    for headers in actors:
        if location == "query":
            response = client.open(
                path, method=method, query_string={field_path[0]: value}, headers=headers
            )
        else:
            response = client.open(
                path, method=method, json=_nest(field_path, value), headers=headers
            )
        if response.status_code not in (401, 403):
            return response
    raise AssertionError("no actor may call this operation")


def _error_at(body: dict, location: str, field_path: tuple):
    node = body.get("errors", {}).get(location, {})
    for key in field_path:
        assert isinstance(node, dict), (body, field_path)
        node = node.get(str(key), node.get("any")) if key != "any" else next(iter(node.values()))
    return node


@pytest.fixture
def every_actor(make):
    return [
        make.headers(make.patient()),
        make.headers(make.therapist()),
        make.headers(make.admin()),
    ]


def test_the_walk_finds_the_fields_it_must():
    found = {_case_id(case) for case in TEXT_FIELDS}
    assert "GET /api/v1/exercises query:q" in found
    assert "PATCH /api/v1/me json:display_name" in found
    assert "POST /api/v1/check-ins json:notes" in found
    assert "GET /api/v1/me/progress query:from" in {_case_id(case) for case in DATE_FIELDS}
    assert len(TEXT_FIELDS) > 40


# A URL is decoded as UTF-8 with replacement characters: it cannot carry a lone surrogate.
TEXT_CASES = [
    (case, bad) for case in TEXT_FIELDS for bad in BAD_TEXT if case[2] == "json" or bad == "nul"
]


@pytest.mark.parametrize(
    ("case", "bad"), TEXT_CASES, ids=[f"{_case_id(case)} {bad}" for case, bad in TEXT_CASES]
)
def test_text_no_database_can_store_is_422_naming_the_field(client, every_actor, case, bad):
    method, path, location, field_path = case
    value, message = BAD_TEXT[bad]
    response = _send(client, every_actor, method, path, location, field_path, value)
    assert response.status_code == 422, response.get_json()
    assert message in _error_at(response.get_json(), location, field_path), response.get_json()


DATE_CASES = [(case, day) for case in DATE_FIELDS for day in BAD_DATES] + [
    (case, f"{day}T12:00:00+00:00") for case in DATE_TIME_FIELDS for day in BAD_DATES
]


@pytest.mark.parametrize(
    ("case", "value"), DATE_CASES, ids=[f"{_case_id(case)} {value}" for case, value in DATE_CASES]
)
def test_dates_out_of_bounds_are_422_naming_the_field(client, every_actor, case, value):
    method, path, location, field_path = case
    response = _send(client, every_actor, method, path, location, field_path, value)
    assert response.status_code == 422, response.get_json()
    assert DATE_MESSAGE in _error_at(response.get_json(), location, field_path)


def test_every_date_a_client_sends_states_its_bounds():
    undocumented = []
    for template, method, operation in _operations(SPEC):
        for parameter in operation.get("parameters", []):
            schema = _resolve(SPEC, parameter.get("schema", {}))
            dated = schema.get("format") in ("date", "date-time")
            if dated and DATE_BOUNDS not in parameter.get("description", ""):
                undocumented.append((method, template, parameter["name"]))
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        for field_path, schema in _leaves(SPEC, body["schema"]) if body else ():
            dated = schema.get("format") in ("date", "date-time")
            if dated and DATE_BOUNDS not in schema.get("description", ""):
                undocumented.append((method, template, field_path))
    assert DATE_FIELDS and not undocumented, undocumented


# --- stateful: sequences that follow the OpenAPI links --------------------------------

#: Rules that a schema cannot express, by operation and the fields they concern: on
#: schema-valid data these answer 422, which the positive-data check would otherwise
#: report. A 422 naming any other field is still a failure.
BUSINESS_RULES_422 = {
    # a date at most 90 days back and not in the future; an episode starts before it
    "createCheckIn": {"date", "episode_started_on"},
    "updateCheckIn": {"episode_started_on"},
    # 'from' not after 'to', at most 366 days; therapists must name a linked patient
    "listCheckIns": {"from", "to", "patient_id"},
    "listSessions": {"from", "to", "patient_id"},
    "listOutcomes": {"patient_id"},
    "listProgrammes": {"patient_id"},
    "getMyProgress": {"from", "to"},
    "getPatientProgress": {"from", "to"},
    "getMyReport": {"from", "to"},
    "getPatientReport": {"from", "to"},
    # at most 7 days late, at most 6 hours; items of that programme, same exercise
    "createSession": {"started_at", "ended_at", "entries", "programme_id"},
    # an invite code that exists, unused and unexpired
    "createCareLink": {"code"},
    # exercises and causes from the catalogue, not contraindicated for the patient;
    # therapists name a patient, patients start a template; ends_on after starts_on
    "createProgramme": {"patient_id", "template", "items", "starts_on", "ends_on"},
    "updateProgramme": {"items", "ends_on", "status"},
    "createProgrammeTemplate": {"items", "causes"},
    "updateProgrammeTemplate": {"items", "causes"},
    # NDI: 3 or more unanswered items are refused (Vernon 2008); completed at most 365
    # days back and not in the future
    "createOutcome": {"answers", "completed_on"},
    # not on the list of common passwords; the right password to erase an account
    "registerPatient": {"password"},
    "createTherapist": {"password"},
    "deleteAccount": {"password"},
    # a self-guided patient confirms that a clinician assessed them
    "resolveAlert": {"assessed_by_clinician"},
}


def _fields_at_fault(response) -> set[str]:
    try:
        errors = response.json().get("errors", {})
    except ValueError:
        return set()
    return {field for location in errors.values() for field in location}


def _messages(node) -> list[str]:
    if isinstance(node, dict):
        return [message for value in node.values() for message in _messages(value)]
    return list(node) if isinstance(node, list) else [node]


def _only_date_bounds(response) -> bool:
    """Every date must lie between 1900 and 2100 (api/parsing.py): JSON Schema cannot
    bound a date, so each date's description says so instead."""
    try:
        errors = response.json().get("errors", {})
    except ValueError:
        return False
    messages = _messages(errors)
    return bool(messages) and set(messages) == {DATE_MESSAGE}


def _positive_data_accepted(ctx, response, case):
    """schemathesis' positive-data check, less the 422s of the rules listed above."""
    operation_id = case.operation.definition.raw.get("operationId")
    allowed = BUSINESS_RULES_422.get(operation_id, set())
    fields = _fields_at_fault(response) if response.status_code == 422 else set()
    if fields and (fields <= allowed or _only_date_bounds(response)):
        return None
    return positive_data_acceptance(ctx, response, case)


#: The checks of the tests above, the positive-data check, and the checks that need a
#: sequence: a deleted resource is gone, a created one can be read back, and signed-in
#: operations refuse a request without the token.
STATEFUL_CHECKS = [
    *CHECKS,
    _positive_data_accepted,
    use_after_free,
    ensure_resource_availability,
    ignored_auth,
]


def _run_stateful(app, headers):
    machine = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).as_state_machine()

    class Stateful(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=STATEFUL_CHECKS,
                additional_checks=additional_checks,
                headers=headers,
                transport_kwargs=kwargs,
                recorder=getattr(self, "recorder", None),
            )

    Stateful.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            derandomize=bool(SEED),
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_linked_sequences_as_a_patient(app, as_patient):
    _run_stateful(app, as_patient)


def test_linked_sequences_as_a_therapist(app, as_therapist):
    _run_stateful(app, as_therapist)
