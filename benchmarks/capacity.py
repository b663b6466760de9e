"""Capacity per core: how many patients one core serves at the p99 target.

    python -m benchmarks.capacity [--patients 1000] [--days 90] [--duration 8]
                                  [--connections 1,2,4] [--workers 2] [--p99-ms 50]
                                  [--peak 3]

A patient's day is 2 check-ins, 1 exercise session and 10 reads (8 x ``GET
/me/today``, 2 x ``GET /me/progress``). A throwaway PostgreSQL is seeded, the app
runs under gunicorn as in production, and wrk drives each request kind at each
concurrency for a fixed time. At the highest concurrency where every kind's p99
stays within the target, a patient-day costs ``sum(weight / req_per_s)`` seconds
of the whole machine (app, PostgreSQL and wrk share its cores), so

    patients per core = 86400 / cost_per_patient_day / peak / cores

where ``peak`` is how much busier the busiest hour is than the average hour (3:
check-ins cluster in the morning and evening). The CPU time the app and
PostgreSQL spend per request is measured too (from /proc), which says where a
core goes. The report is printed and written to ``benchmarks/results/capacity.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.run import (
    APP_GUNICORN_SETTINGS,
    RESULTS_DIR,
    WrkResult,
    _machine,
    _pools,
    database,
    ensure_wrk,
    free_check_in_days,
    gunicorn,
    lua_check_ins,
    lua_get,
    lua_sessions,
    run_wrk,
)

#: (name, requests per patient per day)
DAY = (("check_in_post", 2), ("session_post", 1), ("today", 8), ("progress_90d", 2))
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU of these processes and their reaped children, in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _postgres_pid(database_url: str) -> int:
    """The postmaster of the throwaway cluster the URL points at (its socket folder)."""
    folder = database_url.split("host=", 1)[1].split("&", 1)[0]
    return int((Path(folder) / "data" / "postmaster.pid").read_text().split()[0])


@dataclass
class Measure:
    result: WrkResult
    app_cpu_ms: float  # gunicorn workers' CPU per request
    db_cpu_ms: float  # PostgreSQL's CPU per request

    @property
    def cpu_ms(self) -> float:
        return self.app_cpu_ms + self.db_cpu_ms


def measure(
    wrk: str,
    base: str,
    script: str,
    *,
    pids: Callable[[], tuple[list[int], list[int]]],
    duration: int,
    connections: int,
    workdir: Path,
) -> Measure:
    app_before, db_before = (_cpu_seconds(group) for group in pids())
    result = run_wrk(wrk, base, script, duration=duration, connections=connections, workdir=workdir)
    app_after, db_after = (_cpu_seconds(group) for group in pids())
    count = max(1, result.requests)
    return Measure(
        result, 1000 * (app_after - app_before) / count, 1000 * (db_after - db_before) / count
    )


def per_day(measures: dict[str, Measure], value: Callable[[Measure], float]) -> float:
    return sum(weight * value(measures[name]) for name, weight in DAY)


def capacity(measures: dict[str, Measure], *, cores: int, peak: float) -> tuple[float, float]:
    """(machine seconds per patient-day, patients per core)."""
    seconds = per_day(measures, lambda m: 1 / m.result.requests_per_second)
    return seconds, 86400 / seconds / peak / cores


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capacity", description=__doc__)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--duration", type=int, default=8, help="seconds per kind and level")
    parser.add_argument("--connections", default="1,2,4", help="concurrency levels to try")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--p99-ms", type=float, default=50.0, help="the p99 target")
    parser.add_argument("--peak", type=float, default=3.0, help="busiest hour / average hour")
    args = parser.parse_args(list(argv) if argv is not None else None)
    levels = [int(c) for c in args.connections.split(",")]
    cores = os.cpu_count() or 1
    wrk = ensure_wrk()
    from benchmarks.seed import seed

    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    with tempfile.TemporaryDirectory(prefix="upright-capacity-") as folder:
        workdir = Path(folder)
        with database("postgresql", workdir) as url:
            report = seed(url, patients=args.patients, days=args.days, out=workdir / "seed.json")
            secret = secrets.token_urlsafe(48)
            pools = _pools(url, report.credentials, secret)
            tokens = [p["token"] for p in pools.patients]
            ids = [p["id"] for p in pools.patients]
            env = {
                "UPRIGHT_ENV": "production",
                "SECRET_KEY": secret,
                "DATABASE_URL": url,
                "RATELIMIT_ENABLED": "false",
                "LOG_LEVEL": "WARNING",
            }
            postmaster = _postgres_pid(url)
            scripts: dict[str, Callable[[], str]] = {
                "check_in_post": lambda: lua_check_ins(pools.patients),
                "session_post": lambda: lua_sessions(pools.patients, secrets.token_hex(3)),
                "today": lambda: lua_get("/api/v1/me/today", tokens),
                "progress_90d": lambda: lua_get("/api/v1/me/progress", tokens),
            }
            by_level: dict[int, dict[str, Measure]] = {}
            with gunicorn(
                "wsgi:app", env, args.workers, "/ready", workdir / "g.log", APP_GUNICORN_SETTINGS
            ) as (
                base,
                process,
            ):

                def pids() -> tuple[list[int], list[int]]:
                    return _children(process.pid), [postmaster, *_children(postmaster)]

                drive = {"duration": args.duration, "workdir": workdir, "pids": pids}
                run_wrk(wrk, base, scripts["today"](), duration=2, connections=2, workdir=workdir)
                for level in levels:
                    by_level[level] = {}
                    for name, _weight in DAY:
                        if name == "check_in_post":
                            free_check_in_days(url, ids)
                        by_level[level][name] = measure(
                            wrk, base, scripts[name](), connections=level, **drive
                        )
    say(
        f"Measured {dt.date.today().isoformat()} on {_machine()}: {args.patients} patients x "
        f"{args.days} days on PostgreSQL, gunicorn {args.workers} workers x 4 threads, wrk on "
        f"the same machine, {args.duration} s per kind and level."
    )
    say("")
    say(
        "| connections | kind | per day | req/s | p50 ms | p99 ms | app CPU ms/request "
        "| PostgreSQL CPU ms/request |"
    )
    say("|---:|---|---:|---:|---:|---:|---:|---:|")
    best = None
    for level in levels:
        for name, weight in DAY:
            m = by_level[level][name]
            say(
                f"| {level} | {name} | {weight} | {m.result.requests_per_second:.0f} | "
                f"{m.result.p50_ms:.1f} | {m.result.p99_ms:.1f} | {m.app_cpu_ms:.1f} | "
                f"{m.db_cpu_ms:.1f} |"
            )
        worst = max(by_level[level][name].result.p99_ms for name, _ in DAY)
        if worst <= args.p99_ms:
            best = level
    say("")
    chosen = best if best is not None else levels[0]
    measures = by_level[chosen]
    seconds, per_core = capacity(measures, cores=cores, peak=args.peak)
    app_ms = per_day(measures, lambda m: m.app_cpu_ms)
    db_ms = per_day(measures, lambda m: m.db_cpu_ms)
    met = "within" if best is not None else "NOT within (lowest level used)"
    say(
        f"At {chosen} connection(s), every p99 {met} {args.p99_ms:g} ms: a patient-day "
        f"(2 check-ins, 1 session, 10 reads) takes {1000 * seconds:.0f} ms of this "
        f"{cores}-core machine; CPU: app {app_ms:.0f} ms, PostgreSQL {db_ms:.0f} ms "
        f"({100 * db_ms / max(0.001, app_ms + db_ms):.0f}% in the database)."
    )
    say(
        f"By CPU alone: one core of API servers serves {86400_000 / app_ms / args.peak:,.0f} "
        f"patients and one core of PostgreSQL {86400_000 / db_ms / args.peak:,.0f} "
        f"(busiest hour {args.peak:g}x the average, cores fully used)."
    )
    say(
        f"Capacity: {per_core:,.0f} patients per core with the busiest hour {args.peak:g}x "
        f"the average ({per_core * args.peak:,.0f} at an even load)."
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "capacity.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
