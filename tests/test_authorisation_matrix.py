"""The authorisation matrix: every route of the URL map against the six actors.

A route without an entry here fails ``test_every_route_is_in_the_matrix``, so a
new endpoint cannot ship without its permissions being written down.

Actors: ``anonymous``; ``owner`` (the patient whose data it is); ``other_patient``;
``linked_therapist`` (actively linked to the owner); ``unlinked_therapist``; ``admin``.
A resource that exists but is not yours is a 404; 403 only means "wrong role".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import PASSWORD, Actors, Factory

ACTORS = Actors.NAMES


@dataclass
class World:
    actors: Actors
    ids: dict[str, Any]

    def headers(self, actor: str) -> dict[str, str]:
        return self.actors.headers[actor]


def build_world(client: FlaskClient, make: Factory) -> World:
    actors = make.actors(country="GB", birth_year=1970)
    owner = actors.headers["owner"]
    linked = actors.headers["linked_therapist"]
    ids: dict[str, Any] = {"owner": actors.owner_id}
    check_in = client.post(
        "/api/v1/check-ins", json={"pain": 4, "symptoms": ["night_pain"]}, headers=owner
    ).get_json()
    ids["check_in"] = check_in["id"]
    ids["alert"] = client.get("/api/v1/alerts", headers=owner).get_json()[0]["id"]
    programme = client.post(
        "/api/v1/programmes",
        json={
            "patient_id": actors.owner_id,
            "template": "core-routine",
            "starts_on": dt.date.today().isoformat(),
        },
        headers=linked,
    ).get_json()
    ids["programme"] = programme["id"]
    ids["programme_item"] = programme["version"]["items"][0]["id"]
    ids["programme_exercise"] = programme["version"]["items"][0]["exercise"]
    template = client.post(
        "/api/v1/programme-templates",
        json={
            "name": "Mine",
            "duration_weeks": 2,
            "days_of_week": ["mon"],
            "items": [{"exercise": "chin-tuck"}],
        },
        headers=linked,
    ).get_json()
    ids["template"] = template["slug"]
    ids["link"] = client.get("/api/v1/care-links", headers=owner).get_json()[0]["id"]
    invite = client.post(
        "/api/v1/care-links/invites", headers=actors.headers["unlinked_therapist"]
    ).get_json()
    ids["invite_code"] = invite["code"]
    session = client.post(
        "/api/v1/sessions", json=_session_body(ids, "matrix-world-1"), headers=owner
    ).get_json()
    ids["session"] = session["id"]
    ids["outcome"] = client.post("/api/v1/outcomes", json=_psfs(), headers=owner).get_json()["id"]
    ids["device"] = client.post(
        "/api/v1/me/devices", json=_device(ids, "world"), headers=owner
    ).get_json()["id"]
    # the programme the linked therapist assigned above notified the owner
    ids["notification"] = client.get("/api/v1/me/notifications", headers=owner).get_json()[0]["id"]
    return World(actors, ids)


def _device(ids: dict[str, Any], name: str) -> dict[str, Any]:
    return {"platform": "android", "token": f"matrix-{name}-token-{ids['owner']:08d}-abcdef"}


REMINDERS = {
    "check_in": {"enabled": True, "time": "20:00", "days_of_week": ["mon", "tue"]},
    "exercise": {"enabled": False, "times": ["08:00"]},
    "missed_sessions": {"enabled": True, "after_days": 3},
    "quiet_hours": {"start": "22:00", "end": "07:00"},
}


def _session_body(ids: dict[str, Any], client_id: str) -> dict[str, Any]:
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    entry = {
        "exercise": ids["programme_exercise"],
        "programme_item": ids["programme_item"],
        "sets_done": 2,
    }
    return {
        "client_id": client_id,
        "programme_id": ids["programme"],
        "started_at": started.isoformat(),
        "entries": [entry],
    }


def _psfs() -> dict[str, Any]:
    activities = [{"activity": f"activity {n}", "score": 5} for n in range(3)]
    return {"instrument": "psfs", "answers": {"activities": activities}}


@dataclass(frozen=True)
class Entry:
    method: str
    rule: str
    expect: tuple[int, int, int, int, int, int]  # in ACTORS order
    path: Callable[[dict[str, Any]], str] | None = None
    body: Callable[[dict[str, Any]], Any] | None = None
    name: str = ""  # the test id, when a route has several entries

    def url(self, ids: dict[str, Any]) -> str:
        return self.path(ids) if self.path else self.rule


def everyone(status: int) -> tuple[int, ...]:
    return (status,) * 6


PUBLIC = everyone(200)
SIGNED_IN = (401, 200, 200, 200, 200, 200)
PATIENTS_ONLY_OWN = (401, 200, 200, 403, 403, 403)
OWNER_DATA_READ = (401, 200, 404, 200, 404, 403)

ENTRIES: list[Entry] = [
    Entry("GET", "/health", PUBLIC),
    Entry("GET", "/ready", PUBLIC),
    Entry("GET", "/docs", PUBLIC),
    Entry("GET", "/docs/assets/<name>", PUBLIC, lambda i: "/docs/assets/swagger-ui.css"),
    Entry("GET", "/api/v1/openapi.json", PUBLIC),
    Entry("GET", "/api/v1/causes", PUBLIC),
    Entry("GET", "/api/v1/causes/<slug>", PUBLIC, lambda i: "/api/v1/causes/poor-posture"),
    Entry("GET", "/api/v1/exercises", PUBLIC),
    Entry("GET", "/api/v1/exercises/<slug>", PUBLIC, lambda i: "/api/v1/exercises/chin-tuck"),
    Entry("GET", "/api/v1/lifestyle-advice", PUBLIC),
    Entry(
        "POST",
        "/api/v1/auth/register",
        everyone(201),
        body=lambda i: {
            "email": f"new{i['owner']}@example.org",
            "password": "a sturdy passphrase 42",
            "display_name": "New",
        },
    ),
    Entry(
        "POST",
        "/api/v1/auth/login",
        everyone(401),
        body=lambda i: {"email": "nobody@example.org", "password": PASSWORD},
    ),
    Entry("POST", "/api/v1/auth/refresh", everyone(401), body=lambda i: {"refresh_token": "x"}),
    Entry("POST", "/api/v1/auth/logout", everyone(204), body=lambda i: {"refresh_token": "x"}),
    Entry("GET", "/api/v1/me", SIGNED_IN),
    Entry("PATCH", "/api/v1/me", SIGNED_IN, body=lambda i: {"display_name": "Renamed"}),
    Entry(
        "DELETE",
        "/api/v1/me",
        (401, 204, 204, 204, 204, 204),
        body=lambda i: {"password": PASSWORD},
    ),
    Entry("GET", "/api/v1/me/export", SIGNED_IN),
    Entry("GET", "/api/v1/me/access-log", PATIENTS_ONLY_OWN),
    Entry("GET", "/api/v1/me/today", PATIENTS_ONLY_OWN),
    Entry("POST", "/api/v1/care-links/invites", (401, 403, 403, 201, 201, 403)),
    Entry("GET", "/api/v1/care-links", (401, 200, 200, 200, 200, 403)),
    Entry(
        "POST",
        "/api/v1/care-links",
        (401, 201, 201, 403, 403, 403),
        body=lambda i: {"code": i["invite_code"]},
    ),
    Entry(
        "DELETE",
        "/api/v1/care-links/<int:link_id>",
        (401, 200, 404, 200, 404, 403),
        lambda i: f"/api/v1/care-links/{i['link']}",
    ),
    Entry("GET", "/api/v1/patients", (401, 403, 403, 200, 200, 403)),
    Entry(
        "GET",
        "/api/v1/patients/<int:patient_id>",
        (401, 403, 403, 200, 404, 403),
        lambda i: f"/api/v1/patients/{i['owner']}",
    ),
    Entry(
        "POST",
        "/api/v1/admin/therapists",
        (401, 403, 403, 403, 403, 201),
        body=lambda i: {
            "email": f"t{i['owner']}@example.org",
            "password": "a sturdy passphrase 42",
            "display_name": "T",
        },
    ),
    Entry("POST", "/api/v1/check-ins", (401, 409, 201, 403, 403, 403), body=lambda i: {"pain": 2}),
    Entry(
        "GET",
        "/api/v1/check-ins",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/check-ins?patient_id={i['owner']}",
    ),
    Entry(
        "GET",
        "/api/v1/check-ins/<int:check_in_id>",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/check-ins/{i['check_in']}",
    ),
    Entry(
        "PATCH",
        "/api/v1/check-ins/<int:check_in_id>",
        (401, 200, 404, 403, 403, 403),
        lambda i: f"/api/v1/check-ins/{i['check_in']}",
        lambda i: {"pain": 5},
    ),
    Entry("GET", "/api/v1/alerts", (401, 200, 200, 200, 200, 403)),
    Entry(
        "GET",
        "/api/v1/alerts",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/alerts?patient_id={i['owner']}",
        name="GET /api/v1/alerts?patient_id=<owner>",
    ),
    Entry(
        "GET",
        "/api/v1/alerts/<int:alert_id>",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/alerts/{i['alert']}",
    ),
    Entry(
        "POST",
        "/api/v1/alerts/<int:alert_id>/acknowledge",
        (401, 409, 404, 200, 404, 403),
        lambda i: f"/api/v1/alerts/{i['alert']}/acknowledge",
        lambda i: {},
    ),
    Entry(
        "POST",
        "/api/v1/alerts/<int:alert_id>/resolve",
        (401, 409, 404, 200, 404, 403),
        lambda i: f"/api/v1/alerts/{i['alert']}/resolve",
        lambda i: {"note": "seen", "outcome": "not_a_concern"},
    ),
    Entry("GET", "/api/v1/programme-templates", SIGNED_IN),
    Entry(
        "POST",
        "/api/v1/programme-templates",
        (401, 403, 403, 201, 201, 403),
        body=lambda i: {
            "name": "T",
            "duration_weeks": 1,
            "days_of_week": ["mon"],
            "items": [{"exercise": "chin-tuck"}],
        },
    ),
    Entry(
        "GET",
        "/api/v1/programme-templates/<slug>",
        (401, 404, 404, 200, 404, 404),
        lambda i: f"/api/v1/programme-templates/{i['template']}",
    ),
    Entry(
        "PATCH",
        "/api/v1/programme-templates/<slug>",
        (401, 403, 403, 200, 404, 403),
        lambda i: f"/api/v1/programme-templates/{i['template']}",
        lambda i: {"name": "Re"},
    ),
    Entry(
        "DELETE",
        "/api/v1/programme-templates/<slug>",
        (401, 403, 403, 204, 404, 403),
        lambda i: f"/api/v1/programme-templates/{i['template']}",
    ),
    Entry(
        "POST",
        "/api/v1/programmes",
        (401, 201, 404, 201, 404, 403),
        body=lambda i: {
            "patient_id": i["owner"],
            "template": "core-routine",
            "starts_on": dt.date.today().isoformat(),
        },
    ),
    Entry(
        "GET",
        "/api/v1/programmes",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/programmes?patient_id={i['owner']}",
    ),
    Entry(
        "GET",
        "/api/v1/programmes/<int:programme_id>",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/programmes/{i['programme']}",
    ),
    Entry(
        "PATCH",
        "/api/v1/programmes/<int:programme_id>",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/programmes/{i['programme']}",
        lambda i: {"status": "paused"},
    ),
    Entry(
        "GET",
        "/api/v1/programmes/<int:programme_id>/versions",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/programmes/{i['programme']}/versions",
    ),
    Entry(
        "POST",
        "/api/v1/sessions",
        (401, 201, 404, 403, 403, 403),
        body=lambda i: _session_body(i, "matrix-cell-1"),
    ),
    Entry(
        "GET",
        "/api/v1/sessions",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/sessions?patient_id={i['owner']}",
    ),
    Entry(
        "GET",
        "/api/v1/sessions/<int:session_id>",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/sessions/{i['session']}",
    ),
    Entry(
        "DELETE",
        "/api/v1/sessions/<int:session_id>",
        (401, 204, 404, 403, 403, 403),
        lambda i: f"/api/v1/sessions/{i['session']}",
    ),
    Entry("POST", "/api/v1/outcomes", (401, 201, 201, 403, 403, 403), body=lambda i: _psfs()),
    Entry(
        "GET",
        "/api/v1/outcomes",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/outcomes?patient_id={i['owner']}",
    ),
    Entry(
        "GET",
        "/api/v1/outcomes/<int:outcome_id>",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/outcomes/{i['outcome']}",
    ),
    Entry("GET", "/api/v1/me/progress", PATIENTS_ONLY_OWN),
    Entry("GET", "/api/v1/me/report", PATIENTS_ONLY_OWN),
    Entry(
        "POST",
        "/api/v1/me/devices",
        (401, 201, 201, 201, 201, 201),
        body=lambda i: _device(i, "cell"),
    ),
    Entry("GET", "/api/v1/me/devices", SIGNED_IN),
    Entry(
        "DELETE",
        "/api/v1/me/devices/<int:device_id>",
        (401, 204, 404, 404, 404, 404),
        lambda i: f"/api/v1/me/devices/{i['device']}",
    ),
    Entry("GET", "/api/v1/me/notifications", SIGNED_IN),
    Entry(
        "POST",
        "/api/v1/me/notifications/<int:notification_id>/read",
        (401, 200, 404, 404, 404, 404),
        lambda i: f"/api/v1/me/notifications/{i['notification']}/read",
    ),
    Entry("GET", "/api/v1/me/reminders", PATIENTS_ONLY_OWN),
    Entry("PUT", "/api/v1/me/reminders", PATIENTS_ONLY_OWN, body=lambda i: REMINDERS),
    Entry("GET", "/api/v1/sync", (401, 200, 200, 200, 200, 403)),
    Entry(
        "POST",
        "/api/v1/sync",
        PATIENTS_ONLY_OWN,
        body=lambda i: {
            "mutations": [{"id": "matrix-0001", "type": "outcome.create", "data": _psfs()}]
        },
    ),
    Entry(
        "GET",
        "/api/v1/patients/<int:patient_id>/progress",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/patients/{i['owner']}/progress",
    ),
    Entry("GET", "/api/v1/fhir/metadata", PUBLIC),
    Entry(
        "GET",
        "/api/v1/fhir/Patient/<int:patient_id>",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/fhir/Patient/{i['owner']}",
    ),
    Entry(
        "GET",
        "/api/v1/fhir/Patient/<int:patient_id>/$everything",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/fhir/Patient/{i['owner']}/$everything",
    ),
    Entry(
        "GET",
        "/api/v1/patients/<int:patient_id>/report",
        OWNER_DATA_READ,
        lambda i: f"/api/v1/patients/{i['owner']}/report",
    ),
]


def _key(entry: Entry) -> tuple[str, str]:
    return entry.method, entry.rule


CELLS = [(entry, actor) for entry in ENTRIES for actor in ACTORS]


def _cell(client: FlaskClient, world: World, entry: Entry, actor: str) -> int:
    kwargs: dict[str, Any] = {"headers": world.headers(actor)}
    if entry.body is not None:
        kwargs["json"] = entry.body(world.ids)
    response = client.open(entry.url(world.ids), method=entry.method, **kwargs)
    response.close()  # static files are streamed from an open file
    return response.status_code


@pytest.mark.parametrize(
    "entry",
    [e for e in ENTRIES if e.method == "GET"],
    ids=lambda e: e.name or f"{e.method} {e.rule}",
)
def test_reads(client, make, entry: Entry):
    """Reads change nothing, so the six actors share one world."""
    world = build_world(client, make)
    got = tuple(_cell(client, world, entry, actor) for actor in ACTORS)
    assert got == entry.expect, dict(zip(ACTORS, got, strict=True))


@pytest.mark.parametrize(
    ("entry", "actor_index"),
    [
        pytest.param(entry, n, id=f"{entry.method} {entry.rule} as {actor}")
        for entry in ENTRIES
        if entry.method != "GET"
        for n, actor in enumerate(ACTORS)
    ],
)
def test_writes(client, make, entry: Entry, actor_index: int):
    """Each write runs in a world of its own."""
    world = build_world(client, make)
    actor = ACTORS[actor_index]
    assert _cell(client, world, entry, actor) == entry.expect[actor_index], actor


def test_every_route_is_in_the_matrix(app):
    covered = {_key(entry) for entry in ENTRIES}
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.endpoint != "static"
    }
    missing = sorted(routes - covered)
    assert missing == [], f"routes without an authorisation matrix entry: {missing}"
    stale = sorted(covered - routes)
    assert stale == [], f"matrix entries for routes that no longer exist: {stale}"


def test_matrix_counts():
    assert len(CELLS) == 6 * len(ENTRIES)


# --- sync: what each actor pulls of the owner's data, and the mutations on it ---------
# A push answers 200 with one result per mutation: a cell is the HTTP status, or for a
# rejected mutation the code of its error body (the REST endpoint's).

SYNC_MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], tuple[int, ...]]] = {
    "reminders.update": (lambda i: {"data": REMINDERS}, PATIENTS_ONLY_OWN),
    "notification.read": (
        lambda i: {"data": {"id": i["notification"]}},
        (401, 200, 404, 403, 403, 403),
    ),
    "programme.pause": (
        lambda i: {"data": {"id": i["programme"]}},
        (401, 200, 404, 403, 403, 403),
    ),
    "session.delete": (
        lambda i: {"data": {"id": i["session"]}},
        (401, 200, 404, 403, 403, 403),
    ),
}


def _sync_cell(client: FlaskClient, world: World, kind: str, actor: str) -> int:
    mutation = {"id": f"matrix-{kind}", "type": kind, **SYNC_MUTATIONS[kind][0](world.ids)}
    response = client.post(
        "/api/v1/sync", json={"mutations": [mutation]}, headers=world.headers(actor)
    )
    if response.status_code != 200:
        return response.status_code
    result = response.get_json()["results"][0]
    return result["error"]["code"] if result["status"] == "rejected" else 200


@pytest.mark.parametrize(
    ("kind", "actor_index"),
    [
        pytest.param(kind, n, id=f"POST /api/v1/sync {kind} as {actor}")
        for kind in SYNC_MUTATIONS
        for n, actor in enumerate(ACTORS)
    ],
)
def test_sync_mutations(client, make, kind: str, actor_index: int):
    world = build_world(client, make)
    actor = ACTORS[actor_index]
    assert _sync_cell(client, world, kind, actor) == SYNC_MUTATIONS[kind][1][actor_index], actor


def test_sync_pulls_show_each_actor_only_what_the_rest_endpoints_show(client, make):
    """The owner's records in each actor's snapshot: the owner's own; a linked therapist
    the owner's summary and alerts (not their inbox); nobody else anything."""
    world = build_world(client, make)
    ids = world.ids
    owner_records = {
        "profile": ids["owner"],
        "check_ins": ids["check_in"],
        "sessions": ids["session"],
        "outcomes": ids["outcome"],
        "programmes": ids["programme"],
        "alerts": ids["alert"],
        "notifications": ids["notification"],
        "patients": ids["owner"],
    }
    seen = {}
    for actor in ACTORS[1:5]:
        response = client.get("/api/v1/sync?limit=1000", headers=world.headers(actor))
        assert response.status_code == 200, actor
        changes = response.get_json()["changes"]
        seen[actor] = sorted(
            name
            for name, record_id in owner_records.items()
            if record_id in {r["id"] for r in changes.get(name, {}).get("upserted", [])}
        )
    own = ["alerts", "check_ins", "notifications", "outcomes", "profile", "programmes", "sessions"]
    assert seen == {
        "owner": own,
        "other_patient": [],
        "linked_therapist": ["alerts", "patients"],
        "unlinked_therapist": [],
    }
