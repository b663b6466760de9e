"""The OpenAPI document as a contract that client generators can rely on.

Every operation has a stable camelCase operationId, a summary and a description,
an explicit security decision, and examples for its request body and its 2xx JSON
answers, each valid against its schema. Create operations link to the operations
that take the id they return.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

METHODS = ("get", "post", "put", "patch", "delete")

#: Operations anyone may call without signing in (``security: []``).
PUBLIC = {
    "getHealth",
    "getReadiness",
    "registerPatient",
    "login",
    "refreshTokens",
    "logout",
    "listCauses",
    "getCause",
    "listLifestyleAdvice",
    "getFhirMetadata",
}
#: Public, but signing in changes the answer (``safe_for_me``).
OPTIONAL_SIGN_IN = {"listExercises", "getExercise"}

#: From each create (or list) operation to the operations that take the id it returns.
LINKS = {
    "createCheckIn": {"getCheckIn", "updateCheckIn"},
    "createProgramme": {"getProgramme", "updateProgramme", "listProgrammeVersions"},
    "createProgrammeTemplate": {
        "getProgrammeTemplate",
        "updateProgrammeTemplate",
        "deleteProgrammeTemplate",
    },
    "createSession": {"getSession", "deleteSession"},
    "createOutcome": {"getOutcome"},
    "createCareLink": {"endCareLink"},
    "listAlerts": {"getAlert", "acknowledgeAlert", "resolveAlert"},
    "listPatients": {"getPatient", "getPatientProgress"},
}


@pytest.fixture
def spec(client) -> dict[str, Any]:
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    return document


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = spec["components"][section][name]
    return node


def _examples(media: dict[str, Any]) -> list[Any]:
    if "example" in media:
        return [media["example"]]
    return [example["value"] for example in media.get("examples", {}).values()]


def _bodies(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, JSON media object) of every request body and 2xx JSON answer."""
    for method, path, operation in operations(spec):
        if "requestBody" in operation:
            media = operation["requestBody"]["content"]["application/json"]
            yield f"{method} {path} request", media
        for status, answer in operation["responses"].items():
            answer = _resolve(spec, answer)
            if status.startswith("2") and "application/json" in answer.get("content", {}):
                yield f"{method} {path} {status}", answer["content"]["application/json"]


def test_every_operation_has_a_camel_case_operation_id(spec):
    ids = [operation.get("operationId") for _, _, operation in operations(spec)]
    missing = [f"{m} {p}" for m, p, op in operations(spec) if not op.get("operationId")]
    assert missing == []
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)*", op_id) for op_id in ids), ids
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_every_operation_has_a_summary_and_a_description(spec):
    lacking = [
        f"{method} {path}"
        for method, path, operation in operations(spec)
        if not operation.get("summary") or not operation.get("description")
    ]
    assert lacking == []


def test_every_operation_states_its_security(spec):
    undecided = [f"{m} {p}" for m, p, op in operations(spec) if "security" not in op]
    assert undecided == []
    public = {op["operationId"] for _, _, op in operations(spec) if op["security"] == []}
    assert public == PUBLIC
    optional = {op["operationId"] for _, _, op in operations(spec) if {} in op["security"]}
    assert optional == OPTIONAL_SIGN_IN


def test_public_operations_answer_without_sign_in(client, spec):
    """security: [] is only on operations that really need no token."""
    for method, path, operation in operations(spec):
        if operation["operationId"] in PUBLIC and method == "GET" and "{" not in path:
            assert client.get(path).status_code == 200, path


def test_servers_license_and_contact(spec):
    assert spec["servers"] == [{"url": "/", "description": "This server"}]
    assert spec["info"]["license"]["name"]
    assert spec["info"]["contact"]["email"]


def test_every_body_and_2xx_json_answer_has_an_example(spec):
    lacking = [label for label, media in _bodies(spec) if not _examples(media)]
    assert lacking == []


def test_error_answers_have_an_example(spec):
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        media = spec["components"]["responses"][name]["content"]["application/json"]
        assert _examples(media), name


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> OAS30Validator:
    return OAS30Validator(
        {**schema, "components": spec["components"]}, format_checker=oas30_format_checker
    )


def test_every_example_matches_its_schema(spec):
    media_objects = list(_bodies(spec))
    media_objects += [
        (f"components/responses/{name}", response["content"]["application/json"])
        for name, response in spec["components"]["responses"].items()
        if "content" in response
    ]
    problems = []
    for label, media in media_objects:
        validator = _validator(spec, media["schema"])
        for example in _examples(media):
            problems += [f"{label}: {error.message}" for error in validator.iter_errors(example)]
    assert problems == []


def test_an_invalid_example_is_caught(spec):
    """The check above can fail: a check-in without its pain score is refused."""
    media = spec["paths"]["/api/v1/check-ins"]["post"]["requestBody"]["content"]
    validator = _validator(spec, media["application/json"]["schema"])
    assert list(validator.iter_errors({"symptoms": ["fever"]}))


def test_create_operations_link_to_their_item_operations(spec):
    by_id = {op["operationId"]: (path, op) for _, path, op in operations(spec)}
    found: dict[str, set[str]] = {}
    for _, _, operation in operations(spec):
        for status, answer in operation["responses"].items():
            for name, link in answer.get("links", {}).items():
                target_path, target = by_id[link["operationId"]]
                assert name == link["operationId"]
                parameters = {p["name"] for p in target.get("parameters", [])}
                parameters |= set(re.findall(r"{(\w+)}", target_path))
                assert set(link["parameters"]) <= parameters, (name, link)
                assert status.startswith("2")
                found.setdefault(operation["operationId"], set()).add(name)
    assert found == LINKS
