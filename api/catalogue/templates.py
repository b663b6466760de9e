"""Programme templates: the built-in ones (loaded from ``exercises/``) and therapists' own.

The catalogue keeps them; the programmes domain checks a template's items (exercises,
doses) before saving it and starts programmes from one through ``TemplatePlan``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.accounts.models import Role, User
from api.catalogue.models import ProgrammeTemplate
from api.database import utcnow
from api.errors import Forbidden, NotFound


@dataclass(frozen=True)
class TemplatePlan:
    """What a programme takes from its template."""

    slug: str
    name: str
    items: tuple[dict[str, Any], ...]  # each as a programme item is sent: exercise, dose...
    days_of_week: tuple[str, ...]
    duration_weeks: int


def plan_of(template: ProgrammeTemplate) -> TemplatePlan:
    data = template.data
    return TemplatePlan(
        slug=template.slug,
        name=template.name,
        items=tuple(dict(item) for item in data["items"]),
        days_of_week=tuple(data["days_of_week"]),
        duration_weeks=data["duration_weeks"],
    )


def visible_stmt(actor: User | None) -> Select:
    """Built-in templates, then (therapists) the actor's own; retired ones never."""
    owners = ProgrammeTemplate.owner_id.is_(None)
    if actor is not None and actor.role == Role.therapist:
        owners = owners | (ProgrammeTemplate.owner_id == actor.id)
    return (
        select(ProgrammeTemplate)
        .where(owners, ProgrammeTemplate.retired_at.is_(None))
        .order_by(
            ProgrammeTemplate.owner_id.is_not(None), ProgrammeTemplate.name, ProgrammeTemplate.id
        )
    )


def get(session: Session, actor: User | None, slug: str) -> ProgrammeTemplate:
    template = session.scalar(visible_stmt(actor).where(ProgrammeTemplate.slug == slug))
    if template is None:
        raise NotFound(f"No programme template '{slug}'.")
    return template


def _slugify(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in name.lower())
    return "-".join(part for part in cleaned.split("-") if part)[:60] or "template"


def create(*, db_session: Session, owner: User, body: dict[str, Any]) -> ProgrammeTemplate:
    """Save a therapist's own template (``body``: its checked content)."""
    slug = f"{_slugify(body['name'])}-{secrets.token_hex(3)}"
    template = ProgrammeTemplate(
        slug=slug,
        name=body["name"],
        owner_id=owner.id,
        data={**body, "slug": slug},
        content_hash="therapist",
    )
    db_session.add(template)
    db_session.flush()
    return template


def own(db_session: Session, owner: User, slug: str) -> ProgrammeTemplate:
    """One of ``owner``'s templates; a built-in one is read-only (403), others 404."""
    template = db_session.scalar(
        select(ProgrammeTemplate).where(
            ProgrammeTemplate.slug == slug, ProgrammeTemplate.owner_id == owner.id
        )
    )
    if template is None:
        builtin = db_session.scalar(
            select(ProgrammeTemplate.id).where(
                ProgrammeTemplate.slug == slug, ProgrammeTemplate.owner_id.is_(None)
            )
        )
        if builtin is not None:
            raise Forbidden("Built-in templates cannot be changed; copy it into your own.")
        raise NotFound(f"No programme template '{slug}'.")
    return template


def update(
    *, db_session: Session, template: ProgrammeTemplate, changes: dict[str, Any]
) -> ProgrammeTemplate:
    """Change one of a therapist's templates (``own`` found it; ``changes`` are checked)."""
    data = dict(template.data)
    data.update(changes)
    template.data = data
    template.name = data["name"]
    template.updated_at = utcnow()
    db_session.flush()
    return template


def delete(*, db_session: Session, owner: User, slug: str) -> None:
    db_session.delete(own(db_session, owner, slug))
    db_session.flush()
