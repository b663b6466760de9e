"""The cursor fence: a transaction that began before a pull and commits after it is not
skipped, even when a later transaction committed first (PostgreSQL hands out transaction ids
at the start, not at commit)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.checkins.models import CheckIn
from api.database import state
from api.sync.models import SyncChange
from api.timeutil import local_today
from tests.sync.helpers import pull_all


def test_transactions_committing_out_of_order_around_a_pull_are_not_skipped(app, client, make):
    patient = make.patient()
    headers = make.headers(patient)
    _, cursor = pull_all(client, headers)
    engine = state(app).engine
    early, late = Session(engine), Session(engine)
    try:
        # The early transaction begins first (lower txid on PostgreSQL) and writes a check-in.
        early.add(CheckIn(patient_id=patient, local_date=local_today("UTC"), pain=2))
        early.flush()
        if engine.dialect.name == "postgresql":
            # A later transaction changes the profile and commits first.
            user = late.get(User, patient)
            user.display_name = "Committed first"
            late.commit()
            between, cursor = pull_all(client, headers, cursor)
            # Whatever this pull held back, the next one must bring.
            assert between["check_ins"]["upserted"] == []
            early.commit()
        else:
            # SQLite: BEGIN IMMEDIATE holds the one write lock until commit, so a second
            # writer cannot interleave; the same steps happen in commit order.
            early.commit()
            user = late.get(User, patient)
            user.display_name = "Committed first"
            late.commit()
            between, cursor = pull_all(client, headers, cursor)
        after, _ = pull_all(client, headers, cursor)
    finally:
        early.close()
        late.close()
    seen_check_ins = between["check_ins"]["upserted"] + after["check_ins"]["upserted"]
    seen_profiles = between["profile"]["upserted"] + after["profile"]["upserted"]
    assert [c["pain"] for c in seen_check_ins] == [2]
    assert seen_profiles and seen_profiles[-1]["display_name"] == "Committed first"


def test_every_change_row_of_a_transaction_carries_its_transaction_id(app, make):
    """The pull's (txid, id) order: every change row a transaction writes, in any flush and
    savepoint, carries its top-level id on PostgreSQL (written by the change log's INSERT)
    and 0 on SQLite."""
    first, second = make.patient(), make.patient()
    engine = state(app).engine
    with Session(engine) as session:
        before = session.scalar(select(func.max(SyncChange.id)))
        day = local_today("UTC")
        session.add_all(
            [
                CheckIn(patient_id=first, local_date=day, pain=2),
                CheckIn(patient_id=second, local_date=day, pain=3),
            ]
        )
        session.flush()  # one INSERT of two change rows
        with session.begin_nested():
            session.get(User, first).display_name = "In a savepoint"
        if engine.dialect.name == "postgresql":
            expected = session.scalar(text("SELECT pg_current_xact_id()::text::bigint"))
        else:
            expected = 0
        session.commit()
    with Session(engine) as session:
        rows = session.execute(
            select(SyncChange.collection, SyncChange.txid).where(SyncChange.id > before)
        ).all()
    assert sorted(collection for collection, _ in rows) == ["check_ins", "check_ins", "profile"]
    assert {txid for _, txid in rows} == {expected}
