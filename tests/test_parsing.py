"""``api.parsing.date_errors``: dates out of bounds are found at any depth (nested schemas,
lists of them), and fields that cannot hold a date are not looked into."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.parsing import DATE_MESSAGE, date_errors


class Entry(Schema):
    exercise = fields.String()
    sets = fields.Integer()


class Dose(Schema):
    day = fields.Date()


class Body(Schema):
    started_at = fields.AwareDateTime(data_key="startedAt")
    entries = fields.List(fields.Nested(Entry))
    doses = fields.Nested(Dose, many=True)
    days = fields.List(fields.Date())
    note = fields.String()


def test_dates_out_of_bounds_are_found_at_any_depth():
    schema = Body()
    data = {
        "startedAt": "0001-01-01T00:00:00+00:00",
        "entries": [{"exercise": "0001-01-01", "sets": 2}],  # not a date field: left alone
        "doses": [{"day": "2026-01-05"}, {"day": "9999-12-31"}],
        "days": ["2026-01-05", "1899-12-31"],
        "note": "9999-12-31",
    }
    expected = {
        "startedAt": [DATE_MESSAGE],
        "doses": {1: {"day": [DATE_MESSAGE]}},
        "days": {1: [DATE_MESSAGE]},
    }
    assert date_errors(schema, data) == expected
    assert date_errors(schema, data) == expected  # the second time, from the kept fields
    within = {**data, "startedAt": "2026-01-05T10:00:00+00:00", "doses": [], "days": []}
    assert date_errors(schema, within) == {}


def test_a_schema_without_dates_has_none_to_check():
    assert date_errors(Entry(), {"exercise": "0001-01-01", "sets": 2}) == {}
    assert date_errors(Entry(), ["not", "a", "mapping"]) == {}
