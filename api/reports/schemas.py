"""The report's query."""

from __future__ import annotations

from marshmallow import Schema, fields


class ReportQuerySchema(Schema):
    from_ = fields.Date(
        data_key="from",
        load_default=None,
        metadata={
            "description": "First day of the report, in the patient's time zone. Default: 89 "
            "days before 'to' (90 days in all); at most 366 days before 'to' inclusive"
        },
    )
    to = fields.Date(
        load_default=None,
        metadata={
            "description": "Last day of the report. Default: today in the patient's time zone; "
            "the range spans at most 366 days"
        },
    )
