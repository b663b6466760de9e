"""Alert bodies."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from api.alerts.service import LINK_ENDED_DAYS, OUTCOMES
from api.triage import LEVELS
from api.validation import id_field, one_of


class AlertEventSchema(Schema):
    action = fields.String(
        metadata={
            "description": "raised, evidence_added, level_raised (a newer version of the "
            "rule ranks the evidence higher; the alert is open again), acknowledged, "
            "escalated (the system: unacknowledged past its deadline), "
            "link_ended (the care link ended while the alert was open; actor: who ended "
            "it), resolved"
        }
    )
    actor_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    check_in_id = fields.Integer(allow_none=True)
    at = fields.DateTime()


class AlertSchema(Schema):
    """An alert; in a therapist's list, also a ``link_ended`` notice (its own fields only)."""

    kind = fields.String(
        metadata={
            "description": "alert, or (therapists' lists only) link_ended: a patient ended the "
            "care link while an alert was open. A link_ended entry has only kind, "
            "care_link_id, patient_id, patient_name, ended_at and alert_open (no health "
            f"details); it is listed with no status or with status=open, for {LINK_ENDED_DAYS} "
            "days, unless the patient links to you again.",
            "enum": ["alert", "link_ended"],
        }
    )
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
    resolved_by = fields.String(
        allow_none=True,
        metadata={
            "description": "therapist (a linked therapist) or patient (self-guided, after a "
            "clinical assessment); null while unresolved",
            "enum": ["therapist", "patient", None],
        },
    )
    assessed_by = fields.String(
        allow_none=True, metadata={"description": "Who assessed the patient (self-resolution)"}
    )
    assessed_on = fields.Date(
        allow_none=True, metadata={"description": "When the patient was assessed"}
    )
    escalated_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "When the alert was escalated for staying unacknowledged"},
    )
    events = fields.List(fields.Nested(AlertEventSchema))
    care_link_id = fields.Integer(metadata={"description": "link_ended: the link that ended"})
    patient_name = fields.String(metadata={"description": "link_ended: the patient's name"})
    ended_at = fields.DateTime(metadata={"description": "link_ended: when the link ended"})
    alert_open = fields.Boolean(
        metadata={"description": "link_ended: an alert was open when the link ended (true)"}
    )


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
    assessed_by = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=120),
        metadata={
            "description": "Who assessed the patient (e.g. 'Dr Rao, GP'). Required from a "
            "self-guided patient closing an urgent or emergency alert."
        },
    )
    assessed_on = fields.Date(
        load_default=None,
        metadata={
            "description": "The date of that assessment: not in the future, not before the "
            "check-in that raised the alert. Required with assessed_by."
        },
    )

    @validates("assessed_by")
    def _not_blank(self, value: str | None, **_kwargs: object) -> None:
        if value is not None and not value.strip():
            raise ValidationError("Name who assessed you.")
