"""The report as a PDF (ReportLab): A4, the standard Helvetica fonts, vector charts."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from api.reports.content import Chart, Document, Facts, Table
from api.reports.content import Paragraph as TextParagraph

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontSize=9, leading=11.5)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
H1 = ParagraphStyle("h1", parent=_styles["Title"], fontSize=18, alignment=0, spaceAfter=2)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=12.5, spaceBefore=10, keepWithNext=1)
NOTICE = ParagraphStyle(
    "notice",
    parent=BODY,
    fontName="Helvetica-Bold",
    borderWidth=1.5,
    borderColor=colors.black,
    borderPadding=5,
    spaceBefore=6,
    spaceAfter=8,
)
WIDTH = A4[0] - 36 * mm


def _text(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _facts(block: Facts) -> PdfTable:
    table = PdfTable(
        [[_text(label, HEAD), _text(value, CELL)] for label, value in block.rows],
        colWidths=[38 * mm, WIDTH - 38 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)])
    )
    return table


def _table(block: Table) -> PdfTable:
    rows = [[_text(c, HEAD) for c in block.columns]]
    rows += [[_text(cell, CELL) for cell in row] for row in block.rows]
    table = PdfTable(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _flowables(block: Any) -> list[Any]:
    if isinstance(block, TextParagraph):
        return [_text(block.text)]
    if isinstance(block, Facts):
        return [_facts(block), Spacer(1, 3)]
    if isinstance(block, Table):
        return [_table(block), Spacer(1, 4)]
    if isinstance(block, Chart):
        return [block.drawing, _text(block.title, CELL), Spacer(1, 4)]
    raise TypeError(type(block).__name__)


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7.5)
    canvas.drawString(18 * mm, 10 * mm, doc.title)
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
    canvas.restoreState()


def render(document: Document) -> bytes:
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{document.title}: {document.subtitle}",
        author="Upright",
        subject="Guidance, not a diagnosis",
    )
    story: list[Any] = [
        _text(document.title, H1),
        _text(document.subtitle),
        Spacer(1, 4),
        _facts(document.header),
    ]
    if document.notice:
        story.append(_text(document.notice, NOTICE))
    for section in document.sections:
        first, *rest = section.blocks
        # a title never ends a page: it stays with the section's first block
        story.append(KeepTogether([_text(section.title, H2), *_flowables(first)]))
        for block in rest:
            parts = _flowables(block)
            story += [KeepTogether(parts)] if isinstance(block, Chart) else parts
    pdf.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
