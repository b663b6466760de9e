"""The public catalogue API, checked against the content files as the oracle."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
from sqlalchemy import event

from api.database import state
from exercises.load import load_content
from exercises.vocabulary import CATEGORIES, CAUSE_SLUGS, EQUIPMENT, REGIONS


@lru_cache(maxsize=1)
def content():
    return load_content()


def names_sorted(exercises) -> list[str]:
    return [e.slug for e in sorted(exercises, key=lambda e: (e.name, e.slug))]


def all_slugs(client, query: str = "") -> list[str]:
    separator = "&" if query else ""
    response = client.get(f"/api/v1/exercises?{query}{separator}page_size=100")
    assert response.status_code == 200, response.get_json()
    return [item["slug"] for item in response.get_json()]


def test_causes_are_listed_in_article_order(client):
    body = client.get("/api/v1/causes").get_json()
    assert [c["slug"] for c in body] == list(CAUSE_SLUGS)
    fracture = next(c for c in body if c["slug"] == "fracture")
    assert fracture["exercise_allowed"] is False
    assert "doctor" in fracture["see_doctor_first"].lower()


@pytest.mark.parametrize("slug", CAUSE_SLUGS)
def test_cause_detail_lists_its_exercises(client, slug):
    body = client.get(f"/api/v1/causes/{slug}").get_json()
    expected = {e.slug for e in content().exercises_for_cause(slug)}
    assert {e["slug"] for e in body["exercises"]} == expected
    assert body["doctor_treatments"] and body["when_to_see_doctor"]
    if body["exercise_allowed"]:
        assert len(expected) >= 3
    else:
        assert expected == set()


def test_unknown_cause_and_exercise_are_404(client):
    assert client.get("/api/v1/causes/broken-heart").status_code == 404
    assert client.get("/api/v1/exercises/levitation").status_code == 404


def test_lifestyle_advice_covers_the_articles_factors(client):
    body = client.get("/api/v1/lifestyle-advice").get_json()
    assert len(body) >= 6
    assert all(item["advice"] and item["source"] for item in body)


def test_list_is_ordered_and_paginated(client):
    everything = content().exercises.values()
    response = client.get("/api/v1/exercises?page_size=100")
    assert [e["slug"] for e in response.get_json()] == names_sorted(everything)
    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination["total"] == len(content().exercises)
    first = client.get("/api/v1/exercises?page=1&page_size=5").get_json()
    second = client.get("/api/v1/exercises?page=2&page_size=5").get_json()
    assert [e["slug"] for e in first + second] == names_sorted(everything)[:10]


def test_last_page_and_beyond(client):
    total = len(content().exercises)
    last_page = (total + 6) // 7
    last = client.get(f"/api/v1/exercises?page={last_page}&page_size=7").get_json()
    assert len(last) == total - 7 * (last_page - 1)
    beyond = client.get(f"/api/v1/exercises?page={last_page + 1}&page_size=7")
    assert beyond.status_code == 200 and beyond.get_json() == []


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=101", "page=x"])
def test_bad_pagination_is_422(client, query):
    assert client.get(f"/api/v1/exercises?{query}").status_code == 422


def _oracle(cause=None, category=None, region=None, difficulty=None, equipment=None, q=None):
    result = []
    for e in content().exercises.values():
        if cause and cause not in e.cause_slugs:
            continue
        if category and e.category != category:
            continue
        if region and e.region != region:
            continue
        if difficulty and e.difficulty != difficulty:
            continue
        if equipment is not None and not set(e.equipment) <= set(equipment) | {"none"}:
            continue
        if q:
            text = f"{e.name} {e.summary} {' '.join(m.replace('_', ' ') for m in e.target_muscles)}"
            if q.lower() not in text.lower():
                continue
        result.append(e)
    return names_sorted(result)


FILTERS = [
    *[({"cause": c}, f"cause={c}") for c in ("poor-posture", "osteoporosis", "spinal-stenosis")],
    *[({"category": c}, f"category={c}") for c in CATEGORIES],
    *[({"region": r}, f"region={r}") for r in ("thoracic", "scapular", "core")],
    *[({"difficulty": d}, f"difficulty={d}") for d in (1, 2, 3)],
    ({"equipment": []}, "equipment=none"),
    ({"equipment": ["wall", "chair"]}, "equipment=wall&equipment=chair"),
    ({"equipment": ["resistance_band"]}, "equipment=resistance_band"),
    ({"q": "trapezius"}, "q=trapezius"),
    ({"q": "CHIN"}, "q=CHIN"),
    ({"q": "%"}, "q=%25"),
    (
        {"cause": "poor-posture", "equipment": [], "difficulty": 1},
        "cause=poor-posture&equipment=none&difficulty=1",
    ),
    ({"category": "strengthening", "region": "scapular"}, "category=strengthening&region=scapular"),
]


@pytest.mark.parametrize(("filters", "query"), FILTERS, ids=[q for _, q in FILTERS])
def test_filters_match_the_content(client, filters, query):
    assert all_slugs(client, query) == _oracle(**filters)


def test_equipment_filter_means_needing_only_what_i_own(client):
    only_none = set(all_slugs(client, "equipment=none"))
    with_band = set(all_slugs(client, "equipment=resistance_band"))
    assert only_none < with_band
    assert all(
        set(content().exercises[s].equipment) <= {"none", "resistance_band"} for s in with_band
    )


@pytest.mark.parametrize(
    ("query", "valid"),
    [
        ("category=yoga", CATEGORIES),
        ("region=knee", REGIONS),
        ("equipment=kettlebell", EQUIPMENT),
        ("cause=broken-heart", CAUSE_SLUGS),
    ],
)
def test_unknown_filter_values_list_the_valid_ones(client, query, valid):
    response = client.get(f"/api/v1/exercises?{query}")
    assert response.status_code == 422
    message = json.dumps(response.get_json()["errors"])
    assert all(value in message for value in valid)


def test_difficulty_out_of_range_is_422(client):
    assert client.get("/api/v1/exercises?difficulty=4").status_code == 422


def test_exercise_detail_has_full_ladder_and_causes(client):
    with_ladder = next(e for e in content().exercises.values() if e.progressions and e.regressions)
    body = client.get(f"/api/v1/exercises/{with_ladder.slug}").get_json()
    assert [s["slug"] for s in body["progressions"]] == list(with_ladder.progressions)
    assert [s["slug"] for s in body["regressions"]] == list(with_ladder.regressions)
    assert all(step["name"] for step in body["progressions"] + body["regressions"])
    assert [c["cause"] for c in body["causes"]] == list(with_ladder.cause_slugs)
    assert all(c["why"] and c["name"] for c in body["causes"])
    assert body["steps"] and body["dose"]["sets"] >= 1 and body["evidence"]["source"]
    assert body["retired"] is False


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/causes",
        "/api/v1/causes/osteoporosis",
        "/api/v1/exercises?category=mobility",
        "/api/v1/exercises/chin-tuck",
        "/api/v1/lifestyle-advice",
    ],
)
def test_etag_and_304_revalidation(client, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    stale = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


def test_etag_differs_between_queries(client):
    a = client.get("/api/v1/exercises?category=mobility").headers["ETag"]
    b = client.get("/api/v1/exercises?category=stretching").headers["ETag"]
    assert a != b


def test_safe_for_me_needs_sign_in(client):
    assert client.get("/api/v1/exercises?safe_for_me=true").status_code == 401


def test_safe_for_me_with_osteoporosis_leaves_out_loaded_flexion(client, make):
    headers = make.headers(make.patient(health_history=["osteoporosis"]))
    response = client.get("/api/v1/exercises?safe_for_me=true&page_size=100", headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    kept = {item["slug"]: item for item in response.get_json()}
    flexion = {
        e.slug
        for e in content().exercises.values()
        if {"loaded_flexion", "end_range_flexion", "forceful_rotation"} & set(e.movement_flags)
    }
    assert flexion, "the catalogue should contain flexion exercises to leave out"
    assert not flexion & set(kept)
    assert all("osteoporosis" not in content().exercises[s].contraindications for s in kept)
    expected_kept = {
        e.slug for e in content().exercises.values() if "osteoporosis" not in e.contraindications
    }
    assert set(kept) == expected_kept
    for slug, item in kept.items():
        expected = [
            p.to_dict()
            for p in content().exercises[slug].precautions
            if p.code in (None, "osteoporosis")
        ]
        assert item["precautions_for_me"] == expected


def test_safe_for_me_with_a_see_a_doctor_first_condition_offers_nothing(client, make):
    headers = make.headers(make.patient(conditions=["fracture"]))
    response = client.get("/api/v1/exercises?safe_for_me=true", headers=headers)
    assert response.get_json() == []


def test_safe_for_me_etag_depends_on_the_caller(client, make):
    a = make.headers(make.patient(health_history=["osteoporosis"]))
    b = make.headers(make.patient())
    path = "/api/v1/exercises?safe_for_me=true"
    assert (
        client.get(path, headers=a).headers["ETag"] != client.get(path, headers=b).headers["ETag"]
    )


def test_list_query_count_does_not_grow_with_page_size(app, client):
    engine = state(app).engine
    counts = []
    for size in (1, 100):
        statements: list[str] = []

        def count(*args, statements=statements):
            statements.append(args[2])

        app.extensions.pop("upright.catalogue_digest", None)  # both read the digest
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert (
                client.get(f"/api/v1/exercises?page_size={size}&cause=poor-posture").status_code
                == 200
            )
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[1] <= counts[0]  # a page that is not full needs no COUNT
    assert counts[0] <= 4


def test_revalidation_trusts_the_digest_for_a_few_seconds_only(app, client, monkeypatch):
    from api.catalogue import cache
    from api.catalogue.models import CatalogueVersion
    from api.database import get_session

    now = [1000.0]
    monkeypatch.setattr(cache, "_clock", lambda: now[0])
    etag = client.get("/api/v1/causes").headers["ETag"]
    with app.app_context():
        session = get_session()
        version = session.get(CatalogueVersion, 1)
        original = version.digest
        version.digest = "a-new-catalogue-load"
        session.commit()
    try:
        assert client.get("/api/v1/causes", headers={"If-None-Match": etag}).status_code == 304
        now[0] += cache.DIGEST_MAX_AGE + 0.1
        stale = client.get("/api/v1/causes", headers={"If-None-Match": etag})
        assert stale.status_code == 200
        assert stale.headers["ETag"] != etag
    finally:
        with app.app_context():
            session = get_session()
            session.get(CatalogueVersion, 1).digest = original
            session.commit()


def test_cached_list_answers_are_identical(client):
    path = "/api/v1/exercises?category=mobility&page_size=3"
    first, second = client.get(path), client.get(path)
    assert first.data == second.data
    assert first.headers["X-Pagination"] == second.headers["X-Pagination"]


class _Statements:
    """Counts the SQL statements the app sends while it is used as a context manager."""

    def __init__(self, app):
        self.engine = state(app).engine
        self.sent: list[str] = []

    def _record(self, _conn, _cursor, statement, *_args) -> None:
        self.sent.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def _set_digest(app, value: str | None = None) -> str:
    """Write the catalogue digest as another server's load would; returns the old one."""
    from api.catalogue.models import CatalogueVersion
    from api.database import get_session

    with app.app_context():
        session = get_session()
        version = session.get(CatalogueVersion, 1)
        original = version.digest
        if value is not None:
            version.digest = value
            session.commit()
    return original


@pytest.fixture
def frozen_clock():
    """The app's clock, moved by hand: ``frozen_clock[0]`` is now."""
    import datetime as dt

    from api.timeutil import clock

    now = [dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)]
    with clock.source(lambda: now[0]):
        yield now


@pytest.mark.parametrize(
    "path", ["/api/v1/exercises?category=strengthening&equipment=none", "/api/v1/causes"]
)
def test_a_cached_catalogue_answer_sends_0_statements(app, client, frozen_clock, path):
    first = client.get(path)
    with _Statements(app) as statements:
        again = client.get(path)
        revalidated = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert statements.sent == []
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert revalidated.status_code == 304


def test_a_catalogue_load_on_another_server_is_served_within_1_second(app, client, frozen_clock):
    import datetime as dt

    path = "/api/v1/exercises?category=mobility"
    before = client.get(path).headers["ETag"]
    original = _set_digest(app, "a-load-by-another-server")
    try:
        frozen_clock[0] += dt.timedelta(milliseconds=999)
        assert client.get(path).headers["ETag"] == before  # still within the bound
        assert client.get(path, headers={"If-None-Match": before}).status_code == 304
        frozen_clock[0] += dt.timedelta(milliseconds=1)
        full = client.get(path)
        assert full.status_code == 200 and full.headers["ETag"] != before
        assert client.get(path, headers={"If-None-Match": before}).status_code == 200
    finally:
        _set_digest(app, original)


def test_a_catalogue_load_in_this_process_is_served_at_once(app, client, frozen_clock):
    path = "/api/v1/causes"
    original = _set_digest(app, "an-older-catalogue")
    try:
        before = client.get(path).headers["ETag"]
        with app.app_context():
            app.extensions["upright.catalogue_loader"]()  # writes the real digest back
        assert _set_digest(app) == original
        after = client.get(path)
        assert after.status_code == 200 and after.headers["ETag"] != before
    finally:
        _set_digest(app, original)


def test_a_clock_set_back_does_not_keep_the_digest_forever(app, client, frozen_clock):
    import datetime as dt

    path = "/api/v1/causes"
    before = client.get(path).headers["ETag"]
    original = _set_digest(app, "a-load-while-the-clock-went-back")
    try:
        frozen_clock[0] -= dt.timedelta(hours=1)
        assert client.get(path).headers["ETag"] != before
    finally:
        _set_digest(app, original)


@pytest.mark.parametrize(
    "path", ["/api/v1/exercises?category=mobility&page_size=3", "/api/v1/exercises/chin-tuck"]
)
def test_an_answer_from_memory_has_the_same_headers_as_the_first(client, path):
    def headers(response):
        return {k: v for k, v in response.headers.items() if k not in ("X-Request-ID",)}

    first, again = client.get(path), client.get(path)
    assert again.data == first.data
    assert headers(again) == headers(first)
    assert again.headers["Vary"] == "Authorization" and again.headers["ETag"]


@pytest.mark.parametrize("query", ["safe%5Ffor%5Fme=true", "safe_for_me=true"])
def test_safe_for_me_however_spelt_is_never_served_the_public_answer(client, query):
    client.get("/api/v1/exercises?" + query.replace("safe", "x"))  # a public answer cached
    assert client.get(f"/api/v1/exercises?{query}").status_code == 401
