"""What the FHIR routes take and answer (answers are FHIR JSON, documented loosely)."""

from __future__ import annotations

import datetime as dt

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates

from api.fhir.service import DEFAULT_COUNT, MAX_COUNT, RESOURCE_TYPES
from api.schemas import code


class FhirResourceSchema(Schema):
    """Any FHIR resource: ``resourceType`` and the fields of that type (FHIR R4)."""

    class Meta:
        unknown = INCLUDE

    resourceType = fields.String(required=True, metadata={"description": "The FHIR type"})
    id = fields.String(metadata={"description": "Stable logical id"})


class BundleLinkSchema(Schema):
    relation = fields.String(required=True, metadata={"description": "self or next"})
    url = fields.String(required=True)


class BundleSearchSchema(Schema):
    mode = code("FhirSearchMode", ("match",), required=True)


class BundleMetaSchema(Schema):
    lastUpdated = fields.String(
        required=True, metadata={"description": "When the Bundle was made (FHIR instant)"}
    )


class BundleEntrySchema(Schema):
    fullUrl = fields.String(required=True)
    resource = fields.Dict(
        required=True,
        metadata={
            "description": "A FHIR R4 resource (its shape is FHIR's, by `resourceType`)",
            "additionalProperties": True,
        },
    )
    search = fields.Nested(BundleSearchSchema, required=True)


class BundleSchema(Schema):
    """A FHIR R4 ``searchset`` Bundle."""

    resourceType = fields.String(required=True, metadata={"description": "Bundle"})
    type = fields.String(required=True, metadata={"description": "searchset"})
    meta = fields.Nested(BundleMetaSchema, required=True)
    timestamp = fields.String(required=True)
    total = fields.Integer(required=True, metadata={"description": "Matches on every page"})
    link = fields.List(fields.Nested(BundleLinkSchema), required=True)
    entry = fields.List(fields.Nested(BundleEntrySchema), required=True)


class EverythingQuerySchema(Schema):
    since = fields.AwareDateTime(
        data_key="_since",
        load_default=None,
        metadata={"description": "An instant: only resources changed at or after it"},
    )
    types = fields.String(
        data_key="_type",
        load_default=None,
        metadata={"description": f"Comma list of resource types: {', '.join(RESOURCE_TYPES)}"},
    )
    count = fields.Integer(
        data_key="_count",
        load_default=DEFAULT_COUNT,
        validate=validate.Range(min=1, max=MAX_COUNT),
        metadata={"description": f"Resources per page (default {DEFAULT_COUNT})"},
    )
    offset = fields.Integer(
        data_key="_offset",
        load_default=0,
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": "Where the page starts (follow the `next` link)"},
    )

    @validates("types")
    def _known_types(self, value: str | None, **_kwargs: object) -> None:
        if value is None:
            return
        unknown = sorted({t.strip() for t in value.split(",")} - set(RESOURCE_TYPES))
        if unknown:
            raise ValidationError(f"Unknown resource types: {', '.join(unknown)}.")

    @validates("since")
    def _bounded(self, value: dt.datetime | None, **_kwargs: object) -> None:
        if value is not None and value.year < 1900:
            raise ValidationError("Give an instant after 1900.")
