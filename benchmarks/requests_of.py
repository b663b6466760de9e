"""What the benchmark tools and the tests that pin their endpoints send: a seeded account's
access token, and a session over a seeded patient's programme items."""

from __future__ import annotations

from typing import Any


def access_token(account: dict[str, Any], role: str, *, secret: str, minutes: int) -> str:
    """An access token for an account of the seed's output (``id``, ``token_key``)."""
    from api.accounts.credentials import create_access_token

    return create_access_token(
        user_id=account["id"],
        role=role,
        token_key=account["token_key"],
        secret=secret,
        minutes=minutes,
    )


def session_body(
    patient: dict[str, Any], *, client_id: str, started_at: str, **entry: Any
) -> dict[str, Any]:
    """``POST /sessions``: every item of the patient's programme done, with ``entry``'s
    values (sets_done, pain_during...), pain 3 before and 2 after."""
    return {
        "client_id": client_id,
        "programme_id": patient["programme_id"],
        "started_at": started_at,
        "pain_before": 3,
        "pain_after": 2,
        "entries": [
            {"exercise": item["exercise"], "programme_item": item["id"], **entry}
            for item in patient["items"]
        ],
    }


def check_in_body(pain: int, symptoms: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """``POST /check-ins``: ``pain``, worst pain one point higher, the usual pain in the
    upper back, and ``extra`` (``date``...)."""
    return {
        "pain": pain,
        "worst_pain": min(10, pain + 1),
        "stiffness": 4,
        "interference": 3,
        "sleep_quality": 6,
        "mood": 6,
        "pain_areas": ["upper_back"],
        "symptoms": symptoms or [],
        "pain_onset": "usual",
        **extra,
    }
