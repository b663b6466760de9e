"""FHIR R4 export: every resource validates, every mapping, filters, paging, queries."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event

from api.accounts.models import AccessLogEntry
from api.checkins.models import CheckIn
from api.database import get_session, state
from api.outcomes.models import OutcomeScore
from api.sessions.models import ExerciseSession, SessionEntry
from tests.programmes.test_programmes import osteoporosis_unsafe, today

FHIR = "/api/v1/fhir"
MEDIA = "application/fhir+json"

R4B_MODULES = {
    "Bundle": "bundle",
    "CapabilityStatement": "capabilitystatement",
    "Patient": "patient",
    "Practitioner": "practitioner",
    "CareTeam": "careteam",
    "Consent": "consent",
    "CarePlan": "careplan",
    "Provenance": "provenance",
    "DetectedIssue": "detectedissue",
    "Observation": "observation",
    "QuestionnaireResponse": "questionnaireresponse",
    "Procedure": "procedure",
    "Flag": "flag",
    "AuditEvent": "auditevent",
}


def validate_r4(resource: dict[str, Any]) -> None:
    """Raises when ``resource`` is not valid FHIR R4 (the R4B models of fhir.resources)."""
    kind = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{R4B_MODULES[kind]}")
    getattr(module, kind).model_validate(resource)


def everything(client, headers, patient_id: int, query: str = "_count=1000"):
    response = client.get(f"{FHIR}/Patient/{patient_id}/$everything?{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == MEDIA
    return response.get_json()


def by_id(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{e['resource']['resourceType']}/{e['resource']['id']}": e["resource"]
        for e in bundle["entry"]
    }


def references(node: Any) -> list[str]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.append(value)
            else:
                found += references(value)
    elif isinstance(node, list):
        for value in node:
            found += references(value)
    return found


def codings(resource: dict[str, Any], path: str = "code") -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in resource[path]["coding"]}


@pytest.fixture
def world(client, make):
    """A patient with every kind of data the export carries."""
    patient = make.patient(
        health_history=["osteoporosis"], birth_year=1970, country="GB", email="p@example.org"
    )
    therapist = make.therapist(display_name="Alex Therapist")
    former = make.therapist(display_name="Former Therapist")
    former_link = make.link(former, patient)
    link = make.link(therapist, patient)
    p_h, t_h = make.headers(patient), make.headers(therapist)
    ended = client.delete(f"/api/v1/care-links/{former_link}", headers=p_h)
    assert ended.status_code == 200
    programme = client.post(
        "/api/v1/programmes",
        json={
            "patient_id": patient,
            "starts_on": today().isoformat(),
            "title": "Upper back",
            "items": [{"exercise": "chin-tuck", "sets": 2, "reps": 10, "hold_seconds": 5}],
        },
        headers=t_h,
    )
    assert programme.status_code == 201, programme.get_json()
    programme_id = programme.get_json()["id"]
    unsafe = osteoporosis_unsafe()
    updated = client.patch(
        f"/api/v1/programmes/{programme_id}",
        json={
            "items": [{"exercise": "chin-tuck"}, {"exercise": unsafe}],
            "override_contraindications": True,
            "override_reason": "DEXA normal; supervised",
        },
        headers=t_h,
    )
    assert updated.status_code == 200, updated.get_json()
    check_in = client.post(
        "/api/v1/check-ins",
        json={"pain": 6, "worst_pain": 8, "mood": 4, "symptoms": ["fever", "night_pain"]},
        headers=p_h,
    )
    assert check_in.status_code == 201, check_in.get_json()
    alerts = client.get("/api/v1/alerts", headers=p_h).get_json()
    assert len(alerts) >= 2
    ack = client.post(
        f"/api/v1/alerts/{alerts[0]['id']}/acknowledge", json={"note": "Called"}, headers=t_h
    )
    assert ack.status_code == 200
    resolved = client.post(
        f"/api/v1/alerts/{alerts[1]['id']}/resolve",
        json={"note": "Seen", "outcome": "assessed_safe_to_continue"},
        headers=t_h,
    )
    assert resolved.status_code == 200, resolved.get_json()
    item = updated.get_json()["version"]["items"][0]
    started = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    session = client.post(
        "/api/v1/sessions",
        json={
            "client_id": "fhir-world-1",
            "programme_id": programme_id,
            "started_at": started.isoformat(),
            "ended_at": (started + dt.timedelta(minutes=20)).isoformat(),
            "entries": [
                {
                    "exercise": "chin-tuck",
                    "programme_item": item["id"],
                    "sets_done": 2,
                    "reps_done": 10,
                    "pain_during": 3,
                    "effort": 5,
                }
            ],
        },
        headers=p_h,
    )
    assert session.status_code == 201, session.get_json()
    ndi = {item: 2 for item in ("pain_intensity", "personal_care", "lifting", "reading")}
    ndi |= {item: 1 for item in ("headaches", "concentration", "work", "driving", "sleeping")}
    ndi["recreation"] = None
    for answers in (ndi, {**ndi, "lifting": 5, "work": 5, "driving": 5, "sleeping": 5}):
        created = client.post(
            "/api/v1/outcomes", json={"instrument": "ndi", "answers": answers}, headers=p_h
        )
        assert created.status_code == 201, created.get_json()
    psfs = [{"activity": "Reaching up", "score": 4}, {"activity": "Driving", "score": 6}]
    psfs.append({"activity": "Lifting a child", "score": 5})
    created = client.post(
        "/api/v1/outcomes",
        json={"instrument": "psfs", "answers": {"activities": psfs}},
        headers=p_h,
    )
    assert created.status_code == 201
    # a therapist read: one access-log row
    assert client.get(f"/api/v1/check-ins?patient_id={patient}", headers=t_h).status_code == 200
    return {
        "patient": patient,
        "therapist": therapist,
        "former": former,
        "link": link,
        "former_link": former_link,
        "programme": programme_id,
        "check_in": check_in.get_json()["id"],
        "alerts": [alerts[0]["id"], alerts[1]["id"]],
        "session": session.get_json()["id"],
        "unsafe": unsafe,
        "p_h": p_h,
        "t_h": t_h,
    }


def test_full_export_validates_against_r4_and_references_resolve(client, world):
    bundle = everything(client, world["p_h"], world["patient"])
    validate_r4(bundle)
    for entry in bundle["entry"]:
        validate_r4(entry["resource"])
        assert entry["search"] == {"mode": "match"}
        kind, ident = entry["resource"]["resourceType"], entry["resource"]["id"]
        assert entry["fullUrl"].endswith(f"{FHIR}/{kind}/{ident}")
    resources = by_id(bundle)
    assert bundle["type"] == "searchset" and bundle["total"] == len(bundle["entry"])
    dangling = {ref for ref in references(bundle["entry"]) if ref not in resources}
    assert dangling == set()
    kinds = {key.split("/")[0] for key in resources}
    assert kinds == set(R4B_MODULES) - {"Bundle", "CapabilityStatement"}


def test_patient_practitioners_care_teams_and_consents(client, world):
    resources = by_id(everything(client, world["p_h"], world["patient"]))
    patient = resources[f"Patient/{world['patient']}"]
    assert patient["birthDate"] == "1970"
    assert "telecom" not in patient and "p@example.org" not in str(patient)
    assert f"Practitioner/{world['therapist']}" in resources
    assert f"Practitioner/{world['former']}" in resources
    active = resources[f"CareTeam/carelink-{world['link']}"]
    assert active["status"] == "active" and "end" not in active["period"]
    ended = resources[f"CareTeam/carelink-{world['former_link']}"]
    assert ended["status"] == "inactive" and ended["period"]["end"]
    consent = resources[f"Consent/carelink-{world['former_link']}"]
    assert consent["status"] == "inactive"
    assert consent["provision"]["period"] == ended["period"]
    assert codings(consent, "scope") == {
        ("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy")
    }
    assert consent["provision"]["actor"][0]["reference"]["reference"] == (
        f"Practitioner/{world['former']}"
    )


def test_care_plan_activities_provenance_and_override(client, world):
    resources = by_id(everything(client, world["t_h"], world["patient"]))
    plan = resources[f"CarePlan/programme-{world['programme']}"]
    # the fever check-in paused the programme (triage hold): on-hold, activities too
    assert plan["status"] == "on-hold" and plan["intent"] == "plan"
    assert {a["detail"]["status"] for a in plan["activity"]} == {"on-hold"}
    assert plan["period"]["start"] == today().isoformat()
    slugs = []
    for activity in plan["activity"]:
        detail = activity["detail"]
        assert ("http://snomed.info/sct", "229065009") in codings(detail)
        slugs += [c["code"] for c in detail["code"]["coding"] if "upright" in c["system"]]
        repeat = detail["scheduledTiming"]["repeat"]
        assert repeat["period"] == 1 and repeat["periodUnit"] == "d" and repeat["frequency"] >= 1
        assert set(repeat["dayOfWeek"]) <= {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
        assert "set" in detail["description"] and "a day" in detail["description"]
    assert slugs == ["chin-tuck", world["unsafe"]]
    assert re.fullmatch(
        r"\d+ sets? of \d+ reps?, .*rest \d+ s between sets, \d+ times? a day.*",
        plan["activity"][0]["detail"]["description"],
    )
    first = resources[f"Provenance/programme-{world['programme']}-v1"]
    second = resources[f"Provenance/programme-{world['programme']}-v2"]
    assert first["agent"][0]["who"]["reference"] == f"Practitioner/{world['therapist']}"
    assert first["activity"]["coding"][0]["code"] == "CREATE"
    assert second["activity"]["coding"][0]["code"] == "UPDATE"
    assert "DEXA normal; supervised" in second["reason"][0]["text"]
    assert "reason" not in first
    issue = resources[f"DetectedIssue/programme-{world['programme']}-v2-override-1"]
    assert issue["implicated"] == [{"reference": f"CarePlan/programme-{world['programme']}"}]
    assert world["unsafe"] in issue["detail"] and "osteoporosis" in issue["detail"]
    assert issue["mitigation"][0]["action"]["text"] == "DEXA normal; supervised"
    assert not [key for key in resources if key.endswith("-v1-override-1")]


def test_check_in_observations_and_red_flags(client, world):
    resources = by_id(everything(client, world["p_h"], world["patient"]))
    prefix = f"Observation/checkin-{world['check_in']}"
    pain = resources[f"{prefix}-pain"]
    assert codings(pain) == {("http://loinc.org", "72514-3")}
    assert pain["valueInteger"] == 6
    assert pain["effectiveDateTime"] == today().isoformat()  # the patient's local day
    assert resources[f"{prefix}-worst-pain"]["valueInteger"] == 8
    assert resources[f"{prefix}-mood"]["valueInteger"] == 4
    assert f"{prefix}-stiffness" not in resources  # not answered: no observation
    fever = resources[f"{prefix}-symptom-fever"]
    assert fever["valueBoolean"] is True
    assert fever["code"]["coding"][0]["code"] == "fever"
    assert f"{prefix}-symptom-night-pain" in resources
    assert f"{prefix}-symptom-chest-pain" not in resources


def test_outcomes_as_questionnaire_responses_and_totals(client, world):
    bundle = everything(
        client,
        world["p_h"],
        world["patient"],
        "_type=Observation,QuestionnaireResponse&_count=1000",
    )
    responses = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    assert [r["questionnaire"].rsplit("/", 1)[1] for r in responses] == ["ndi", "ndi", "psfs"]
    first_ndi, second_ndi, psfs = responses
    assert len(first_ndi["item"]) == 10
    assert "answer" not in next(i for i in first_ndi["item"] if i["linkId"] == "recreation")
    assert [i["text"] for i in psfs["item"]] == ["Reaching up", "Driving", "Lifting a child"]
    totals = {
        r["id"]: r for r in (e["resource"] for e in bundle["entry"]) if r["id"].endswith("-total")
    }
    first = totals[f"{first_ndi['id']}-total"]
    second = totals[f"{second_ndi['id']}-total"]
    assert first["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{first_ndi['id']}"}]
    assert first["valueQuantity"]["value"] == 14.44  # 13 of 45 answered points, pro-rated to 50
    codes_first = {c["code"] for i in first["interpretation"] for c in i["coding"]}
    assert codes_first == {"band-mild"}  # the first score has no change to report
    codes_second = {c["code"] for i in second["interpretation"] for c in i["coding"]}
    assert "change-worse" in codes_second
    assert totals[f"{psfs['id']}-total"]["valueQuantity"]["value"] == 5.0


def test_sessions_flags_and_audit_events(client, world):
    resources = by_id(everything(client, world["p_h"], world["patient"]))
    procedure = resources[f"Procedure/session-{world['session']}"]
    assert ("http://snomed.info/sct", "229065009") in codings(procedure)
    assert procedure["performedPeriod"]["end"]
    assert procedure["basedOn"] == [{"reference": f"CarePlan/programme-{world['programme']}"}]
    note = procedure["note"][0]["text"]
    assert "chin-tuck" in note and "pain 3/10" in note and "effort 5/10" in note
    acknowledged = resources[f"Flag/alert-{world['alerts'][0]}"]
    resolved = resources[f"Flag/alert-{world['alerts'][1]}"]
    assert acknowledged["status"] == "active" and "end" not in acknowledged["period"]
    assert resolved["status"] == "inactive" and resolved["period"]["end"]
    category = acknowledged["category"][0]["coding"][0]
    assert (category["system"], category["code"]) == (
        "http://terminology.hl7.org/CodeSystem/flag-category",
        "clinical",
    )
    rule = {e["url"]: e for e in acknowledged["extension"][0]["extension"]}
    assert rule["id"]["valueString"] and rule["version"]["valueInteger"] >= 1
    assert rule["source"]["valueString"]
    audits = [r for key, r in resources.items() if key.startswith("AuditEvent/")]
    assert audits, "the therapist's reads are in the access log"
    for audit in audits:
        assert audit["action"] == "R"
        assert audit["agent"][0]["who"]["reference"] == f"Practitioner/{world['therapist']}"
        assert audit["entity"][0]["what"] == {"reference": f"Patient/{world['patient']}"}


def test_ids_are_stable_between_exports(client, world):
    first = [e["fullUrl"] for e in everything(client, world["p_h"], world["patient"])["entry"]]
    second = [e["fullUrl"] for e in everything(client, world["p_h"], world["patient"])["entry"]]
    assert first == second


def test_therapist_reads_are_written_to_the_access_log(client, app, world):
    def count() -> int:
        with app.app_context():
            return len(
                get_session()
                .query(AccessLogEntry)
                .filter_by(patient_id=world["patient"], therapist_id=world["therapist"])
                .all()
            )

    before = count()
    everything(client, world["t_h"], world["patient"])
    assert client.get(f"{FHIR}/Patient/{world['patient']}", headers=world["t_h"]).status_code == 200
    assert count() == before + 2
    everything(client, world["p_h"], world["patient"])  # the patient's own reads: not logged
    assert count() == before + 2


def test_type_filter(client, world):
    bundle = everything(client, world["p_h"], world["patient"], "_type=Flag,CarePlan")
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {"Flag", "CarePlan"}
    assert bundle["total"] == 3


def test_since_filter(client, app, world):
    full = everything(client, world["p_h"], world["patient"])
    after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    later = everything(
        client, world["p_h"], world["patient"], f"_since={after.isoformat().replace('+', '%2B')}"
    )
    assert [e["resource"]["resourceType"] for e in later["entry"]] == ["Patient"]
    assert full["total"] > later["total"] == 1
    # a check-in changed after the instant comes back
    with app.app_context():
        session = get_session()
        check_in = session.get(CheckIn, world["check_in"])
        check_in.updated_at = after + dt.timedelta(seconds=5)
        session.commit()
    changed = everything(
        client, world["p_h"], world["patient"], f"_since={after.isoformat().replace('+', '%2B')}"
    )
    ids = {e["resource"]["id"] for e in changed["entry"]}
    assert f"checkin-{world['check_in']}-pain" in ids
    assert not any(i.startswith("session-") for i in ids)


def test_paging_with_next_links(client, world):
    full = everything(client, world["p_h"], world["patient"])
    seen: list[str] = []
    url = f"{FHIR}/Patient/{world['patient']}/$everything?_count=7"
    pages = 0
    while url:
        response = client.get(url, headers=world["p_h"])
        assert response.status_code == 200
        page = response.get_json()
        assert page["total"] == full["total"]
        assert len(page["entry"]) <= 7
        seen += [e["fullUrl"] for e in page["entry"]]
        links = {link["relation"]: link["url"] for link in page["link"]}
        nxt = links.get("next")
        url = None
        if nxt:
            parts = urlsplit(nxt)
            url = f"{parts.path}?{parts.query}"
        pages += 1
    assert seen == [e["fullUrl"] for e in full["entry"]]
    assert pages == -(-full["total"] // 7)


@pytest.mark.parametrize(
    "query",
    [
        "_count=0",
        "_count=1001",
        "_type=Nonsense",
        "_since=yesterday",
        "_since=2026-01-01T00:00:00",
        "_offset=-1",
    ],
)
def test_bad_parameters_are_422(client, world, query):
    response = client.get(
        f"{FHIR}/Patient/{world['patient']}/$everything?{query}", headers=world["p_h"]
    )
    assert response.status_code == 422
    assert response.mimetype == "application/json"


def test_not_yours_is_404_in_the_error_format(client, make, world):
    other_patient = make.headers(make.patient())
    former_therapist = make.headers(world["former"])  # the care link has ended
    for headers in (other_patient, former_therapist):
        for path in (f"Patient/{world['patient']}", f"Patient/{world['patient']}/$everything"):
            response = client.get(f"{FHIR}/{path}", headers=headers)
            assert response.status_code == 404
            assert response.mimetype == "application/json"
            assert response.get_json()["message"] == "Patient not found."


def test_metadata_is_a_public_capability_statement(client):
    response = client.get(f"{FHIR}/metadata")
    assert response.status_code == 200 and response.mimetype == MEDIA
    statement = response.get_json()
    validate_r4(statement)
    assert statement["fhirVersion"] == "4.0.1"
    patient = statement["rest"][0]["resource"][0]
    assert patient["type"] == "Patient"
    assert patient["operation"][0]["name"] == "everything"


def test_patient_read(client, world):
    response = client.get(f"{FHIR}/Patient/{world['patient']}", headers=world["p_h"])
    assert response.status_code == 200 and response.mimetype == MEDIA
    validate_r4(response.get_json())


def _fill(app, patient_id: int, days: int) -> None:
    """``days`` of check-ins, sessions and outcomes, written straight to the database."""
    with app.app_context():
        session = get_session()
        start = dt.date(2025, 1, 1)
        for n in range(days):
            day = start + dt.timedelta(days=n)
            at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
            session.add(
                CheckIn(
                    patient_id=patient_id,
                    local_date=day,
                    pain=n % 11,
                    mood=5,
                    symptoms=["night_pain"] if n % 30 == 0 else [],
                )
            )
            exercise = ExerciseSession(
                patient_id=patient_id,
                client_id=f"fill-{n}",
                started_at=at,
                ended_at=at,
                local_date=day,
            )
            exercise.entries.append(
                SessionEntry(
                    position=0,
                    exercise_id=_exercise_id(session),
                    exercise_slug="chin-tuck",
                    sets_done=2,
                )
            )
            session.add(exercise)
            if n % 14 == 0:
                session.add(
                    OutcomeScore(
                        patient_id=patient_id,
                        instrument="psfs",
                        answers={"activities": [{"activity": "a", "score": 5}]},
                        score=5.0,
                        completed_on=day,
                    )
                )
        session.commit()


def _exercise_id(session) -> int:
    from api.catalogue.models import Exercise

    return session.query(Exercise.id).filter_by(slug="chin-tuck").scalar()


def test_a_year_costs_the_same_queries_as_a_month(client, app, make, world):
    month, year = make.patient(), make.patient()
    _fill(app, month, 30)
    _fill(app, year, 365)
    engine = state(app).engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    counts = {}
    event.listen(engine, "before_cursor_execute", count)
    try:
        for name, patient in (("month", month), ("year", year), ("world", world["patient"])):
            statements.clear()
            bundle = everything(client, make.headers(patient), patient, "_count=5")
            counts[name] = len(statements)
            assert bundle["total"] > 5
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts["month"] == counts["year"], counts
    assert counts["world"] <= 20, statements


def test_the_readme_sample_is_valid_r4():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### FHIR export", 1)[1]
    sample = json.loads(re.search(r"```json\n(.*?)```", section, re.DOTALL).group(1))
    validate_r4(sample)
    for entry in sample["entry"]:
        validate_r4(entry["resource"])
