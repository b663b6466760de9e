"""Programme and template bodies, with the dose bounds."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, missing, validate

from api.schemas import (
    ChangesSchema,
    ResponseSchema,
    alert_level,
    cause,
    code,
    contraindication,
    day_of_week,
    programme_status,
)
from api.validation import id_field, unique_items

SIDES = ("left", "right", "both", "alternate")
PAUSED_BY = ("therapist", "patient", "triage")


def side(**kwargs: Any) -> fields.String:
    return code("Side", SIDES, **kwargs)


def _days(**kwargs: Any) -> fields.List:
    return fields.List(
        day_of_week(),
        validate=[validate.Length(min=1, max=7), unique_items],
        **kwargs,
    )


def _bounded(low: int, high: int, description: str) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=low, max=high),
        metadata={"description": f"{description} ({low}-{high})"},
    )


class ItemSchema(Schema):
    exercise = fields.String(required=True, validate=validate.Length(min=1, max=80))
    sets = _bounded(1, 10, "Sets")
    reps = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Repetitions (1-100)"},
    )
    hold_seconds = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1, max=300),
        metadata={"description": "Hold in seconds (1-300)"},
    )
    rest_seconds = _bounded(0, 600, "Rest between sets, seconds")
    times_per_day = _bounded(1, 10, "Times a day")
    days_of_week = _days(metadata={"description": "Override the programme's days for this item"})
    load = fields.String(
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "e.g. 'light band', '2 kg'"},
    )
    side = side(allow_none=True)
    notes = fields.String(allow_none=True, validate=validate.Length(max=500))


class OverrideMixin(Schema):
    override_contraindications = fields.Boolean(
        metadata={"description": "Therapists: assign despite a contraindication (give a reason)"},
    )
    override_reason = fields.String(allow_none=True, validate=validate.Length(max=1000))


class ProgrammeCreateSchema(OverrideMixin):
    patient_id = id_field(metadata={"description": "Therapists: the linked patient"})
    template = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "A template slug to start from"},
    )
    title = fields.String(validate=validate.Length(min=1, max=120))
    starts_on = fields.Date(
        required=True,
        metadata={"description": "At most 30 days ago and at most a year ahead"},
    )
    ends_on = fields.Date(
        allow_none=True,
        metadata={"description": "Not before starts_on; at most a year after it"},
    )
    days_of_week = _days()
    items = fields.List(fields.Nested(ItemSchema), validate=validate.Length(min=1, max=30))


class ProgrammeUpdateSchema(ChangesSchema, OverrideMixin):
    title = fields.String(validate=validate.Length(min=1, max=120))
    ends_on = fields.Date(allow_none=True, metadata={"description": "Not before starts_on"})
    status = programme_status(
        metadata={"description": "completed and cancelled are final"},
    )
    days_of_week = _days()
    items = fields.List(fields.Nested(ItemSchema), validate=validate.Length(min=1, max=30))


class DoseOutSchema(ResponseSchema):
    """An exercise's prescribed dose, as every programme item answers it."""

    sets = fields.Integer()
    reps = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    rest_seconds = fields.Integer()
    times_per_day = fields.Integer()
    load = fields.String(allow_none=True)
    side = side(allow_none=True)
    notes = fields.String(allow_none=True)


class ItemOutSchema(DoseOutSchema):
    id = fields.Integer()
    position = fields.Integer()
    exercise = fields.String(attribute="exercise_slug")
    days_of_week = fields.List(day_of_week())


class WarningSchema(ResponseSchema):
    exercise = fields.String()
    code = contraindication(allow_none=True)
    text = fields.String()


class OverriddenSchema(ResponseSchema):
    exercise = fields.String()
    reasons = fields.List(contraindication())


class VersionSchema(ResponseSchema):
    number = fields.Integer()
    days_of_week = fields.List(day_of_week())
    items = fields.List(fields.Nested(ItemOutSchema))
    warnings = fields.List(
        fields.Nested(WarningSchema),
        metadata={"description": "Precautions that apply to this patient"},
    )
    overridden = fields.List(
        fields.Nested(OverriddenSchema), metadata={"description": "Contraindications overridden"}
    )
    override_reason = fields.String(allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class CurrentVersion(fields.Nested):
    """A programme's current version."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing):
        from api.programmes.service import current

        return current(obj)


class ProgrammeSchema(ResponseSchema):
    id = fields.Integer()
    patient_id = fields.Integer()
    created_by_id = fields.Integer(allow_none=True)
    template = fields.String(attribute="template_slug", allow_none=True)
    title = fields.String()
    status = programme_status()
    paused_by = code(
        "PausedBy", PAUSED_BY, allow_none=True, metadata={"description": "Set while paused"}
    )
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    current_version = fields.Integer()
    version = CurrentVersion(VersionSchema, metadata={"description": "The current version"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ProgrammeQuerySchema(Schema):
    patient_id = id_field(load_default=None)
    status = programme_status(load_default=None)


class TemplateItemSchema(ResponseSchema):
    exercise = fields.String()
    sets = fields.Integer()
    reps = fields.Integer(allow_none=True)
    hold_seconds = fields.Integer(allow_none=True)
    rest_seconds = fields.Integer()
    times_per_day = fields.Integer()
    days_of_week = fields.List(day_of_week(), allow_none=True)
    notes = fields.String(allow_none=True)


class TemplateSchema(ResponseSchema):
    """A catalogue template (``ProgrammeTemplate``): its content is kept as the entry's
    ``data``."""

    slug = fields.String()
    name = fields.String(attribute="data.name")
    summary = fields.String(attribute="data.summary")
    causes = fields.List(cause(), attribute="data.causes")
    duration_weeks = fields.Integer(attribute="data.duration_weeks")
    days_of_week = fields.List(day_of_week(), attribute="data.days_of_week")
    items = fields.List(fields.Nested(TemplateItemSchema), attribute="data.items")
    source = fields.String(attribute="data.source")
    built_in = fields.Boolean()
    owner_id = fields.Integer(allow_none=True)


class TemplateCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    summary = fields.String(validate=validate.Length(max=500))
    causes = fields.List(cause(), validate=unique_items)
    duration_weeks = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=52)
    )
    days_of_week = _days(required=True)
    items = fields.List(
        fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1, max=30)
    )


class TemplateUpdateSchema(ChangesSchema, TemplateCreateSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    duration_weeks = fields.Integer(strict=True, validate=validate.Range(min=1, max=52))
    days_of_week = _days()
    items = fields.List(fields.Nested(ItemSchema), validate=validate.Length(min=1, max=30))


class TodayItemSchema(DoseOutSchema):
    programme_id = fields.Integer()
    programme_title = fields.String()
    programme_item_id = fields.Integer()
    exercise = fields.String()
    exercise_name = fields.String()
    sessions_done = fields.Integer(metadata={"description": "Sessions logged for it that day"})
    done = fields.Boolean()


class SafetyBannerSchema(ResponseSchema):
    level = alert_level()
    headline = fields.String()
    what_to_do = fields.String()
    since = fields.DateTime()


class TodaySchema(ResponseSchema):
    date = fields.Date()
    safety_banner = fields.Nested(SafetyBannerSchema, allow_none=True)
    items = fields.List(fields.Nested(TodayItemSchema))


class TodayQuerySchema(Schema):
    date = fields.Date(load_default=None, metadata={"description": "Default: your local today"})
