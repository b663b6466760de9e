"""FHIR R4 export: a CapabilityStatement, the Patient, and Patient/$everything."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Response, request
from flask.views import MethodView

from api.accounts.models import Role
from api.blueprint import Blueprint, current_user
from api.database import get_session, utcnow
from api.fhir import examples, service
from api.fhir.codes import MEDIA_TYPE
from api.fhir.schemas import BundleSchema, EverythingQuerySchema, FhirResourceSchema
from api.policy import readable_patient

blp = Blueprint(
    "fhir",
    __name__,
    url_prefix="/api/v1/fhir",
    description=(
        "FHIR R4 (4.0.1) export of a patient's record, as `application/fhir+json`. "
        "Errors keep the API's one error format (`application/json`)."
    ),
)


def fhir_json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), mimetype=MEDIA_TYPE)


def _base_url() -> str:
    return request.url_root.rstrip("/") + blp.url_prefix


@blp.route("/metadata")
class Metadata(MethodView):
    @blp.doc(operationId="getFhirMetadata")
    @blp.public()
    @blp.response(200, FhirResourceSchema, content_type=MEDIA_TYPE, example=examples.CAPABILITY)
    def get(self):
        """The FHIR CapabilityStatement: what this server exports.

        FHIR R4 (4.0.1), JSON only, read-only: `Patient` read and the `Patient/$everything`
        operation (with `_since`, `_type` and `_count`). No sign-in needed.
        """
        return fhir_json(service.capability_statement(now=utcnow()))


@blp.route("/Patient/<int:patient_id>")
class FhirPatient(MethodView):
    @blp.doc(operationId="getFhirPatient")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.response(200, FhirResourceSchema, content_type=MEDIA_TYPE, example=examples.PATIENT)
    @blp.not_found()
    def get(self, patient_id):
        """A patient as a FHIR Patient resource.

        Yourself, or a linked patient (the read is recorded in their access log). Name,
        birth year (year precision) and country; never the e-mail address.
        """
        session = get_session()
        patient = readable_patient(session, current_user(), patient_id, resource="fhir-patient")
        body = service.patient_resource(patient)
        session.commit()
        return fhir_json(body)


@blp.route("/Patient/<int:patient_id>/$everything")
class FhirEverything(MethodView):
    @blp.doc(operationId="fhirPatientEverything")
    @blp.login_required(Role.patient, Role.therapist)
    @blp.arguments(EverythingQuerySchema, location="query")
    @blp.response(200, BundleSchema, content_type=MEDIA_TYPE, example=examples.BUNDLE)
    @blp.not_found()
    def get(self, query, patient_id):
        """A patient's whole record as a FHIR `searchset` Bundle.

        Patient, Practitioners, CareTeam and Consent per care link, CarePlan per programme
        (with a Provenance per version and a DetectedIssue per contraindication override),
        Observations (check-in scores, red-flag symptoms, outcome totals),
        QuestionnaireResponses (NDI, PSFS), a Procedure per exercise session, a Flag per
        alert and an AuditEvent per access-log row. `_since` keeps resources changed at or
        after an instant, `_type` keeps the listed types, `_count` sets the page size; follow
        the `next` link for the following page. Yourself, or a linked patient (the read is
        recorded in their access log).
        """
        session = get_session()
        patient = readable_patient(session, current_user(), patient_id, resource="fhir-everything")
        types = (
            {t.strip() for t in query["types"].split(",")} if query["types"] is not None else None
        )
        items = service.select_items(
            service.collect(db_session=session, patient=patient),
            since=query["since"],
            types=types,
        )
        count, offset = query["count"], query["offset"]
        page = items[offset : offset + count]
        base = _base_url()

        def url(at: int) -> str:
            params = {key: value for key, value in request.args.items() if key != "_offset"}
            params["_count"] = str(count)
            if at:
                params["_offset"] = str(at)
            return f"{base}/Patient/{patient.id}/$everything?{urlencode(params)}"

        more = offset + count < len(items)
        body = service.searchset(
            page,
            base_url=base,
            self_url=url(offset),
            next_url=url(offset + count) if more else None,
            total=len(items),
            now=utcnow(),
        )
        session.commit()
        return fhir_json(body)
