"""A watermark of a user's change feed: has anything of theirs changed since an answer
was computed?

Every change of a synced record writes a row of the sync change log in the same
transaction (api/sync/changes.py), in the feed of the user whose pull it concerns: a
patient's own rows; for a therapist their own rows (inbox, erasure tombstones) and those of
every patient ever linked to them (as the pull reads them, api/sync/service.py). So an
answer computed from a user's records is still exact while no new row has appeared in
their feed. ``watermark`` is read BEFORE the answer is computed; ``unchanged`` re-reads it
(one statement) before the answer is served again.

PostgreSQL. Transaction ids are handed out when transactions begin, not when they commit,
so "the highest change id seen" is no watermark: a transaction that began earlier may
commit later with a lower id. Nor is the pull's fence (only rows with
``txid < pg_snapshot_xmin``): a change committed while an older, unrelated transaction is
still open stays above the fence until that one ends, so a patient would not see the
check-in they just sent. Instead, at compute time the watermark reads the horizon
F = ``pg_snapshot_xmin(pg_current_snapshot())`` and the ids of the user's visible rows with
``txid >= F``, in the same statement (one snapshot). Every transaction below F had finished
when that snapshot was taken, so its rows were visible to it and to the (later) statements
that compute the answer; every transaction that commits afterwards has ``txid >= F``.
Hence the answer is exact iff the user's feed holds no visible row with ``txid >= F``
other than the ids seen. Change ids come from a sequence and are never reused, and
deleting rows (``prune``, an erasure's cascade) never makes the test pass wrongly: it only
looks for rows that are there. (An erasure writes tombstones to the others' feeds.)

SQLite. Every write transaction begins IMMEDIATE and holds the one write lock until it
commits (api/database.py), so change ids are handed out in commit order. The watermark is
the number and the highest id of the user's rows: a later change adds a row with a higher
id. The count guards against ids SQLite reuses after the newest rows of the table are
deleted (``prune`` of rows older than ``SYNC_TOMBSTONE_DAYS``): a reused id alone could
land below the highest one seen, but then rows of the user went away too and the pair
changes unless exactly as many of theirs reappear with exactly that highest id.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from api.accounts.models import Role, User

#: Most rows above the horizon one watermark keeps (more: the answer is not memoised).
MAX_SEEN = 64

#: Whose change rows concern the user, as a pull reads them (api/sync/service.py).
_WATCHED = {
    Role.patient: "c.patient_id = :owner",
    Role.therapist: "c.patient_id IN (SELECT patient_id FROM care_links "
    "WHERE therapist_id = :owner UNION ALL SELECT :owner)",
}
_XMIN = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"

Mark = tuple[Any, ...]
Along = tuple[str, dict[str, Any]]


@cache
def _statement(dialect: str, role: Role, purpose: str, along: str | None = None):
    """``along``: a data-modifying CTE sent with a PostgreSQL check."""
    watched = _WATCHED[role]
    if dialect == "postgresql":
        if purpose == "read":
            return text(
                f"SELECT h.fence, c.id FROM (SELECT {_XMIN} AS fence) h "
                f"LEFT JOIN sync_changes c ON {watched} AND c.txid >= h.fence "
                f"ORDER BY c.id LIMIT {MAX_SEEN + 1}"
            )
        cte = f"WITH along AS ({along}) " if along is not None else ""
        if purpose == "check":
            return text(
                f"{cte}SELECT EXISTS (SELECT 1 FROM sync_changes c "
                f"WHERE {watched} AND c.txid >= :fence)"
            )
        return text(
            f"{cte}SELECT EXISTS (SELECT 1 FROM sync_changes c WHERE {watched} "
            "AND c.txid >= :fence AND c.id NOT IN :seen)"
        ).bindparams(bindparam("seen", expanding=True))
    return text(f"SELECT count(c.id), coalesce(max(c.id), 0) FROM sync_changes c WHERE {watched}")


def _dialect(session: Session) -> str | None:
    name = session.get_bind().dialect.name
    return name if name in ("postgresql", "sqlite") else None


def watermark(session: Session, user: User) -> Mark | None:
    """The user's feed now (read before computing an answer); None: not to be memoised."""
    dialect = _dialect(session)
    if dialect is None or user.role not in _WATCHED:
        return None
    rows = session.execute(_statement(dialect, user.role, "read"), {"owner": user.id}).all()
    if dialect == "sqlite":
        count, highest = rows[0]
        return ("sqlite", int(count), int(highest))
    seen = tuple(row.id for row in rows if row.id is not None)
    if len(seen) > MAX_SEEN:
        return None
    return ("postgresql", int(rows[0].fence), seen)


def unchanged(session: Session, user: User, mark: Mark, along: Along | None = None) -> bool:
    """Whether nothing of the user's feed changed since ``mark`` was read (one statement).

    ``along``: a write (SQL and its parameters, none named ``owner``, ``fence`` or
    ``seen``) sent in the same statement on PostgreSQL, as a data-modifying CTE; the
    caller commits it when the answer is unchanged and rolls it back otherwise. Its SQL
    is one of a few constants (each statement built is kept)."""
    dialect = mark[0]
    if dialect == "sqlite":
        if along is not None:
            raise ValueError("a write is sent with the check on PostgreSQL only")
        now = session.execute(_statement(dialect, user.role, "read"), {"owner": user.id}).one()
        return (int(now[0]), int(now[1])) == mark[1:]
    _dialect_name, fence, seen = mark
    params = {"owner": user.id, "fence": fence}
    if seen:
        params["seen"] = list(seen)
    if along is not None:
        params.update(along[1])
    purpose = "check_seen" if seen else "check"
    statement = _statement(dialect, user.role, purpose, along[0] if along else None)
    return not session.execute(statement, params).scalar_one()


def register() -> None:
    """Serve the memoised personal answers (api/answers.py) by this watermark."""
    from api import answers

    answers.register_feed(watermark, unchanged)
