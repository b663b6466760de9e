"""Data rights: every domain registers what it holds about a person.

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


def exporter(name: str) -> Callable[[Exporter], Exporter]:
    def register(function: Exporter) -> Exporter:
        _EXPORTERS[name] = function
        return function

    return register


def export_sections(session: Session, user: User) -> dict[str, Any]:
    return {name: function(session, user) for name, function in sorted(_EXPORTERS.items())}


def section_names() -> list[str]:
    return sorted(_EXPORTERS)
