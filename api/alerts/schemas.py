"""Alert bodies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.alerts.service import OUTCOMES
from api.checkins.schemas import RuleEvidenceSchema
from api.schemas import ResponseSchema, alert_level, alert_status, code, iso_date
from api.validation import id_field

ACTIONS = ("raised", "evidence_added", "acknowledged", "resolved")


def alert_outcome(**kwargs) -> fields.String:
    return code("AlertOutcome", OUTCOMES, **kwargs)


class AlertEventSchema(ResponseSchema):
    action = code("AlertAction", ACTIONS)
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    outcome = alert_outcome(allow_none=True)
    check_in_id = fields.Integer(allow_none=True)
    at = fields.DateTime()


class AlertEvidenceSchema(ResponseSchema):
    """One check-in that fired the rule, with the answers that did."""

    check_in_id = fields.Integer()
    date = iso_date(metadata={"description": "The check-in's local date"})
    answers = fields.Nested(RuleEvidenceSchema)


class AlertSchema(ResponseSchema):
    id = fields.Integer()
    patient_id = fields.Integer()
    rule_id = fields.String()
    rule_version = fields.Integer()
    level = alert_level()
    title = fields.String()
    patient_message = fields.String()
    clinician_message = fields.String()
    source = fields.String()
    status = alert_status()
    outcome = alert_outcome(allow_none=True)
    evidence = fields.List(
        fields.Nested(AlertEvidenceSchema),
        metadata={"description": "Each check-in that fired the rule, with answers"},
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    events = fields.List(fields.Nested(AlertEventSchema))


class AlertQuerySchema(Schema):
    status = alert_status(load_default=None)
    level = alert_level(load_default=None)
    patient_id = id_field(load_default=None)


class AcknowledgeSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ResolveSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    outcome = alert_outcome(required=True)
    assessed_by_clinician = fields.Boolean(
        load_default=None,
        metadata={"description": "Self-guided patients must confirm a clinician assessed them"},
    )
