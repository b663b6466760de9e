"""Each gunicorn worker stays small (issue 18: under 120 MB RSS through the benchmark).

What only a few code paths need is imported by them, not by every worker at start-up;
the shipped gunicorn configuration caps glibc's malloc arenas and returns freed memory
after large answers. Memory itself is measured by ``benchmarks/run.py``, not here.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.app.base import Application

from api import gunicorn_conf

ROOT = Path(__file__).resolve().parent.parent

#: Loaded on first use only: the job queue (Celery, kombu, amqp, billiard), the FCM
#: client (google-auth, requests) and the chart and PDF library of the reports.
LAZY_MODULES = ("celery", "kombu", "amqp", "billiard", "google.auth", "requests", "reportlab")


def test_serving_does_not_load_the_job_queue_push_client_or_pdf_library(database_url):
    code = (
        "import sys, json\n"
        "from api import create_app\n"
        "app = create_app({'UPRIGHT_ENV': 'production', 'DATABASE_URL': sys.argv[1], "
        "'SECRET_KEY': 'k' * 64, 'RATELIMIT_ENABLED': False})\n"
        "client = app.test_client()\n"
        "assert client.get('/ready').status_code == 200\n"
        "assert client.get('/api/v1/exercises').status_code == 200\n"
        "assert client.get('/api/v1/openapi.json').status_code == 200\n"
        f"print(json.dumps([m for m in {LAZY_MODULES!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, database_url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_job_queue_is_built_once_on_first_use(app):
    from api.jobs.dispatch import celery_app

    assert "upright.celery" not in app.extensions
    celery = celery_app(app)
    assert celery_app(app) is celery
    assert celery.conf.broker_url == "memory://"  # no CELERY_BROKER_URL in the tests
    assert {"upright.deliver", "upright.tick"} <= set(celery.tasks)


def test_each_app_registers_the_tasks_on_its_own_job_queue_only(app_config):
    from api import create_app
    from api.database import state
    from api.jobs.dispatch import celery_app

    apps = [create_app(app_config) for _ in range(2)]
    try:
        for app in apps:  # a task registered twice under one name would warn (an error here)
            tasks = celery_app(app).tasks
            assert tasks["upright.deliver"].app is celery_app(app)
    finally:
        for app in apps:
            state(app).engine.dispose()


class _FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def mallopt(self, *args: int) -> int:
        self.calls.append(("mallopt", args))
        return 1

    def malloc_trim(self, *args: int) -> int:
        self.calls.append(("malloc_trim", args))
        return 1


class _ShippedConfig(Application):
    """gunicorn reading ``-c python:api.gunicorn_conf`` as the deploy commands do."""

    def load_config(self) -> None:
        self.load_config_from_module_name_or_filename("python:api.gunicorn_conf")

    def load(self):  # pragma: no cover - never served
        raise AssertionError


@pytest.fixture(autouse=True)
def _switch_interval():
    """``post_fork`` sets the interpreter's GIL switch interval: restored after each test."""
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def _unfreeze():
    """``post_worker_init`` freezes the objects alive: given back to the collector after."""
    yield
    gc.unfreeze()


@pytest.fixture
def libc(monkeypatch) -> _FakeLibc:
    fake = _FakeLibc()
    monkeypatch.setattr(gunicorn_conf, "_LIBC", fake)
    return fake


def test_each_new_worker_caps_malloc_arenas_at_two(libc):
    cfg = _ShippedConfig().cfg
    cfg.post_fork(SimpleNamespace(), SimpleNamespace())
    assert libc.calls == [("mallopt", (-8, 2))]  # M_ARENA_MAX


def test_each_new_worker_hands_the_gil_on_after_half_a_millisecond(libc):
    """A thread whose database answer arrived waits at most 0.5 ms for the GIL, not
    Python's default 5 ms (api/gunicorn_conf.py: SWITCH_INTERVAL)."""
    sys.setswitchinterval(0.005)  # Python's default
    _ShippedConfig().cfg.post_fork(SimpleNamespace(), SimpleNamespace())
    assert sys.getswitchinterval() == pytest.approx(0.0005)


@pytest.mark.usefixtures("_unfreeze")
def test_a_loaded_worker_leaves_its_start_up_objects_out_of_later_collections():
    """After ``post_worker_init`` a full collection no longer scans the objects the app
    was loaded with (api/gunicorn_conf.py: a full collection of a loaded worker scans
    about 160,000 of them), and garbage of that time was collected, not frozen."""
    gc.unfreeze()

    class Node:
        pass

    garbage = Node()
    garbage.itself = garbage  # a cycle: only the collector frees it
    freed = weakref.ref(garbage)
    del garbage
    alive = len(gc.get_objects())

    _ShippedConfig().cfg.post_worker_init(SimpleNamespace())

    assert freed() is None
    assert gc.get_freeze_count() >= alive // 2
    assert len(gc.get_objects()) < 1_000  # what a full collection still scans


@pytest.mark.parametrize(
    ("sent", "trimmed"),
    [(256 * 1024, True), (900_000, True), (256 * 1024 - 1, False), (2_000, False), (0, False)],
)
def test_freed_memory_is_returned_after_large_answers_only(libc, sent, trimmed):
    cfg = _ShippedConfig().cfg
    cfg.post_request(SimpleNamespace(), SimpleNamespace(), {}, SimpleNamespace(sent=sent))
    assert libc.calls == ([("malloc_trim", (0,))] if trimmed else [])


def test_a_request_that_failed_before_its_answer_is_not_trimmed(libc):
    cfg = _ShippedConfig().cfg
    cfg.post_request(SimpleNamespace(), SimpleNamespace(), {}, None)
    assert libc.calls == []


def test_without_glibc_the_malloc_hooks_do_nothing(monkeypatch):
    monkeypatch.setattr(gunicorn_conf, "_LIBC", None)
    cfg = _ShippedConfig().cfg
    cfg.post_fork(SimpleNamespace(), SimpleNamespace())
    cfg.post_request(SimpleNamespace(), SimpleNamespace(), {}, SimpleNamespace(sent=10**7))


def test_glibc_is_found_where_the_app_is_deployed():
    # Debian-based Linux, as the deploy section of the README says: the hooks are live.
    assert gunicorn_conf._glibc() is not None


def test_the_benchmark_serves_the_app_with_the_shipped_config():
    from benchmarks.run import APP_GUNICORN_SETTINGS

    settings = list(APP_GUNICORN_SETTINGS)
    assert settings[settings.index("-c") + 1] == "python:api.gunicorn_conf"
