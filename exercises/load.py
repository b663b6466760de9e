"""Read and validate the catalogue: ``read_content`` (shapes) then ``validate`` (relations).

Kept apart from both so that ``validate`` depends on ``content`` and nothing depends back.
"""

from __future__ import annotations

from pathlib import Path

from exercises.content import Content, ContentError, read_content
from exercises.validate import validate


def load_content(root: Path | str | None = None) -> Content:
    """Read and validate the catalogue; raise ``ContentError`` listing every problem."""
    content = read_content(root)
    problems = validate(content)
    if problems:
        raise ContentError(problems)
    return content
