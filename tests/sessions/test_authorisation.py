"""The authorisation matrix of the session, outcome and progress endpoints.

Actors, in order: anonymous, owner, other_patient, linked_therapist,
unlinked_therapist, admin. Creating is for patients only (therapists and admins
403, "wrong role"); what exists but is not yours is 404; admins see no health data.
POST /sessions names the owner's programme, so another patient gets 404; POST
/outcomes has no owner in it, so another patient simply records their own (201).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.factories import Actors
from tests.outcomes.test_outcomes import NDI_17
from tests.sessions.helpers import entry, session_body, today

ACTORS = Actors.NAMES
OWNER_DATA_READ = (401, 200, 404, 200, 404, 403)


@dataclass(frozen=True)
class Cell:
    method: str
    url: Callable[[dict], str]
    expect: tuple[int, ...]
    body: Callable[[dict], dict] | None = None


def _session(ids):
    return session_body(
        entry(ids["exercise"], programme_item=ids["item"]), programme_id=ids["programme"]
    )


MATRIX = {
    "POST /sessions": Cell(
        "POST", lambda i: "/api/v1/sessions", (401, 201, 404, 403, 403, 403), _session
    ),
    "GET /sessions": Cell(
        "GET", lambda i: f"/api/v1/sessions?patient_id={i['owner']}", OWNER_DATA_READ
    ),
    "GET /sessions/<id>": Cell(
        "GET", lambda i: f"/api/v1/sessions/{i['session']}", OWNER_DATA_READ
    ),
    "DELETE /sessions/<id>": Cell(
        "DELETE", lambda i: f"/api/v1/sessions/{i['session']}", (401, 204, 404, 403, 403, 403)
    ),
    "POST /outcomes": Cell(
        "POST",
        lambda i: "/api/v1/outcomes",
        (401, 201, 201, 403, 403, 403),
        lambda i: {"instrument": "ndi", "answers": NDI_17},
    ),
    "GET /outcomes": Cell(
        "GET", lambda i: f"/api/v1/outcomes?patient_id={i['owner']}", OWNER_DATA_READ
    ),
    "GET /outcomes/<id>": Cell(
        "GET", lambda i: f"/api/v1/outcomes/{i['outcome']}", OWNER_DATA_READ
    ),
    "GET /me/progress": Cell(
        "GET", lambda i: "/api/v1/me/progress", (401, 200, 200, 403, 403, 403)
    ),
    "GET /patients/<id>/progress": Cell(
        "GET", lambda i: f"/api/v1/patients/{i['owner']}/progress", OWNER_DATA_READ
    ),
}


def _world(client, make):
    actors = make.actors()
    owner, linked = actors.headers["owner"], actors.headers["linked_therapist"]
    programme = client.post(
        "/api/v1/programmes",
        json={
            "patient_id": actors.owner_id,
            "starts_on": today().isoformat(),
            "items": [{"exercise": "chin-tuck"}],
        },
        headers=linked,
    ).get_json()
    ids = {
        "owner": actors.owner_id,
        "programme": programme["id"],
        "item": programme["version"]["items"][0]["id"],
        "exercise": "chin-tuck",
    }
    logged = client.post("/api/v1/sessions", json=_session(ids), headers=owner)
    assert logged.status_code == 201, logged.get_json()
    ids["session"] = logged.get_json()["id"]
    ids["outcome"] = client.post(
        "/api/v1/outcomes", json={"instrument": "ndi", "answers": NDI_17}, headers=owner
    ).get_json()["id"]
    return actors, ids


@pytest.mark.parametrize(
    ("name", "actor_index"),
    [(name, n) for name in MATRIX for n in range(len(ACTORS))],
    ids=[f"{name} as {actor}" for name in MATRIX for actor in ACTORS],
)
def test_matrix(client, make, name, actor_index):
    actors, ids = _world(client, make)
    cell = MATRIX[name]
    kwargs = {"headers": actors.headers[ACTORS[actor_index]]}
    if cell.body is not None:
        kwargs["json"] = cell.body(ids)
    response = client.open(cell.url(ids), method=cell.method, **kwargs)
    assert response.status_code == cell.expect[actor_index], response.get_json(silent=True)


def test_therapist_reads_are_in_the_patients_access_log(client, make):
    actors, ids = _world(client, make)
    linked = actors.headers["linked_therapist"]
    client.get(f"/api/v1/sessions/{ids['session']}", headers=linked)
    client.get(f"/api/v1/outcomes/{ids['outcome']}", headers=linked)
    client.get(f"/api/v1/patients/{ids['owner']}/progress", headers=linked)
    client.get(f"/api/v1/sessions?patient_id={ids['owner']}", headers=linked)
    log = client.get("/api/v1/me/export", headers=actors.headers["owner"]).get_json()
    resources = {e["resource"] for e in log["sections"]["access_log"]}
    assert {"session", "outcome", "progress", "sessions"} <= resources


def test_therapist_must_name_a_patient_to_list(client, make):
    actors, _ = _world(client, make)
    linked = actors.headers["linked_therapist"]
    assert client.get("/api/v1/sessions", headers=linked).status_code == 422
    assert client.get("/api/v1/outcomes", headers=linked).status_code == 422


def test_ended_link_hides_everything(client, make):
    actors, ids = _world(client, make)
    owner, linked = actors.headers["owner"], actors.headers["linked_therapist"]
    assert client.get(f"/api/v1/sessions/{ids['session']}", headers=linked).status_code == 200
    links = client.get("/api/v1/care-links", headers=owner).get_json()
    for link in links:
        ended = client.delete(f"/api/v1/care-links/{link['id']}", headers=owner)
        assert ended.status_code == 200
    assert client.get(f"/api/v1/sessions/{ids['session']}", headers=linked).status_code == 404
    assert (
        client.get(f"/api/v1/patients/{ids['owner']}/progress", headers=linked).status_code == 404
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sessions?patient_id=99999999999999999999",
        "/api/v1/outcomes?patient_id=99999999999999999999",
        "/api/v1/sessions/99999999999999999999",
        "/api/v1/outcomes/99999999999999999999",
        "/api/v1/patients/99999999999999999999/progress",
    ],
)
def test_absurd_ids_are_4xx(client, make, url):
    response = client.get(url, headers=make.headers(make.therapist()))
    assert 400 <= response.status_code < 500
