"""Red-flag triage: pure rules, no Flask, no database. Data in, verdict out.

Public API::

    from api.triage import CheckInFacts, ProfileFacts, PastCheckIn, evaluate
    result = evaluate(check_in, profile, history)
    result.level, result.rules, result.to_dict()
"""

from .emergency import emergency_number
from .engine import FiredRule, TriageResult, evaluate
from .facts import CheckInFacts, PastCheckIn, ProfileFacts
from .messages import DISCLAIMER
from .rules import RULES, RULES_BY_ID, Rule
from .vocabulary import HEALTH_HISTORY, LEVEL_RANK, LEVELS, PAIN_AREAS, PAIN_ONSET, SYMPTOMS

__all__ = [
    "DISCLAIMER",
    "HEALTH_HISTORY",
    "LEVELS",
    "LEVEL_RANK",
    "PAIN_AREAS",
    "PAIN_ONSET",
    "RULES",
    "RULES_BY_ID",
    "SYMPTOMS",
    "CheckInFacts",
    "FiredRule",
    "PastCheckIn",
    "ProfileFacts",
    "Rule",
    "TriageResult",
    "emergency_number",
    "evaluate",
    "rules_table_markdown",
]


def rules_table_markdown() -> str:
    """The markdown table of every rule (see ``api.triage.table``)."""
    from .table import rules_table_markdown as table

    return table()
