"""gunicorn settings for Upright: ``gunicorn -c python:api.gunicorn_conf wsgi:app``.

Threaded workers: a request that waits on the database holds one thread, not the
whole worker, so ``/health`` and other requests keep being answered, and the
worker keeps telling the master it is alive (no "WORKER TIMEOUT" kills). Every
database wait is bounded by the app itself (``DB_STATEMENT_TIMEOUT``,
``DB_CONNECT_TIMEOUT``, ``DB_POOL_TIMEOUT``), well inside ``timeout``.

Command-line options win over these values (e.g. ``-b 127.0.0.1:8000``).
"""

from __future__ import annotations

import os

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
