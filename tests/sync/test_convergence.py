"""Property: random interleavings of REST writes and of two devices of one patient pushing
and pulling converge: after a final push and pull each device holds exactly what the REST
endpoints return."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sync.helpers import ONLY, apply, notify, pull_all, push, strip

EXAMPLES = 60
_ids = itertools.count(1)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("rest_check_in"), st.integers(0, 10)),
        st.tuples(st.just("rest_session"), st.booleans()),
        st.tuples(st.just("rest_delete_session"), st.integers(0, 5)),
        st.tuples(st.just("rest_rename"), st.sampled_from(["Ann", "Bo", "Cy"])),
        st.tuples(st.just("rest_reminders"), st.integers(0, 10)),
        st.tuples(st.just("rest_timezone"), st.sampled_from(["Europe/Paris", "Asia/Tokyo"])),
        st.tuples(st.just("notify"), st.integers(0, 3)),
        st.tuples(st.just("rest_read"), st.integers(0, 5)),
        st.tuples(
            st.sampled_from(["queue_a", "queue_b"]),
            st.sampled_from(
                [
                    "check_in",
                    "session",
                    "delete_session",
                    "outcome",
                    "rename",
                    "reminders",
                    "read",
                ]
            ),
            st.integers(0, 10),
        ),
        st.tuples(st.sampled_from(["push_a", "push_b", "pull_a", "pull_b"])),
    ),
    max_size=25,
)

PSFS = {
    "instrument": "psfs",
    "answers": {"activities": [{"activity": f"activity {n}", "score": 5} for n in range(3)]},
}


def _reminders(n: int) -> dict:
    """Reminder settings, different for each ``n``."""
    return {
        "check_in": {"enabled": n % 2 == 0, "time": f"{8 + n:02d}:30", "days_of_week": ["mon"]},
        "exercise": {"enabled": n % 3 == 0, "times": ["07:00", f"{12 + n:02d}:00"]},
        "missed_sessions": {"enabled": True, "after_days": 1 + n},
        "quiet_hours": {"start": "22:00", "end": f"0{n % 10}:00"} if n % 4 else None,
    }


def _session(n: int) -> dict:
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30 + n)
    return {
        "client_id": f"phone-prop-{n:06d}",
        "started_at": started.isoformat(),
        "entries": [{"exercise": "chin-tuck", "sets_done": 1}],
    }


class Device:
    def __init__(self) -> None:
        self.store: dict[str, dict[int, dict]] = {}
        self.cursor: str | None = None
        self.queue: list[dict] = []

    def pull(self, client, headers) -> None:
        changes, self.cursor = pull_all(client, headers, self.cursor, limit=3)
        apply(self.store, changes)

    def push(self, client, headers) -> None:
        if self.queue:
            response = push(client, headers, *self.queue, cursor=self.cursor)
            assert response.status_code == 200, response.get_json()
            self.queue = []


def _rest_state(client, headers) -> dict[str, dict[int, dict]]:
    def listed(path: str) -> dict[int, dict]:
        response = client.get(f"/api/v1/{path}?page_size=100", headers=headers)
        return {r["id"]: r for r in response.get_json()}

    me = client.get("/api/v1/me", headers=headers).get_json()
    reminders = client.get("/api/v1/me/reminders", headers=headers).get_json()
    return {
        "reminders": {ONLY: reminders},
        "notifications": listed("me/notifications"),
        "profile": {me["id"]: me},
        "care_links": listed("care-links"),
        "programmes": listed("programmes"),
        "check_ins": listed("check-ins"),
        "sessions": listed("sessions"),
        "outcomes": listed("outcomes"),
        "alerts": listed("alerts"),
    }


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_two_devices_and_rest_writes_converge(app, client, make, steps):
    patient = make.patient()
    headers = make.headers(patient)
    devices = {"a": Device(), "b": Device()}
    client.post("/api/v1/sessions", json=_session(next(_ids)), headers=headers)
    for device in devices.values():  # both phones start from a snapshot
        device.pull(client, headers)
    for step in steps:
        kind = step[0]
        if kind == "rest_check_in":
            today = client.get("/api/v1/check-ins", headers=headers).get_json()
            if today:
                path = f"/api/v1/check-ins/{today[0]['id']}"
                client.patch(path, json={"pain": step[1]}, headers=headers)
            else:
                client.post("/api/v1/check-ins", json={"pain": step[1]}, headers=headers)
        elif kind == "rest_session":
            client.post("/api/v1/sessions", json=_session(next(_ids)), headers=headers)
        elif kind == "rest_delete_session":
            listed = client.get("/api/v1/sessions", headers=headers).get_json()
            if listed:
                target = listed[step[1] % len(listed)]["id"]
                client.delete(f"/api/v1/sessions/{target}", headers=headers)
        elif kind == "rest_rename":
            client.patch("/api/v1/me", json={"display_name": step[1]}, headers=headers)
        elif kind == "rest_reminders":
            client.put("/api/v1/me/reminders", json=_reminders(step[1]), headers=headers)
        elif kind == "rest_timezone":
            client.patch("/api/v1/me", json={"timezone": step[1]}, headers=headers)
        elif kind == "notify":
            notify(app, patient, f"prop-{next(_ids)}")
        elif kind == "rest_read":
            inbox = client.get("/api/v1/me/notifications", headers=headers).get_json()
            if inbox:
                target = inbox[step[1] % len(inbox)]["id"]
                client.post(f"/api/v1/me/notifications/{target}/read", headers=headers)
        elif kind.startswith("queue_"):
            device, what, n = devices[kind[-1]], step[1], step[2]
            mutation_id = f"prop-{next(_ids):08d}"
            if what == "check_in":
                mutation = {"type": "check_in.create", "data": {"pain": n}}
            elif what == "session":
                mutation = {"type": "session.create", "data": _session(next(_ids))}
            elif what == "outcome":
                mutation = {"type": "outcome.create", "data": PSFS}
            elif what == "rename":
                profile = next(iter(device.store.get("profile", {}).values()), None)
                mutation = {"type": "profile.update", "data": {"display_name": f"Dev {n}"}}
                if profile is not None:
                    mutation["base_version"] = profile["version"]
            elif what == "reminders":
                mutation = {"type": "reminders.update", "data": _reminders(n)}
                held = device.store.get("reminders", {}).get(ONLY)
                if held is not None:
                    mutation["base_version"] = held["version"]
            elif what == "read":
                known = sorted(device.store.get("notifications", {}))
                target = known[n % len(known)] if known else 1_000_000
                mutation = {"type": "notification.read", "data": {"id": target}}
            else:
                known = sorted(device.store.get("sessions", {}))
                target = known[n % len(known)] if known else 1_000_000
                mutation = {"type": "session.delete", "data": {"id": target}}
            device.queue.append({"id": mutation_id, **mutation})
        elif kind.startswith("push_"):
            devices[kind[-1]].push(client, headers)
        else:
            devices[kind[-1]].pull(client, headers)
    for device in devices.values():
        device.push(client, headers)
    rest = _rest_state(client, headers)
    for device in devices.values():
        device.pull(client, headers)
        held = {
            name: {
                record_id: strip(record, rest.get(name, {}).get(record_id))
                for record_id, record in records.items()
            }
            for name, records in device.store.items()
        }
        assert held == rest
