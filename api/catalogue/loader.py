"""``flask --app wsgi catalogue load``: upsert the reviewed content idempotently.

Running it twice changes nothing; a changed file updates its row; an entry that
disappeared from the files is retired (``retired_at``), never deleted, so the
programmes and sessions that point at it keep working.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.catalogue import models as tables
from api.database import get_session, utcnow
from exercises.content import ContentError
from exercises.load import load_content


@dataclass
class KindReport:
    added: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0


@dataclass
class LoadReport:
    kinds: dict[str, KindReport] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(k.added or k.updated or k.retired for k in self.kinds.values())

    def lines(self) -> list[str]:
        return [
            f"{kind}: {r.added} added, {r.updated} updated, {r.retired} retired, "
            f"{r.unchanged} unchanged"
            for kind, r in self.kinds.items()
        ]


def _upsert(
    session: Session,
    model: type,
    entries: dict[str, Any],
    columns: Any,
    report: KindReport,
    *,
    scope: Any = None,
) -> dict[str, Any]:
    """Insert, update, retire or revive rows of ``model`` to match ``entries``."""
    stmt = select(model)
    if scope is not None:
        stmt = stmt.where(scope)
    rows = {row.slug: row for row in session.scalars(stmt)}
    now = utcnow()
    for slug, entry in entries.items():
        data = entry.to_dict()
        digest = entry.fingerprint()
        row = rows.get(slug)
        if row is None:
            row = model(slug=slug, data=data, content_hash=digest, updated_at=now, **columns(entry))
            session.add(row)
            rows[slug] = row
            report.added += 1
        elif row.content_hash != digest or row.retired_at is not None:
            row.data = data
            row.content_hash = digest
            row.retired_at = None
            row.updated_at = now
            for key, value in columns(entry).items():
                setattr(row, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
    for slug, row in rows.items():
        if slug not in entries and row.retired_at is None:
            row.retired_at = now
            report.retired += 1
    session.flush()
    return rows


def _search_text(exercise: Any) -> str:
    muscles = " ".join(m.replace("_", " ") for m in exercise.target_muscles)
    return f"{exercise.name} {exercise.summary} {muscles}".lower()


def load_catalogue(*, db_session: Session, root: Path | None = None) -> LoadReport:
    content = load_content(root)
    report = LoadReport(
        {k: KindReport() for k in ("causes", "exercises", "templates", "lifestyle")}
    )
    order = {slug: n for n, slug in enumerate(content.causes)}
    causes = _upsert(
        db_session,
        tables.Cause,
        content.causes,
        lambda c: {
            "name": c.name,
            "exercise_allowed": c.exercise_allowed,
            "position": order[c.slug],
        },
        report.kinds["causes"],
    )
    exercises = _upsert(
        db_session,
        tables.Exercise,
        content.exercises,
        lambda e: {
            "name": e.name,
            "summary": e.summary,
            "category": e.category,
            "region": e.region,
            "difficulty": e.difficulty,
            "contraindications": list(e.contraindications),
            "search_text": _search_text(e),
        },
        report.kinds["exercises"],
    )
    _upsert(
        db_session,
        tables.ProgrammeTemplate,
        content.templates,
        lambda t: {"name": t.name},
        report.kinds["templates"],
        scope=tables.ProgrammeTemplate.owner_id.is_(None),
    )
    _upsert(
        db_session,
        tables.LifestyleAdvice,
        content.lifestyle,
        lambda a: {"name": a.factor},
        report.kinds["lifestyle"],
    )
    _replace_links(db_session, content, causes, exercises)
    _record_version(db_session, causes.values(), exercises.values())
    db_session.flush()
    return report


def _replace_links(session: Session, content: Any, causes: dict, exercises: dict) -> None:
    wanted_causes = {
        (exercises[e.slug].id, causes[link.cause].id): link.why
        for e in content.exercises.values()
        for link in e.causes
    }
    existing = {
        (r.exercise_id, r.cause_id): r for r in session.scalars(select(tables.ExerciseCause))
    }
    for key, row in existing.items():
        if key not in wanted_causes:
            session.delete(row)
        elif row.why != wanted_causes[key]:
            row.why = wanted_causes[key]
    for key, why in wanted_causes.items():
        if key not in existing:
            session.add(tables.ExerciseCause(exercise_id=key[0], cause_id=key[1], why=why))
    wanted_equipment = {
        (exercises[e.slug].id, item) for e in content.exercises.values() for item in e.equipment
    }
    current = {
        (row.exercise_id, row.equipment)
        for row in session.execute(
            select(tables.ExerciseEquipment.exercise_id, tables.ExerciseEquipment.equipment)
        )
    }
    for exercise_id, item in current - wanted_equipment:
        session.execute(
            delete(tables.ExerciseEquipment).where(
                tables.ExerciseEquipment.exercise_id == exercise_id,
                tables.ExerciseEquipment.equipment == item,
            )
        )
    for exercise_id, item in wanted_equipment - current:
        session.add(tables.ExerciseEquipment(exercise_id=exercise_id, equipment=item))


def _record_version(session: Session, *groups: Iterable[Any]) -> None:
    digest = hashlib.sha256()
    for group in groups:
        for row in sorted(group, key=lambda r: r.slug):
            digest.update(f"{row.slug}:{row.content_hash}:{row.retired_at}".encode())
    value = digest.hexdigest()
    version = session.get(tables.CatalogueVersion, 1)
    if version is None:
        session.add(tables.CatalogueVersion(id=1, digest=value))
    elif version.digest != value:
        version.digest = value
        version.loaded_at = utcnow()


catalogue_cli = AppGroup("catalogue", help="The exercise catalogue.")


@catalogue_cli.command("load")
@click.option("--path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def load_command(path: Path | None) -> None:
    """Validate exercises/ and upsert it into the database."""
    session = get_session()
    try:
        report = load_catalogue(db_session=session, root=path)
    except ContentError as error:
        raise click.ClickException(
            "The catalogue files are not valid:\n  " + "\n  ".join(error.problems)
        ) from error
    session.commit()
    forget_digest()
    for line in report.lines():
        click.echo(line)


def forget_digest() -> None:
    """This process serves the new catalogue at once (other processes within a second)."""
    from api.catalogue import cache

    cache.forget()


def _load_now() -> None:
    session = get_session()
    load_catalogue(db_session=session)
    session.commit()
    forget_digest()


def init_app(app: Flask) -> None:
    app.cli.add_command(catalogue_cli)
    app.extensions["upright.catalogue_loader"] = _load_now
