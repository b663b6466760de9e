"""Personal answers kept per process (api/answers.py) are exact: after any write that
changes them, the next answer is the one a server without the memo gives; they are never
served to another user; the memo holds its byte bound; a hit writes the same access log."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from api import create_app
from api.answers import AnswerMemo, memo
from api.catalogue import cache as catalogue_cache
from api.checkins.models import CheckIn
from api.database import get_session, state
from api.timeutil import local_today
from tests import factories
from tests.alerts.helpers import URGENT
from tests.conftest import _config
from tests.sessions.helpers import entry, session_body

_ids = itertools.count(1)
PATIENT_READS = ("/api/v1/me/today", "/api/v1/me/progress", "/api/v1/alerts")
THERAPIST_READS = ("/api/v1/patients", "/api/v1/alerts", "/api/v1/patients?page_size=1")
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture
def plain(database_url) -> Iterator[Flask]:
    """The same app on the same database, without the memo: what the answers must be."""
    application = create_app(_config(database_url, ANSWER_MEMO_BYTES=0))
    yield application
    state(application).engine.dispose()


class World:
    def __init__(self, app: Flask, plain: Flask, make) -> None:
        self.app, self.client, self.plain = app, app.test_client(), plain.test_client()
        self.make = make
        self.make_timezone = factories.PATIENT_TIMEZONE
        self.days_back = 0
        self.therapist = make.therapist(display_name="Dr Memo")
        self.patient = make.patient(display_name="Pat")
        self.link = make.link(self.therapist, self.patient)
        self.t_h, self.p_h = make.headers(self.therapist), make.headers(self.patient)
        response = self.client.post(
            "/api/v1/programmes",
            json={
                "patient_id": self.patient,
                "starts_on": (local_today("UTC") - dt.timedelta(days=3)).isoformat(),
                "days_of_week": EVERY_DAY,
                "items": [{"exercise": "chin-tuck"}, {"exercise": "wall-angel", "reps": 8}],
            },
            headers=self.t_h,
        )
        assert response.status_code == 201, response.get_json()
        self.programme = response.get_json()["id"]
        self.item = response.get_json()["version"]["items"][0]["id"]

    def reads(self) -> list[tuple[str, dict[str, str]]]:
        return [(p, self.p_h) for p in PATIENT_READS] + [(p, self.t_h) for p in THERAPIST_READS]

    def served(self) -> list[tuple[int, bytes, str | None]]:
        """Each read, with the memo (asked twice: the second one from the memo)."""
        out = []
        for path, headers in self.reads():
            first = self.client.get(path, headers=headers)
            again = self.client.get(path, headers=headers)
            assert (again.status_code, again.data) == (first.status_code, first.data), path
            out.append((first.status_code, first.data, first.headers.get("X-Pagination")))
        self.before_last, self.last = getattr(self, "last", None), out
        return out

    def last_but_one(self) -> list[tuple[int, bytes, str | None]] | None:
        return self.before_last

    def truth(self) -> list[tuple[int, bytes, str | None]]:
        out = []
        for path, headers in self.reads():
            response = self.plain.get(path, headers=headers)
            out.append((response.status_code, response.data, response.headers.get("X-Pagination")))
        return out

    def ok(self, response, status: int = 200):
        assert response.status_code == status, response.data
        return response.get_json(silent=True)

    def open_alert(self) -> int:
        listed = self.ok(self.client.get("/api/v1/alerts?status=open", headers=self.t_h))
        return listed[0]["id"]


def _check_in(w: World, **body) -> None:
    """A check-in of an earlier day (each of a world on its own day); red flags: today."""
    w.days_back += 1
    day = local_today(w.make_timezone) - dt.timedelta(days=w.days_back)
    body = {"pain": 3, "client_id": f"memo-check-{next(_ids):06d}", "date": day.isoformat(), **body}
    w.ok(w.client.post("/api/v1/check-ins", json=body, headers=w.p_h), 201)


def _red_flag(w: World) -> None:
    today = local_today(w.make_timezone).isoformat()
    _check_in(w, pain=7, symptoms=URGENT, date=today)  # an urgent alert and an exercise hold


def _acknowledge(w: World) -> None:
    _red_flag(w)
    w.served()
    w.ok(w.client.post(f"/api/v1/alerts/{w.open_alert()}/acknowledge", json={}, headers=w.t_h))


def _resolve(w: World) -> None:
    _red_flag(w)
    w.served()
    _resolve_open(w)


def _resolve_open(w: World) -> None:
    body = {"note": "Seen in clinic", "outcome": "assessed_safe_to_continue"}
    alert = w.open_alert()
    w.ok(w.client.post(f"/api/v1/alerts/{alert}/resolve", json=body, headers=w.t_h))


def _session(w: World) -> int:
    body = session_body(
        entry("chin-tuck", programme_item=w.item),
        programme_id=w.programme,
        client_id=f"memo-session-{next(_ids):06d}",
    )
    return w.ok(w.client.post("/api/v1/sessions", json=body, headers=w.p_h), 201)["id"]


def _session_deleted(w: World) -> None:
    session_id = _session(w)
    w.served()
    w.ok(w.client.delete(f"/api/v1/sessions/{session_id}", headers=w.p_h), 204)


def _new_version(w: World) -> None:
    changes = {"items": [{"exercise": "chin-tuck", "reps": 15}]}
    url = f"/api/v1/programmes/{w.programme}"
    w.ok(w.client.patch(url, json=changes, headers=w.t_h))


def _paused(w: World) -> None:
    url = f"/api/v1/programmes/{w.programme}"
    w.ok(w.client.patch(url, json={"status": "paused"}, headers=w.p_h))


def _resumed(w: World) -> None:
    _paused(w)
    w.served()
    url = f"/api/v1/programmes/{w.programme}"
    w.ok(w.client.patch(url, json={"status": "active"}, headers=w.p_h))


def _renamed(w: World) -> None:
    w.ok(w.client.patch("/api/v1/me", json={"display_name": "Patricia"}, headers=w.p_h))


def _time_zone(w: World) -> None:
    w.ok(w.client.patch("/api/v1/me", json={"timezone": "Pacific/Kiritimati"}, headers=w.p_h))


def _outcome(w: World) -> None:
    body = {
        "instrument": "psfs",
        "answers": {"activities": [{"activity": f"Task {n}", "score": 4} for n in range(3)]},
    }
    w.ok(w.client.post("/api/v1/outcomes", json=body, headers=w.p_h), 201)


def _link_ended(w: World) -> None:
    _red_flag(w)  # open: the therapist's list then shows a link_ended notice
    w.served()
    w.ok(w.client.delete(f"/api/v1/care-links/{w.link}", headers=w.p_h))
    assert w.ok(w.client.get("/api/v1/alerts", headers=w.t_h))[0]["kind"] == "link_ended"


def _new_link(w: World) -> None:
    other = w.make.patient(display_name="Newcomer")
    code = w.ok(w.client.post("/api/v1/care-links/invites", headers=w.t_h), 201)["code"]
    w.ok(
        w.client.post("/api/v1/care-links", json={"code": code}, headers=w.make.headers(other)), 201
    )


WRITES = {
    "check_in": _check_in,
    "red_flag_check_in_and_hold": _red_flag,
    "alert_acknowledged": _acknowledge,
    "alert_resolved_hold_lifted": _resolve,
    "session_created": _session,
    "session_deleted": _session_deleted,
    "therapist_new_programme_version": _new_version,
    "programme_paused": _paused,
    "programme_resumed": _resumed,
    "profile_renamed": _renamed,
    "time_zone_changed": _time_zone,
    "outcome": _outcome,
    "care_link_ended": _link_ended,
    "new_care_link": _new_link,
}


@pytest.mark.parametrize("write", list(WRITES.values()), ids=list(WRITES))
def test_after_each_write_the_next_answer_is_the_one_without_the_memo(app, plain, make, write):
    w = World(app, plain, make)
    assert w.served() == w.truth()
    write(w)  # (a compound one reads everything again before its last write)
    before = w.last
    after = w.served()
    assert after == w.truth()
    assert after != before  # the last write changed some answer (a stale one would show)
    with app.app_context():
        assert len(memo()) >= len(w.reads()) - 1  # the answers were kept


def test_a_sequence_of_writes_keeps_every_answer_exact(app, plain, make):
    w = World(app, plain, make)
    sequence = (_check_in, _session, _red_flag, _new_version, _renamed, _session, _resolve_open)
    for write in sequence:
        w.served()
        write(w)
        assert w.served() == w.truth(), write.__name__


def test_a_catalogue_load_renames_todays_exercises_at_once(app, plain, make):
    w = World(app, plain, make)
    w.served()
    with app.app_context():
        session = get_session()
        name = session.execute(text("SELECT name FROM exercises WHERE slug = 'chin-tuck'")).scalar()
        digest = session.execute(text("SELECT digest FROM catalogue_version")).scalar()
    try:
        with app.app_context():  # what a load of a new catalogue writes
            session = get_session()
            session.execute(text("UPDATE exercises SET name = 'Renamed' WHERE slug = 'chin-tuck'"))
            session.execute(text("UPDATE catalogue_version SET digest = 'a-new-load'"))
            session.commit()
            catalogue_cache.forget()  # a load in this process
        today = w.client.get("/api/v1/me/today", headers=w.p_h).get_json()
        assert "Renamed" in {i["exercise_name"] for i in today["items"]}
        assert w.served() == w.truth()
    finally:
        with app.app_context():
            session = get_session()
            session.execute(
                text("UPDATE exercises SET name = :name WHERE slug = 'chin-tuck'"), {"name": name}
            )
            session.execute(text("UPDATE catalogue_version SET digest = :d"), {"d": digest})
            session.commit()


def test_a_check_in_committed_while_an_older_transaction_is_open_shows_at_once(
    app, plain, make, database_url
):
    """PostgreSQL hands out transaction ids at the start: a check-in committed after an
    unrelated, older transaction began (still open) is above the pull's fence, yet the
    patient's next answer shows it."""
    w = World(app, plain, make)
    engine = state(app).engine
    postgresql = engine.dialect.name == "postgresql"
    older = Session(engine)
    try:
        if postgresql:  # an older transaction with an id, left open
            older.execute(text("SELECT pg_current_xact_id()"))
        # (SQLite: every transaction takes the one write lock, so none can stay open
        # while the check-in is written; the same steps happen in commit order.)
        before = w.served()
        writer = Session(engine)
        day = local_today(w.make_timezone)
        writer.add(CheckIn(patient_id=w.patient, local_date=day, pain=9))
        writer.commit()
        writer.close()
        if postgresql:
            fence = older.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())"))
            assert fence.scalar() is not None  # the older one still holds the horizon back
        progress = w.client.get("/api/v1/me/progress", headers=w.p_h).get_json()
        assert [p for p in progress["pain"]["series"] if p["date"] == day.isoformat()]
        after = w.served()
        assert after != before and after == w.truth()
    finally:
        older.rollback()
        older.close()


def test_two_patients_never_get_each_others_answer(app, make):
    client = app.test_client()
    first, second = make.patient(display_name="One"), make.patient(display_name="Two")
    for path in PATIENT_READS:
        mine = client.get(path, headers=make.headers(first))
        theirs = client.get(path, headers=make.headers(second))
        again = client.get(path, headers=make.headers(second))
        assert theirs.data == again.data
        if path.endswith("progress"):
            assert mine.get_json()["patient_id"] == first
            assert theirs.get_json()["patient_id"] == second
        else:
            assert mine.data == theirs.data  # the same empty answer, each their own
    with app.app_context():
        assert memo().hits == len(PATIENT_READS)


def test_two_therapists_never_get_each_others_patients(app, make):
    client = app.test_client()
    one, two = make.therapist(), make.therapist()
    mine, theirs = make.patient(display_name="Mine"), make.patient(display_name="Theirs")
    make.link(one, mine)
    make.link(two, theirs)
    for _ in range(2):
        assert [
            p["id"] for p in client.get("/api/v1/patients", headers=make.headers(one)).get_json()
        ] == [mine]
        assert [
            p["id"] for p in client.get("/api/v1/patients", headers=make.headers(two)).get_json()
        ] == [theirs]


def _answer(size: int):
    from api.answers import Answer

    return Answer(b"x" * size, 200, (), ("sqlite", 0, 0), None, None, size)


def test_the_memo_keeps_its_byte_bound_evicting_the_least_recently_used():
    kept = AnswerMemo(1000)
    for n in range(10):
        assert kept.put((n,), _answer(100))
    assert kept.used <= 1000 and len(kept) == 10
    kept.get((0,))  # used: the oldest is now (1,)
    assert kept.put((10,), _answer(100))
    assert kept.used <= 1000 and kept.get((1,)) is None and kept.get((0,)) is not None
    assert not kept.put((11,), _answer(126))  # more than an eighth of the memo: not kept
    assert kept.get((11,)) is None and kept.used <= 1000


def test_a_zero_byte_memo_is_off_and_a_negative_one_refused(database_url, make, app):
    plain = create_app(_config(database_url, ANSWER_MEMO_BYTES=0))
    try:
        with plain.app_context():
            assert memo() is None
    finally:
        state(plain).engine.dispose()
    from api.config import ConfigError

    with pytest.raises(ConfigError, match="ANSWER_MEMO_BYTES"):
        create_app(_config(database_url, ANSWER_MEMO_BYTES=-1))


def _access_log(client, headers) -> list[tuple[str, int | None]]:
    response = client.get("/api/v1/me/access-log?page_size=100", headers=headers)
    return sorted((e["resource"], e["resource_id"]) for e in response.get_json())


def test_a_hit_writes_the_access_log_rows_a_miss_writes(app, plain, make):
    w = World(app, plain, make)
    _red_flag(w)
    assigned = _access_log(w.client, w.p_h)  # (the programme's assignment)
    miss = w.client.get("/api/v1/alerts", headers=w.t_h)
    after_miss = _access_log(w.client, w.p_h)
    with app.app_context():
        hits = memo().hits
    hit = w.client.get("/api/v1/alerts", headers=w.t_h)
    with app.app_context():
        assert memo().hits == hits + 1
    after_hit = _access_log(w.client, w.p_h)
    plain_answer = w.plain.get("/api/v1/alerts", headers=w.t_h)
    after_plain = _access_log(w.client, w.p_h)
    assert miss.data == hit.data == plain_answer.data
    read = [("alerts", None)]
    assert after_miss == sorted(assigned + read)
    assert after_hit == sorted(assigned + read * 2)
    assert after_plain == sorted(assigned + read * 3)
    assert hit.headers["X-Pagination"] == miss.headers["X-Pagination"]
    assert hit.headers["Cache-Control"] == miss.headers["Cache-Control"] == "no-store"
    rows = w.client.get("/api/v1/me/access-log?page_size=100", headers=w.p_h).get_json()
    rows = [e for e in rows if e["resource"] == "alerts"]
    assert len(rows) == 3 and len({e["id"] for e in rows}) == 3
    whole = {
        tuple(sorted((k, v) for k, v in e.items() if k not in ("id", "accessed_at"))) for e in rows
    }
    assert whole == {
        (
            ("resource", "alerts"),
            ("resource_id", None),
            ("therapist_id", w.therapist),
            ("therapist_name", "Dr Memo"),
        )
    }


def test_a_kept_alert_list_found_changed_logs_the_read_once(app, plain, make):
    """On PostgreSQL the hit writes the access log with the feed's check: when the check
    finds a change, that write is undone and the list computed again logs the read once."""
    w = World(app, plain, make)
    _red_flag(w)
    assigned = _access_log(w.client, w.p_h)
    w.client.get("/api/v1/alerts", headers=w.t_h)
    _check_in(w, pain=2)  # the patient's feed changes: the kept list is no longer exact
    with app.app_context():
        hits = memo().hits
    changed = w.client.get("/api/v1/alerts", headers=w.t_h)
    with app.app_context():
        assert memo().hits == hits
    assert changed.data == w.plain.get("/api/v1/alerts", headers=w.t_h).data
    read = [("alerts", None)]
    assert _access_log(w.client, w.p_h) == sorted(assigned + read * 3)


def _local_noon(minutes: int = 0) -> dt.datetime:
    tz = ZoneInfo(factories.PATIENT_TIMEZONE)
    noon = dt.datetime.combine(local_today(factories.PATIENT_TIMEZONE), dt.time(12), tz)
    return noon + dt.timedelta(minutes=minutes)


def test_a_pain_notice_leaves_the_kept_report_when_its_30_days_are_over(app, plain, make):
    patient = make.patient()
    client, truth = app.test_client(), plain.test_client()
    with time_machine.travel(_local_noon(), tick=False):
        body = session_body(entry("bird-dog", pain_during=6), client_id="memo-notice-000001")
        logged = client.post("/api/v1/sessions", json=body, headers=make.headers(patient))
        assert logged.status_code == 201, logged.get_json()
        report = client.get("/api/v1/me/progress", headers=make.headers(patient)).get_json()
        [notice] = report["pain_notices"]
    leaves = dt.datetime.fromisoformat(notice["created_at"]) + dt.timedelta(days=30)
    with time_machine.travel(leaves - dt.timedelta(minutes=1), tick=False):
        headers = make.headers(patient)
        for _ in range(2):  # kept, then served again
            shown = client.get("/api/v1/me/progress", headers=headers).get_json()
            assert shown["pain_notices"] == [notice]
    with time_machine.travel(leaves + dt.timedelta(seconds=1), tick=False):
        headers = make.headers(patient)
        after = client.get("/api/v1/me/progress", headers=headers)
        assert after.get_json()["pain_notices"] == []
        assert after.data == truth.get("/api/v1/me/progress", headers=headers).data


def test_a_link_ended_notice_leaves_the_kept_alert_list_after_30_days(app, plain, make):
    therapist, patient = make.therapist(), make.patient()
    link = make.link(therapist, patient)
    client, truth = app.test_client(), plain.test_client()
    with time_machine.travel(_local_noon(minutes=7), tick=False):
        body = {"pain": 7, "symptoms": URGENT, "client_id": "memo-link-000001"}
        sent = client.post("/api/v1/check-ins", json=body, headers=make.headers(patient))
        assert sent.status_code == 201, sent.get_json()
        ended = client.delete(f"/api/v1/care-links/{link}", headers=make.headers(patient))
        ended_at = dt.datetime.fromisoformat(ended.get_json()["ended_at"])
    leaves = ended_at + dt.timedelta(days=30)
    with time_machine.travel(leaves - dt.timedelta(minutes=1), tick=False):
        headers = make.headers(therapist)
        for _ in range(2):  # kept, then served again
            shown = client.get("/api/v1/alerts", headers=headers).get_json()
            assert [e["kind"] for e in shown] == ["link_ended"]
    with time_machine.travel(leaves + dt.timedelta(seconds=1), tick=False):
        headers = make.headers(therapist)
        after = client.get("/api/v1/alerts", headers=headers)
        assert after.get_json() == []
        assert after.data == truth.get("/api/v1/alerts", headers=headers).data


def test_pruning_the_change_log_never_leaves_a_stale_answer(app, plain, make):
    """Pruning forgets change rows (SQLite may then hand out their ids again): the next
    write still shows at once."""
    from api.sync.service import prune

    w = World(app, plain, make)
    _check_in(w)
    w.served()
    with app.app_context():
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
        assert prune(db_session=get_session(), days=0, now=later) > 0  # every row
        get_session().commit()
    assert w.served() == w.truth()
    _check_in(w)
    after = w.served()
    assert after == w.truth() and after != w.last_but_one()


# --- a kept answer is served before the caller is loaded ---------------------------------
# The hit reads the caller's stored role and token key with the check of the feed (one
# statement); whatever it cannot serve takes the endpoint's normal path.

EVERY_READ = (*PATIENT_READS, *THERAPIST_READS)


def _hits(app: Flask) -> int:
    with app.app_context():
        return memo().hits


def _kept(w: World) -> None:
    """Every read of the world asked twice: kept, then served again from the memo."""
    hits = _hits(w.app)
    w.served()
    assert _hits(w.app) == hits + len(w.reads())


def _set_user(app: Flask, user_id: int, **values) -> None:
    from sqlalchemy import update

    from api.accounts.models import User

    with app.app_context():
        session = get_session()
        session.execute(update(User).where(User.id == user_id).values(**values))
        session.commit()


def _headers(response) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in response.headers.items() if k != "X-Request-ID")


def test_a_hit_answers_the_body_and_headers_of_the_normal_path(app, plain, make):
    w = World(app, plain, make)
    _red_flag(w)  # an alert, a hold, a banner: every answer has something to show
    for path, headers in w.reads():
        miss = w.client.get(path, headers=headers)
        hits = _hits(app)
        hit = w.client.get(path, headers=headers)
        assert _hits(app) == hits + 1, path
        normal = w.plain.get(path, headers=headers)
        for response in (miss, normal):
            assert hit.status_code == response.status_code == 200, path
            assert hit.data == response.data, path
            assert _headers(hit) == _headers(response), path
        ids = {r.headers["X-Request-ID"] for r in (miss, hit, normal)}
        assert len(ids) == 3  # each request its own


def test_a_token_whose_key_no_longer_matches_gets_the_401_of_the_normal_path(app, plain, make):
    w = World(app, plain, make)
    _kept(w)
    for user in (w.patient, w.therapist):
        _set_user(app, user, token_key="f" * 32)  # what signing out everywhere does
    hits = _hits(app)
    for path, headers in w.reads():
        refused = w.client.get(path, headers=headers)
        assert refused.status_code == 401, path
        assert refused.get_json() == w.plain.get(path, headers=headers).get_json()
        assert refused.get_json()["message"] == "The access token is missing, invalid or expired."
    assert _hits(app) == hits
    w.t_h, w.p_h = make.headers(w.therapist), make.headers(w.patient)  # new tokens
    assert w.served() == w.truth()


def test_an_erased_account_gets_the_401_of_the_normal_path(app, plain, make):
    from tests.factories import PASSWORD

    w = World(app, plain, make)
    _kept(w)
    hits = _hits(app)
    for headers, reads in ((w.p_h, PATIENT_READS), (w.t_h, THERAPIST_READS)):
        erased = w.client.delete("/api/v1/me", json={"password": PASSWORD}, headers=headers)
        assert erased.status_code == 204, erased.get_json()
        for path in reads:
            refused = w.client.get(path, headers=headers)
            assert refused.status_code == 401, path
            assert refused.get_json() == w.plain.get(path, headers=headers).get_json()
    assert _hits(app) == hits


def test_a_kept_alert_list_whose_patient_erased_their_account_is_computed_again(app, plain, make):
    """The hit's access-log write names the patients the kept list showed: it is not made
    (an erased patient's row is gone) when the feed shows the erasure."""
    from tests.factories import PASSWORD

    w = World(app, plain, make)
    _red_flag(w)
    _kept(w)
    erased = w.client.delete("/api/v1/me", json={"password": PASSWORD}, headers=w.p_h)
    assert erased.status_code == 204, erased.get_json()
    hits = _hits(app)
    for path in THERAPIST_READS:
        again = w.client.get(path, headers=w.t_h)
        assert again.status_code == 200, again.get_json()
        assert again.data == w.plain.get(path, headers=w.t_h).data
    assert _hits(app) == hits
    assert w.client.get("/api/v1/alerts", headers=w.t_h).get_json() == []


def test_an_account_whose_role_changed_is_answered_by_its_role_not_the_kept_answer(
    app, plain, make
):
    w = World(app, plain, make)
    _red_flag(w)
    _kept(w)
    _set_user(app, w.patient, role="therapist")
    hits = _hits(app)
    for path in PATIENT_READS:
        response = w.client.get(path, headers=w.p_h)  # a token issued to the patient
        normal = w.plain.get(path, headers=w.p_h)
        assert (response.status_code, response.data) == (normal.status_code, normal.data)
        if path.endswith("/alerts"):  # both roles may list alerts: the therapist's list
            assert response.status_code == 200 and response.get_json() == []
        else:
            assert response.status_code == 403
            assert response.get_json()["message"] == "This endpoint is for patient accounts only."
    assert _hits(app) == hits
    # Nor is an answer computed for the account's role kept under the token's role.
    assert w.client.get("/api/v1/alerts", headers=w.p_h).get_json() == []
    assert _hits(app) == hits


def test_a_token_of_a_role_the_endpoint_refuses_gets_its_403(app, plain, make):
    w = World(app, plain, make)
    _kept(w)
    for path, headers in (
        ("/api/v1/me/today", w.t_h),
        ("/api/v1/me/progress", w.t_h),
        ("/api/v1/patients", w.p_h),
        ("/api/v1/alerts", make.headers(make.admin())),
    ):
        refused = w.client.get(path, headers=headers)
        assert refused.status_code == 403, path
        assert refused.get_json() == w.plain.get(path, headers=headers).get_json()


def test_a_bad_query_string_with_a_kept_answer_is_still_422(app, plain, make):
    w = World(app, plain, make)
    _kept(w)
    for path, headers in (
        ("/api/v1/me/today?date=yesterday", w.p_h),
        ("/api/v1/me/progress?from=2020-13-01", w.p_h),
        ("/api/v1/patients?page_size=0", w.t_h),
        ("/api/v1/alerts?status=closed", w.t_h),
    ):
        for _ in range(2):
            refused = w.client.get(path, headers=headers)
            assert refused.status_code == 422, path
            assert refused.get_json() == w.plain.get(path, headers=headers).get_json()


def test_a_hit_checks_out_its_connection_without_the_ping(app, plain, make, request):
    w = World(app, plain, make)
    for path, headers in w.reads():  # kept
        assert w.client.get(path, headers=headers).status_code == 200
    pings = request.getfixturevalue("pings")  # counted from here on
    hits = _hits(app)
    for path, headers in w.reads():  # served again
        assert w.client.get(path, headers=headers).status_code == 200
    assert _hits(app) == hits + len(w.reads())
    assert pings == []


def test_a_hit_on_a_connection_the_server_dropped_is_answered_by_the_normal_path(app, plain, make):
    """A pooled connection dropped by the server (a restart, a failover) is not pinged by
    the hit: its statement fails, and the normal path answers, reconnecting."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    w = World(app, plain, make)
    _red_flag(w)
    w.served()
    expected = w.truth()
    engine = state(app).engine
    for path, headers in w.reads():
        engine.dispose()
        assert w.client.get(path, headers=headers).status_code == 200  # a hit: one connection
        if engine.dialect.name == "postgresql":
            with engine.connect() as pooled:  # the one connection the pool now holds
                pid = pooled.execute(text("SELECT pg_backend_pid()")).scalar_one()
            other = create_engine(app.config["DATABASE_URL"], poolclass=NullPool)
            with other.connect() as admin:
                terminated = admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                assert terminated.scalar()
            other.dispose()
        hits = _hits(app)
        response = w.client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.get_json())
        if engine.dialect.name == "postgresql":  # not served again: computed, reconnecting
            assert _hits(app) == hits
        hits = _hits(app)
        assert w.client.get(path, headers=headers).data == response.data
        assert _hits(app) == hits + 1  # kept (again)
    assert w.served() == expected


def test_a_hit_of_the_alert_list_writes_its_access_log_exactly_once(app, plain, make):
    """One row per patient shown and per read, whether the read is a hit or computed; a
    token the hit refuses writes none."""
    w = World(app, plain, make)
    second = make.patient(display_name="Second")
    make.link(w.therapist, second)
    _red_flag(w)
    body = {"pain": 8, "symptoms": URGENT, "client_id": f"memo-check-{next(_ids):06d}"}
    w.ok(w.client.post("/api/v1/check-ins", json=body, headers=make.headers(second)), 201)
    logged = {p: _access_log(w.client, make.headers(p)) for p in (w.patient, second)}

    def reads_logged() -> dict[int, int]:
        counts = {}
        for patient in (w.patient, second):
            now = _access_log(w.client, make.headers(patient))
            counts[patient] = now.count(("alerts", None)) - logged[patient].count(("alerts", None))
        return counts

    listed = w.client.get("/api/v1/alerts", headers=w.t_h)
    assert {e["patient_id"] for e in listed.get_json()} == {w.patient, second}
    hits = _hits(app)
    for read in range(2, 5):
        assert w.client.get("/api/v1/alerts", headers=w.t_h).data == listed.data
        assert _hits(app) == hits + read - 1
        assert reads_logged() == {w.patient: read, second: read}
    _set_user(app, w.therapist, token_key="e" * 32)
    assert w.client.get("/api/v1/alerts", headers=w.t_h).status_code == 401
    assert reads_logged() == {w.patient: 4, second: 4}


@pytest.mark.parametrize("claimed", [["patient"], None, "admin", "patient "])
def test_a_token_whose_role_claim_is_not_a_role_the_endpoint_allows_takes_the_normal_path(
    app, plain, make, claimed
):
    """The stored role decides, as without the memo (the claim only names a kept answer)."""
    from api.accounts.credentials import create_access_token

    w = World(app, plain, make)
    _kept(w)
    with app.app_context():
        from api.accounts.models import User

        account = get_session().get(User, w.patient)
        token = create_access_token(
            user_id=w.patient,
            role=claimed,
            token_key=account.token_key,
            secret=app.config["SECRET_KEY"],
            minutes=5,
        )
    headers = {"Authorization": f"Bearer {token}"}
    hits = _hits(app)
    for path in PATIENT_READS:
        response = w.client.get(path, headers=headers)
        normal = w.plain.get(path, headers=w.p_h)
        assert (response.status_code, response.data) == (normal.status_code, normal.data)
        assert response.status_code == 200
    assert _hits(app) == hits
