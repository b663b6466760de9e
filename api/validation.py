"""Validators shared by several domains' schemas."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

import pycountry
from marshmallow import ValidationError, fields, validate


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str, **_kwargs: object) -> None:
    if value not in _timezones():
        raise ValidationError("Not a known IANA time zone name (e.g. Europe/London).")


def validate_country(value: str, **_kwargs: object) -> None:
    if len(value) != 2 or not value.isupper() or pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError("Not an ISO 3166-1 alpha-2 country code (e.g. GB, IE, US).")


def validate_birth_year(value: int, **_kwargs: object) -> None:
    this_year = dt.date.today().year
    if not this_year - 120 <= value <= this_year - 10:
        raise ValidationError(f"Must be between {this_year - 120} and {this_year - 10}.")


# What the custom validators above enforce, for the OpenAPI spec (fields' metadata).
TIMEZONE = {"description": "An IANA time zone name, e.g. Europe/London", "minLength": 1}
COUNTRY = {"description": "ISO 3166-1 alpha-2 country code, e.g. GB", "pattern": "^[A-Z]{2}$"}
BIRTH_YEAR = {
    "description": "Year of birth: from 120 to 10 years before this year",
    "minimum": dt.date.today().year - 120,
    "maximum": dt.date.today().year - 10,
}
PAST_YEAR = {
    "description": "A year: this year at the latest, at most 120 years back",
    "minimum": dt.date.today().year - 120,
    "maximum": dt.date.today().year,
}


def validate_past_year(value: int, **_kwargs: object) -> None:
    """A year of something that has happened: this year at the latest, at most 120 back."""
    this_year = dt.date.today().year
    if not this_year - 120 <= value <= this_year:
        raise ValidationError(
            f"Must be between {this_year - 120} and {this_year} (not in the future)."
        )


def one_of(choices: list[str] | tuple[str, ...]) -> validate.OneOf:
    """OneOf whose message lists the valid values."""
    return validate.OneOf(list(choices), error="Unknown value {input!r}. Valid values: {choices}.")


def unique_items(values: list, **_kwargs: object) -> None:
    if len(values) != len(set(values)):
        raise ValidationError("Each value may appear only once.")


MAX_ID = 2**31 - 1


def id_field(**kwargs: object) -> fields.Integer:
    """An object id: a positive integer that fits the database's id column."""
    kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
    return fields.Integer(strict=False, **kwargs)  # type: ignore[arg-type]
