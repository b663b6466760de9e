"""Examples of the sync operations, shown in the OpenAPI spec."""

from __future__ import annotations

from typing import Any

from api import examples

_EMPTY = {"upserted": [], "deleted": []}
CURSOR = "eyJ1IjoyLCJhdCI6MTc5NjAyNjQwMCwidCI6MCwiaSI6NDJ9.c2lnbmF0dXJl"

PULL: Any = {
    "cursor": CURSOR,
    "has_more": False,
    "catalogue_version": "3f2a9c0e51d4b7a6",
    "changes": {
        "profile": _EMPTY,
        "care_links": _EMPTY,
        "programmes": _EMPTY,
        "check_ins": {
            "upserted": [
                {
                    **examples.CHECK_IN_TRIAGED,
                    "version": 41,
                    "updated_at": "2026-11-23T07:48:00+00:00",
                }
            ],
            "deleted": [],
        },
        "sessions": {"upserted": [], "deleted": [7]},
        "outcomes": _EMPTY,
        "alerts": _EMPTY,
        "reminders": _EMPTY,
        "notifications": _EMPTY,
    },
}

PUSH: Any = {
    "mutations": [
        {
            "id": "m-7f3c2a10-0001",
            "type": "check_in.create",
            "data": {
                "client_id": "7f3c2a10-day-1",
                "date": "2026-11-23",
                "pain": 6,
                "pain_areas": ["upper_back"],
                "symptoms": ["fever"],
            },
        },
        {"id": "m-7f3c2a10-0002", "type": "session.delete", "data": {"id": 7}},
        {
            "id": "m-7f3c2a10-0003",
            "type": "profile.update",
            "data": {"timezone": "Europe/London"},
            "base_version": 12,
        },
    ],
    "cursor": CURSOR,
}

PUSH_RESULT: Any = {
    "results": [
        {
            "id": "m-7f3c2a10-0001",
            "status": "applied",
            "record": {
                **examples.CHECK_IN_TRIAGED,
                "version": 41,
                "updated_at": "2026-11-23T07:48:00+00:00",
            },
        },
        {
            "id": "m-7f3c2a10-0002",
            "status": "rejected",
            "error": {
                "code": 409,
                "status": "Conflict",
                "message": "A session can be deleted only within 24 hours of logging it; "
                "it is now part of your history.",
            },
        },
        {"id": "m-7f3c2a10-0003", "status": "applied", "record": examples.PROFILE},
    ],
    "cursor": CURSOR,
}

CURSOR_EXPIRED: Any = {
    "code": 410,
    "status": "Gone",
    "message": "This sync cursor is too old: take a fresh snapshot (pull without cursor).",
    "errors": {"cursor": ["Expired: pull without a cursor to take a fresh snapshot."]},
}
