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

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

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
