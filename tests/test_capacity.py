"""The capacity arithmetic of benchmarks/capacity.py (no server, no wrk)."""

from __future__ import annotations

import pytest

from benchmarks.capacity import DAY, Measure, capacity, per_day
from benchmarks.run import WrkResult


def _measure(rps: float, app_ms: float, db_ms: float) -> Measure:
    result = WrkResult(
        requests_per_second=rps,
        p50_ms=5,
        p99_ms=20,
        requests=int(rps * 10),
        non_2xx_3xx=0,
        socket_errors=0,
    )
    return Measure(result, app_ms, db_ms)


def test_a_patient_day_is_2_check_ins_1_session_and_10_reads():
    assert sum(weight for _name, weight in DAY) == 13
    assert dict(DAY)["check_in_post"] == 2 and dict(DAY)["session_post"] == 1


def test_patients_per_core_from_the_cost_of_a_patient_day():
    # every kind at 100 req/s: 13 requests take 0.13 s of the machine
    measures = {name: _measure(100, 3, 1) for name, _ in DAY}
    seconds, per_core = capacity(measures, cores=2, peak=3)
    assert seconds == pytest.approx(0.13)
    assert per_core == pytest.approx(86400 / 0.13 / 3 / 2)
    assert per_day(measures, lambda m: m.cpu_ms) == pytest.approx(13 * 4)


def test_a_slower_kind_lowers_the_capacity():
    fast = {name: _measure(100, 3, 1) for name, _ in DAY}
    slow = {**fast, "session_post": _measure(10, 3, 1)}
    assert capacity(slow, cores=2, peak=3)[1] < capacity(fast, cores=2, peak=3)[1]
