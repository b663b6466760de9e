"""The exercise catalogue: causes, exercises, programme templates and lifestyle advice.

Content lives in YAML under ``exercises/data``; ``load_content()`` reads and validates it,
and applies what ``health_history.yaml`` says each health-history code rules out.
The checks themselves are ``exercises.validate.validate``.
"""

from exercises.content import (
    Cause,
    CauseLink,
    Content,
    ContentError,
    Dose,
    Evidence,
    Exercise,
    HistoryRule,
    LifestyleAdvice,
    Media,
    Precaution,
    Template,
    TemplateItem,
    apply_history,
    content_hash,
    load_content,
    read_content,
)

__all__ = [
    "Cause",
    "CauseLink",
    "Content",
    "ContentError",
    "Dose",
    "Evidence",
    "Exercise",
    "HistoryRule",
    "LifestyleAdvice",
    "Media",
    "Precaution",
    "Template",
    "TemplateItem",
    "apply_history",
    "content_hash",
    "load_content",
    "read_content",
]
