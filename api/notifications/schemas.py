"""Bodies of devices, the notification inbox and reminder settings."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.notifications.models import DeliveryStatus, Kind, Platform
from api.schemas import ResponseSchema, code, day_of_week
from api.validation import unique_items

PLATFORMS = tuple(p.value for p in Platform)
KINDS = tuple(k.value for k in Kind)
DELIVERY_STATUSES = tuple(s.value for s in DeliveryStatus)
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _time(**kwargs) -> fields.String:
    return fields.String(
        validate=validate.Regexp(_HHMM, error="Use a 24-hour time HH:MM, e.g. 19:00."),
        metadata={"description": "Local time, HH:MM (24-hour)", "example": "19:00"},
        **kwargs,
    )


def platform(**kwargs) -> fields.String:
    return code("Platform", PLATFORMS, **kwargs)


def delivery_status(**kwargs) -> fields.String:
    return code("DeliveryStatus", DELIVERY_STATUSES, **kwargs)


def notification_kind(**kwargs) -> fields.String:
    return code("NotificationKind", KINDS, **kwargs)


class DeviceCreateSchema(Schema):
    platform = platform(required=True)
    token = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=20, max=1024),
        metadata={"description": "The FCM registration token of this app install"},
    )
    app_version = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=32)
    )
    locale = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="Use a BCP 47 tag, e.g. en-GB."
        ),
        metadata={"description": "BCP 47 language tag, e.g. en-GB"},
    )


class DeviceSchema(ResponseSchema):
    id = fields.Integer(required=True)
    platform = platform(required=True)
    token_suffix = fields.String(
        required=True, metadata={"description": "The token's last 6 characters"}
    )
    app_version = fields.String(required=True, allow_none=True)
    locale = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    last_seen_at = fields.DateTime(required=True)


class DeliverySchema(ResponseSchema):
    device_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null once the device is gone"}
    )
    platform = platform(required=True)
    status = delivery_status(
        required=True,
        metadata={
            "description": "queued (waiting or retrying), sent, failed (token refused: not "
            "retried) or dead (gave up after 5 attempts)"
        },
    )
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(required=True, allow_none=True, attribute="next_attempt")
    last_error = fields.String(required=True, allow_none=True)
    sent_at = fields.DateTime(required=True, allow_none=True)


class NotificationDataSchema(ResponseSchema):
    """Where the app should open, and the ids it needs."""

    path = fields.String(metadata={"description": "A deep link into the app, e.g. /alerts/12"})
    alert_id = fields.Integer(metadata={"optional": True})
    patient_id = fields.Integer(metadata={"optional": True})
    care_link_id = fields.Integer(metadata={"optional": True})
    programme_id = fields.Integer(metadata={"optional": True})


class NotificationSchema(ResponseSchema):
    id = fields.Integer(required=True)
    kind = notification_kind(required=True)
    title = fields.String(required=True)
    body = fields.String(
        required=True, metadata={"description": "Lock-screen text: never any health detail"}
    )
    data = fields.Nested(
        NotificationDataSchema,
        required=True,
        metadata={"description": "Ids and a deep-link `path` into the app"},
    )
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(required=True, allow_none=True)
    deliveries = fields.List(
        fields.Nested(DeliverySchema), required=True, metadata={"description": "One per device"}
    )


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(
        load_default=None, metadata={"description": "true: unread only; false: read only"}
    )


class CheckInReminderSchema(Schema):
    enabled = fields.Boolean(required=True)
    time = _time(required=True)
    days_of_week = fields.List(
        day_of_week(),
        required=True,
        validate=[validate.Length(min=1, max=7), unique_items],
        metadata={"description": "Days on which to remind: mon ... sun"},
    )


class ExerciseReminderSchema(Schema):
    enabled = fields.Boolean(required=True)
    times = fields.List(
        _time(),
        required=True,
        validate=[validate.Length(min=1, max=6), unique_items],
        metadata={"description": "Up to 6 local times a day"},
    )


class MissedSessionsSchema(Schema):
    enabled = fields.Boolean(required=True)
    after_days = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=14),
        metadata={"description": "Nudge after this many days with exercises due and none logged"},
    )


class QuietHoursSchema(Schema):
    start = _time(required=True)
    end = _time(required=True)

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if data.get("start") == data.get("end"):
            raise ValidationError("Quiet hours must not start and end at the same time.", "end")


class RemindersUpdateSchema(Schema):
    check_in = fields.Nested(CheckInReminderSchema, required=True)
    exercise = fields.Nested(ExerciseReminderSchema, required=True)
    missed_sessions = fields.Nested(MissedSessionsSchema, required=True)
    quiet_hours = fields.Nested(
        QuietHoursSchema,
        required=True,
        allow_none=True,
        metadata={"description": "null: none. May cross midnight (22:00 to 07:00)."},
    )


class NextRemindersSchema(ResponseSchema):
    check_in = fields.DateTime(required=True, allow_none=True)
    exercise = fields.DateTime(required=True, allow_none=True)
    missed_sessions = fields.DateTime(required=True, allow_none=True)


class RemindersSchema(RemindersUpdateSchema):
    timezone = fields.String(
        required=True, metadata={"description": "The profile's time zone the times are read in"}
    )
    next = fields.Nested(
        NextRemindersSchema,
        required=True,
        metadata={"description": "When each reminder is next due (UTC); null when off"},
    )
