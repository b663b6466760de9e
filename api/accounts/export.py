"""Data rights: every domain registers, at start-up, what it holds about a person.

``GET /me/export`` calls every registered exporter; ``DELETE /me`` relies on
``ON DELETE CASCADE`` from every personal table to ``users``, and a test checks
that no table keeps a row that points at an erased person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from api.accounts.models import User

Exporter = Callable[[Session, User], Any]
_EXPORTERS: dict[str, Exporter] = {}


def register_exporter(name: str, function: Exporter) -> None:
    """Add the section ``name`` to ``GET /me/export``; each domain's ``register()`` calls
    this at start-up (api/routing.py)."""
    _EXPORTERS[name] = function


def export_sections(session: Session, user: User) -> dict[str, Any]:
    return {name: function(session, user) for name, function in sorted(_EXPORTERS.items())}


def section_names() -> list[str]:
    return sorted(_EXPORTERS)
