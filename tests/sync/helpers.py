"""Pull and push helpers for the sync tests."""

from __future__ import annotations

from typing import Any

SYNC = "/api/v1/sync"


def pull_all(client, headers, cursor: str | None = None, limit: int = 500) -> tuple[dict, str]:
    """Pull pages until has_more is false: (merged changes, last cursor)."""
    merged: dict[str, dict[str, list]] = {}
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(SYNC + query, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        for name, change in body["changes"].items():
            into = merged.setdefault(name, {"upserted": [], "deleted": []})
            into["upserted"] += change["upserted"]
            into["deleted"] += change["deleted"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return merged, cursor


#: The key a device stores a one-record collection without id under (reminders).
ONLY = 0


def apply(store: dict[str, dict[int, dict]], changes: dict[str, dict[str, list]]) -> None:
    """What a device does with a pull: upsert by id, drop the deleted."""
    for name, change in changes.items():
        records = store.setdefault(name, {})
        for record in change["upserted"]:
            records[record.get("id", ONLY)] = record
        for record_id in change["deleted"]:
            records.pop(record_id, None)


def push(client, headers, *mutations: dict[str, Any], cursor: str | None = None):
    body: dict[str, Any] = {"mutations": list(mutations)}
    if cursor:
        body["cursor"] = cursor
    return client.post(SYNC, json=body, headers=headers)


def strip(record: dict[str, Any], rest: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pulled record without what sync adds to the REST body (``rest``, when given)."""
    added = {"version", "updated_at"} - set(rest or {})
    return {k: v for k, v in record.items() if k not in added}


def notify(app, user_id: int, subject: str) -> int:
    """A notification in ``user_id``'s inbox, made the one way the server makes them."""
    from api.database import get_session, utcnow
    from api.notifications import texts
    from api.notifications.models import Kind
    from api.notifications.service import notify as make

    with app.app_context():
        session = get_session()
        notification = make(
            session,
            recipient_id=user_id,
            kind=Kind.programme_changed,
            subject=subject,
            due="now",
            text=texts.check_in_reminder(),
            data={"path": "/me/today"},
            now=utcnow(),
        )
        assert notification is not None
        session.commit()
        return notification.id
