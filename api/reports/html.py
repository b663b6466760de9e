"""The report as one self-contained HTML page: inline CSS and inline SVG charts, no
script and no external asset."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from api.reports import charts
from api.reports.content import Chart, Document, Facts, Paragraph, Table

_env = Environment(
    loader=PackageLoader("api.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _block(block: Any) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text}
    if isinstance(block, Facts):
        return {"kind": "facts", "rows": block.rows}
    if isinstance(block, Table):
        return {"kind": "table", "columns": block.columns, "rows": block.rows}
    if isinstance(block, Chart):
        # the SVG is made by our own chart code, its text escaped by the SVG renderer
        return {
            "kind": "chart",
            "title": block.title,
            "svg": Markup(charts.to_svg(block.drawing, block.title)),
        }
    raise TypeError(type(block).__name__)


def render(document: Document) -> str:
    sections = [
        {"title": s.title, "blocks": [_block(b) for b in s.blocks]} for s in document.sections
    ]
    return _env.get_template("report.html").render(
        document={
            "title": document.title,
            "subtitle": document.subtitle,
            "header": document.header,
            "notice": document.notice,
            "sections": sections,
        }
    )
