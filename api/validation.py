"""Validators shared by several domains' schemas."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pycountry
from marshmallow import ValidationError, fields, validate

from api.timeutil import utcnow


@lru_cache(maxsize=1)
def canonical_timezones() -> frozenset[str]:
    """The time zone names a person may choose: IANA's location names, plus ``UTC``.

    The names are those of ``zone.tab`` in the IANA data the ``tzdata`` package ships:
    one current Area/Location name for each zone of each country (``Europe/London``,
    ``Europe/Amsterdam``, ``Asia/Kolkata``). That leaves out backward-compatibility
    links (``Asia/Calcutta``, ``US/Eastern``, ``GB``), System V rule names
    (``EST5EDT``), ``Etc/...`` offsets with inverted signs, ``Factory``, and names
    that are not IANA's at all (``localtime``, ``posixrules``), all of which
    ``zoneinfo.available_timezones()`` may include. The data is pinned by the
    ``tzdata`` dependency, so the answer does not depend on the host.
    """
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    names = {
        line.split("\t")[2].strip()
        for line in table.splitlines()
        if line.strip() and not line.startswith("#")
    }
    return frozenset(names | {"UTC"})


@lru_cache(maxsize=1)
def _timezone_links() -> dict[str, str]:
    """Old or alias name -> the name it stands for (IANA's ``Link`` lines)."""
    data = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text("utf-8")
    links = {}
    for line in data.splitlines():
        if line.startswith("L "):
            _, target, name = line.split()[:3]
            links[name] = target
    return links


def _suggestion(value: str) -> str:
    target = _timezone_links().get(value, value)
    if target in ("Etc/UTC", "Etc/GMT"):
        target = "UTC"
    # Only for renamed places (Asia/Calcutta) and UTC's aliases: a System V name such
    # as EST only happens to share its offsets with some place.
    if target in canonical_timezones() and ("/" in value or target == "UTC"):
        return f" Use {target} instead of {value}."
    return " Use a location such as Europe/London, or UTC."


def validate_timezone(value: str, **_kwargs: object) -> None:
    if value not in canonical_timezones():
        raise ValidationError("Not a canonical IANA time zone name." + _suggestion(value))


def validate_country(value: str, **_kwargs: object) -> None:
    if len(value) != 2 or not value.isupper() or pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError("Not an ISO 3166-1 alpha-2 country code (e.g. GB, IE, US).")


def validate_birth_year(value: int, **_kwargs: object) -> None:
    this_year = utcnow().year
    if not this_year - 120 <= value <= this_year - 10:
        raise ValidationError(f"Must be between {this_year - 120} and {this_year - 10}.")


# What the custom validators above enforce, for the OpenAPI spec (fields' metadata).
TIMEZONE = {"description": "An IANA time zone name, e.g. Europe/London", "minLength": 1}
COUNTRY = {"description": "ISO 3166-1 alpha-2 country code, e.g. GB", "pattern": "^[A-Z]{2}$"}
BIRTH_YEAR = {
    "description": "Year of birth: from 120 to 10 years before this year",
    "minimum": utcnow().year - 120,
    "maximum": utcnow().year - 10,
}
PAST_YEAR = {
    "description": "A year: this year at the latest, at most 120 years back",
    "minimum": utcnow().year - 120,
    "maximum": utcnow().year,
}


def validate_past_year(value: int, **_kwargs: object) -> None:
    """A year of something that has happened: this year at the latest, at most 120 back."""
    this_year = utcnow().year
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
