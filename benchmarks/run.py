"""Drive the app under gunicorn with wrk, next to a minimal baseline app.

    python -m benchmarks.run [--patients 100,10000] [--days 365] [--duration 10]
                             [--connections 8] [--workers 2] [--engine postgresql|sqlite]
                             [--explain] [--durable] [--only NAMES] [--rounds N]

For each size: a fresh database (a throwaway PostgreSQL cluster, or a temporary SQLite
file) is seeded, the app and the baseline app are started under gunicorn on 127.0.0.1
with the same settings, and each endpoint is driven by wrk at a fixed concurrency for a
fixed time, through small generated Lua scripts (tokens rotate over a pool of patients
or therapists; every POST is a new check-in day or a new session). The baseline app
serves beside the app, and each measured run of an endpoint comes right after a baseline
run: its ratio is to the faster of the baseline runs next to it. With ``--rounds N``,
each endpoint is run N times in a row and its median round is reported. The table, the
ratios to the baseline, the scale curve and the targets are printed and written to
``benchmarks/results/latest.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.requests_of import access_token
from benchmarks.statements import MEMO_OFF, MEMOISED
from tests.run_all import stop_process

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: Each worker holds at most as many connections as it has threads, for both apps: wrk's
#: 8 keep-alive connections then split 4/4 between the 2 workers. Otherwise the split is
#: whatever the workers' accepts gave (2/6 and 8/0 were seen), one worker's core idles
#: and the split, not the code, decides the figure (POST /check-ins: 376-816 req/s for
#: the same code).
BALANCED = ("--worker-connections", "4")
GUNICORN_SETTINGS = ("--worker-class", "gthread", "--threads", "4", *BALANCED)
#: The app runs under the shipped configuration, as in production (api/gunicorn_conf.py:
#: its gthread worker, limits and malloc settings), with the baseline's 4 threads.
APP_GUNICORN_SETTINGS = ("-c", "python:api.gunicorn_conf", "--threads", "4", *BALANCED)
TOKEN_MINUTES = 240
#: The check-in run's days back from each patient's today (the API takes a check-in up to
#: 90 days back): 8,900 patient-days over the 100-patient pool. Each wrk thread numbers
#: its own requests, and a thread that runs ahead wraps around sooner: with 60 days, runs
#: of about 5,200 check-ins at 100 patients met days already taken (26-60 answered 409).
CHECK_IN_WINDOW_DAYS = 89
BASELINE = "baseline"
HELLO = "hello"

# --- wrk output -------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: int


def _duration_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {value!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's ``--latency`` report."""
    percentiles = {
        int(p): _duration_ms(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.M)
    }
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    if rps is None or total is None or 50 not in percentiles or 99 not in percentiles:
        raise ValueError("unexpected wrk output:\n" + output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=int(total.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


# --- endpoints and their Lua scripts ----------------------------------------------------

_LUA_PRELUDE = """\
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local n = 0
local function next_slot()
  local slot = n * THREADS + tid
  n = n + 1
  return slot
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def _lua_list(values: Iterable[str]) -> str:
    return "{" + ", ".join(_lua_string(v) for v in values) + "}"


def lua_get(path: str, tokens: Sequence[str] = (), headers: dict[str, str] | None = None) -> str:
    """GET ``path``, rotating over bearer ``tokens`` (if any) and sending ``headers``."""
    fixed = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in (headers or {}).items())
    return (
        f"local tokens = {_lua_list(tokens)}\n"
        "function request()\n"
        "  local slot = next_slot()\n"
        f"  local headers = {{{fixed}}}\n"
        "  if #tokens > 0 then\n"
        '    headers["Authorization"] = "Bearer " .. tokens[slot % #tokens + 1]\n'
        "  end\n"
        f'  return wrk.format("GET", {_lua_string(path)}, headers)\n'
        "end\n"
    )


def lua_get_rotating(paths: Sequence[str]) -> str:
    """GET one of ``paths`` in turn (no sign-in)."""
    return (
        f"local paths = {_lua_list(paths)}\n"
        "function request()\n"
        '  return wrk.format("GET", paths[next_slot() % #paths + 1])\n'
        "end\n"
    )


def lua_check_ins(patients: Sequence[dict[str, Any]]) -> str:
    """POST /check-ins: slot -> (patient, days back), so every request is a new day."""
    rows = ", ".join(f"{{{_lua_string(p['token'])}, {p['today_epoch']}}}" for p in patients)
    return (
        f"local patients = {{{rows}}}\n"
        "function request()\n"
        "  local slot = next_slot()\n"
        "  local patient = patients[slot % #patients + 1]\n"
        "  local back = math.floor(slot / #patients)\n"
        f"  if back > {CHECK_IN_WINDOW_DAYS - 1} then back = back % {CHECK_IN_WINDOW_DAYS} end\n"
        '  local day = os.date("!%Y-%m-%d", patient[2] - back * 86400)\n'
        "  local pain = slot % 7 + 2\n"
        '  local symptoms = "[]"\n'
        '  if slot % 50 == 7 then symptoms = "[\\"night_pain\\"]" end\n'
        '  local body = string.format(\'{"date": "%s", "pain": %d, "worst_pain": %d, \'\n'
        '    .. \'"stiffness": 4, "interference": 3, "sleep_quality": 6, "mood": 6, \'\n'
        '    .. \'"pain_areas": ["upper_back"], "symptoms": %s, "pain_onset": "usual"}\',\n'
        "    day, pain, math.min(10, pain + 1), symptoms)\n"
        '  return wrk.format("POST", "/api/v1/check-ins", {["Authorization"] = "Bearer " '
        '.. patient[1], ["Content-Type"] = "application/json"}, body)\n'
        "end\n"
    )


def lua_sessions(patients: Sequence[dict[str, Any]], run_id: str) -> str:
    """POST /sessions: a new client_id each time, entries from the patient's programme."""
    rows = []
    for patient in patients:
        entries = ", ".join(
            f'{{\\"exercise\\": \\"{item["exercise"]}\\", \\"programme_item\\": {item["id"]}, '
            f'\\"sets_done\\": 2, \\"reps_done\\": 10, \\"pain_during\\": 2, \\"effort\\": 5}}'
            for item in patient["items"]
        )
        rows.append(
            f'{{{_lua_string(patient["token"])}, {patient["programme_id"]}, "[{entries}]"}}'
        )
    return (
        f"local patients = {{{', '.join(rows)}}}\n"
        "function request()\n"
        "  local slot = next_slot()\n"
        "  local patient = patients[slot % #patients + 1]\n"
        '  local started = os.date("!%Y-%m-%dT%H:%M:%S+00:00", os.time() - 7200)\n'
        '  local body = string.format(\'{"client_id": "bench-%s-%d-%d", "programme_id": %d, \'\n'
        '    .. \'"started_at": "%s", "pain_before": 3, "pain_after": 2, "entries": %s}\',\n'
        f"    {_lua_string(run_id)}, tid, n, patient[2], started, patient[3])\n"
        '  return wrk.format("POST", "/api/v1/sessions", {["Authorization"] = "Bearer " '
        '.. patient[1], ["Content-Type"] = "application/json"}, body)\n'
        "end\n"
    )


def lua_get_pairs(pairs: Sequence[tuple[str, str]]) -> str:
    """GET ``(path, token)`` pairs in turn (each patient's own sync cursor)."""
    rows = ", ".join(f"{{{_lua_string(path)}, {_lua_string(token)}}}" for path, token in pairs)
    return (
        f"local pairs = {{{rows}}}\n"
        "function request()\n"
        "  local pair = pairs[next_slot() % #pairs + 1]\n"
        '  return wrk.format("GET", pair[1], {["Authorization"] = "Bearer " .. pair[2]})\n'
        "end\n"
    )


SYNC_PUSH_SIZE = 30


def sync_push_body(patient: dict[str, Any], started_at: str) -> str:
    """A push of ``SYNC_PUSH_SIZE`` mutations (sessions and PSFS scores); ``@@`` in mutation
    ids and client ids is replaced per request so that nothing is a replay."""
    entries = [
        {"exercise": item["exercise"], "programme_item": item["id"], "sets_done": 2}
        for item in patient["items"]
    ]
    psfs = {
        "instrument": "psfs",
        "answers": {"activities": [{"activity": f"task {n}", "score": 5} for n in range(3)]},
    }
    mutations = []
    for n in range(SYNC_PUSH_SIZE):
        if n % 2 == 0:
            data = {
                "client_id": f"bench-@@-{n}",
                "programme_id": patient["programme_id"],
                "started_at": started_at,
                "entries": entries,
            }
            mutations.append({"id": f"bench-@@-{n}", "type": "session.create", "data": data})
        else:
            mutations.append({"id": f"bench-@@-{n}", "type": "outcome.create", "data": psfs})
    return json.dumps({"mutations": mutations})


def lua_sync_push(patients: Sequence[dict[str, Any]], run_id: str) -> str:
    """POST /sync with 30 new mutations each time."""
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat(timespec="seconds")
    rows = ", ".join(
        f"{{{_lua_string(p['token'])}, {_lua_string(sync_push_body(p, started))}}}"
        for p in patients
    )
    return (
        f"local patients = {{{rows}}}\n"
        "function request()\n"
        "  local slot = next_slot()\n"
        "  local patient = patients[slot % #patients + 1]\n"
        f'  local unique = string.format("%s-%d-%d", {_lua_string(run_id)}, tid, n)\n'
        '  local body = string.gsub(patient[2], "@@", unique)\n'
        '  return wrk.format("POST", "/api/v1/sync", {["Authorization"] = "Bearer " '
        '.. patient[1], ["Content-Type"] = "application/json"}, body)\n'
        "end\n"
    )


def sync_cursors(database_url: str, secret: str, patient_ids: Sequence[int]) -> dict[int, str]:
    """Each patient's cursor as a pull made now would answer it (nothing new after it)."""
    from flask import Flask

    from api.database import make_engine
    from api.sync import service

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            from sqlalchemy.orm import Session

            session = Session(connection)
            txid, change_id = service._start_position(session)
    finally:
        engine.dispose()
    app = Flask(__name__)
    app.config["SECRET_KEY"] = secret
    with app.app_context():
        return {
            patient_id: service.encode_cursor(patient_id, {"t": txid, "i": change_id})
            for patient_id in patient_ids
        }


CATALOGUE_LIST = "/api/v1/exercises?category=strengthening&equipment=none"
#: Every endpoint is driven for 2 s before it is measured, as the baseline is: a server's
#: first requests of a kind compile their statements, and each pooled connection prepares
#: them on its 6th run (README, Configuration); measured cold, those first seconds made
#: most of a POST's p99 (POST /check-ins on a fresh server, 5 s at 100 patients: p99
#: 52.9 ms cold, then 31.9 and 29.0 ms). The check-in run's days are freed again after
#: its warm-up, so that every measured request is a new patient-day.
#: Seconds to wait after a warm-up run before the check-in run's days are freed again.
WARM_UP_SETTLE_SECONDS = 1.0
WARMED = (
    "catalogue_list",
    "exercise_detail",
    "catalogue_304",
    "today",
    "progress_90d",
    "therapist_patients",
    "therapist_alerts",
    "sync_pull_nothing_new",
    "sync_snapshot",
    "check_in_post",
    "session_post",
    "sync_push_30",
)

#: (name, what it is) in the order they are driven (reads before writes).
ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("catalogue_list", f"GET {CATALOGUE_LIST}"),
    ("exercise_detail", "GET /api/v1/exercises/{slug} (slugs rotate)"),
    ("catalogue_304", "GET the catalogue list with a matching If-None-Match"),
    ("today", "GET /api/v1/me/today (patients rotate)"),
    ("progress_90d", "GET /api/v1/me/progress (90 days, patients rotate)"),
    ("therapist_patients", "GET /api/v1/patients (therapists rotate)"),
    ("therapist_alerts", "GET /api/v1/alerts (therapists rotate)"),
    ("sync_pull_nothing_new", "GET /api/v1/sync?cursor=... with nothing new (patients rotate)"),
    ("sync_snapshot", "GET /api/v1/sync?limit=1000: a snapshot page of a patient's year"),
    ("check_in_post", "POST /api/v1/check-ins (a new patient-day each, triaged)"),
    ("session_post", "POST /api/v1/sessions (a new client_id each, 3 entries)"),
    ("sync_push_30", "POST /api/v1/sync with 30 new mutations (15 sessions, 15 PSFS)"),
)


# --- targets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    met: bool
    detail: str


def ratio(value: float, reference: float) -> float | None:
    return value / reference if reference else None


def beside_references(sequence: Sequence[tuple[str, WrkResult]]) -> dict[str, WrkResult]:
    """For each endpoint run of ``sequence`` (the runs of one size in the order driven,
    with baseline runs, named ``BASELINE``, between them), the faster of the runs next to
    it that are baseline runs: the reference measured beside it, seconds away, so that the
    machine's drift over a run of several minutes does not decide its ratio."""
    beside: dict[str, WrkResult] = {}
    for index, (name, _) in enumerate(sequence):
        if name == BASELINE:
            continue
        next_to = [*sequence[max(0, index - 1) : index], *sequence[index + 1 : index + 2]]
        neighbours = [result for other, result in next_to if other == BASELINE]
        if neighbours:
            beside[name] = max(neighbours, key=lambda r: r.requests_per_second)
    return beside


#: In a sequence of runs, ``name#2`` is the second round of ``name`` (``--rounds``).
ROUND_MARK = "#"


@dataclass(frozen=True)
class Rounds:
    """The rounds of each endpoint of a sequence, each ratioed to the baseline beside it."""

    #: by endpoint, its median round (the lower of the middle two, for an even count)
    results: dict[str, WrkResult]
    #: by endpoint, the baseline beside its median round
    beside: dict[str, WrkResult]
    #: by endpoint, every round's req/s over its baseline's, in the order driven
    ratios: dict[str, list[float]]


def median_rounds(sequence: Sequence[tuple[str, WrkResult]]) -> Rounds:
    """Each endpoint's median round by its ratio to the baseline beside it: one round that
    a burst of other work on the machine slowed (or a quiet moment sped up) does not
    decide the figure."""
    beside = beside_references(sequence)
    runs: dict[str, list[tuple[float, WrkResult, WrkResult | None]]] = {}
    for key, result in sequence:
        if key == BASELINE:
            continue
        reference = beside.get(key)
        value = ratio(result.requests_per_second, reference.requests_per_second) if reference else 0
        runs.setdefault(key.split(ROUND_MARK)[0], []).append((value or 0, result, reference))
    results: dict[str, WrkResult] = {}
    references: dict[str, WrkResult] = {}
    for name, rounds in runs.items():
        _, result, reference = sorted(rounds, key=lambda run: run[0])[(len(rounds) - 1) // 2]
        results[name] = result
        if reference is not None:
            references[name] = reference
    ratios = {name: [value for value, _, _ in rounds] for name, rounds in runs.items()}
    return Rounds(results, references, ratios)


#: Issue 18: each personal endpoint at half the baseline's rate or better.
HALF_BASELINE = (
    "progress_90d",
    "therapist_alerts",
    "session_post",
    "therapist_patients",
    "today",
    "check_in_post",
)
RSS_LIMIT_MB = 120


def _ratio_to_baseline(
    run: dict[str, WrkResult], baseline: WrkResult, beside: dict[str, WrkResult]
) -> Callable[[str], tuple[float, str]]:
    """``name`` -> (its req/s over its baseline's, how that was reckoned): the baseline
    beside it when measured, else the size's."""

    def to_baseline(name: str) -> tuple[float, str]:
        base = beside.get(name, baseline)
        r = ratio(run[name].requests_per_second, base.requests_per_second) or 0
        where = " beside it" if name in beside else ""
        return r, (
            f"{run[name].requests_per_second:.0f} vs {base.requests_per_second:.0f} "
            f"req/s{where} = {r:.2f}x"
        )

    return to_baseline


def evaluate_targets(
    results: dict[int, dict[str, WrkResult]],
    baselines: dict[int, WrkResult],
    worker_rss_mb: dict[int, list[float]],
    hellos: dict[int, WrkResult] | None = None,
    beside: dict[int, dict[str, WrkResult]] | None = None,
) -> list[Target]:
    """The targets of the benchmark, each met or not, with the figures behind it.
    ``beside``: by size and endpoint, the baseline measured beside the endpoint
    (``beside_references``); a ratio to the baseline is to it when given, else to the
    size's baseline."""
    sizes = sorted(results)
    targets: list[Target] = []
    for size in sizes:
        run = results[size]
        hello = (hellos or {}).get(size)
        to_baseline = _ratio_to_baseline(run, baselines[size], (beside or {}).get(size, {}))
        if "catalogue_list" in run:
            r, detail = to_baseline("catalogue_list")
            targets.append(
                Target(f"catalogue list >= 0.8x baseline req/s ({size} patients)", r >= 0.8, detail)
            )
            if hello is not None:
                r = ratio(run["catalogue_list"].requests_per_second, hello.requests_per_second)
                targets.append(
                    Target(
                        f"catalogue list >= 0.6x bare Flask hello req/s ({size} patients)",
                        (r or 0) >= 0.6,
                        f"{run['catalogue_list'].requests_per_second:.0f} vs "
                        f"{hello.requests_per_second:.0f} req/s = {r or 0:.2f}x",
                    )
                )
        for name in HALF_BASELINE:
            if name in run:
                r, detail = to_baseline(name)
                targets.append(
                    Target(f"{name} >= 0.5x baseline req/s ({size} patients)", r >= 0.5, detail)
                )
        if "catalogue_304" in run and "catalogue_list" in run:
            r = (
                ratio(
                    run["catalogue_304"].requests_per_second,
                    run["catalogue_list"].requests_per_second,
                )
                or 0
            )
            targets.append(
                Target(
                    f"304 revalidation >= 1.5x catalogue list ({size} patients)",
                    r >= 1.5,
                    f"{run['catalogue_304'].requests_per_second:.0f} vs "
                    f"{run['catalogue_list'].requests_per_second:.0f} req/s = {r:.2f}x",
                )
            )
        if "sync_pull_nothing_new" in run:
            r, detail = to_baseline("sync_pull_nothing_new")
            targets.append(
                Target(
                    f"incremental sync pull, nothing new >= 1.0x baseline req/s ({size} patients)",
                    r >= 1.0,
                    detail,
                )
            )
        for name, label in (("check_in_post", "POST /check-ins"), ("progress_90d", "progress")):
            if name in run:
                p99 = run[name].p99_ms
                targets.append(
                    Target(
                        f"{label} p99 <= 50 ms ({size} patients)",
                        p99 <= 50,
                        f"p99 {p99:.1f} ms",
                    )
                )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for name in results[small]:
            if name not in results[large]:
                continue
            r = (
                ratio(
                    results[large][name].requests_per_second,
                    results[small][name].requests_per_second,
                )
                or 0
            )
            targets.append(
                Target(
                    f"{name} at {large} >= 0.8x at {small} patients",
                    r >= 0.8,
                    f"{results[large][name].requests_per_second:.0f} vs "
                    f"{results[small][name].requests_per_second:.0f} req/s = {r:.2f}x",
                )
            )
    all_rss = [mb for values in worker_rss_mb.values() for mb in values]
    if all_rss:
        targets.append(
            Target(
                f"every worker < {RSS_LIMIT_MB} MB RSS",
                max(all_rss) < RSS_LIMIT_MB,
                f"largest {max(all_rss):.0f} MB ("
                + "; ".join(
                    f"{size}: " + ", ".join(f"{mb:.0f}" for mb in values)
                    for size, values in sorted(worker_rss_mb.items())
                )
                + ")",
            )
        )
    return targets


# --- the report -------------------------------------------------------------------------


def _fmt_ratio(value: float | None) -> str:
    return f"{value:.2f}x" if value is not None else "-"


def markdown_report(
    results: dict[int, dict[str, WrkResult]],
    baselines: dict[int, WrkResult],
    worker_rss_mb: dict[int, list[float]],
    targets: list[Target],
    settings: str,
    hellos: dict[int, WrkResult] | None = None,
    statements: dict[int, dict[str, int]] | None = None,
    beside: dict[int, dict[str, WrkResult]] | None = None,
    ratios: dict[int, dict[str, list[float]]] | None = None,
) -> str:
    """The report. With ``beside`` (``beside_references``), an endpoint's "vs baseline"
    ratios are to the baseline measured beside it, whose req/s a column gives, and a last
    column gives its ratio to the size's baseline (the faster of the runs before and after
    all the endpoints). With ``ratios`` of more than one round, each round's ratio is
    listed under the table (the table gives the median round)."""
    lines = [f"Settings: {settings}", ""]
    for size in sorted(results):
        base = baselines[size]
        hello = (hellos or {}).get(size)
        counted = (statements or {}).get(size, {})
        near = (beside or {}).get(size, {})
        extra = " baseline beside req/s | req/s vs first/last baseline |" if near else ""
        lines += [
            f"### {size} patients",
            "",
            "| endpoint | req/s | p50 ms | p99 ms | non-2xx/3xx | socket errors "
            f"| req/s vs baseline | p99 vs baseline | req/s vs hello | statements |{extra}",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if near else ""),
        ]
        rows = [(BASELINE, base), *([(HELLO, hello)] if hello else []), *results[size].items()]
        for name, res in rows:
            vs_hello = ratio(res.requests_per_second, hello.requests_per_second) if hello else None
            count = counted.get(name, 1 if name == BASELINE else 0 if name == HELLO else None)
            ref = near.get(name, base)
            line = (
                f"| {name} | {res.requests_per_second:.0f} | {res.p50_ms:.1f} | "
                f"{res.p99_ms:.1f} | {res.non_2xx_3xx} | {res.socket_errors} | "
                f"{_fmt_ratio(ratio(res.requests_per_second, ref.requests_per_second))} | "
                f"{_fmt_ratio(ratio(res.p99_ms, ref.p99_ms))} | {_fmt_ratio(vs_hello)} | "
                f"{'-' if count is None else count} |"
            )
            if near:
                line += (
                    f" {ref.requests_per_second:.0f} | "
                    f"{_fmt_ratio(ratio(res.requests_per_second, base.requests_per_second))} |"
                )
            lines.append(line)
        rss = ", ".join(f"{mb:.0f}" for mb in worker_rss_mb.get(size, []))
        lines += ["", f"Worker RSS after the run (MB): {rss or '-'}", ""]
        repeated = {
            name: values for name, values in (ratios or {}).get(size, {}).items() if len(values) > 1
        }
        if repeated:
            lines += [
                "Each round's req/s vs the baseline beside it, in the order driven (the table "
                "gives the median round):",
                "",
                *(
                    f"- {name}: {', '.join(_fmt_ratio(value) for value in values)}"
                    for name, values in repeated.items()
                ),
                "",
            ]
    sizes = sorted(results)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        lines += [
            f"### Scale: {large} vs {small} patients",
            "",
            f"| endpoint | req/s {small} | req/s {large} | ratio | p99 ms {small} "
            f"| p99 ms {large} |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in [BASELINE, HELLO, *results[small]]:
            if name == HELLO:
                a, b = (hellos or {}).get(small), (hellos or {}).get(large)
            elif name == BASELINE:
                a, b = baselines[small], baselines[large]
            else:
                a, b = results[small].get(name), results[large].get(name)
            if a is None or b is None:
                continue
            lines.append(
                f"| {name} | {a.requests_per_second:.0f} | {b.requests_per_second:.0f} | "
                f"{_fmt_ratio(ratio(b.requests_per_second, a.requests_per_second))} | "
                f"{a.p99_ms:.1f} | {b.p99_ms:.1f} |"
            )
        lines.append("")
    lines += ["### Targets", ""]
    lines += [f"- {'met' if t.met else 'NOT MET'}: {t.name}: {t.detail}" for t in targets]
    return "\n".join(lines) + "\n"


# --- processes --------------------------------------------------------------------------


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's packages when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    command = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*command, "apt-get", "update", "-q"], check=True, env=env)
    subprocess.run([*command, "apt-get", "install", "-y", "-q", "wrk"], check=True, env=env)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not available after installing it.")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(
    app_path: str,
    env: dict[str, str],
    workers: int,
    ready_path: str,
    log: Path,
    settings: Sequence[str] = GUNICORN_SETTINGS,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Serve ``app_path`` on 127.0.0.1; yields (base URL, master process)."""
    port = _free_port()
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                *settings,
                app_path,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log_file,
            stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + ready_path, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start {app_path}; see {log}")
            time.sleep(0.3)
        yield base, process
    finally:
        stop_process(process)


def worker_rss_mb(master_pid: int) -> list[float]:
    """VmRSS of each child process of ``master_pid``, in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def run_wrk(
    wrk: str, base: str, script: str, *, duration: int, connections: int, workdir: Path
) -> WrkResult:
    threads = max(1, min(2, connections))
    path = workdir / f"script-{secrets.token_hex(4)}.lua"
    path.write_text(_LUA_PRELUDE.replace("THREADS", str(threads)) + script, encoding="utf-8")
    completed = subprocess.run(
        [
            wrk,
            "--latency",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(path),
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return parse_wrk(completed.stdout)


# --- one size ---------------------------------------------------------------------------


@dataclass
class _Pools:
    patients: list[dict[str, Any]]
    therapist_tokens: list[str]
    slugs: list[str]


def _pools(database_url: str, credentials: dict[str, Any], secret: str) -> _Pools:
    from sqlalchemy import select

    from api.catalogue.models import Exercise
    from api.database import make_engine

    def token(account: dict[str, Any], role: str) -> str:
        return access_token(account, role, secret=secret, minutes=TOKEN_MINUTES)

    now = dt.datetime.now(dt.UTC)
    patients = []
    for patient in credentials["patients"]:
        today = now.astimezone(ZoneInfo(patient["timezone"])).date()
        epoch = int(dt.datetime(today.year, today.month, today.day, 12, tzinfo=dt.UTC).timestamp())
        patients.append({**patient, "token": token(patient, "patient"), "today_epoch": epoch})
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            slugs = list(
                connection.scalars(
                    select(Exercise.slug).where(Exercise.retired_at.is_(None)).order_by(Exercise.id)
                )
            )
    finally:
        engine.dispose()
    return _Pools(
        patients=patients,
        therapist_tokens=[token(t, "therapist") for t in credentials["therapists"]],
        slugs=slugs,
    )


def free_check_in_days(database_url: str, patient_ids: list[int]) -> int:
    """Delete the pool's check-ins of the last CHECK_IN_WINDOW_DAYS days (and today)."""
    from sqlalchemy import delete

    from api.checkins.models import CheckIn
    from api.database import make_engine

    since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=CHECK_IN_WINDOW_DAYS + 1)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(
                delete(CheckIn).where(
                    CheckIn.patient_id.in_(patient_ids), CheckIn.local_date >= since
                )
            )
            return result.rowcount
    finally:
        engine.dispose()


def _etag(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        etag = response.headers.get("ETag")
    if not etag:
        raise SystemExit(f"no ETag on {url}")
    return etag


def measure_size(
    database_url: str,
    *,
    patients: int,
    days: int,
    duration: int,
    connections: int,
    workers: int,
    wrk: str,
    workdir: Path,
    explain: bool,
    only: frozenset[str] = frozenset(),
    rounds: int = 1,
    log: Callable[[str], None] = print,
) -> SizeRun:
    """Seed, count statements, serve and drive one size: each endpoint ``rounds`` times
    in a row, each round beside a baseline run (``median_rounds``)."""
    from benchmarks.seed import print_report, seed

    log(f"== Seeding {patients} patients x {days} days")
    report = seed(database_url, patients=patients, days=days, out=workdir / "seed.json")
    print_report(report)
    if explain:
        from benchmarks.explain import explain_report

        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        target = RESULTS_DIR / f"explain-{patients}.txt"
        target.write_text(explain_report(database_url, report.credentials), encoding="utf-8")
        log(f"   query plans: {target}")
    from benchmarks.statements import count_statements

    statements = count_statements(database_url, report.credentials)
    log(f"   statements per request: {statements}")
    secret = secrets.token_urlsafe(48)
    pools = _pools(database_url, report.credentials, secret)
    env = {
        "UPRIGHT_ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": database_url,
        "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Both apps reach PostgreSQL directly (no PgBouncer), as a deployment without a
        # pooler is configured: statements run often are prepared (README, Configuration).
        "DB_PREPARED_STATEMENTS": "true",
    }
    drive = {"duration": duration, "connections": connections, "workdir": workdir}
    log_file = workdir / "gunicorn.log"
    from benchmarks.baseline_app import BASELINE_PATH, HELLO_PATH

    patient_tokens = [p["token"] for p in pools.patients]
    scripts: dict[str, Callable[[], str]] = {
        "catalogue_list": lambda: lua_get(CATALOGUE_LIST),
        "exercise_detail": lambda: lua_get_rotating(
            [f"/api/v1/exercises/{slug}" for slug in pools.slugs]
        ),
        "catalogue_304": lambda: lua_get(  # the ETag of the app server started below
            CATALOGUE_LIST, headers={"If-None-Match": _etag(base + CATALOGUE_LIST)}
        ),
        "today": lambda: lua_get("/api/v1/me/today", patient_tokens),
        "progress_90d": lambda: lua_get("/api/v1/me/progress", patient_tokens),
        "therapist_patients": lambda: lua_get("/api/v1/patients", pools.therapist_tokens),
        "therapist_alerts": lambda: lua_get("/api/v1/alerts", pools.therapist_tokens),
        "check_in_post": lambda: lua_check_ins(pools.patients),
        "session_post": lambda: lua_sessions(pools.patients, secrets.token_hex(3)),
        "sync_pull_nothing_new": lambda: lua_get_pairs(
            [(f"/api/v1/sync?cursor={cursors[p['id']]}", p["token"]) for p in pools.patients]
        ),
        "sync_snapshot": lambda: lua_get("/api/v1/sync?limit=1000", patient_tokens),
        "sync_push_30": lambda: lua_sync_push(pools.patients, secrets.token_hex(3)),
    }
    cursors = sync_cursors(database_url, secret, [p["id"] for p in pools.patients])
    # The baseline app serves beside the app for the whole size (idle while the app is
    # driven): a baseline run just before each measured endpoint, and one after the last,
    # give each endpoint the reference measured beside it (``beside_references``).
    sequence: list[tuple[str, WrkResult]] = []
    with gunicorn("benchmarks.baseline_app:app", env, workers, BASELINE_PATH, log_file) as (
        reference_base,
        reference_process,
    ):

        def reference() -> tuple[WrkResult, WrkResult]:
            run_wrk(wrk, reference_base, lua_get(BASELINE_PATH), **{**drive, "duration": 2})
            baseline = run_wrk(wrk, reference_base, lua_get(BASELINE_PATH), **drive)
            log(f"   {BASELINE:<20} {_line(baseline)}")
            run_wrk(wrk, reference_base, lua_get(HELLO_PATH), **{**drive, "duration": 2})
            hello = run_wrk(wrk, reference_base, lua_get(HELLO_PATH), **drive)
            log(f"   {HELLO:<20} {_line(hello)}")
            return baseline, hello

        def beside() -> None:
            """A baseline run between two measured endpoints."""
            result = run_wrk(wrk, reference_base, lua_get(BASELINE_PATH), **drive)
            sequence.append((BASELINE, result))
            log(f"   {'(baseline beside)':<20} {_line(result)}")

        baseline, hello = reference()
        sequence.append((BASELINE, baseline))
        baseline_rss = worker_rss_mb(reference_process.pid)
        # The memoised reads first on a server without the memo: what a first read, or a
        # read after a change, costs. Before any POST: the check-in run's red flags place
        # exercise holds (on about 60 of the 100-patient pool, 4 of the 200 of larger
        # sizes), and a patient on hold has a cheaper today; read after it, the small pool
        # flattered the computed today by about a third (858-897 req/s at 100 patients,
        # 558-614 at 10,000).
        memo_off = [name for name in MEMOISED if not only or name in only]
        if memo_off:
            with gunicorn(
                "wsgi:app",
                {**env, "ANSWER_MEMO_BYTES": "0"},
                workers,
                "/ready",
                log_file,
                APP_GUNICORN_SETTINGS,
            ) as (memo_off_base, _):
                for name in memo_off:
                    run_wrk(wrk, memo_off_base, scripts[name](), **{**drive, "duration": 2})
                    for number in range(1, rounds + 1):
                        if sequence[-1][0] != BASELINE:
                            beside()
                        result = run_wrk(wrk, memo_off_base, scripts[name](), **drive)
                        sequence.append((_round(name + MEMO_OFF, number), result))
                        log(f"   {name + MEMO_OFF:<20} {_line(result)}")
        with gunicorn("wsgi:app", env, workers, "/ready", log_file, APP_GUNICORN_SETTINGS) as (
            base,
            process,
        ):
            run_wrk(wrk, base, lua_get(CATALOGUE_LIST), **{**drive, "duration": 2})
            for name, _ in ENDPOINTS:
                if only and name not in only:
                    continue
                if name in WARMED:  # as the baseline: 2 s first (the memo filled, if any)
                    if name == "check_in_post":
                        free_check_in_days(database_url, [p["id"] for p in pools.patients])
                    run_wrk(wrk, base, scripts[name](), **{**drive, "duration": 2})
                for number in range(1, rounds + 1):
                    if name == "check_in_post":
                        # The server may still be committing the last requests of the run
                        # before when wrk stops; one freed before it commits would answer
                        # 409 in the measured run.
                        time.sleep(WARM_UP_SETTLE_SECONDS)
                        freed = free_check_in_days(database_url, [p["id"] for p in pools.patients])
                        log(f"   (freed {freed} check-in days for the check-in run)")
                    if sequence[-1][0] != BASELINE:
                        beside()
                    offset = log_file.stat().st_size
                    result = run_wrk(wrk, base, scripts[name](), **drive)
                    sequence.append((_round(name, number), result))
                    rss = ", ".join(f"{mb:.0f}" for mb in worker_rss_mb(process.pid))
                    log(f"   {name:<20} {_line(result)}  RSS MB {rss}")
                    if result.non_2xx_3xx:  # what they were, from the server's request log
                        refused = _refused_since(log_file, offset) or "not logged"
                        log(f"   {'':<20} refused: {refused}")
            app_rss = worker_rss_mb(process.pid)
        # The references again after the app: a machine busier during one of the two runs
        # would flatter every ratio. The faster of the two is kept (the harder comparison).
        log("   the baseline and hello again, after the app:")
        again, hello_again = reference()
        sequence.append((BASELINE, again))
    baseline = max(baseline, again, key=lambda r: r.requests_per_second)
    hello = max(hello, hello_again, key=lambda r: r.requests_per_second)
    log(f"   worker RSS MB: app {app_rss}, baseline {baseline_rss}")
    measured = median_rounds(sequence)
    return SizeRun(
        measured.results,
        baseline,
        hello,
        statements,
        app_rss,
        baseline_rss,
        measured.beside,
        measured.ratios,
    )


def _round(name: str, number: int) -> str:
    return name if number == 1 else f"{name}{ROUND_MARK}{number}"


@dataclass
class SizeRun:
    """What one size measured."""

    results: dict[str, WrkResult]
    baseline: WrkResult
    hello: WrkResult
    statements: dict[str, int]
    app_rss: list[float]
    baseline_rss: list[float]
    #: by endpoint, the baseline measured beside it (``beside_references``)
    beside: dict[str, WrkResult]
    #: by endpoint, each round's ratio to the baseline beside it (``median_rounds``)
    ratios: dict[str, list[float]]


def refused_statuses(log_text: str) -> dict[str, int]:
    """``"METHOD path status"`` -> count, for the requests the app answered with 4xx or 5xx,
    from its request log lines (``api/request_log.py``) in ``log_text``."""
    counts: dict[str, int] = {}
    for line in log_text.splitlines():
        if not line.startswith('{"event": "request"'):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("status", 0) >= 400:
            key = f"{entry['method']} {entry['path']} {entry['status']}"
            counts[key] = counts.get(key, 0) + 1
    return counts


def _refused_since(log_file: Path, offset: int) -> dict[str, int]:
    with log_file.open("rb") as handle:
        handle.seek(offset)
        return refused_statuses(handle.read().decode("utf-8", "replace"))


def _line(result: WrkResult) -> str:
    return (
        f"{result.requests_per_second:8.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
        f"p99 {result.p99_ms:6.1f} ms  non-2xx/3xx {result.non_2xx_3xx}  "
        f"socket errors {result.socket_errors}"
    )


@contextmanager
def database(engine: str, workdir: Path, *, durable: bool = False) -> Iterator[str]:
    """A fresh empty database: a throwaway PostgreSQL cluster or a SQLite file.
    ``durable``: PostgreSQL flushes each commit to the disk (its defaults, as in
    production); else it runs with the test suite's settings (no fsync, no synchronous
    commit, no full-page writes)."""
    if engine == "sqlite":
        yield f"sqlite:///{workdir / f'bench-{secrets.token_hex(4)}.sqlite3'}"
        return
    from tests.run_all import ThrowawayPostgres, ensure_postgres

    server = ThrowawayPostgres(ensure_postgres(), durable=durable)
    try:
        yield server.start()
    finally:
        server.stop()


def _durability(args: argparse.Namespace) -> str:
    if args.durable:
        return " (durable: each commit flushed to the disk)"
    return " (not durable: fsync, synchronous_commit and full_page_writes off)"


def _machine() -> str:
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--patients", default="100,10000", help="comma-separated sizes")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs of each endpoint in a row, each beside a baseline run; the median round "
        "by its ratio to the baseline beside it is reported",
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--explain", action="store_true", help="also write query plans")
    parser.add_argument(
        "--durable",
        action="store_true",
        help="PostgreSQL flushes each commit to the disk (its defaults); by default it runs "
        "with the test suite's settings (fsync, synchronous_commit and full_page_writes off)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated endpoint names to drive (default: all); the baseline and "
        "hello always run",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    sizes = [int(size) for size in args.patients.split(",") if size.strip()]
    only = frozenset(name.strip() for name in args.only.split(",") if name.strip())
    unknown = only - {name for name, _ in ENDPOINTS}
    if unknown:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}")
    wrk = ensure_wrk()
    results: dict[int, dict[str, WrkResult]] = {}
    baselines: dict[int, WrkResult] = {}
    hellos: dict[int, WrkResult] = {}
    statements: dict[int, dict[str, int]] = {}
    rss: dict[int, list[float]] = {}
    beside: dict[int, dict[str, WrkResult]] = {}
    ratios: dict[int, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="upright-bench-") as tmp:
        workdir = Path(tmp)
        for size in sizes:
            with database(args.engine, workdir, durable=args.durable) as url:
                run = measure_size(
                    url,
                    patients=size,
                    days=args.days,
                    duration=args.duration,
                    connections=args.connections,
                    workers=args.workers,
                    wrk=wrk,
                    workdir=workdir,
                    explain=args.explain and args.engine == "postgresql",
                    only=only,
                    rounds=max(1, args.rounds),
                )
                results[size], baselines[size], hellos[size] = run.results, run.baseline, run.hello
                ratios[size] = run.ratios
                statements[size], rss[size] = run.statements, run.app_rss
                beside[size] = run.beside
    targets = evaluate_targets(results, baselines, rss, hellos, beside)
    settings = (
        f"{dt.date.today().isoformat()}, {_machine()}; {args.engine}"
        f"{_durability(args) if args.engine == 'postgresql' else ''}; {args.days} days; "
        f"wrk {args.connections} connections, {args.duration} s per endpoint, "
        f"{max(1, args.rounds)} round(s) each; gunicorn "
        f"--workers {args.workers} {' '.join(GUNICORN_SETTINGS)} (the app: "
        f"{' '.join(APP_GUNICORN_SETTINGS)})"
    )
    report = markdown_report(
        results, baselines, rss, targets, settings, hellos, statements, beside, ratios
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "latest.md").write_text(report, encoding="utf-8")
    print()
    print(report)
    print(f"Written to {RESULTS_DIR / 'latest.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
