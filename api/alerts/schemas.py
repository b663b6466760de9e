"""Alert bodies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.alerts.service import OUTCOMES
from api.triage import LEVELS
from api.validation import id_field, one_of


class AlertEventSchema(Schema):
    action = fields.String(
        metadata={"description": "raised, evidence_added, acknowledged, escalated, resolved"}
    )
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    check_in_id = fields.Integer(allow_none=True)
    at = fields.DateTime()


class AlertSchema(Schema):
    id = fields.Integer()
    patient_id = id_field()
    rule_id = fields.String()
    rule_version = fields.Integer()
    level = fields.String()
    title = fields.String()
    patient_message = fields.String()
    clinician_message = fields.String()
    source = fields.String()
    status = fields.String(metadata={"description": "open, acknowledged or resolved"})
    outcome = fields.String(allow_none=True)
    evidence = fields.List(
        fields.Dict(), metadata={"description": "Each check-in that fired the rule, with answers"}
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    escalated_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "When the alert was escalated for staying unacknowledged"},
    )
    events = fields.List(fields.Nested(AlertEventSchema))


class AlertQuerySchema(Schema):
    status = fields.String(load_default=None, validate=one_of(("open", "acknowledged", "resolved")))
    level = fields.String(load_default=None, validate=one_of(LEVELS[1:]))
    patient_id = id_field(load_default=None)
    escalated = fields.Boolean(
        load_default=None,
        metadata={"description": "true: only escalated alerts; false: only the others"},
    )


class AcknowledgeSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ResolveSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    outcome = fields.String(
        required=True,
        validate=one_of(OUTCOMES),
        metadata={"description": "Codes: " + ", ".join(OUTCOMES)},
    )
    assessed_by_clinician = fields.Boolean(
        load_default=None,
        metadata={"description": "Self-guided patients must confirm a clinician assessed them"},
    )
