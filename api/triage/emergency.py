"""Emergency telephone number by country (ISO 3166-1 alpha-2, upper case).

The number is the one a member of the public should dial for an ambulance.
Where a country has both a medical number and the pan-European 112, the
ambulance number is given first only when 112 is not the primary advice.
Unknown or missing countries get ``None``, and the messages fall back to the
generic wording "your local emergency number" rather than guessing.

Sources: the red-flag reference "Levels" (999 UK, 112 EU, 911 US/Canada, 000 Australia,
111/999 as applicable); European Commission, "112 - the single European
emergency number"; national ambulance services for the others.
"""

from __future__ import annotations

GENERIC_EMERGENCY_NUMBER = "your local emergency number"

#: EU member states: 112 is the single European emergency number.
EU_COUNTRIES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IT",
        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip

#: Countries outside the EU rule, or where the ambulance number differs.
_NUMBERS: dict[str, str] = {
    "GB": "999",
    "IE": "112 or 999",
    "IS": "112",
    "NO": "113",  # medical emergencies (112 is police)
    "CH": "144",  # ambulance (112 also connects)
    "TR": "112",
    "US": "911",
    "CA": "911",
    "MX": "911",
    "AU": "000",
    "NZ": "111",
    "IN": "112",
    "JP": "119",
    "KR": "119",
    "TW": "119",
    "CN": "120",
    "HK": "999",
    "SG": "995",
    "MY": "999",
    "PH": "911",
    "ZA": "10177",
    "BR": "192",
    "IL": "101",
    "AE": "998",
    "SA": "997",
}

EMERGENCY_NUMBERS: dict[str, str] = {**{code: "112" for code in EU_COUNTRIES}, **_NUMBERS}


def normalise_country(country: str | None) -> str | None:
    """Return the upper-case alpha-2 code, or ``None``; ValueError if malformed."""
    if country is None:
        return None
    if not isinstance(country, str):
        raise ValueError(f"country must be an ISO 3166 alpha-2 string, got {country!r}")
    code = country.strip().upper()
    if code == "":
        return None
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError(f"country must be an ISO 3166 alpha-2 code, got {country!r}")
    return code


def emergency_number(country: str | None) -> str | None:
    """The emergency number for ``country``, or ``None`` when unknown."""
    code = normalise_country(country)
    if code is None:
        return None
    return EMERGENCY_NUMBERS.get(code)


def emergency_number_phrase(number: str | None) -> str:
    """What the patient should dial, in words: the number or the generic phrase."""
    return number if number else GENERIC_EMERGENCY_NUMBER
