"""A watermark of a user's change feed: has anything of theirs changed since an answer
was computed?

Every change of a synced record writes a row of the sync change log in the same
transaction (api/sync/changes.py), in the feed of the user whose pull it concerns: a
patient's own rows; for a therapist their own rows (inbox, erasure tombstones) and those of
every patient ever linked to them (as the pull reads them, api/sync/service.py). So an
answer computed from a user's records is still exact while no new row has appeared in
their feed. ``watermark`` is read BEFORE the answer is computed; ``probe`` re-reads it
before the answer is served again, in one statement with the caller's stored role and
token key (the answer is served before the caller is loaded, api/answers.py).

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

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from api.accounts.models import Role

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


@dataclass(frozen=True)
class Probe:
    """What ``probe`` read of the caller: their stored role and token key, and whether
    their feed changed since the mark."""

    role: str
    token_key: str
    changed: bool


@cache
def _statement(dialect: str, role: Role, purpose: str, along: str | None = None):
    """``purpose``: "read" (the watermark), "probe" or "probe_seen" (the check, with the
    caller's row); ``along``: a data-modifying CTE sent with a PostgreSQL probe."""
    watched = _WATCHED[role]
    if dialect == "postgresql":
        if purpose == "read":
            return text(
                f"SELECT h.fence, c.id FROM (SELECT {_XMIN} AS fence) h "
                f"LEFT JOIN sync_changes c ON {watched} AND c.txid >= h.fence "
                f"ORDER BY c.id LIMIT {MAX_SEEN + 1}"
            )
        seen = " AND c.id NOT IN :seen" if purpose == "probe_seen" else ""
        changed = (
            f"EXISTS (SELECT 1 FROM sync_changes c WHERE {watched} AND c.txid >= :fence{seen})"
        )
        if along is None:
            statement = text(
                f"SELECT u.role, u.token_key, {changed} AS changed FROM users u WHERE u.id = :owner"
            )
        else:
            # ``hit``: the caller's row when the answer is served again, the very test the
            # caller makes of the row read (same key, same role, nothing changed), so the
            # write is made exactly when the answer is served.
            statement = text(
                "WITH caller AS (SELECT u.id, u.role, u.token_key, u.display_name, "
                f"{changed} AS changed FROM users u WHERE u.id = :owner), "
                "hit AS (SELECT id, display_name FROM caller "
                "WHERE token_key = :key AND role = :role AND NOT changed), "
                f"along AS ({along}) "
                "SELECT role, token_key, changed FROM caller"
            )
        if seen:
            statement = statement.bindparams(bindparam("seen", expanding=True))
        return statement
    feed = f"FROM sync_changes c WHERE {watched}"
    if purpose == "read":
        return text(f"SELECT count(c.id), coalesce(max(c.id), 0) {feed}")
    return text(
        f"SELECT u.role, u.token_key, (SELECT count(c.id) {feed}), "
        f"(SELECT coalesce(max(c.id), 0) {feed}) FROM users u WHERE u.id = :owner"
    )


def _dialect(session: Session) -> str | None:
    name = session.get_bind().dialect.name
    return name if name in ("postgresql", "sqlite") else None


def watermark(session: Session, owner: int, role: Role) -> Mark | None:
    """The feed of user ``owner`` as one of ``role`` now (read before computing an answer);
    None: not to be memoised."""
    dialect = _dialect(session)
    if dialect is None or role not in _WATCHED:
        return None
    rows = session.execute(_statement(dialect, role, "read"), {"owner": owner}).all()
    if dialect == "sqlite":
        count, highest = rows[0]
        return ("sqlite", int(count), int(highest))
    seen = tuple(row.id for row in rows if row.id is not None)
    if len(seen) > MAX_SEEN:
        return None
    return ("postgresql", int(rows[0].fence), seen)


def probe(
    connection: Connection,
    *,
    owner: int,
    role: Role,
    token_key: str,
    mark: Mark,
    along: Along | None = None,
) -> Probe | None:
    """User ``owner``'s stored role and token key, and whether their feed as one of
    ``role`` changed since ``mark``: one statement; None when there is no such user.

    ``along`` (PostgreSQL only): a write (SQL and its parameters, none named ``owner``,
    ``fence``, ``seen``, ``key`` or ``role``) sent in the same statement as a
    data-modifying CTE that reads ``hit (id, display_name)``: the caller's row when its
    stored token key is ``token_key``, its role ``role`` and nothing changed, else no row.
    So it writes exactly when the answer is served again, and the statement needs no
    transaction of its own. Its SQL is one of a few constants (each statement built is
    kept)."""
    dialect = mark[0]
    params: dict[str, Any] = {"owner": owner}
    if dialect == "sqlite":
        if along is not None:
            raise ValueError("a write is sent with the check on PostgreSQL only")
        row = connection.execute(_statement(dialect, role, "probe"), params).one_or_none()
        if row is None:
            return None
        stored_role, stored_key, count, highest = row
        return Probe(str(stored_role), stored_key, (int(count), int(highest)) != mark[1:])
    _dialect_name, fence, seen = mark
    params["fence"] = fence
    if seen:
        params["seen"] = list(seen)
    if along is not None:
        params.update(along[1], key=token_key, role=str(role))
    purpose = "probe_seen" if seen else "probe"
    statement = _statement(dialect, role, purpose, along[0] if along else None)
    row = connection.execute(statement, params).one_or_none()
    if row is None:
        return None
    stored_role, stored_key, changed = row
    return Probe(str(stored_role), stored_key, bool(changed))


def register() -> None:
    """Serve the memoised personal answers (api/answers.py) by this watermark."""
    from api import answers

    answers.register_feed(watermark, probe)
