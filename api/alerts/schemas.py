"""Alert bodies."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from api.alerts.service import LINK_ENDED_DAYS, OUTCOMES
from api.schemas import (
    OneOfResponseSchema,
    ResponseSchema,
    alert_level,
    alert_status,
    code,
    health_history,
    iso_date,
    pain_area,
    pain_onset,
    symptom,
)
from api.triage.rules import EPISODE_SOURCES, WEAK_FLAGS
from api.validation import id_field

ACTIONS = (
    "raised",
    "evidence_added",
    "level_raised",
    "acknowledged",
    "escalated",
    "link_ended",
    "resolved",
)
ENTRY_KINDS = ("alert", "link_ended")


class NotImprovingSchema(ResponseSchema):
    """Non-usual pain that has not improved over 4 weeks or more."""

    pain_onset = pain_onset()
    pain = fields.Integer(metadata={"description": "Pain at this check-in, 0-10"})
    first_pain_in_episode = fields.Integer(metadata={"description": "0-10"})
    first_pain_recorded_on = iso_date()
    episode_started_on = iso_date()
    episode_days = fields.Integer(metadata={"minimum": 0})
    episode_start_from = code("EpisodeStartSource", EPISODE_SOURCES)


_OPTIONAL = {"optional": True}


class RuleEvidenceSchema(ResponseSchema):
    """The answers that made a rule fire: only the facts that rule looks at are present."""

    symptoms = fields.List(symptom(), metadata=_OPTIONAL)
    health_history = fields.List(health_history(), metadata=_OPTIONAL)
    pain_onset = pain_onset(allow_none=True, metadata=_OPTIONAL)
    pain_areas = fields.List(pain_area(), metadata=_OPTIONAL)
    pain = fields.Integer(metadata={**_OPTIONAL, "description": "0-10"})
    age = fields.Integer(metadata={**_OPTIONAL, "description": "Years, from the year of birth"})
    episode_started_on = iso_date(metadata=_OPTIONAL)
    episode_days = fields.Integer(metadata=_OPTIONAL)
    episode_start_from = code("EpisodeStartSource", EPISODE_SOURCES, metadata=_OPTIONAL)
    first_pain_in_episode = fields.Integer(metadata=_OPTIONAL)
    first_pain_recorded_on = iso_date(metadata=_OPTIONAL)
    weak_flags = fields.List(
        code("WeakFlag", WEAK_FLAGS),
        metadata={**_OPTIONAL, "description": "The weak flags that combined (two or more)"},
    )
    not_improving = fields.Nested(NotImprovingSchema, metadata=_OPTIONAL)
    pain_assessed_by_clinician = fields.Boolean(allow_none=True, metadata=_OPTIONAL)
    therapist_linked = fields.Boolean(metadata=_OPTIONAL)


def alert_outcome(**kwargs: Any) -> fields.String:
    return code("AlertOutcome", OUTCOMES, **kwargs)


class AlertEventSchema(ResponseSchema):
    action = code(
        "AlertAction",
        ACTIONS,
        metadata={
            "description": "level_raised: a newer version of the rule ranks the evidence "
            "higher and the alert is open again; escalated: by the system, unacknowledged past "
            "its deadline; link_ended: the care link ended while the alert was open (actor: "
            "who ended it)"
        },
    )
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


def _kind(value: str) -> fields.String:
    return code("AlertEntryKind", ENTRY_KINDS, metadata={"description": f"Always {value}"})


class AlertSchema(ResponseSchema):
    kind = _kind("alert")
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
    resolved_by = code(
        "AlertResolvedBy",
        ("therapist", "patient"),
        allow_none=True,
        metadata={
            "description": "therapist (a linked therapist) or patient (self-guided, after a "
            "clinical assessment); null while unresolved"
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


class LinkEndedSchema(ResponseSchema):
    """A patient ended the care link while an alert was open: who and when, no health
    details."""

    kind = _kind("link_ended")
    care_link_id = fields.Integer(metadata={"description": "The link that ended"})
    patient_id = fields.Integer()
    patient_name = fields.String(metadata={"description": "The patient's name then"})
    ended_at = fields.DateTime(metadata={"description": "When the link ended"})
    alert_open = fields.Boolean(metadata={"description": "An alert was open (always true)"})


class AlertEntrySchema(OneOfResponseSchema):
    """An entry of an alert list: an alert, or (therapists' lists only, first, for
    LINK_ENDED_DAYS days) a ``link_ended`` notice."""

    class Meta:
        description = (
            "An alert, or (therapists' lists only) a link_ended notice: a patient ended the "
            "care link while an alert was open. It is listed first, with no status filter or "
            f"with status=open, for {LINK_ENDED_DAYS} days, unless the patient links to you "
            "again."
        )

    type_field = "kind"
    type_field_remove = False
    type_schemas = {"alert": AlertSchema, "link_ended": LinkEndedSchema}

    def get_obj_type(self, obj: Any) -> str:
        return obj.kind


class AlertQuerySchema(Schema):
    status = alert_status(load_default=None)
    level = alert_level(load_default=None)
    patient_id = id_field(load_default=None)
    escalated = fields.Boolean(
        load_default=None,
        metadata={"description": "true: only escalated alerts; false: only the others"},
    )


class AcknowledgeSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ResolveSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    outcome = alert_outcome(required=True)
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
