"""never reuse ids; access tokens carry a per-account key

Revision ID: 0007_never_reuse_ids
Revises: 0006_foreign_key_indexes
Create Date: 2026-11-24 09:00:00.000000

SQLite hands out a deleted row's id again unless the key is declared AUTOINCREMENT, and
ids reach tokens and URLs: every table with an integer id is rebuilt with AUTOINCREMENT
(PostgreSQL identities never go back: nothing to do there). Rebuilding drops each table;
with foreign keys enforced SQLite would then delete the rows of every table that
cascades from it, so the rebuild refuses to run unless they are off (migrations/env.py
switches them off before its transaction; the PRAGMA has no effect inside one) and checks
every foreign key afterwards.

``users.token_key`` is a random key per account, carried in each access token and checked
on every request, so a token never works for any account but the one it was issued to.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_never_reuse_ids"
down_revision: str | None = "0006_foreign_key_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table of revision 0006 whose primary key is one integer column.
TABLES_WITH_INTEGER_IDS = (
    "users",
    "refresh_tokens",
    "care_invites",
    "care_links",
    "access_log",
    "check_ins",
    "alerts",
    "alert_events",
    "exercise_holds",
    "causes",
    "exercises",
    "lifestyle_advice",
    "programme_templates",
    "catalogue_version",
    "programmes",
    "programme_versions",
    "programme_items",
    "programme_pauses",
    "exercise_sessions",
    "session_entries",
    "pain_notices",
    "outcome_scores",
)


def _rebuild_sqlite_tables(*, autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "Refusing to rebuild tables while SQLite enforces foreign keys: dropping a table "
            "would delete the rows that cascade from it. Run `flask --app wsgi db upgrade`, "
            "which migrates with foreign keys off."
        )
    for name in TABLES_WITH_INTEGER_IDS:
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ) as batch_op:
            if name == "users" and autoincrement:
                batch_op.alter_column(
                    "token_key", existing_type=sa.String(length=32), nullable=False
                )
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"Foreign keys broken by the rebuild: {broken[:5]}")


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("users", sa.Column("token_key", sa.String(length=32), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("token_key", sa.String))
    ids = bind.execute(sa.select(users.c.id)).scalars().all()
    if ids:
        bind.execute(
            users.update()
            .where(users.c.id == sa.bindparam("user_id"))
            .values(token_key=sa.bindparam("key")),
            [{"user_id": user_id, "key": secrets.token_hex(16)} for user_id in ids],
        )
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite_tables(autoincrement=True)  # also makes token_key NOT NULL
    else:
        op.alter_column("users", "token_key", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_tables(autoincrement=False)
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("token_key")
