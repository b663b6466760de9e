"""Helpers shared by the alert tests: check-ins that fire rules, and the alert list."""

from __future__ import annotations

import datetime as dt

from tests.sessions.helpers import today

URGENT = ["night_pain"]  # RF-MAL-02, urgent
EMERGENCY = ["chest_pain"]  # RF-CARD-01, emergency
SOON = ["arm_numbness"]  # RF-ROOT-01, soon


def checkin(client, headers, days_back=0, **body):
    """A check-in ``days_back`` days ago (pain 3 unless given); returns its body."""
    body.setdefault("pain", 3)
    body["date"] = (today() - dt.timedelta(days=days_back)).isoformat()
    response = client.post("/api/v1/check-ins", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def alerts(client, headers, query=""):
    response = client.get(f"/api/v1/alerts{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()
