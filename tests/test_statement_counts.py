"""Each benchmarked request sends a fixed, small number of SQL statements.

The benchmark's seeder fills a scratch database (patients with months of history,
red flags, alerts, sessions); every request is then made for each patient (or
therapist) and over short and long date ranges, and the statements it sends are
counted. The number is stated in each test's name: it must not depend on the range,
the patient or how much history they have. Only SELECT, INSERT, UPDATE and DELETE are
counted (transaction control differs between the engines); PostgreSQL also reads the
transaction id for the sync change feed, hence "at most".
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from api import create_app
from api.accounts.credentials import create_access_token
from api.database import state
from benchmarks.requests_of import check_in_body, session_body
from benchmarks.seed import seed
from tests.conftest import _config

COUNTED = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@pytest.fixture(scope="module")
def seeded(database_url, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """A scratch database with 6 patients x 200 days (the module shares it)."""
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

    def __init__(self, seeded: dict[str, Any]):
        self.config = _config(seeded["url"])
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


def test_a_check_in_sends_the_same_at_most_5_statements_whatever_the_history(api):
    counts = {}
    for patient, token in _patients(api)[0::2]:
        _, sent = api.statements("POST", "/api/v1/check-ins", token, CHECK_IN)
        counts[patient["id"]] = len(sent)
    assert len(set(counts.values())) == 1 and max(counts.values()) <= 5, counts


def test_a_red_flag_check_in_sends_the_same_at_most_19_statements_whatever_the_history(api):
    counts = {}
    for patient, token in _patients(api)[1::2]:
        body = {**CHECK_IN, "pain": 7, "symptoms": ["night_pain"]}
        _, sent = api.statements("POST", "/api/v1/check-ins", token, body)
        counts[patient["id"]] = len(sent)
    assert len(set(counts.values())) == 1 and max(counts.values()) <= 19, counts


def test_a_session_sends_at_most_13_statements_whatever_the_history(api):
    counts = {}
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    for patient, token in _patients(api):
        body = session_body(patient, client_id=str(uuid.uuid4()), started_at=started, sets_done=2)
        _, sent = api.statements("POST", "/api/v1/sessions", token, body)
        counts[patient["id"]] = len(sent)
    assert max(counts.values()) <= 13, counts


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
