"""Base schemas and vocabulary fields: what makes the OpenAPI contract precise.

- ``ResponseSchema``: a body the API sends. A marshmallow dump writes every declared
  field, so every field is always present and ``required`` in the spec (generated
  clients then need no ``None`` checks). The rare field that can be left out says so
  with ``metadata={"optional": True}``. ``null`` is a value, not an absence:
  ``allow_none=True`` fields are required too.
- ``ChangesSchema``: a PATCH body. An empty body changes nothing and is refused
  (422), and the spec says so with ``minProperties: 1``.
- ``code(name, values)``: a string from a closed vocabulary, validated on input and
  documented as the named enum component ``name`` (see ``api.openapi``), so every
  use of one vocabulary shares one generated enum type.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema
from marshmallow_oneofschema import OneOfSchema

from api.accounts.models import Role
from api.triage.vocabulary import HEALTH_HISTORY, LEVELS, PAIN_AREAS, PAIN_ONSET, SYMPTOMS
from api.validation import id_field, one_of
from api.vocabulary import ALERT_STATUSES, INSTRUMENTS, PROGRAMME_STATUSES
from exercises.vocabulary import CAUSE_SLUGS, DAYS_OF_WEEK, DERIVED_CODES, HEALTH_HISTORY_CODES


class ResponseSchema(Schema):
    """A response body: every field is always present (``required`` in the spec)."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        super().on_bind_field(field_name, field_obj)
        if not field_obj.metadata.get("optional"):
            field_obj.required = True


class OneOfResponseSchema(OneOfSchema):
    """A ``OneOfSchema`` whose type schemas are built once per instance.

    ``OneOfSchema`` instantiates the type schema (and its nested schemas) again for
    every item it dumps when given classes; a list of 20 alerts built about 80 schemas
    per request. The answers are the same.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type_schemas = {
            name: schema() if isinstance(schema, type) else schema
            for name, schema in type(self).type_schemas.items()
        }


class ChangesSchema(Schema):
    """A PATCH body: every field optional, but at least one must be sent."""

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.")


def code(name: str, values: Iterable[str], **kwargs: Any) -> fields.String:
    """A string from the closed vocabulary ``values``, the enum component ``name``."""
    metadata = {**kwargs.pop("metadata", {}), "enum_name": name}
    validators = kwargs.pop("validate", None) or []
    if not isinstance(validators, list):
        validators = [validators]
    return fields.String(validate=[one_of(tuple(values)), *validators], metadata=metadata, **kwargs)


def iso_date(**kwargs: Any) -> fields.String:
    """A date already written as ISO 8601 text (records kept as JSON)."""
    kwargs["metadata"] = {**kwargs.get("metadata", {}), "format": "date"}
    return fields.String(**kwargs)


def iso_datetime(**kwargs: Any) -> fields.String:
    """A timestamp already written as ISO 8601 text (records kept as JSON)."""
    kwargs["metadata"] = {**kwargs.get("metadata", {}), "format": "date-time"}
    return fields.String(**kwargs)


class PatientDatesQuerySchema(Schema):
    """A list of one patient's records between two local dates (both optional)."""

    from_ = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "The first local date to list; not after `to`"},
    )
    to = fields.Date(load_default=None, metadata={"description": "The last local date to list"})
    patient_id = id_field(
        load_default=None, metadata={"description": "Therapists: a linked patient (required)"}
    )


# The vocabularies used by several domains. Each name is one enum component.
TRIAGE_LEVELS = LEVELS
ALERT_LEVELS = LEVELS[1:]  # a rule, an alert or a hold is never "none"
#: A health-history code, a cause slug (``osteoporosis`` is both) or a derived code.
CONTRAINDICATIONS = (
    *HEALTH_HISTORY_CODES,
    *(slug for slug in CAUSE_SLUGS if slug not in HEALTH_HISTORY_CODES),
    *DERIVED_CODES,
)
CHANGE_LABELS = ("improved", "unchanged", "worse")


def triage_level(**kwargs: Any) -> fields.String:
    return code("TriageLevel", TRIAGE_LEVELS, **kwargs)


def alert_level(**kwargs: Any) -> fields.String:
    return code("AlertLevel", ALERT_LEVELS, **kwargs)


def alert_status(**kwargs: Any) -> fields.String:
    return code("AlertStatus", ALERT_STATUSES, **kwargs)


def programme_status(**kwargs: Any) -> fields.String:
    return code("ProgrammeStatus", PROGRAMME_STATUSES, **kwargs)


def instrument(**kwargs: Any) -> fields.String:
    return code("Instrument", INSTRUMENTS, **kwargs)


def change_label(**kwargs: Any) -> fields.String:
    return code("ChangeLabel", CHANGE_LABELS, **kwargs)


def symptom(**kwargs: Any) -> fields.String:
    return code("Symptom", tuple(SYMPTOMS), **kwargs)


def health_history(**kwargs: Any) -> fields.String:
    return code("HealthHistory", tuple(HEALTH_HISTORY), **kwargs)


def pain_area(**kwargs: Any) -> fields.String:
    return code("PainArea", tuple(PAIN_AREAS), **kwargs)


def pain_onset(**kwargs: Any) -> fields.String:
    return code("PainOnset", tuple(PAIN_ONSET), **kwargs)


def cause(**kwargs: Any) -> fields.String:
    return code("Cause", CAUSE_SLUGS, **kwargs)


def contraindication(**kwargs: Any) -> fields.String:
    return code("Contraindication", CONTRAINDICATIONS, **kwargs)


def day_of_week(**kwargs: Any) -> fields.String:
    return code("DayOfWeek", DAYS_OF_WEEK, **kwargs)


def role(**kwargs: Any) -> fields.String:
    return code("Role", tuple(Role), **kwargs)


def _field_messages(description: str) -> fields.Dict:
    """Messages by field name: a list of strings, or the errors of a nested object."""
    nested_or_list = [
        {"type": "array", "items": {"type": "string"}},
        {"type": "object", "description": "The errors of a nested object or list, by key"},
    ]
    return fields.Dict(
        keys=fields.String(),
        values=fields.Raw(metadata={"anyOf": nested_or_list}),
        metadata={"description": description},
    )


class AlternativeSchema(ResponseSchema):
    slug = fields.String()
    name = fields.String()


class RefusalSchema(ResponseSchema):
    """A programme item refused because the exercise is contraindicated for the patient."""

    item = fields.Integer(metadata={"description": "The item's index in `items`"})
    exercise = fields.String()
    name = fields.String()
    reasons = fields.List(contraindication())
    message = fields.String()
    alternatives = fields.List(
        fields.Nested(AlternativeSchema), metadata={"description": "Safer exercises to use"}
    )


class ErrorLocationsSchema(Schema):
    """Field errors by where they were found in the request."""

    json = _field_messages("Errors in the JSON body (`_schema`: the body as a whole)")
    query = _field_messages("Errors in query parameters")
    contraindications = fields.List(
        fields.Nested(RefusalSchema),
        metadata={
            "description": "Programmes: the refused items; therapists may send "
            "override_contraindications with a reason"
        },
    )


class ErrorSchema(ResponseSchema):
    """Every error: ``{code, status, message, errors?}``."""

    code = fields.Integer(metadata={"description": "The HTTP status code"})
    status = fields.String(metadata={"description": "The HTTP status name"})
    message = fields.String(metadata={"description": "What went wrong, in words"})
    errors = fields.Nested(
        ErrorLocationsSchema,
        metadata={"optional": True, "description": "Present when fields are at fault"},
    )
