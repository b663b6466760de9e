"""The OpenAPI schemas that clients are generated from: every response schema says
which fields are always there, every field has a type, closed vocabularies are named
enums, nullable references are written the way generators read them, and the
server's constraints are in the spec."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from api.accounts.export import section_names
from api.checkins.schemas import RuleEvidenceSchema
from api.triage import HEALTH_HISTORY, PAIN_ONSET, SYMPTOMS
from api.triage.engine import CheckInFacts, PastCheckIn, ProfileFacts, evaluate

# Every property of these may be absent: the facts a rule looked at, the instruments
# with scores in range, the error locations with errors.
ALL_OPTIONAL = {"RuleEvidence", "OutcomesProgress", "ErrorLocations"}


@pytest.fixture(scope="module")
def spec(database_url) -> dict[str, Any]:
    from api import create_app
    from tests.conftest import _config

    app = create_app(_config(database_url))
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _schemas(spec):
    return spec["components"]["schemas"]


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[1]


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {_name(node["$ref"])} if "$ref" in node else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _response_schemas(spec) -> set[str]:
    """Every component reachable from a response body."""
    seen: set[str] = set()
    todo = {
        name
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for response in operation.get("responses", {}).values()
        for name in _refs(response)
    }
    for name in list(todo):
        if name in spec["components"].get("responses", {}):
            todo.discard(name)
            todo |= _refs(spec["components"]["responses"][name])
    while todo:
        name = todo.pop()
        if name in seen or name not in _schemas(spec):
            continue
        seen.add(name)
        todo |= _refs(_schemas(spec)[name])
    return seen


def _properties(schema: dict, path: str = ""):
    """(path, property schema) for every property, items and additionalProperties, deep."""
    for name, prop in schema.get("properties", {}).items():
        yield f"{path}.{name}", prop
        yield from _properties(prop, f"{path}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield f"{path}[{key}]", schema[key]
            yield from _properties(schema[key], f"{path}[{key}]")


def test_every_response_object_lists_its_required_fields(spec):
    responses = _response_schemas(spec)
    assert {"CheckIn", "Triage", "Programme", "NdiOutcome", "Error"} <= responses
    missing = [
        name
        for name in sorted(responses - ALL_OPTIONAL)
        if "properties" in _schemas(spec)[name] and not _schemas(spec)[name].get("required")
    ]
    assert missing == []


def test_the_triage_verdict_is_required(spec):
    triage = _schemas(spec)["Triage"]
    assert {"level", "pause_exercise", "rules", "emergency_number"} <= set(triage["required"])
    assert {"triage", "id", "date"} <= set(_schemas(spec)["CheckIn"]["required"])


def test_no_field_is_untyped(spec):
    untyped = [
        f"{name}{path}"
        for name, schema in _schemas(spec).items()
        for path, prop in _properties(schema)
        if not {"type", "$ref", "oneOf", "allOf", "anyOf"} & set(prop)
    ]
    assert untyped == []


@pytest.mark.parametrize(
    ("component", "values"),
    [
        ("TriageLevel", ["none", "soon", "urgent", "emergency"]),
        ("AlertLevel", ["soon", "urgent", "emergency"]),
        ("AlertStatus", ["open", "acknowledged", "resolved"]),
        ("ProgrammeStatus", ["active", "paused", "completed", "cancelled"]),
        ("Instrument", ["ndi", "psfs"]),
        ("ScoreDirection", ["lower", "higher"]),
        ("Symptom", list(SYMPTOMS)),
        ("HealthHistory", list(HEALTH_HISTORY)),
        ("PainOnset", list(PAIN_ONSET)),
    ],
)
def test_closed_vocabularies_are_named_enums(spec, component, values):
    assert _schemas(spec)[component] == {"type": "string", "enum": values}


def test_vocabularies_are_referenced_not_repeated(spec):
    triage = _schemas(spec)["Triage"]["properties"]["level"]
    assert triage["allOf"] == [{"$ref": "#/components/schemas/TriageLevel"}]
    alert = _schemas(spec)["Alert"]["properties"]
    assert alert["status"] == {"$ref": "#/components/schemas/AlertStatus"}
    symptoms = _schemas(spec)["CheckInCreate"]["properties"]["symptoms"]
    assert symptoms["items"] == {"$ref": "#/components/schemas/Symptom"}
    inline = [
        f"{name}{path}"
        for name, schema in _schemas(spec).items()
        for path, prop in _properties(schema)
        if "enum" in prop and prop.get("type") == "string"
    ]
    assert inline == []


def test_nullable_references_are_one_of_the_type_or_null(spec):
    """No ``null`` in an enum's values, no ``anyOf`` with an empty object: generated
    clients get ``Model | None`` and linters find the ``type`` beside ``nullable``."""
    outcome = _schemas(spec)["Alert"]["properties"]["outcome"]
    assert outcome == {
        "oneOf": [
            {"$ref": "#/components/schemas/AlertOutcome"},
            {"type": "string", "nullable": True, "enum": [None]},
        ]
    }
    banner = _schemas(spec)["Today"]["properties"]["safety_banner"]
    assert banner["oneOf"][0] == {"$ref": "#/components/schemas/SafetyBanner"}
    assert banner["oneOf"][1] == {"type": "object", "nullable": True, "enum": [None]}
    for name, schema in _schemas(spec).items():
        if "enum" in schema:
            assert None not in schema["enum"], name
        for path, prop in _properties(schema):
            assert "nullable" not in prop or "type" in prop, f"{name}{path}"
            if prop.get("enum") and prop["enum"] != [None]:
                assert None not in prop["enum"], f"{name}{path}"


def test_outcomes_are_one_of_the_instruments(spec):
    for name, (ndi, psfs) in {
        "Outcome": ("NdiOutcome", "PsfsOutcome"),
        "OutcomeCreate": ("NdiOutcomeCreate", "PsfsOutcomeCreate"),
    }.items():
        schema = _schemas(spec)[name]
        refs = [f"#/components/schemas/{ndi}", f"#/components/schemas/{psfs}"]
        assert schema["oneOf"] == [{"$ref": ref} for ref in refs]
        assert schema["discriminator"] == {
            "propertyName": "instrument",
            "mapping": {"ndi": refs[0], "psfs": refs[1]},
        }
    ndi = _schemas(spec)["NdiOutcome"]
    assert {"percent", "band", "unanswered", "answers"} <= set(ndi["required"])
    assert ndi["properties"]["unanswered"]["items"] == {"$ref": "#/components/schemas/NdiItem"}
    psfs = _schemas(spec)["PsfsOutcome"]["properties"]
    assert psfs["answers"] == {"$ref": "#/components/schemas/PsfsAnswers"}
    assert "percent" not in psfs


def test_formerly_free_form_fields_are_typed(spec):
    schemas = _schemas(spec)
    assert schemas["Programme"]["properties"]["version"]["allOf"] == [
        {"$ref": "#/components/schemas/Version"}
    ]
    assert schemas["FiredRule"]["properties"]["evidence"] == {
        "$ref": "#/components/schemas/RuleEvidence"
    }
    assert schemas["Progress"]["properties"]["outcomes"]["allOf"] == [
        {"$ref": "#/components/schemas/OutcomesProgress"}
    ]
    export = schemas["Export"]["properties"]
    assert export["profile"] == {"$ref": "#/components/schemas/ExportProfile"}
    sections = schemas["ExportSections"]
    assert sorted(sections["properties"]) == section_names()
    assert sorted(sections["required"]) == section_names()


def test_exercise_hold_has_one_shape_everywhere(spec):
    shapes = {
        name: schema["properties"]["exercise_hold"]
        for name, schema in _schemas(spec).items()
        if "exercise_hold" in schema.get("properties", {})
    }
    assert {"Profile", "PatientSummary", "PatientDetail"} <= set(shapes)
    assert {str(shape) for shape in shapes.values()} == {
        str({"$ref": "#/components/schemas/ExerciseHold"})
    }


def test_exercise_hold_is_the_same_object_in_both_lists(client, make):
    patient, therapist = make.patient(), make.therapist()
    make.link(therapist, patient)
    me = client.get("/api/v1/me", headers=make.headers(patient)).get_json()
    listed = client.get("/api/v1/patients", headers=make.headers(therapist)).get_json()
    assert (
        listed[0]["exercise_hold"]
        == me["exercise_hold"]
        == {
            "active": False,
            "since": None,
            "level": None,
            "reason": None,
        }
    )


def test_constraints_the_server_enforces_are_in_the_spec(spec):
    schemas = _schemas(spec)
    create = schemas["CheckInCreate"]["properties"]
    assert create["pain"]["minimum"] == 0 and create["pain"]["maximum"] == 10
    assert create["symptoms"]["uniqueItems"] is True
    assert create["symptoms"]["maxItems"] == len(SYMPTOMS)
    assert create["notes"]["maxLength"] == 2000
    profile = schemas["ProfileUpdate"]["properties"]
    assert profile["country"]["pattern"] == "^[A-Z]{2}$"
    assert profile["birth_year"]["maximum"] == dt.date.today().year - 10
    assert profile["health_history"]["uniqueItems"] is True
    register = schemas["Register"]
    assert register["properties"]["password"]["minLength"] == 10
    assert register["properties"]["email"]["format"] == "email"
    assert register["additionalProperties"] is False
    programme = schemas["ProgrammeCreate"]["properties"]
    assert programme["days_of_week"]["minItems"] == 1
    assert programme["days_of_week"]["maxItems"] == 7
    assert programme["days_of_week"]["uniqueItems"] is True
    psfs = schemas["PsfsAnswers"]["properties"]["activities"]
    assert (psfs["minItems"], psfs["maxItems"]) == (3, 5)


def test_business_rules_are_described_on_their_parameters(spec):
    def parameter(path: str, name: str) -> dict:
        operation = spec["paths"][path]["get"]
        return next(p for p in operation["parameters"] if p["name"] == name)

    assert "not after" in parameter("/api/v1/check-ins", "from")["description"]
    assert "366 days" in parameter("/api/v1/me/progress", "from")["description"]
    check_in_date = _schemas(spec)["CheckInCreate"]["properties"]["date"]["description"]
    assert "90 days back" in check_in_date


def _evidence_samples():
    """The evidence of every rule that fires over a wide grid of answers."""
    today = dt.date(2025, 6, 1)
    history = [
        PastCheckIn(date=today - dt.timedelta(days=days), pain=6, pain_onset="changed")
        for days in (35, 21, 7)
    ]
    for onset, codes, conditions, birth_year in itertools.product(
        (None, *PAIN_ONSET),
        (list(SYMPTOMS), ["fever"], ["minor_trauma"], ["coughing_blood"], ["weight_loss"]),
        ((), tuple(HEALTH_HISTORY), ("cancer",), ("smoker",)),
        (None, 1940, 2012),
    ):
        result = evaluate(
            CheckInFacts(
                date=today,
                pain=8,
                symptoms=frozenset(codes),
                pain_onset=onset,
                pain_areas=frozenset({"upper_back"}),
            ),
            ProfileFacts(
                birth_year=birth_year,
                health_history=frozenset(conditions),
                therapist_linked=False,
            ),
            history if onset not in (None, "usual") else (),
        )
        for rule in result.rules:
            yield rule.id, rule.evidence


def test_rule_evidence_schema_declares_every_key_rules_produce():
    """A key missing from RuleEvidenceSchema would be dropped from responses."""
    declared = set(RuleEvidenceSchema().fields)
    nested = set(RuleEvidenceSchema().fields["not_improving"].schema.fields)
    fired = set()
    for rule_id, evidence in _evidence_samples():
        fired.add(rule_id)
        assert set(evidence) <= declared, rule_id
        assert set(evidence.get("not_improving", {})) <= nested, rule_id
    assert len(fired) >= 15 and "RF-ASSESS-01" in fired


def test_query_parameters_are_absent_rather_than_null(spec):
    parameters = [
        (path, parameter)
        for path, item in spec["paths"].items()
        for operation in item.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]
    assert parameters
    for path, parameter in parameters:
        schema = parameter["schema"]
        assert "nullable" not in str(schema) and schema.get("default", "") is not None, path
    status = next(
        p for p in spec["paths"]["/api/v1/alerts"]["get"]["parameters"] if p["name"] == "status"
    )
    assert status["schema"] == {"$ref": "#/components/schemas/AlertStatus"}


def _validate(spec, component: str, body: Any) -> None:
    from openapi_schema_validator import OAS30Validator

    schema = {"$ref": f"#/components/schemas/{component}", "components": spec["components"]}
    OAS30Validator(schema).validate(body)


def test_real_error_bodies_match_the_error_schema(spec, client, make):
    from exercises.load import load_content

    patient = make.patient(health_history=["osteoporosis"])
    therapist = make.therapist()
    make.link(therapist, patient)
    unsafe = next(
        e.slug for e in load_content().exercises.values() if "osteoporosis" in e.contraindications
    )
    as_therapist = make.headers(therapist)
    refused = client.post(
        "/api/v1/programmes",
        json={
            "patient_id": patient,
            "starts_on": dt.date.today().isoformat(),
            "items": [{"exercise": "chin-tuck"}, {"exercise": unsafe}],
        },
        headers=as_therapist,
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["contraindications"][0]["exercise"] == unsafe
    responses = [
        refused,
        client.post("/api/v1/programmes", json={"items": [{"sets": 0}]}, headers=as_therapist),
        client.get("/api/v1/alerts?status=nope", headers=as_therapist),
        client.post("/api/v1/auth/login", data="{", content_type="application/json"),
        client.get("/api/v1/me"),
        client.get("/api/v1/programmes/999", headers=as_therapist),
    ]
    assert [r.status_code for r in responses] == [422, 422, 422, 400, 401, 404]
    for response in responses:
        _validate(spec, "Error", response.get_json())


def test_a_real_outcome_of_each_instrument_matches_its_schema(spec, client, make):
    headers = make.headers(make.patient())
    ndi = {item: 1 for item in ("pain_intensity", "personal_care", "lifting", "reading")}
    ndi |= {"headaches": 2, "concentration": 2, "work": 2, "driving": None, "sleeping": 1}
    psfs = {"activities": [{"activity": a, "score": 5} for a in ("lift", "sit", "reach")]}
    for instrument, answers in (("ndi", ndi), ("psfs", psfs)):
        response = client.post(
            "/api/v1/outcomes", json={"instrument": instrument, "answers": answers}, headers=headers
        )
        assert response.status_code == 201, response.get_json()
        _validate(spec, "Outcome", response.get_json())
    listed = client.get("/api/v1/outcomes", headers=headers).get_json()
    assert [o["instrument"] for o in listed] == ["psfs", "ndi"]
    assert listed[1]["unanswered"] == ["driving", "recreation"]


def test_real_bodies_of_a_patients_records_match_their_schemas(spec, client, make):
    """Responses built from many records (advice, triage, progress, export) keep to the
    spec: a key the spec requires is never left out, and nothing undeclared appears."""
    from tests.sessions.helpers import entry, log

    patient = make.patient(timezone="UTC", birth_year=1950)
    headers = make.headers(patient)
    session = log(client, headers, entry("bird-dog", pain_during=6))
    assert session.status_code == 201
    assert session.get_json()["advice"][0]["rule"] == "pain_during"
    _validate(spec, "Session", session.get_json())
    check_in = client.post(
        "/api/v1/check-ins",
        json={"pain": 7, "symptoms": ["fever", "night_pain"], "pain_onset": "first_ever"},
        headers=headers,
    )
    assert check_in.get_json()["triage"]["rules"]
    _validate(spec, "CheckIn", check_in.get_json())
    psfs = {"activities": [{"activity": a, "score": 5} for a in ("lift", "sit", "reach")]}
    client.post("/api/v1/outcomes", json={"instrument": "psfs", "answers": psfs}, headers=headers)
    for path, component in (
        ("/api/v1/me", "Profile"),
        ("/api/v1/me/today", "Today"),
        ("/api/v1/me/progress", "Progress"),
        ("/api/v1/me/export", "Export"),
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        _validate(spec, component, response.get_json())


def test_real_sync_pulls_match_their_typed_records(spec, client, make):
    """Each collection's records are typed by the REST item schema plus version and
    updated_at: real pulls of a patient and of a therapist validate, a record missing a
    key of its REST body does not."""
    from jsonschema.exceptions import ValidationError

    from tests.sync.helpers import notify
    from tests.test_authorisation_matrix import REMINDERS, _psfs

    patient, therapist = make.patient(), make.therapist()
    make.link(therapist, patient)
    headers, as_therapist = make.headers(patient), make.headers(therapist)
    programme = client.post(
        "/api/v1/programmes",
        json={
            "patient_id": patient,
            "template": "core-routine",
            "starts_on": dt.date.today().isoformat(),
        },
        headers=as_therapist,
    )
    assert programme.status_code == 201, programme.get_json()
    client.post("/api/v1/check-ins", json={"pain": 6, "symptoms": ["fever"]}, headers=headers)
    client.post("/api/v1/outcomes", json=_psfs(), headers=headers)
    client.put("/api/v1/me/reminders", json=REMINDERS, headers=headers)
    notify(client.application, patient, "typed")
    for who in (headers, as_therapist):
        body = client.get("/api/v1/sync?limit=1000", headers=who).get_json()
        filled = {name for name, change in body["changes"].items() if change["upserted"]}
        assert "notifications" in filled and "alerts" in filled
        _validate(spec, "Pull", body)
    body = client.get("/api/v1/sync?limit=1000", headers=headers).get_json()
    assert {"profile", "programmes", "check_ins", "outcomes", "reminders"} <= set(
        name for name, change in body["changes"].items() if change["upserted"]
    )
    del body["changes"]["check_ins"]["upserted"][0]["triage"]
    with pytest.raises(ValidationError):
        _validate(spec, "Pull", body)
