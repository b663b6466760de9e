"""The change log that incremental pulls read, and the record of pushed mutations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.database import Base, utcnow


class SyncChange(Base):
    """One record of one patient changed (or went away) in one transaction.

    ``txid`` is the writing transaction's id on PostgreSQL (``pg_current_xact_id()``) and 0
    on SQLite; pulls read in ``(txid, id)`` order behind a fence (api/sync/service.py).
    ``fields`` names the changed columns where conflicts are judged per field (profile).
    """

    __tablename__ = "sync_changes"
    __table_args__ = (Index("ix_sync_changes_patient_position", "patient_id", "txid", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    txid: Mapped[int] = mapped_column(BigInteger, default=0)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    collection: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    fields: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class SyncMutation(Base):
    """A pushed mutation and its result, kept so that the same mutation id replays it."""

    __tablename__ = "sync_mutations"
    __table_args__ = (
        UniqueConstraint("user_id", "mutation_id", name="uq_sync_mutations_user_mutation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mutation_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
