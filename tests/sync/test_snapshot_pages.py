"""A server process builds one snapshot page at a time (api/sync/service.py:
SNAPSHOT_PAGES_AT_ONCE); incremental pages are not held up by it."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from api.sync import service


class _Pages:
    """Stands in for the page builder: records how many pages are built at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.positions: list[object] = []

    def __call__(self, db_session, user, position, snapshot, limit, catalogue_version):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.positions.append(position)
        time.sleep(0.05)
        with self.lock:
            self.now -= 1
        return {"user": user.id}


@pytest.fixture
def pages(monkeypatch) -> _Pages:
    fake = _Pages()
    monkeypatch.setattr(service, "_page", fake)
    return fake


def _pull_in_threads(app, calls) -> list[object]:
    answers: list[object] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int, user_id: int, cursor: str | None) -> None:
        with app.app_context():
            start.wait()
            answers[index] = service.pull(
                db_session=None,
                user=SimpleNamespace(id=user_id),
                cursor=cursor,
                limit=1000,
                catalogue_version="v",
                changes_pending=True,
            )

    threads = [
        threading.Thread(target=run, args=(index, user_id, cursor))
        for index, (user_id, cursor) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return answers


def test_snapshot_pages_are_built_one_at_a_time(app, pages):
    with app.app_context():
        next_page = service.encode_cursor(2, {"s": 1, "r": 40, "t": 0, "i": 0})
    calls = [(1, None), (2, next_page), (3, None), (4, None)]

    answers = _pull_in_threads(app, calls)

    assert answers == [{"user": 1}, {"user": 2}, {"user": 3}, {"user": 4}]
    assert pages.most == 1
    assert len(pages.positions) == 4


def test_incremental_pages_do_not_wait_for_a_snapshot(app, pages):
    with app.app_context():
        cursors = [service.encode_cursor(n, {"t": 0, "i": 10}) for n in (5, 6, 7)]
    calls = [(1, None), *zip((5, 6, 7), cursors, strict=True)]

    answers = _pull_in_threads(app, calls)

    assert answers == [{"user": 1}, {"user": 5}, {"user": 6}, {"user": 7}]
    assert pages.most == 4  # the snapshot and the three incremental pages at once
