"""Hostile and absurd input: always a clear 4xx in the error format, never a 500."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from api.checkins.models import CheckIn
from api.database import get_session
from api.http import MAX_HEADER_COUNT, MAX_HEADER_LINE, MAX_URL_LENGTH
from tests.reliability.test_faults import gunicorn, http


@pytest.fixture
def patient_headers(make):
    return make.headers(make.patient())


def rows(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(CheckIn))


def post_raw(client, headers, data: bytes | str, content_type="application/json"):
    return client.post("/api/v1/check-ins", data=data, content_type=content_type, headers=headers)


def test_deeply_nested_json_is_400(client, patient_headers, app):
    body = "[" * 5000 + "]" * 5000
    response = post_raw(client, patient_headers, body)
    assert response.status_code == 400
    assert "nested" in response.get_json()["message"]
    wrapped = '{"pain": 3, "notes": ' + "[" * 40 + "]" * 40 + "}"
    assert post_raw(client, patient_headers, wrapped).status_code == 400
    assert rows(app) == 0


@pytest.mark.parametrize(("levels", "nested"), [(32, False), (33, True)])
def test_nesting_up_to_32_levels_is_read_and_one_more_is_400(
    client, patient_headers, app, levels, nested
):
    inner = levels - 1  # the body's own object is the first level
    body = '{"pain": 3, "notes": ' + "[" * inner + "]" * inner + "}"
    response = post_raw(client, patient_headers, body)
    if nested:
        assert response.status_code == 400 and "nested" in response.get_json()["message"]
    else:  # read, then refused by the schema: notes are text
        assert response.status_code == 422 and "notes" in response.get_json()["errors"]["json"]
    assert rows(app) == 0


def test_brackets_inside_strings_do_not_count_as_nesting(client, patient_headers):
    notes = "[" * 200 + '\\"' + "{" * 200
    response = post_raw(client, patient_headers, json.dumps({"pain": 3, "notes": notes}))
    assert response.status_code == 201


def test_huge_arrays_are_422(client, patient_headers, app):
    response = client.post(
        "/api/v1/check-ins",
        json={"pain": 3, "symptoms": ["fever"] * 5000},
        headers=patient_headers,
    )
    assert response.status_code in (413, 422)
    assert rows(app) == 0


def test_body_over_the_limit_is_413(client, patient_headers):
    response = post_raw(client, patient_headers, json.dumps({"pain": 3, "notes": "x" * 70_000}))
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b'{"pain": 3, "notes": "\xff\xfe bad utf-8"}', "application/json", 400),
        (b"pain=3", "application/x-www-form-urlencoded", 415),
        (b"<xml/>", "text/xml", 415),
        (b'{"pain": 3}', "text/plain", 415),
        (b"", "application/json", 422),
        (b"null", "application/json", 422),
        (b"[]", "application/json", 422),
        (b'"pain"', "application/json", 422),
        (b"{nope}", "application/json", 400),
    ],
)
def test_bad_bodies(client, patient_headers, app, data, content_type, status):
    response = post_raw(client, patient_headers, data, content_type)
    assert response.status_code == status, response.get_json()
    assert set(response.get_json()) >= {"code", "status", "message"}
    assert rows(app) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pain", 10**30),
        ("pain", -(10**30)),
        ("pain", 1e308),
        ("pain", float("inf")),
        ("pain", True),
        ("pain", None),
        ("pain", [3]),
        ("pain", {"value": 3}),
        ("notes", "x" * 2001),
        ("client_id", "x" * 65),
        ("date", "9999-99-99"),
        ("date", "0001-01-01"),
        ("episode_started_on", "not a date"),
        ("unknown_field", 1),
        ("symptoms", [None]),
        ("symptoms", [1, 2]),
    ],
)
def test_absurd_values_are_422(client, patient_headers, app, field, value):
    body = {"pain": 3, field: value}
    text = json.dumps(body, allow_nan=True)
    response = post_raw(client, patient_headers, text)
    assert response.status_code in (400, 422), (field, value, response.get_json())
    if response.status_code == 422:
        assert field in response.get_json()["errors"]["json"]
    assert rows(app) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/check-ins/abc",
        "/api/v1/check-ins/-1",
        "/api/v1/check-ins/1.5",
        "/api/v1/check-ins/99999999999999999999999999",
        "/api/v1/alerts/2147483648",
        "/api/v1/programmes/0x10",
        "/api/v1/patients/%00",
    ],
)
def test_path_ids_that_are_not_ids_are_404(client, patient_headers, path):
    response = client.get(path, headers=patient_headers)
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


@pytest.mark.parametrize(
    "query",
    [
        "patient_id=99999999999999999999999",
        "patient_id=abc",
        "from=2024-02-30",
        "page=99999999999999999999",
        "page_size=-1",
    ],
)
def test_absurd_query_parameters_are_4xx(client, make, query):
    therapist = make.headers(make.therapist())
    response = client.get(f"/api/v1/check-ins?{query}", headers=therapist)
    assert 400 <= response.status_code < 500, response.get_json()


def test_very_long_strings_everywhere_are_refused_cleanly(client, patient_headers):
    long = "é" * 20_000
    for path, body in (
        ("/api/v1/auth/login", {"email": long, "password": long}),
        ("/api/v1/auth/register", {"email": long, "password": long, "display_name": long}),
        ("/api/v1/care-links", {"code": long}),
    ):
        response = client.post(path, json=body, headers=patient_headers)
        assert response.status_code in (413, 422), (path, response.status_code)
    search = client.get("/api/v1/exercises?q=" + "a" * 2000)  # longer URLs are a 414
    assert search.status_code == 422


@pytest.mark.parametrize("page", ["99999999999999999999", "2147483648", "10000"])
def test_pages_far_past_the_end_are_empty(client, page):
    response = client.get(f"/api/v1/exercises?page={page}")
    assert response.status_code == 200
    assert response.get_json() == []


def _assert_error_format(response_status, body, code):
    assert response_status == code
    assert body["code"] == code and body["status"] and body["message"]


def test_over_long_url_is_414_in_the_error_format(client):
    response = client.get("/api/v1/exercises?q=" + "a" * (MAX_URL_LENGTH + 1))
    _assert_error_format(response.status_code, response.get_json(), 414)
    assert response.mimetype == "application/json"
    assert client.get("/api/v1/exercises?q=" + "a" * 100).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Long": "a" * MAX_HEADER_LINE},
        {f"X-Header-{n}": "a" for n in range(MAX_HEADER_COUNT + 1)},
    ],
    ids=["long-header", "too-many-headers"],
)
def test_over_long_or_too_many_headers_are_431_in_the_error_format(client, headers):
    response = client.get("/health", headers=headers)
    _assert_error_format(response.status_code, response.get_json(), 431)


def test_the_header_limits_are_exact_and_name_the_header(client):
    # "X-Long: " plus the value is exactly MAX_HEADER_LINE bytes: accepted; one more: 431.
    fits = {"X-Long": "a" * (MAX_HEADER_LINE - len("X-Long: "))}
    assert client.get("/health", headers=fits).status_code == 200
    over = {"X-Long": "a" * (MAX_HEADER_LINE - len("X-Long: ") + 1)}
    response = client.get("/health", headers=over)
    assert response.status_code == 431
    assert "The X-Long header is longer than" in response.get_json()["message"]
    # A JSON body's Content-Type and Content-Length count as headers, as any other.
    sent = len(client.get("/health").request.headers)  # what the test client sends itself
    spare = MAX_HEADER_COUNT - sent - 2
    many = {f"X-Header-{n}": "a" for n in range(spare)}
    assert client.post("/api/v1/auth/refresh", json={}, headers=many).status_code != 431
    many[f"X-Header-{spare}"] = "a"
    assert client.post("/api/v1/auth/refresh", json={}, headers=many).status_code == 431


def test_under_gunicorn_oversized_requests_answer_in_the_error_format(tmp_path):
    """The app's limits, then gunicorn's own ceilings (shipped config), all in JSON."""
    env = {
        "UPRIGHT_TEST_LOG": str(tmp_path / "gunicorn.log"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'upright.sqlite3'}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
    }
    with gunicorn(env) as (base, _log):
        cases = [
            ("/health?q=" + "a" * 5000, {}, 414),  # refused by the app
            ("/health?q=" + "a" * 9000, {}, 414),  # refused by gunicorn
            ("/health", {"X-Long": "a" * 5000}, 431),  # the app
            ("/health", {"X-Long": "a" * 9000}, 431),  # gunicorn
            ("/health", {f"X-Header-{n}": "a" for n in range(120)}, 431),  # gunicorn
        ]
        for path, headers, code in cases:
            status, answer_headers, body = http("GET", base + path, headers=headers)
            assert answer_headers["Content-Type"] == "application/json", (path[:20], code)
            _assert_error_format(status, body, code)
        assert http("GET", base + "/health")[0] == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "location", "field"),
    [
        ("GET", "/api/v1/exercises?q=%00", None, "query", "q"),
        ("PATCH", "/api/v1/me", {"display_name": "a\u0000b"}, "json", "display_name"),
        ("PATCH", "/api/v1/me", {"display_name": "\ud800"}, "json", "display_name"),
        ("POST", "/api/v1/check-ins", {"pain": 3, "notes": "a\u0000b"}, "json", "notes"),
        ("POST", "/api/v1/check-ins", {"pain": 3, "notes": "\udfff"}, "json", "notes"),
        ("GET", "/api/v1/me/progress?from=0001-01-01&to=0001-12-31", None, "query", "from"),
        ("GET", "/api/v1/me/progress?to=9999-12-31", None, "query", "to"),
    ],
)
def test_inputs_that_used_to_give_500_are_422_naming_the_field(
    client, patient_headers, method, path, body, location, field
):
    response = client.open(path, method=method, json=body, headers=patient_headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"][location]


def test_a_surrogate_sent_as_raw_utf8_bytes_is_400_and_nothing_is_stored(
    client, patient_headers, app
):
    """Only an escape (``\\ud800``) can carry a lone surrogate into the text checks (a
    422): as UTF-8 bytes, the body is not UTF-8 text at all."""
    body = b'{"pain": 3, "notes": "a' + b"\xed\xa0\x80" + b'b"}'
    response = post_raw(client, patient_headers, body)
    assert response.status_code == 400, response.get_json()
    assert rows(app) == 0


def test_text_with_bytes_like_a_surrogates_is_stored_as_sent(client, patient_headers, app):
    """Hangul syllables from U+D000 are encoded with the same first byte as surrogates: the
    text is kept, as sent, like any other."""
    notes = "\ud1b5\uc99d \ud55c\uad6d\uc5b4 and \\u escapes shown as text"
    body = json.dumps({"pain": 3, "notes": notes}, ensure_ascii=False).encode()
    assert b"\xed" in body and b"\\u" in body
    response = post_raw(client, patient_headers, body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["notes"] == notes
    assert rows(app) == 1


@pytest.mark.parametrize("path", ["/api/v1/exercises/a%00b", "/api/v1/causes/%00"])
def test_a_nul_in_a_path_slug_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["code"] == 404
