"""gunicorn settings for Upright: ``gunicorn -c python:api.gunicorn_conf wsgi:app``.

Threaded workers: a request that waits on the database holds one thread, not the
whole worker, so ``/health`` and other requests keep being answered, and the
worker keeps telling the master it is alive (no "WORKER TIMEOUT" kills). Every
database wait is bounded by the app itself (``DB_STATEMENT_TIMEOUT``,
``DB_CONNECT_TIMEOUT``, ``DB_POOL_TIMEOUT``), well inside ``timeout``.

Command-line options win over these values (e.g. ``-b 127.0.0.1:8000``).
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
from typing import Any

#: The project's gthread worker: gunicorn's own, answering the requests it refuses
#: (over-long request line or headers) in the API's JSON error format.
worker_class = "api.gunicorn_worker.ThreadWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
#: At most the database pool's size per worker (``DB_POOL_SIZE`` + ``DB_MAX_OVERFLOW``,
#: 5 + 5 by default), so no thread waits for a connection while another holds two.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
#: Seconds without a heartbeat before the master restarts a worker. Threaded workers
#: beat while requests run; the longest database wait (statement, connection, pool) is
#: a few seconds.
timeout = 30
graceful_timeout = 20  # seconds in-flight requests get to finish on a restart or stop
keepalive = 5  # seconds an idle keep-alive connection stays open (behind a proxy)

#: gunicorn's own ceilings. The app refuses smaller sizes first (see api/http.py:
#: MAX_URL_LENGTH, MAX_HEADER_LINE, MAX_HEADER_COUNT); both answer in the error format.
limit_request_line = 8190  # bytes in "METHOD /path?query HTTP/1.1" (gunicorn's maximum)
limit_request_fields = 100  # headers per request
limit_request_field_size = 8190  # bytes in one header line

# --- Worker memory (each worker stays well under 120 MB RSS) ---------------------------
#: glibc's malloc gives threads that allocate at the same time their own arenas (up to 8
#: per core), and memory freed in one arena serves only the threads using it. Two arenas
#: for a worker's threads keep a sync snapshot's peak from settling in four to eight of
#: them (measured: 4 threads x 8 snapshots of 1,000 changes, 116 MB -> 111.5 MB).
MALLOC_ARENAS = 2
#: After an answer at least this large (a sync snapshot of 1,000 changes is about 0.9 MB;
#: other answers are a few kB), the worker hands glibc's free pages back to the system
#: (``malloc_trim``: about 0.1 ms, next to about 170 ms for such a snapshot), so the peak
#: of one large answer is not kept (measured as above: 116 MB -> 111.4 MB).
TRIM_AFTER_BYTES = 256 * 1024
_M_ARENA_MAX = -8  # <malloc.h>


def _glibc() -> Any:
    """The C library's malloc tuning calls, or None where they do not exist (not glibc)."""
    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded into this process
    except OSError:
        return None
    if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim"):
        return libc
    return None


_LIBC = _glibc()


# --- Threads and the GIL ------------------------------------------------------------------
#: Seconds a thread may hold the GIL while another waits for it (Python's default: 5 ms).
#: A request thread gives up the GIL at each round trip to PostgreSQL; when the answer
#: arrives, it waits for the thread then running Python, which kept the GIL for up to the
#: whole interval: a check-in's 4 round trips could each wait 5 ms while the cores sat
#: partly idle. Measured with benchmarks/run.py (100 patients, 2 workers x 4 threads, the
#: same run's order): POST /check-ins 376-442 req/s at 5 ms, 759 at 1 ms, 816 at 0.5 ms,
#: 615 at 0.2 ms (more time lost to switching).
SWITCH_INTERVAL = 0.0005


def post_fork(server: Any, worker: Any) -> None:
    """In each new worker, before its threads start: the GIL's switch interval, and cap
    glibc's malloc arenas."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    if _LIBC is not None:
        _LIBC.mallopt(_M_ARENA_MAX, MALLOC_ARENAS)


# --- Garbage collection ---------------------------------------------------------------
#: A loaded worker holds about 160,000 objects that live as long as it does (modules, the
#: SQLAlchemy mappings, schemas, the OpenAPI spec). Python's full collection scans every
#: one of them, about 85 ms during which the worker's threads all stand still; it came
#: about once per 1,000 check-ins (in-process, 1,000 POST /check-ins: one full collection
#: of 95 ms). Frozen once the app is loaded (``gc.freeze``, after a collection so that no
#: garbage is frozen with them), they are left out of every later collection: the same
#: 1,000 check-ins then spend 4 ms in the collector instead of 98 ms.


def post_worker_init(worker: Any) -> None:
    """Once the worker has loaded the app: collect, then freeze what is left."""
    gc.collect()
    gc.freeze()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    """After a large answer, return the memory it freed to the system."""
    if _LIBC is not None and getattr(resp, "sent", 0) >= TRIM_AFTER_BYTES:
        _LIBC.malloc_trim(0)
