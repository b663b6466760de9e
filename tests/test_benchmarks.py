"""The benchmark tools on tiny sizes: the generator's data, the runner's parsing and targets."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from api.database import Base
from benchmarks.run import (
    BASELINE,
    ENDPOINTS,
    WARMED,
    WrkResult,
    beside_references,
    evaluate_targets,
    lua_check_ins,
    lua_get,
    lua_sessions,
    markdown_report,
    median_rounds,
    parse_wrk,
    refused_statuses,
)
from benchmarks.seed import seed

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8000
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.21ms    1.02ms  41.00ms   90.12%
    Req/Sec     1.25k   110.50     1.50k    70.00%
  Latency Distribution
     50%    2.95ms
     75%    3.40ms
     90%    4.10ms
     99%    1.20s
  24890 requests in 10.01s, 9.87MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 17
Requests/sec:   2486.51
Transfer/sec:      0.99MB
"""


def test_parse_wrk_reads_rate_percentiles_and_errors():
    result = parse_wrk(WRK_OUTPUT)
    assert result == WrkResult(
        requests_per_second=2486.51,
        p50_ms=2.95,
        p99_ms=1200.0,
        requests=24890,
        non_2xx_3xx=17,
        socket_errors=3,
    )


def test_parse_wrk_without_errors_and_in_microseconds():
    output = WRK_OUTPUT.replace("    2.95ms", "  950.00us").split("  Socket errors")[0]
    output += "Requests/sec:   10.00\n"
    result = parse_wrk(output)
    assert result.p50_ms == pytest.approx(0.95)
    assert (result.non_2xx_3xx, result.socket_errors) == (0, 0)


def _result(rps: float, p99: float) -> WrkResult:
    return WrkResult(rps, p99 / 2, p99, int(rps * 10), 0, 0)


def test_targets_compare_with_the_baseline_and_across_sizes():
    small = {
        "catalogue_list": _result(900, 10),
        "catalogue_304": _result(1800, 5),
        "check_in_post": _result(100, 40),
        "progress_90d": _result(200, 60),
    }
    large = {**small, "progress_90d": _result(100, 80)}
    baselines = {100: _result(1000, 8), 10000: _result(1000, 8)}
    targets = evaluate_targets({100: small, 10000: large}, baselines, {100: [90.0, 95.0]})
    verdict = {t.name: t.met for t in targets}
    assert verdict["catalogue list >= 0.8x baseline req/s (100 patients)"] is True
    assert verdict["304 revalidation >= 1.5x catalogue list (100 patients)"] is True
    assert verdict["POST /check-ins p99 <= 50 ms (100 patients)"] is True
    assert verdict["progress p99 <= 50 ms (100 patients)"] is False
    assert verdict["catalogue_list at 10000 >= 0.8x at 100 patients"] is True
    assert verdict["progress_90d at 10000 >= 0.8x at 100 patients"] is False
    assert verdict["every worker < 120 MB RSS"] is True
    assert verdict["check_in_post >= 0.5x baseline req/s (100 patients)"] is False
    report = markdown_report({100: small, 10000: large}, baselines, {}, targets, "test")
    assert "| catalogue_list | 900 | 5.0 | 10.0 | 0 | 0 | 0.90x | 1.25x |" in report
    assert "| progress_90d | 200 | 100 | 0.50x | 60.0 | 80.0 |" in report
    assert "NOT MET: progress p99 <= 50 ms (100 patients)" in report


def test_each_endpoint_is_compared_with_the_faster_baseline_run_beside_it():
    """The machine's speed drifts over a run of minutes: an endpoint's reference is the
    faster of the baseline runs just before and just after it, not one minutes away."""
    slow, fast, steady = _result(1400, 12), _result(1800, 8), _result(1600, 9)
    sequence = [
        (BASELINE, slow),
        ("today", _result(900, 20)),
        (BASELINE, fast),
        ("session_post", _result(850, 25)),
        ("check_in_post", _result(820, 30)),  # no baseline between the two
        (BASELINE, steady),
    ]
    beside = beside_references(sequence)
    assert beside == {"today": fast, "session_post": fast, "check_in_post": steady}
    baselines = {100: fast}
    run = {name: result for name, result in sequence if name != BASELINE}
    targets = evaluate_targets({100: run}, baselines, {}, beside={100: beside})
    verdict = {t.name: t for t in targets}
    today = verdict["today >= 0.5x baseline req/s (100 patients)"]
    assert today.met is True
    assert today.detail == "900 vs 1800 req/s beside it = 0.50x"
    check_in = verdict["check_in_post >= 0.5x baseline req/s (100 patients)"]
    assert check_in.met is True
    assert check_in.detail == "820 vs 1600 req/s beside it = 0.51x"
    assert verdict["session_post >= 0.5x baseline req/s (100 patients)"].met is False
    report = markdown_report({100: run}, baselines, {}, targets, "test", beside={100: beside})
    row = "| check_in_post | 820 | 15.0 | 30.0 | 0 | 0 | 0.51x | 3.33x | - | - | 1600 | 0.46x |"
    assert row in report
    assert "| baseline beside req/s | req/s vs first/last baseline |" in report


def test_without_a_baseline_beside_it_an_endpoint_is_compared_with_the_size_s():
    targets = evaluate_targets(
        {100: {"today": _result(900, 20)}},
        {100: _result(1800, 8)},
        {},
        beside={100: beside_references([("today", _result(900, 20))])},
    )
    [today] = [t for t in targets if t.name.startswith("today")]
    assert today.detail == "900 vs 1800 req/s = 0.50x"


def test_the_median_round_by_its_ratio_to_the_baseline_beside_it_is_reported():
    """Three rounds of an endpoint: the round reported is the middle one by its ratio to
    the baseline beside it, not by its own req/s (the fastest round came on a fast
    machine), and every round's ratio is listed under the table."""
    sequence = [
        (BASELINE, _result(1000, 8)),
        ("session_post", _result(480, 20)),  # 0.48x
        (BASELINE, _result(1000, 8)),
        ("session_post#2", _result(560, 18)),  # 0.56x
        (BASELINE, _result(1000, 8)),
        ("session_post#3", _result(600, 16)),  # 0.50x: the machine ran faster
        (BASELINE, _result(1200, 7)),
        ("today", _result(900, 9)),
        (BASELINE, _result(1000, 8)),
    ]
    rounds = median_rounds(sequence)
    assert rounds.results == {"session_post": _result(600, 16), "today": _result(900, 9)}
    assert rounds.beside["session_post"] == _result(1200, 7)
    assert rounds.ratios == {"session_post": [0.48, 0.56, 0.5], "today": [0.75]}
    targets = evaluate_targets(
        {100: rounds.results}, {100: _result(1000, 8)}, {}, beside={100: rounds.beside}
    )
    [session] = [t for t in targets if t.name.startswith("session_post")]
    assert (session.met, session.detail) == (True, "600 vs 1200 req/s beside it = 0.50x")
    report = markdown_report(
        {100: rounds.results},
        {100: _result(1000, 8)},
        {},
        targets,
        "test",
        beside={100: rounds.beside},
        ratios={100: rounds.ratios},
    )
    assert "- session_post: 0.48x, 0.56x, 0.50x" in report
    assert "- today:" not in report  # one round: nothing more to list


def test_of_two_rounds_the_lower_is_reported():
    sequence = [
        (BASELINE, _result(1000, 8)),
        ("check_in_post", _result(520, 20)),
        (BASELINE, _result(1000, 8)),
        ("check_in_post#2", _result(490, 20)),
        (BASELINE, _result(1000, 8)),
    ]
    assert median_rounds(sequence).results == {"check_in_post": _result(490, 20)}


def test_every_endpoint_is_warmed_before_it_is_measured():
    """A server's first requests of a kind compile and prepare their statements: no
    endpoint, POSTs included, is measured cold (the baseline is warmed too)."""
    assert {name for name, _ in ENDPOINTS} == set(WARMED)


def test_refused_answers_are_counted_by_route_and_status_from_the_request_log():
    log = "\n".join(
        [
            "[2026-11-30 21:00:00 +0000] [1] [INFO] Booting worker with pid: 2",
            '{"event": "request", "method": "POST", "path": "/api/v1/check-ins", "status": 201, '
            '"duration_ms": 3.1, "request_id": "a"}',
            '{"event": "request", "method": "POST", "path": "/api/v1/check-ins", "status": 409, '
            '"duration_ms": 2.0, "request_id": "b"}',
            '{"event": "request", "method": "POST", "path": "/api/v1/check-ins", "status": 409, '
            '"duration_ms": 2.2, "request_id": "c"}',
            '{"event": "request", "method": "GET", "path": "/api/v1/me/today", "status": 503, '
            '"duration_ms": 9.0, "request_id": "d"}',
            '{"event": "request", "method": "GET", "path": "/api/v1/me/today", "status": 304, '
            '"duration_ms": 1.0, "request_id": "e"}',
            '{"event": "request", "method": "POST", "path": "/api/v1/sessions", "status": 5',
        ]
    )
    assert refused_statuses(log) == {
        "POST /api/v1/check-ins 409": 2,
        "GET /api/v1/me/today 503": 1,
    }


def test_lua_scripts_name_their_requests():
    patient = {
        "token": "t0k",
        "today_epoch": 1_700_000_000,
        "programme_id": 7,
        "items": [{"id": 3, "exercise": "chin-tuck"}],
    }
    assert 'headers["Authorization"] = "Bearer "' in lua_get("/api/v1/me/today", ["a", "b"])
    assert '"/api/v1/check-ins"' in lua_check_ins([patient])
    script = lua_sessions([patient], "run1")
    assert '"/api/v1/sessions"' in script and "chin-tuck" in script


def test_seed_writes_consistent_rows(scratch_url, tmp_path):
    out = tmp_path / "seed.json"
    report = seed(scratch_url, patients=3, days=5, therapists=1, out=out)
    tables = Base.metadata.tables
    engine = create_engine(scratch_url)
    try:
        with engine.connect() as connection:

            def count(name: str, *where) -> int:
                return connection.scalar(
                    select(func.count()).select_from(tables[name]).where(*where)
                )

            users = tables["users"]
            assert count("users", users.c.role == "patient") == 3
            assert count("users", users.c.role == "therapist") == 1
            assert count("care_links") == 3
            assert count("programmes") == count("programme_versions") == 3
            assert count("programme_items") >= 3
            check_ins = tables["check_ins"]
            assert 0 < count("check_ins") <= 3 * 5
            per_day = connection.execute(
                select(check_ins.c.patient_id, check_ins.c.local_date, func.count())
                .group_by(check_ins.c.patient_id, check_ins.c.local_date)
                .having(func.count() > 1)
            ).all()
            assert per_day == []
            flagged = count("check_ins", check_ins.c.triage_level != "none")
            assert count("alerts") <= flagged * 3
            entries = tables["session_entries"]
            orphans = count(
                "session_entries",
                entries.c.session_id.not_in(select(tables["exercise_sessions"].c.id)),
            )
            assert orphans == 0
            assert count("outcome_scores") == 3
    finally:
        engine.dispose()
    for name, rows in report.counts.items():
        assert rows >= 0, name
    assert report.counts["users"] == 4
    assert out.exists()
    assert len(report.credentials["patients"]) + len(report.credentials["patients_on_hold"]) == 3


def test_the_sync_push_benchmark_sends_30_new_valid_mutations():
    import json

    from api.sync.schemas import PushSchema
    from benchmarks.run import SYNC_PUSH_SIZE, lua_sync_push, sync_push_body

    patient = {"token": "t", "programme_id": 3, "items": [{"exercise": "chin-tuck", "id": 8}]}
    template = sync_push_body(patient, "2026-11-23T07:00:00+00:00")
    assert all("@@" in m["id"] for m in json.loads(template)["mutations"])
    body = json.loads(template.replace("@@", "run1-0-7"))
    assert PushSchema().validate(body) == {}
    assert len(body["mutations"]) == SYNC_PUSH_SIZE == 30
    assert len({m["id"] for m in body["mutations"]}) == 30
    assert '"/api/v1/sync"' in lua_sync_push([patient], "run1")


def test_the_report_gives_ratios_to_hello_and_statement_counts():
    small = {"catalogue_list": _result(700, 10), "today": _result(600, 20)}
    baselines = {100: _result(1000, 8)}
    hellos = {100: _result(1400, 4)}
    targets = evaluate_targets({100: small}, baselines, {100: [130.0]}, hellos)
    verdict = {t.name: t.met for t in targets}
    assert verdict["catalogue list >= 0.6x bare Flask hello req/s (100 patients)"] is False
    assert verdict["today >= 0.5x baseline req/s (100 patients)"] is True
    assert verdict["every worker < 120 MB RSS"] is False
    statements = {100: {"catalogue_list": 0, "today": 7}}
    report = markdown_report({100: small}, baselines, {}, targets, "test", hellos, statements)
    assert "| hello | 1400 | 2.0 | 4.0 | 0 | 0 | 1.40x | 0.50x | 1.00x | 0 |" in report
    assert "| catalogue_list | 700 | 5.0 | 10.0 | 0 | 0 | 0.70x | 1.25x | 0.50x | 0 |" in report
    assert "| today | 600 | 10.0 | 20.0 | 0 | 0 | 0.60x | 2.50x | 0.43x | 7 |" in report


def test_statement_counts_cover_every_endpoint_the_runner_drives(scratch_url, tmp_path):
    from benchmarks.run import ENDPOINTS
    from benchmarks.statements import MEMO_OFF, MEMOISED, count_statements

    report = seed(scratch_url, patients=3, days=30, therapists=1, out=tmp_path / "seed.json")
    counts = count_statements(scratch_url, report.credentials)
    driven = {name for name, _ in ENDPOINTS}
    assert set(counts) == driven | {name + MEMO_OFF for name in MEMOISED}
    # A kept answer costs the caller's row and the look at their change feed (and the
    # access log of an alert list); computing it again costs more.
    for name in MEMOISED:
        assert counts[name] < counts[name + MEMO_OFF], (name, counts)
    assert counts["catalogue_list"] == counts["catalogue_304"] == 0
    assert all(n > 0 for name, n in counts.items() if not name.startswith(("catal", "exer"))), str(
        counts
    )


@pytest.mark.slow
@pytest.mark.parametrize("durable", [False, True], ids=["suite-settings", "durable"])
def test_the_runner_s_postgresql_flushes_commits_only_when_asked(durable):
    """``--durable``: the benchmark's PostgreSQL waits for each commit to reach the disk,
    as in production; by default it runs with the test suite's settings."""
    from tests.run_all import ThrowawayPostgres, ensure_postgres

    server = ThrowawayPostgres(ensure_postgres(), durable=durable)
    url = server.start()
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            shown = {
                name: connection.exec_driver_sql(f"SHOW {name}").scalar()
                for name in ("fsync", "synchronous_commit", "full_page_writes")
            }
        engine.dispose()
    finally:
        server.stop()
    expected = "on" if durable else "off"
    assert shown == dict.fromkeys(shown, expected), shown
