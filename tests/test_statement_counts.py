"""Each benchmarked request sends a fixed, small number of SQL statements.

The benchmark's seeder fills a scratch database (patients with months of history,
red flags, alerts, sessions); every request is then made for each patient (or
therapist) and over short and long date ranges, and the statements it sends are
counted. The number is stated in each test's name: it must not depend on the range,
the patient or how much history they have. Only SELECT, INSERT, UPDATE and DELETE are
counted (transaction control differs between the engines). PostgreSQL writes the
transaction id of the sync change feed within the change log's INSERT
(api/sync/changes.py), and a new check-in with its change row in one statement (a
data-modifying CTE; two statements on SQLite).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import create_engine, event, text

from api import create_app
from api.accounts.credentials import create_access_token
from api.database import state
from benchmarks.requests_of import check_in_body, session_body
from benchmarks.seed import seed
from tests.conftest import _config

COUNTED = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


#: The module runs from this instant on (a Wednesday; the clock moves on from there). The
#: seeded history follows the calendar (programme days, alerts dealt with or not by now),
#: so on another day the module would count other data: on some days no alert is open,
#: or a patient has nothing due today. Fixed, every run counts the same requests.
AT = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def seeded(database_url, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """A scratch database with 6 patients x 200 days (the module shares it), at ``AT``."""
    with time_machine.travel(AT, tick=True):
        yield from _seeded(database_url, tmp_path_factory)


def _seeded(database_url, tmp_path_factory) -> Iterator[dict[str, Any]]:
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('counts') / 'counts.sqlite3'}"
        schema = None
    else:
        schema = f"counts_{uuid.uuid4().hex[:8]}"
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        separator = "&" if "?" in database_url else "?"
        url = f"{database_url}{separator}options=-csearch_path%3D{schema}"
    report = seed(url, patients=6, days=200, therapists=1, out=None)
    yield {"url": url, "credentials": report.credentials}
    if schema is not None:
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


class Api:
    """The app on the seeded database, with tokens and a statement counter."""

    def __init__(self, seeded: dict[str, Any], **overrides: Any):
        self.config = _config(seeded["url"], **overrides)
        self.app = create_app(self.config)
        self.client = self.app.test_client()
        self.credentials = seeded["credentials"]
        self.sent: list[str] = []
        event.listen(state(self.app).engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(COUNTED):
            self.sent.append(statement)

    def token(self, account: dict[str, Any], role: str) -> str:
        return create_access_token(
            user_id=account["id"],
            role=role,
            token_key=account["token_key"],
            secret=self.config["SECRET_KEY"],
            minutes=30,
        )

    def statements(self, method: str, path: str, token: str | None = None, body=None):
        """(the response, the statements it sent)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.sent = []
        response = self.client.open(path, method=method, headers=headers, json=body)
        assert response.status_code in (200, 201, 304), (path, response.get_json())
        return response, list(self.sent)

    def close(self) -> None:
        state(self.app).engine.dispose()


@pytest.fixture
def api(seeded) -> Iterator[Api]:
    """The app without the answer memo: what computing each answer sends."""
    application = Api(seeded, ANSWER_MEMO_BYTES=0)
    yield application
    application.close()


@pytest.fixture
def memo_api(seeded) -> Iterator[Api]:
    """The app as shipped, with the answer memo (api/answers.py)."""
    application = Api(seeded)
    yield application
    application.close()


def _patients(api: Api) -> list[tuple[dict[str, Any], str]]:
    return [(p, api.token(p, "patient")) for p in api.credentials["patients"]]


def _therapist(api: Api) -> str:
    return api.token(api.credentials["therapists"][0], "therapist")


def test_progress_sends_at_most_12_statements_whatever_the_range_and_patient(api):
    counts = {}
    for patient, token in _patients(api):
        today = dt.date.fromisoformat(
            api.client.get(
                "/api/v1/me/today", headers={"Authorization": f"Bearer {token}"}
            ).get_json()["date"]
        )
        for days in (1, 7, 90, 200):
            start = (today - dt.timedelta(days=days - 1)).isoformat()
            _, sent = api.statements("GET", f"/api/v1/me/progress?from={start}", token)
            counts[(patient["id"], days)] = len(sent)
        _, sent = api.statements("GET", "/api/v1/me/progress", token)
        counts[(patient["id"], "default")] = len(sent)
    assert max(counts.values()) <= 12, counts  # 12: with open alerts, their events
    for patient, _ in _patients(api):  # the range never changes the count
        assert len({n for (who, _), n in counts.items() if who == patient["id"]}) == 1, counts


def test_today_sends_5_statements_whatever_the_patient(api):
    counts = [len(api.statements("GET", "/api/v1/me/today", t)[1]) for _, t in _patients(api)]
    assert set(counts) == {5}, counts


def test_therapist_patients_sends_at_most_5_statements_whatever_the_page(api):
    token = _therapist(api)
    counts = {}
    for query in ("", "?page_size=2", "?page=2&page_size=2", "?page=3&page_size=5"):
        _, sent = api.statements("GET", f"/api/v1/patients{query}", token)
        counts[query] = len(sent)
    assert max(counts.values()) <= 5, counts


def test_therapist_alerts_sends_6_statements_whatever_the_page_and_its_patients(api):
    token = _therapist(api)
    counts = {}
    for query in ("", "?page_size=2", "?page=2&page_size=2", "?status=open"):
        response, sent = api.statements("GET", f"/api/v1/alerts{query}", token)
        assert response.get_json(), query  # some alerts, of several patients
        counts[query] = len(sent)
    assert max(counts.values()) <= 6, counts
    # The page's reads are logged in one INSERT, however many patients it shows.
    assert len(set(counts.values()) - {counts["?page_size=2"] - 1}) <= 1, counts


def test_a_list_page_that_is_not_full_sends_no_count(api):
    token = _therapist(api)
    full, with_count = api.statements("GET", "/api/v1/patients?page_size=2", token)
    last, without = api.statements("GET", "/api/v1/patients?page=2&page_size=5", token)
    assert len(without) == len(with_count) - 1
    counts = [s for s in with_count if s.lstrip().lower().startswith("select count(")]
    assert len(counts) == 1 and "users" not in counts[0].lower()  # the links' index alone
    assert not any(s.lstrip().lower().startswith("select count(") for s in without)
    assert full.headers["X-Pagination"].startswith('{"total": 6,')
    assert last.headers["X-Pagination"].startswith('{"total": 6,')


CHECK_IN = check_in_body(4)


def _on_postgresql(api: Api) -> bool:
    return state(api.app).engine.dialect.name == "postgresql"


def test_a_check_in_sends_the_same_3_statements_whatever_the_history_2_on_postgresql(api):
    """2 on PostgreSQL: the history of earlier check-ins with the replay, the therapist
    link and the caller's account (the patient is vouched for by their token and
    confirmed by this statement, api/accounts/caller.py), and one INSERT of the check-in
    with its change row; 3 elsewhere (the change row on its own). Each patient has signed
    in to this process before (``GET /me``): a patient's first request to a process signs
    them in with a statement of its own (``tests/test_vouched_caller.py``)."""
    counts = {}
    for patient, token in _patients(api)[0::2]:
        api.statements("GET", "/api/v1/me", token)
        _, sent = api.statements("POST", "/api/v1/check-ins", token, CHECK_IN)
        counts[patient["id"]] = len(sent)
    assert set(counts.values()) == {2 if _on_postgresql(api) else 3}, counts


def test_a_red_flag_check_in_sends_the_same_17_statements_whatever_the_history_16_on_postgresql(
    api,
):
    """As an ordinary check-in, then the caller's account (the alerts need it), the alerts,
    the hold and their change rows, in one transaction."""
    counts = {}
    for patient, token in _patients(api)[1::2]:
        api.statements("GET", "/api/v1/me", token)
        body = {**CHECK_IN, "pain": 7, "symptoms": ["night_pain"]}
        _, sent = api.statements("POST", "/api/v1/check-ins", token, body)
        counts[patient["id"]] = len(sent)
    assert set(counts.values()) == {16 if _on_postgresql(api) else 17}, counts


def test_a_session_sends_at_most_3_statements_whatever_the_history_6_on_sqlite(api):
    """2 on PostgreSQL: the earlier sessions (with a standing hold and the verdict behind
    it, and the caller's account: the patient is vouched for by their token and confirmed
    by this statement, api/accounts/caller.py), and one INSERT of the session with its
    change row, entries and pain notices. 4 elsewhere, where the change row and the
    entries are INSERTs of their own. One more when the advice reads more (recent
    suggestions), and elsewhere one more when the advice is kept as notices (at most 3 and
    6): a patient on hold whose pain rose the day after their last session (the red-flag
    check-ins above place holds) sends 2 on PostgreSQL, 5 elsewhere. The catalogue's
    exercises are kept per process for the catalogue version it trusts
    (``api.catalogue.cache.kept_exercises``): the first session reads them (2 more), and
    the catalogue version is read at most once a second; both are left out here. Each
    patient has signed in to this process before (``GET /me``): a patient's first request
    to a process signs them in with a statement of its own
    (``tests/test_vouched_caller.py``)."""
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()

    def log(patient, token):
        body = session_body(patient, client_id=str(uuid.uuid4()), started_at=started, sets_done=2)
        response, sent = api.statements("POST", "/api/v1/sessions", token, body)
        assert response.status_code == 201, response.get_json()
        return [s for s in sent if "catalogue_version" not in s]

    for _, token in _patients(api):
        api.statements("GET", "/api/v1/me", token)
    first = log(*_patients(api)[0])  # the catalogue is read once, then kept
    counts = {patient["id"]: len(log(patient, token)) for patient, token in _patients(api)}
    assert max(counts.values()) <= (3 if _on_postgresql(api) else 6), counts
    assert min(counts.values()) == (2 if _on_postgresql(api) else 4), counts
    assert len(first) <= max(counts.values()) + 2


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/exercises?category=strengthening&equipment=none",
        "/api/v1/exercises/chin-tuck",
        "/api/v1/causes",
    ],
)
def test_a_cached_catalogue_answer_sends_0_statements(api, path):
    first, _ = api.statements("GET", path)
    again, sent = api.statements("GET", path)
    assert sent == [] and again.data == first.data


# --- with the answer memo ---------------------------------------------------------------
# A miss sends what computing the answer sends plus one read of the caller's change feed
# (the watermark, api/sync/watermark.py); a hit, served before the caller is loaded, sends
# one statement: the caller's stored role and token key with the check of that feed (and a
# therapist's alert list its access-log INSERT, on PostgreSQL within that statement). The
# catalogue version that keys ``/me/today`` is read at most once a second per process, as
# for the catalogue's own answers: that read is left out of these counts.


def _memo_counts(memo_api: Api, path: str, token: str) -> tuple[int, int]:
    """(statements of a miss, of the hit after it), the answers being the same."""
    counted = []
    for _ in range(2):
        response, sent = memo_api.statements("GET", path, token)
        counted.append((response.data, [s for s in sent if "catalogue_version" not in s]))
    (miss_body, miss), (hit_body, hit) = counted
    assert hit_body == miss_body
    return len(miss), len(hit)


def test_with_the_memo_today_sends_at_most_6_statements_on_a_miss_and_1_on_a_hit(memo_api):
    """(6: 5 + the watermark; fewer while an exercise hold stands: no items to read.)"""
    counts = {_memo_counts(memo_api, "/api/v1/me/today", t) for _, t in _patients(memo_api)}
    assert max(miss for miss, _ in counts) <= 6 and {hit for _, hit in counts} == {1}, counts


def test_with_the_memo_progress_sends_at_most_13_statements_on_a_miss_and_1_on_a_hit(memo_api):
    counts = set()
    for _, token in _patients(memo_api):
        for query in ("", f"?from={dt.date.today() - dt.timedelta(days=150)}"):
            counts.add(_memo_counts(memo_api, f"/api/v1/me/progress{query}", token))
    assert max(miss for miss, _ in counts) <= 13 and {hit for _, hit in counts} == {1}, counts


def test_with_the_memo_patients_sends_at_most_6_statements_on_a_miss_and_1_on_a_hit(memo_api):
    token = _therapist(memo_api)
    counts = {
        _memo_counts(memo_api, f"/api/v1/patients{query}", token)
        for query in ("", "?page_size=2", "?page=2&page_size=2")
    }
    assert max(miss for miss, _ in counts) <= 6 and {hit for _, hit in counts} == {1}, counts


def test_with_the_memo_therapist_alerts_send_at_most_8_statements_on_a_miss_and_1_on_a_hit(
    memo_api,
):
    """The miss also reads when the first ``link_ended`` notice leaves the list; the hit
    writes the access log of the patients it shows, as the miss did: on PostgreSQL in the
    statement of the feed's check (a data-modifying CTE), on SQLite after loading the caller
    (3)."""
    token = _therapist(memo_api)
    counts = {
        _memo_counts(memo_api, f"/api/v1/alerts{query}", token)
        for query in ("", "?page_size=2", "?status=open")
    }
    postgresql = state(memo_api.app).engine.dialect.name == "postgresql"
    expected = 1 if postgresql else 3
    assert max(miss for miss, _ in counts) <= 8 and {hit for _, hit in counts} == {expected}, counts
