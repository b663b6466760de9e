"""Progress reports: PDF and HTML hold the figures the JSON endpoints give, charts render,
content negotiation, ranges, access and the no-data report."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest

from api.accounts.models import AccessLogEntry
from api.database import get_session
from api.outcomes import scoring
from api.reports.content import NO_DATA, number, percent
from tests.progress.test_progress import add_programme, ago, done
from tests.reports.helpers import StrictHTML, pdf_text, poppler_text, render_pages, words
from tests.sessions.helpers import today

PAINS = [7, 7, 6, 6, 6, 5, 5, 4, 4, 3, 3, 3, 2, 2]  # days -14 .. -1
NDI_FIRST = dict(zip(scoring.NDI_ITEMS, [4, 3, 3, 2, 3, 3, 3, 2, 2, 2], strict=True))  # 27
NDI_LATEST = dict(zip(scoring.NDI_ITEMS, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], strict=True))  # 10
PDF, HTML = "application/pdf", "text/html"


def get(client, url, headers, accept=None, **query):
    if accept is not None:
        headers = {**headers, "Accept": accept}
    return client.get(url, headers=headers, query_string=query)


@pytest.fixture
def world(app, client, make, awkward_moment):
    """A patient with 14 check-ins, a programme with sessions, two NDI scores and a
    resolved red-flag alert, linked to a therapist; at each awkward moment of
    tests/conftest.py (just after midnight UTC, both DST changes in London)."""
    patient = make.patient(birth_year=1968, display_name="Ada Lovelace")
    therapist = make.therapist(display_name="Dr Grace Hopper")
    make.link(therapist, patient)
    headers, clinician = make.headers(patient), make.headers(therapist)
    for n, pain in zip(range(14, 0, -1), PAINS, strict=True):
        body = {"date": ago(n).isoformat(), "pain": pain, "worst_pain": min(pain + 2, 10)}
        if n == 3:
            body["symptoms"] = ["fever"]
        response = client.post("/api/v1/check-ins", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
    alert = client.get("/api/v1/alerts", headers=headers).get_json()[0]
    client.post(f"/api/v1/alerts/{alert['id']}/acknowledge", json={}, headers=clinician)
    resolved = client.post(
        f"/api/v1/alerts/{alert['id']}/resolve",
        json={"note": "Seen by their GP: a cold.", "outcome": "assessed_safe_to_continue"},
        headers=clinician,
    )
    assert resolved.status_code == 200, resolved.get_json()
    _, item = add_programme(app, patient, ago(20))
    done(app, patient, item, *range(1, 13))
    for n, answers in ((13, NDI_FIRST), (1, NDI_LATEST)):
        response = client.post(
            "/api/v1/outcomes",
            json={"instrument": "ndi", "answers": answers, "completed_on": ago(n).isoformat()},
            headers=headers,
        )
        assert response.status_code == 201, response.get_json()
    return {"patient": patient, "headers": headers, "therapist": clinician, "alert": alert}


def expected_figures(client, world) -> list[str]:
    """The figures of the JSON endpoints, written as the report writes them."""
    progress = client.get("/api/v1/me/progress", headers=world["headers"]).get_json()
    change = progress["pain"]["change"]
    adherence = progress["adherence"]
    ndi = progress["outcomes"]["ndi"]
    alert = client.get(f"/api/v1/alerts/{world['alert']['id']}", headers=world["headers"])
    alert = alert.get_json()
    figures = [
        f"Baseline (mean) {number(change['baseline'])} /10",
        f"Latest (mean) {number(change['latest'])} /10",
        f"Change {number(change['difference'])} points ({change['label']})",
        f"Percent change {number(change['percent_change'])} %",
        f"{adherence['completed']} of {adherence['prescribed']} exercise slots "
        f"({percent(adherence['rate'])})",
        f"Current streak {adherence['current_streak_days']} days",
        f"{number(ndi['change']['first'])} to {number(ndi['change']['latest'])} "
        f"({number(ndi['change']['difference'])}): {ndi['change']['label']}",
        f"{alert['rule_id']}: {alert['title']}",
        "assessed safe to continue",
        f"Red-flag days {ago(3).isoformat()}",
    ]
    figures += [f"{s['completed_on']} {number(s['score'])} {s['band']}" for s in ndi["scores"]]
    figures += [
        f"{w['week']} {w['prescribed']} {w['completed']} {percent(w['rate'])}"
        for w in adherence["weeks"]
        if w["prescribed"]
    ]
    assert change["label"] == "improved" and ndi["change"]["label"] == "improved"
    return figures


def test_the_pdf_holds_the_figures_of_the_json_endpoints(client, world, tmp_path):
    response = get(client, "/api/v1/me/report", world["headers"], PDF)
    assert response.status_code == 200
    assert response.mimetype == PDF
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    text = pdf_text(response.data)
    for figure in expected_figures(client, world):
        assert figure in text, figure
    sections = ["Pain", "Adherence", "Outcomes", "Red flags", "Programme", "Monitoring days"]
    after = text.index("Guidance, not a diagnosis.")
    for title in sections:  # in this order, each after the one before
        after = text.index(f" {title} ", after)
    assert "Ada Lovelace" in text and "Age band 50-59" in text and "1968" not in text
    assert "Dr Grace Hopper" in text and "Guidance, not a diagnosis." in text
    assert f"Period {ago(89).isoformat()} to {today().isoformat()}" in text
    # axis labels and units of the charts, as vector text in the PDF
    for label in ("Pain (0-10 NRS)", "Exercise slots", "ISO week", "NDI (0-50 points)"):
        assert label in text, label
    assert "chin-tuck 2 x 10 reps, rest 30 s" in text
    assert poppler_text(response.data, tmp_path).count("Monitoring days") == 1


def test_charts_are_vector_and_grey(client, world):
    """No raster image in the PDF; every colour of the HTML's SVG charts is a grey."""
    data = get(client, "/api/v1/me/report", world["headers"], PDF).data
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert all("/XObject" not in page["/Resources"] for page in reader.pages)
    page = get(client, "/api/v1/me/report", world["headers"], HTML).get_data(as_text=True)
    found = re.findall(r"rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)", page)
    assert len(found) > 10
    assert all(red == green == blue for red, green, blue in found), set(found)
    assert len(set(re.findall(r'id="([^"]+)"', page))) == len(re.findall(r'id="', page))


def test_pdf_pages_render_to_png(client, world, tmp_path):
    response = get(client, f"/api/v1/patients/{world['patient']}/report", world["therapist"])
    assert response.mimetype == PDF  # no Accept header: the PDF
    pages = render_pages(response.data, tmp_path)
    assert len(pages) >= 2
    assert all(page.read_bytes().startswith(b"\x89PNG") for page in pages)


def test_the_html_page_is_self_contained_and_holds_the_same_figures(client, world):
    response = get(client, "/api/v1/me/report", world["headers"], HTML)
    assert response.status_code == 200 and response.mimetype == HTML
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "Accept" in response.headers["Vary"]
    page = StrictHTML(response.get_data(as_text=True))
    for figure in expected_figures(client, world):
        assert figure in page.words, figure
    assert page.fetches == []  # no external asset: no src, no href
    assert "script" not in page.tags and "img" not in page.tags
    assert page.tags.count("svg") == 3  # pain, adherence, NDI
    assert page.tags.count("section") == 6
    assert "Ada Lovelace" in page.words and "1968" not in response.get_data(as_text=True)


def test_monitoring_days_per_30_day_period(client, world):
    text = StrictHTML(get(client, "/api/v1/me/report", world["headers"], HTML).get_data(True))
    # the last 30 days: 14 check-in days and sessions on days -1 .. -12 (inside them)
    last = f"{ago(29).isoformat()} to {today().isoformat()} 14 of 30 no"
    assert last in text.words
    assert f"{ago(89).isoformat()} to {ago(60).isoformat()} 0 of 30 no" in text.words


def test_sixteen_days_of_data_are_marked(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    for n in range(16):
        client.post(
            "/api/v1/check-ins", json={"date": ago(n).isoformat(), "pain": 3}, headers=headers
        )
    page = StrictHTML(get(client, "/api/v1/me/report", headers, HTML).get_data(True))
    assert f"{ago(29).isoformat()} to {today().isoformat()} 16 of 30 yes" in page.words


def test_a_patient_with_no_data_gets_a_report_that_says_so(client, make, tmp_path):
    headers = make.headers(make.patient())
    page = StrictHTML(get(client, "/api/v1/me/report", headers, HTML).get_data(True))
    assert NO_DATA in page.words
    assert "svg" not in page.tags  # no empty chart
    assert "No check-ins in this period" in page.words
    assert "No exercise was prescribed in this period." in page.words
    assert "Age band not given" in page.words and "Therapist(s) none linked" in page.words
    data = get(client, "/api/v1/me/report", headers, PDF).data
    assert words(NO_DATA) in pdf_text(data)
    assert render_pages(data, tmp_path)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (PDF, PDF),
        (HTML, HTML),
        ("*/*", PDF),
        ("text/*", HTML),
        ("text/html;q=0.9, application/pdf;q=0.5", HTML),
        ("application/pdf, text/html;q=0.1", PDF),
    ],
)
def test_the_format_follows_the_accept_header(client, make, accept, expected):
    response = get(client, "/api/v1/me/report", make.headers(make.patient()), accept)
    assert response.status_code == 200 and response.mimetype == expected


@pytest.mark.parametrize("accept", ["application/json", "image/png", "text/plain"])
def test_any_other_format_is_406_in_the_error_format(client, make, accept):
    patient = make.patient()
    response = get(client, "/api/v1/me/report", make.headers(patient), accept)
    assert response.status_code == 406
    body = response.get_json()
    assert body["code"] == 406 and body["status"] == "Not Acceptable"
    assert "application/pdf or text/html" in body["message"]


def test_the_default_range_is_the_last_90_days_in_the_patients_time_zone(app, client, make):
    patient = make.patient(timezone="Pacific/Kiritimati")  # UTC+14
    page = StrictHTML(get(client, "/api/v1/me/report", make.headers(patient), HTML).get_data(True))
    local = today("Pacific/Kiritimati")
    assert f"Period {(local - dt.timedelta(days=89)).isoformat()} to {local}" in page.words


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2025-01-01", "to": "2026-01-02"}, "from"),  # 367 days
        ({"from": "2026-02-02", "to": "2026-02-01"}, "from"),
        ({"from": "not-a-date"}, "from"),
        ({"to": "9999-12-31"}, "to"),
    ],
)
def test_bad_ranges_are_422(client, make, query, field):
    response = get(client, "/api/v1/me/report", make.headers(make.patient()), PDF, **query)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    # schema errors are under "query"; the range rules of the progress service under "json"
    assert field in errors.get("query", {}) or field in errors.get("json", {}), errors


def test_a_366_day_report_is_allowed(client, make):
    response = get(
        client,
        "/api/v1/me/report",
        make.headers(make.patient()),
        HTML,
        **{"from": "2025-01-01", "to": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "Period 2025-01-01 to 2026-01-01" in StrictHTML(response.get_data(True)).words


def test_a_therapists_read_is_in_the_access_log_and_others_get_404(app, client, make):
    patient, linked, unlinked = make.patient(), make.therapist(), make.therapist()
    make.link(linked, patient)
    url = f"/api/v1/patients/{patient}/report"
    assert get(client, url, make.headers(unlinked), PDF).status_code == 404
    assert get(client, url, make.headers(make.patient()), PDF).status_code == 404
    assert get(client, url, make.headers(linked), PDF).status_code == 200
    assert get(client, url, make.headers(patient), HTML).status_code == 200  # their own id
    with app.app_context():
        rows = get_session().query(AccessLogEntry).filter_by(patient_id=patient).all()
        assert [(r.therapist_id, r.resource) for r in rows] == [(linked, "report")]
