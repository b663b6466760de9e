"""The exercise catalogue: causes, exercises, programme templates and lifestyle advice.

Content lives in YAML under ``exercises/data``; ``load_content()`` reads and validates it.
"""

from exercises.content import (
    Cause,
    CauseLink,
    Content,
    ContentError,
    Dose,
    Evidence,
    Exercise,
    LifestyleAdvice,
    Media,
    Precaution,
    Template,
    TemplateItem,
    content_hash,
    load_content,
    read_content,
)
from exercises.validate import validate

__all__ = [
    "Cause",
    "CauseLink",
    "Content",
    "ContentError",
    "Dose",
    "Evidence",
    "Exercise",
    "LifestyleAdvice",
    "Media",
    "Precaution",
    "Template",
    "TemplateItem",
    "content_hash",
    "load_content",
    "read_content",
    "validate",
]
