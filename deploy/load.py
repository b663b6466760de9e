"""Mixed load against a running cluster, retrying as the app does.

Each client is one patient: it signs in now and then, posts check-ins (each for
another day) and exercise sessions, each with its own ``client_id``, and reads
its day and its check-ins. A request that gets no answer, or a 502/503/504, is
sent again unchanged (the same ``client_id``), as the mobile app does; the
figures count what the client saw.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

RETRY_STATUSES = {502, 503, 504}
PASSWORD = "a sturdy passphrase for load"


@dataclass
class Figures:
    requests: int = 0  # answered or not, retries included
    errors: int = 0  # no answer, or a 502/503/504
    retries: int = 0
    failed: list[str] = field(default_factory=list)  # gave up after every retry
    unexpected: list[str] = field(default_factory=list)  # an answer the client did not expect
    check_ins: set[str] = field(default_factory=set)  # client ids acknowledged
    sessions: set[str] = field(default_factory=set)
    error_times: list[float] = field(default_factory=list)  # monotonic
    error_kinds: list[str] = field(default_factory=list)  # "POST /check-ins: 502", ...
    lock: threading.Lock = field(default_factory=threading.Lock)

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "retries": self.retries,
            "failed": len(self.failed),
            "unexpected": len(self.unexpected),
            "check_ins": len(self.check_ins),
            "sessions": len(self.sessions),
            "error_kinds": sorted(set(self.error_kinds)),
        }


def send(
    http: requests.Session,
    figures: Figures,
    method: str,
    url: str,
    expected: set[int],
    attempts: int = 20,
    **kwargs: Any,
) -> requests.Response | None:
    """One request with the app's retry rule; None when every attempt failed."""
    for attempt in range(attempts):
        if attempt:
            with figures.lock:
                figures.retries += 1
            time.sleep(min(0.1 * attempt, 0.5))
        with figures.lock:
            figures.requests += 1
        try:
            answer = http.request(method, url, timeout=10, **kwargs)
            outcome = f"{answer.status_code} {answer.text[:80]!r}"
        except requests.RequestException as error:
            answer = None
            outcome = type(error).__name__
        if answer is None or answer.status_code in RETRY_STATUSES:
            with figures.lock:
                figures.errors += 1
                figures.error_times.append(time.monotonic())
                figures.error_kinds.append(f"{method} {url.split('/api/v1')[-1]}: {outcome}")
            continue
        if answer.status_code not in expected:
            with figures.lock:
                figures.unexpected.append(f"{method} {url}: {answer.status_code} {answer.text}")
        return answer
    with figures.lock:
        figures.failed.append(f"{method} {url}")
    return None


def register(base: str, email: str) -> None:
    answer = requests.post(
        f"{base}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Load"},
        timeout=10,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"registration failed: {answer.status_code} {answer.text}")


def _patient(
    base: str, email: str, exercises: list[str], figures: Figures, stop: threading.Event
) -> None:
    api = f"{base}/api/v1"
    http = requests.Session()
    rng = random.Random(email)
    day = 0
    n = 0
    while not stop.is_set():
        if n % 10 == 0:
            answer = send(
                http, figures, "POST", f"{api}/auth/login", {200},
                json={"email": email, "password": PASSWORD},
            )  # fmt: skip
            if answer is None or answer.status_code != 200:
                return
            http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        n += 1
        kind = n % 4
        if kind == 1 and day < 89:
            day += 1
            client_id = f"load-{uuid.uuid4().hex}"
            date = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=day)).isoformat()
            answer = send(
                http, figures, "POST", f"{api}/check-ins", {200, 201},
                json={"client_id": client_id, "date": date, "pain": rng.randint(0, 6)},
            )  # fmt: skip
            if answer is not None and answer.status_code in (200, 201):
                with figures.lock:
                    figures.check_ins.add(client_id)
        elif kind == 2:
            client_id = f"load-{uuid.uuid4().hex}"
            started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=rng.randint(20, 600))
            answer = send(
                http, figures, "POST", f"{api}/sessions", {200, 201},
                json={
                    "client_id": client_id,
                    "started_at": started.isoformat(),
                    "pain_before": 3,
                    "pain_after": 2,
                    "entries": [{"exercise": rng.choice(exercises), "sets_done": 2}],
                },
            )  # fmt: skip
            if answer is not None and answer.status_code in (200, 201):
                with figures.lock:
                    figures.sessions.add(client_id)
        else:
            path = "/me/today" if kind == 3 else "/check-ins"
            send(http, figures, "GET", f"{api}{path}", {200})


def run(
    base: str,
    *,
    clients: int,
    seconds: float,
    events: list[tuple[float, Callable[[], None]]] = (),  # type: ignore[assignment]
) -> tuple[Figures, list[tuple[str, float]]]:
    """Drive ``clients`` patients for ``seconds``; at each (offset, action) run the action.

    Returns the figures and when each action started and ended (monotonic times).
    """
    tag = uuid.uuid4().hex[:8]
    emails = [f"load-{tag}-{i}@example.org" for i in range(clients)]
    for email in emails:
        register(base, email)
    exercises = [
        item["slug"]
        for item in requests.get(f"{base}/api/v1/exercises?page_size=50", timeout=10).json()
    ]
    figures = Figures()
    stop = threading.Event()
    threads = [
        threading.Thread(target=_patient, args=(base, email, exercises, figures, stop))
        for email in emails
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    marks: list[tuple[str, float]] = []
    try:
        for offset, action in sorted(events, key=lambda e: e[0]):
            time.sleep(max(0.0, started + offset - time.monotonic()))
            marks.append((f"{getattr(action, '__name__', 'action')} start", time.monotonic()))
            action()
            marks.append((f"{getattr(action, '__name__', 'action')} end", time.monotonic()))
        time.sleep(max(0.0, started + seconds - time.monotonic()))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    return figures, marks
