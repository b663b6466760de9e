"""Pull (snapshot, incremental, tombstones, 410) and push (idempotent, same rules as REST)."""

from __future__ import annotations

import datetime as dt

import time_machine

from api import examples
from tests.sync.helpers import SYNC, apply, pull_all, push, strip

PSFS = examples.OUTCOME_PSFS_CREATE


def session_body(client_id: str, minutes_ago: int = 30) -> dict:
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
    return {
        "client_id": client_id,
        "started_at": started.isoformat(),
        "entries": [{"exercise": "chin-tuck", "sets_done": 2, "reps_done": 10}],
    }


def test_a_snapshot_holds_what_the_rest_endpoints_return(client, make):
    patient = make.patient()
    headers = make.headers(patient)
    check_in = client.post("/api/v1/check-ins", json={"pain": 3}, headers=headers).get_json()
    outcome = client.post("/api/v1/outcomes", json=PSFS, headers=headers).get_json()
    changes, _cursor = pull_all(client, headers, limit=1)
    assert [strip(r, check_in) for r in changes["check_ins"]["upserted"]] == [check_in]
    assert [strip(r, outcome) for r in changes["outcomes"]["upserted"]] == [outcome]
    profile = client.get("/api/v1/me", headers=headers).get_json()
    assert [strip(r, profile) for r in changes["profile"]["upserted"]] == [profile]
    assert all(r["version"] >= 1 for r in changes["check_ins"]["upserted"])


def test_an_incremental_pull_brings_only_what_changed_and_tombstones(client, make):
    headers = make.headers(make.patient())
    kept = client.post("/api/v1/sessions", json=session_body("phone-aaaa-0001"), headers=headers)
    gone = client.post("/api/v1/sessions", json=session_body("phone-aaaa-0002"), headers=headers)
    _changes, cursor = pull_all(client, headers)
    nothing, cursor = pull_all(client, headers, cursor)
    assert all(c == {"upserted": [], "deleted": []} for c in nothing.values())
    gone_id = gone.get_json()["id"]
    assert client.delete(f"/api/v1/sessions/{gone_id}", headers=headers).status_code == 204
    check_in = client.post("/api/v1/check-ins", json={"pain": 2}, headers=headers).get_json()
    changes, _cursor = pull_all(client, headers, cursor)
    assert changes["sessions"] == {"upserted": [], "deleted": [gone_id]}
    assert [strip(r, check_in) for r in changes["check_ins"]["upserted"]] == [check_in]
    assert kept.get_json()["id"] not in changes["sessions"]["deleted"]


def test_an_old_cursor_answers_410_and_a_forged_one_422(client, make, app):
    patient = make.patient()
    headers = make.headers(patient)
    _changes, cursor = pull_all(client, headers)
    days = app.config["SYNC_TOMBSTONE_DAYS"]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days - 1)):
        fresh = make.headers(patient)
        assert client.get(f"{SYNC}?cursor={cursor}", headers=fresh).status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days + 1)):
        response = client.get(f"{SYNC}?cursor={cursor}", headers=make.headers(patient))
    assert response.status_code == 410
    assert response.get_json()["errors"]["cursor"]
    other = make.headers(make.patient())
    response = client.get(f"{SYNC}?cursor={cursor}", headers=other)
    assert response.status_code == 422
    assert client.get(f"{SYNC}?cursor=x{cursor}", headers=headers).status_code == 422
    assert client.get(f"{SYNC}?limit=0", headers=headers).status_code == 422
    assert client.get(f"{SYNC}?limit=1001", headers=headers).status_code == 422


def test_a_push_replayed_after_a_lost_answer_makes_no_new_row(client, make):
    headers = make.headers(make.patient())
    mutations = [
        {"id": "m-0000-0001", "type": "check_in.create", "data": {"pain": 4}},
        {"id": "m-0000-0002", "type": "session.create", "data": session_body("phone-bbbb-0001")},
        {"id": "m-0000-0003", "type": "outcome.create", "data": PSFS},
        {"id": "m-0000-0004", "type": "check_in.create", "data": {"pain": 11}},
    ]
    first = push(client, headers, *mutations)
    assert first.status_code == 200, first.get_json()
    statuses = [r["status"] for r in first.get_json()["results"]]
    assert statuses == ["applied", "applied", "applied", "rejected"]
    again = push(client, headers, *mutations).get_json()["results"]
    assert [r["status"] for r in again] == ["replayed"] * 4
    for before, after in zip(first.get_json()["results"], again, strict=True):
        assert before.get("record") == after.get("record")
        assert before.get("error") == after.get("error")
    for path in ("check-ins", "sessions", "outcomes"):
        assert len(client.get(f"/api/v1/{path}", headers=headers).get_json()) == 1


def test_a_pushed_session_that_loses_the_race_is_replayed_and_the_push_goes_on(
    client, make, monkeypatch
):
    """The same session is stored by another request between the push's look-up and its
    INSERT: the unique constraint decides, the push answers the original and keeps what
    it applied before and after it (a savepoint, not the transaction, is rolled back)."""
    from dataclasses import replace

    from api.sessions import service

    headers = make.headers(make.patient())
    body = session_body("phone-race-0001")
    original = client.post("/api/v1/sessions", json=body, headers=headers).get_json()
    looked_up = service._earlier
    monkeypatch.setattr(
        service, "_earlier", lambda *args: replace(looked_up(*args), replay_id=None)
    )
    results = push(
        client,
        headers,
        {"id": "m-race-0001", "type": "outcome.create", "data": PSFS},
        {"id": "m-race-0002", "type": "session.create", "data": body},
        {"id": "m-race-0003", "type": "check_in.create", "data": {"pain": 4}},
    ).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "replayed", "applied"]
    assert strip(results[1]["record"], original) == original
    assert client.get("/api/v1/sessions", headers=headers).get_json() == [original]
    for path in ("outcomes", "check-ins"):
        assert len(client.get(f"/api/v1/{path}", headers=headers).get_json()) == 1


def test_a_rejected_mutation_carries_the_rest_error_body(client, make):
    headers = make.headers(make.patient())
    rest = client.post("/api/v1/check-ins", json={"pain": 11}, headers=headers)
    pushed = push(
        client, headers, {"id": "m-bad-00001", "type": "check_in.create", "data": {"pain": 11}}
    )
    assert pushed.get_json()["results"][0]["error"] == rest.get_json()
    client.post("/api/v1/check-ins", json={"pain": 1}, headers=headers)
    rest = client.post("/api/v1/check-ins", json={"pain": 2}, headers=headers)
    assert rest.status_code == 409
    pushed = push(
        client, headers, {"id": "m-bad-00002", "type": "check_in.create", "data": {"pain": 2}}
    )
    assert pushed.get_json()["results"][0]["error"] == rest.get_json()


def test_a_late_check_in_is_triaged_on_arrival_with_its_alert(client, make):
    patient = make.patient()
    headers = make.headers(patient)
    two_days_ago = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)).isoformat()
    data = {"date": two_days_ago, "pain": 6, "symptoms": ["fever"], "client_id": "late-0000-01"}
    result = push(client, headers, {"id": "m-late-0001", "type": "check_in.create", "data": data})
    record = result.get_json()["results"][0]["record"]
    assert record["triage"]["level"] == "urgent"
    assert record["date"] == two_days_ago
    changes, _ = pull_all(client, headers)
    assert changes["alerts"]["upserted"], "the alert reaches the phone"
    assert changes["profile"]["upserted"][0]["exercise_hold"]


def test_profile_update_on_an_old_base_version_conflicts_on_changed_fields_only(client, make):
    headers = make.headers(make.patient())
    changes, _ = pull_all(client, headers)
    base = changes["profile"]["upserted"][0]["version"]
    client.patch("/api/v1/me", json={"display_name": "Server side"}, headers=headers)
    mutation = {
        "id": "m-prof-0001",
        "type": "profile.update",
        "data": {"display_name": "Phone side", "timezone": "Europe/Paris"},
        "base_version": base,
    }
    result = push(client, headers, mutation).get_json()["results"][0]
    assert result["status"] == "conflict"
    assert result["conflicts"] == ["display_name"]
    assert result["record"]["display_name"] == "Server side"
    assert result["record"]["timezone"] == "Europe/Paris"
    fresh = {**mutation, "id": "m-prof-0002", "base_version": result["record"]["version"]}
    result = push(client, headers, fresh).get_json()["results"][0]
    assert result["status"] == "applied"
    assert result["record"]["display_name"] == "Phone side"


def test_a_pushed_session_delete_is_a_tombstone_on_the_other_device(client, make):
    headers = make.headers(make.patient())
    _, cursor_b = pull_all(client, headers)
    created = push(
        client,
        headers,
        {"id": "m-sess-0001", "type": "session.create", "data": session_body("phone-cccc-0001")},
    ).get_json()["results"][0]["record"]
    device_b: dict = {}
    changes, cursor_b = pull_all(client, headers, cursor_b)
    apply(device_b, changes)
    assert created["id"] in device_b["sessions"]
    push(
        client,
        headers,
        {"id": "m-sess-0002", "type": "session.delete", "data": {"id": created["id"]}},
    )
    changes, cursor_b = pull_all(client, headers, cursor_b)
    apply(device_b, changes)
    assert device_b["sessions"] == {}


def test_the_phone_cannot_change_programme_contents_but_may_pause(client, make):
    patient = make.patient()
    headers = make.headers(patient)
    result = push(
        client, headers, {"id": "m-prog-0001", "type": "programme.pause", "data": {"id": 999999}}
    )
    assert result.get_json()["results"][0]["error"]["code"] == 404
    result = push(client, headers, {"id": "m-prog-0002", "type": "programme.update", "data": {}})
    assert result.status_code == 422


URGENT = {"pain": 6, "symptoms": ["fever"]}


def test_a_therapist_pulls_linked_patients_and_their_alerts_and_loses_an_unlinked_one(client, make):
    therapist = make.therapist()
    theirs, stranger = make.patient(), make.patient()
    link = make.link(therapist, theirs)
    t_headers = make.headers(therapist)
    client.post("/api/v1/check-ins", json=URGENT, headers=make.headers(theirs))
    client.post("/api/v1/check-ins", json=URGENT, headers=make.headers(stranger))
    device: dict = {}
    changes, cursor = pull_all(client, t_headers, limit=1)
    apply(device, changes)
    rest_patients = client.get("/api/v1/patients", headers=t_headers).get_json()
    assert [strip(p, rest_patients[0]) for p in device["patients"].values()] == rest_patients
    alert_ids = {a["id"] for a in client.get("/api/v1/alerts", headers=t_headers).get_json()}
    assert set(device["alerts"]) == alert_ids and alert_ids
    assert all(a["patient_id"] == theirs for a in device["alerts"].values())
    renamed = client.patch("/api/v1/me", json={"display_name": "S"}, headers=make.headers(stranger))
    assert renamed.status_code == 200
    changes, cursor = pull_all(client, t_headers, cursor)
    assert changes["patients"] == {"upserted": [], "deleted": []}
    ended = client.delete(f"/api/v1/care-links/{link}", headers=make.headers(theirs))
    assert ended.status_code == 200
    changes, cursor = pull_all(client, t_headers, cursor)
    apply(device, changes)
    assert device["patients"] == {} and device["alerts"] == {}
    assert theirs in changes["patients"]["deleted"]
    assert client.post(SYNC, json={"mutations": []}, headers=t_headers).status_code == 403


def test_an_erased_patient_gets_401(client, make):
    patient = make.patient()
    headers = make.headers(patient)
    _, cursor = pull_all(client, headers)
    from tests.factories import PASSWORD

    erased = client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers)
    assert erased.status_code == 204
    assert client.get(f"{SYNC}?cursor={cursor}", headers=headers).status_code == 401


def test_push_bad_input(client, make):
    headers = make.headers(make.patient())
    assert client.post(SYNC, json={"mutations": []}, headers=headers).status_code == 422
    many = [{"id": f"m-many-{i:04d}", "type": "check_in.create", "data": {}} for i in range(101)]
    assert client.post(SYNC, json={"mutations": many}, headers=headers).status_code == 422
    bad_id = {"id": "x", "type": "check_in.create", "data": {}}
    assert client.post(SYNC, json={"mutations": [bad_id]}, headers=headers).status_code == 422
    result = push(
        client, headers, {"id": "m-upd-00001", "type": "check_in.update", "data": {"id": "a"}}
    )
    assert result.get_json()["results"][0]["error"]["code"] == 422


def test_the_periodic_round_forgets_changes_older_than_the_tombstone_days(client, make, app):
    from tests.notifications.conftest import tick

    headers = make.headers(make.patient())
    client.post("/api/v1/check-ins", json={"pain": 3}, headers=headers)
    days = app.config["SYNC_TOMBSTONE_DAYS"]
    now = dt.datetime.now(dt.UTC)
    assert tick(app, now + dt.timedelta(days=days - 1))["sync_pruned"] == 0
    assert tick(app, now + dt.timedelta(days=days + 2))["sync_pruned"] >= 2


def test_a_session_pushed_after_a_check_in_that_pauses_exercise_is_marked(client, make):
    """The hold the push's check-in places (written in the same transaction) is read by
    the session after it, as it would be by a REST session after the REST check-in."""
    headers = make.headers(make.patient())
    results = push(
        client,
        headers,
        {"id": "m-hold-0001", "type": "check_in.create", "data": URGENT},
        {"id": "m-hold-0002", "type": "session.create", "data": session_body("phone-hold-0001")},
    ).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    pushed = results[1]["record"]
    assert pushed["logged_during_hold"] is True and pushed["safety"]["level"] == "urgent"
    assert pushed["advice"][0]["kind"] == "hold"
    rest = client.post("/api/v1/sessions", json=session_body("rest-hold-0001"), headers=headers)
    assert rest.get_json()["safety"] == pushed["safety"]
