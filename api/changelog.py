"""A record written outside the flush, with its row in the sync change log.

The change log (api/sync/changes.py) is written from every flush. A service that writes a
new record with a plain INSERT instead (no unit of work: less CPU, and on PostgreSQL the
change row in the same statement) asks here; sync sits above the domains and registers
the writer at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

#: Rows of a child table written with a new record: (the table, its column naming the
#: record, the rows with every other column but ``id``). The record's change row covers
#: them (a session's entries and pain notices).
Children = tuple[Table, str, Sequence[dict[str, Any]]]
Writer = Callable[[Session, type, dict[str, Any], Sequence[Children]], int]
_writer: list[Writer] = []


def register_writer(writer: Writer) -> None:
    """The change log's writer (api/sync/changes.py), registered at start-up."""
    _writer[:] = [writer]


def insert(
    db_session: Session, model: type, values: dict[str, Any], children: Sequence[Children] = ()
) -> int:
    """INSERT one new record of ``model`` with every column but ``id`` in ``values``, its
    change row and its ``children``'s rows, in this transaction; returns the record's id."""
    if not _writer:
        raise RuntimeError("the sync change log is not registered (api.sync.register())")
    return _writer[0](db_session, model, values, children)
