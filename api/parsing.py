"""Request arguments: flask-smorest's parser, refusing values no database can store.

Every ``@blp.arguments`` of the project's Blueprint goes through ``UprightParser``,
which checks the raw request data before the schema loads it:

- text (any string, at any depth, keys included, and every query parameter) must
  not contain NUL (PostgreSQL cannot store it) nor a lone surrogate such as
  ``"\\ud800"`` (not valid Unicode: no engine can encode it);
- dates must lie between ``EARLIEST_DATE`` and ``LATEST_DATE``, so date arithmetic
  never overflows and no query spans millennia.

Failures are a 422 naming each field, together with the schema's own errors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import MultiDict

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
DATE_BOUNDS = f"Between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."
DATE_MESSAGE = f"Must be a date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."

NUL_MESSAGE = "Must not contain the NUL character (U+0000)."
SURROGATE_MESSAGE = "Must be valid Unicode text (no lone surrogate such as U+D800)."


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


#: In a JSON body, a NUL or a lone surrogate can only come as an escape (``\\u0000``,
#: ``\\ud800``): the body is read as strict UTF-8 first (a surrogate's bytes make it a 400)
#: and a raw NUL is not JSON.
_MAYBE_UNSTORABLE = re.compile(rb"\\u")


def _plain_text_only(body: bytes) -> bool:
    """True when no text of the JSON ``body`` can be unstorable: then its strings need not be
    checked one by one."""
    return _MAYBE_UNSTORABLE.search(body) is None


def _storable(text: str) -> str:
    return text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def _text_errors(value: Any) -> tuple[Any, Any]:
    """(errors in marshmallow's nested shape or None, the value with bad characters removed)."""
    if isinstance(value, str):
        problem = text_problem(value)
        return ([problem] if problem else None), (_storable(value) if problem else value)
    if isinstance(value, list):
        return _list_text_errors(value)
    if isinstance(value, Mapping):
        return _mapping_text_errors(value)
    return None, value


def _list_text_errors(value: list[Any]) -> tuple[Any, list[Any]]:
    errors: dict[Any, Any] = {}
    cleaned_list = []
    for index, item in enumerate(value):
        error, cleaned = _text_errors(item)
        if error:
            errors[index] = error
        cleaned_list.append(cleaned)
    return errors or None, cleaned_list


def _mapping_text_errors(value: Mapping[Any, Any]) -> tuple[Any, dict[Any, Any]]:
    errors: dict[Any, Any] = {}
    cleaned_map = {}
    for key, item in value.items():
        key_problem = text_problem(key) if isinstance(key, str) else None
        error, cleaned = _text_errors(item)
        if key_problem:
            errors[key] = [key_problem]
            continue  # reported as it is; the schema does not see it
        if error:
            errors[key] = error
        cleaned_map[key] = cleaned
    return errors or None, cleaned_map


def _query_text_errors(args: MultiDict) -> tuple[dict[str, Any], MultiDict]:
    errors: dict[str, Any] = {}
    cleaned = MultiDict()
    for key, value in args.items(multi=True):
        problem = text_problem(key) or text_problem(value)
        if problem:
            errors[key] = [problem]
        elif key not in errors:
            cleaned.add(key, value)
    return errors, cleaned


def _out_of_bounds(field: fields.Date | fields.DateTime, raw: str) -> list[str] | None:
    """The bounds error of one date or timestamp (None: within them, or not a date at
    all, which the schema reports)."""
    try:
        value = field.deserialize(raw)
    except ValidationError:
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    return None if EARLIEST_DATE <= day <= LATEST_DATE else [DATE_MESSAGE]


def _date_problem(field: fields.Field, raw: Any) -> Any:
    """Errors for dates out of bounds under ``field`` (nested schemas and lists included)."""
    if isinstance(field, fields.Date | fields.DateTime) and isinstance(raw, str):
        return _out_of_bounds(field, raw)
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        if field.many and isinstance(raw, list):
            return _each(lambda item: date_errors(field.schema, item), raw)
        return date_errors(field.schema, raw) or None
    if isinstance(field, fields.List) and isinstance(raw, list):
        return _each(lambda item: _date_problem(field.inner, item), raw)
    return None


def _each(problem: Callable[[Any], Any], raw: list[Any]) -> dict[int, Any] | None:
    """The problems of a list's items, by index (None: none)."""
    found = {i: e for i, item in enumerate(raw) if (e := problem(item))}
    return found or None


def date_errors(schema: Schema, data: Any) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        return {}
    errors = {}
    for key, field in _dated_fields(schema):
        if key in data and (problem := _date_problem(field, data[key])):
            errors[key] = problem
    return errors


_DATED = "_upright_dated_fields"


def _dated_fields(schema: Schema) -> tuple[tuple[str, fields.Field], ...]:
    """The fields of ``schema`` that may hold a date, at any depth (by key), worked out once
    per schema instance: most fields hold none (an entry of a session, for instance), and
    are not looked at on every request."""
    found = schema.__dict__.get(_DATED)
    if found is None:
        found = tuple(
            (field.data_key or name, field)
            for name, field in schema.load_fields.items()
            if _may_hold_dates(field, set())
        )
        schema.__dict__[_DATED] = found
    return found


def _may_hold_dates(field: fields.Field, seen: set[int]) -> bool:
    """Whether ``_date_problem`` may find a date under ``field``."""
    if isinstance(field, fields.Date | fields.DateTime):
        return True
    if isinstance(field, fields.Nested):
        nested = field.schema
        if not isinstance(nested, Schema) or id(nested) in seen:
            return False
        seen.add(id(nested))
        return any(_may_hold_dates(inner, seen) for inner in nested.load_fields.values())
    if isinstance(field, fields.List):
        return _may_hold_dates(field.inner, seen)
    return False


def _merge(into: dict[Any, Any], errors: dict[Any, Any]) -> dict[Any, Any]:
    for key, value in errors.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


class UprightParser(FlaskParser):
    def pre_load(self, location_data, *, schema, req, location):  # type: ignore[no-untyped-def]
        if location in ("query", "querystring"):
            errors, cleaned_args = _query_text_errors(req.args)
            cleaned: Any = location_data
            if errors:
                known = tuple(self.KNOWN_MULTI_FIELDS)
                cleaned = MultiDictProxy(cleaned_args, schema, known_multi_fields=known)
        elif location == "json" and _plain_text_only(req.get_data(cache=True)):
            errors, cleaned = {}, location_data
        else:
            text_errors, cleaned = _text_errors(location_data)
            errors = text_errors if isinstance(text_errors, dict) else {}
        errors = _merge(errors, date_errors(schema, cleaned))
        if not errors:
            return location_data
        # Report the schema's other findings too, as for any invalid request (the same
        # ``unknown`` rule as the load that follows: flask-smorest passes none).
        unknown = self.DEFAULT_UNKNOWN_BY_LOCATION.get(location)
        try:
            schema.load(cleaned, **({"unknown": unknown} if unknown else {}))
        except ValidationError as error:
            others = error.messages if isinstance(error.messages, dict) else {}
        else:
            others = {}
        raise ValidationError(_merge(others, errors))


def document_date_bounds(_converter: Any, field: fields.Field, ret: dict[str, Any], **_kw: Any):
    """apispec attribute function: every date a client can send states its bounds."""
    if isinstance(field, fields.Date | fields.DateTime) and not field.dump_only:
        description = ret.get("description")
        if description and DATE_BOUNDS in description:
            return {}
        if not description:
            return {"description": DATE_BOUNDS}
        return {"description": f"{description.rstrip('. ')}. {DATE_BOUNDS}"}
    return {}
