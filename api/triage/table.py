"""The rules table in markdown, generated from ``RULES`` (``python -m api.triage.table``)."""

from __future__ import annotations

from .rules import RULES, Rule


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(rule: Rule) -> str:
    cells = (rule.id, str(rule.version), rule.level, rule.fires_when, rule.title, rule.source)
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def rules_table_markdown() -> str:
    """A markdown table of every rule: id | version | level | fires when | may point to | source."""
    lines = [
        "| id | version | level | fires when | may point to | source |",
        "|---|---|---|---|---|---|",
        *(_row(rule) for rule in RULES),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(rules_table_markdown(), end="")
