"""The report's charts as ReportLab drawings: vector in the PDF, and the same drawings as
inline SVG in the HTML page (one chart code for both).

Readable in greyscale: series differ by line style and marker shape, not by colour.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from typing import Any

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib.colors import HexColor

FONT = "Helvetica"
WIDTH, HEIGHT = 480, 210
LEFT, RIGHT, BOTTOM, TOP = 46, 12, 58, 14
BLACK, DARK, MID, LIGHT = (HexColor(c) for c in ("#000000", "#404040", "#7a7a7a", "#c8c8c8"))
WHITE = HexColor("#ffffff")
_svg_ids = itertools.count(1)


class _Frame:
    """Plot area with x from 0 to ``x_max`` and y from ``y_min`` to ``y_max``."""

    def __init__(self, drawing: Drawing, x_max: float, y_min: float, y_max: float) -> None:
        self.drawing = drawing
        self.x0, self.y0 = LEFT, BOTTOM
        self.w = drawing.width - LEFT - RIGHT
        self.h = drawing.height - BOTTOM - TOP
        self.x_max = max(x_max, 1)
        self.y_min, self.y_max = y_min, y_max

    def x(self, value: float) -> float:
        return self.x0 + self.w * value / self.x_max

    def y(self, value: float) -> float:
        return self.y0 + self.h * (value - self.y_min) / (self.y_max - self.y_min)

    def axes(self, y_ticks: list[float], y_label: str, x_label: str) -> None:
        d = self.drawing
        for tick in y_ticks:
            d.add(
                Line(
                    self.x0,
                    self.y(tick),
                    self.x0 + self.w,
                    self.y(tick),
                    strokeColor=LIGHT,
                    strokeWidth=0.4,
                )
            )
            d.add(
                String(
                    self.x0 - 4,
                    self.y(tick) - 3,
                    f"{tick:g}",
                    fontName=FONT,
                    fontSize=7,
                    textAnchor="end",
                )
            )
        d.add(Line(self.x0, self.y0, self.x0 + self.w, self.y0, strokeColor=BLACK, strokeWidth=0.8))
        d.add(Line(self.x0, self.y0, self.x0, self.y0 + self.h, strokeColor=BLACK, strokeWidth=0.8))
        label = String(0, 0, y_label, fontName=FONT, fontSize=8, textAnchor="middle")
        d.add(_rotated(label, 10, self.y0 + self.h / 2))
        d.add(
            String(
                self.x0 + self.w / 2, 26, x_label, fontName=FONT, fontSize=8, textAnchor="middle"
            )
        )

    def x_tick(self, value: float, text: str) -> None:
        self.drawing.add(
            Line(
                self.x(value),
                self.y0,
                self.x(value),
                self.y0 - 3,
                strokeColor=BLACK,
                strokeWidth=0.6,
            )
        )
        self.drawing.add(
            String(
                self.x(value), self.y0 - 12, text, fontName=FONT, fontSize=7, textAnchor="middle"
            )
        )


def _rotated(shape: Any, x: float, y: float) -> Any:
    from reportlab.graphics.shapes import Group

    group = Group(shape)
    group.transform = (0, 1, -1, 0, x, y)
    return group


def _legend(drawing: Drawing, entries: list[tuple[str, dict[str, Any], str | None]]) -> None:
    """One row of legend entries under the x axis label: (text, line style, marker)."""
    x = LEFT
    for text, style, marker in entries:
        if style:
            drawing.add(Line(x, 8, x + 18, 8, **style))
        if marker:
            _marker(drawing, marker, x + 9, 8)
        drawing.add(String(x + 22, 5, text, fontName=FONT, fontSize=7))
        x += 30 + len(text) * 3.6


def _marker(drawing: Drawing, kind: str, x: float, y: float) -> None:
    if kind == "dot":
        drawing.add(Circle(x, y, 1.8, fillColor=BLACK, strokeColor=None))
    elif kind == "ring":
        drawing.add(Circle(x, y, 2.2, fillColor=WHITE, strokeColor=DARK, strokeWidth=0.7))
    elif kind == "triangle":
        drawing.add(
            Polygon([x - 3.5, y - 3, x + 3.5, y - 3, x, y + 3.5], fillColor=BLACK, strokeColor=None)
        )


def _date_ticks(frame: _Frame, start: dt.date, days: int) -> None:
    step = max(1, round(days / 6))
    for n in range(0, days, step):
        frame.x_tick(n, (start + dt.timedelta(days=n)).strftime("%d %b"))


def pain_chart(
    series: list[dict[str, Any]],
    date_from: dt.date,
    date_to: dt.date,
    red_flag_days: list[dt.date],
    programme_changes: list[tuple[dt.date, str, int]],
) -> Drawing:
    """Daily pain, the 7-day mean and the worst pain (0-10), red-flag days (triangles at
    the top) and programme changes (dashed verticals, labelled with the version)."""
    drawing = Drawing(WIDTH, HEIGHT)
    days = (date_to - date_from).days + 1
    frame = _Frame(drawing, days - 1, 0, 10)
    frame.axes([0, 2, 4, 6, 8, 10], "Pain (0-10 NRS)", "Date")
    _date_ticks(frame, date_from, days)

    def offset(day: str | dt.date) -> int:
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        return (day - date_from).days

    for day, _title, number in programme_changes:
        x = frame.x(offset(day))
        drawing.add(
            Line(
                x,
                frame.y0,
                x,
                frame.y0 + frame.h,
                strokeColor=MID,
                strokeWidth=0.8,
                strokeDashArray=[4, 2],
            )
        )
        drawing.add(
            String(
                x,
                frame.y0 + frame.h + 4,
                f"v{number}",
                fontName=FONT,
                fontSize=7,
                textAnchor="middle",
            )
        )
    worst = [(offset(p["date"]), p["worst_pain"]) for p in series if p["worst_pain"] is not None]
    if worst:
        points = [c for n, v in worst for c in (frame.x(n), frame.y(v))]
        drawing.add(PolyLine(points, strokeColor=MID, strokeWidth=0.7, strokeDashArray=[1, 1.5]))
        for n, v in worst:
            _marker(drawing, "ring", frame.x(n), frame.y(v))
    mean = [c for p in series for c in (frame.x(offset(p["date"])), frame.y(p["rolling_mean_7d"]))]
    if mean:
        drawing.add(PolyLine(mean, strokeColor=DARK, strokeWidth=2, strokeDashArray=[5, 2]))
    daily = [(offset(p["date"]), p["pain"]) for p in series]
    if daily:
        drawing.add(
            PolyLine(
                [c for n, v in daily for c in (frame.x(n), frame.y(v))],
                strokeColor=BLACK,
                strokeWidth=0.9,
            )
        )
        for n, v in daily:
            _marker(drawing, "dot", frame.x(n), frame.y(v))
    for day in red_flag_days:
        x = frame.x(offset(day))
        drawing.add(
            Line(
                x,
                frame.y0,
                x,
                frame.y0 + frame.h - 8,
                strokeColor=BLACK,
                strokeWidth=0.6,
                strokeDashArray=[0.8, 2],
            )
        )
        _marker(drawing, "triangle", x, frame.y0 + frame.h - 4)
    _legend(
        drawing,
        [
            ("Daily pain", {"strokeColor": BLACK, "strokeWidth": 0.9}, "dot"),
            (
                "7-day mean",
                {"strokeColor": DARK, "strokeWidth": 2, "strokeDashArray": [5, 2]},
                None,
            ),
            ("Worst pain", {"strokeColor": MID, "strokeDashArray": [1, 1.5]}, "ring"),
            ("Red flag", {}, "triangle"),
            ("Programme change", {"strokeColor": MID, "strokeDashArray": [4, 2]}, None),
        ],
    )
    return drawing


def _nice_max(value: float) -> tuple[float, list[float]]:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        if value / step <= 5:
            top = max(step, -(-value // step) * step)
            return top, [step * n for n in range(int(top // step) + 1)]
    return value, [0, value]


def adherence_chart(weeks: list[dict[str, Any]]) -> Drawing:
    """Per ISO week: exercise slots prescribed (light bar) and completed (black bar)."""
    drawing = Drawing(WIDTH, HEIGHT)
    top, ticks = _nice_max(max([w["prescribed"] for w in weeks] + [1]))
    frame = _Frame(drawing, len(weeks), 0, top)
    frame.axes(ticks, "Exercise slots", "ISO week")
    slot = frame.w / max(len(weeks), 1)
    bar = slot * 0.38
    step = max(1, round(len(weeks) / 8))
    for n, week in enumerate(weeks):
        x = frame.x0 + slot * n + slot * 0.1
        drawing.add(
            Rect(
                x,
                frame.y0,
                bar,
                frame.y(week["prescribed"]) - frame.y0,
                fillColor=LIGHT,
                strokeColor=DARK,
                strokeWidth=0.4,
            )
        )
        drawing.add(
            Rect(
                x + bar,
                frame.y0,
                bar,
                frame.y(week["completed"]) - frame.y0,
                fillColor=BLACK,
                strokeColor=BLACK,
                strokeWidth=0.4,
            )
        )
        if n % step == 0:
            frame.x_tick(n + 0.5, week["week"][2:])
    _legend(
        drawing,
        [
            ("Prescribed", {"strokeColor": LIGHT, "strokeWidth": 6}, None),
            ("Completed", {"strokeColor": BLACK, "strokeWidth": 6}, None),
        ],
    )
    return drawing


def outcome_chart(scores: list[dict[str, Any]], label: str, y_max: float) -> Drawing:
    """One instrument's scores over time (points joined by a line)."""
    drawing = Drawing(WIDTH, 170)
    first = dt.date.fromisoformat(scores[0]["completed_on"])
    last = dt.date.fromisoformat(scores[-1]["completed_on"])
    days = max((last - first).days, 1)
    frame = _Frame(drawing, days, 0, y_max)
    frame.axes(_nice_max(y_max)[1], label, "Date completed")
    points = []
    for score in scores:
        n = (dt.date.fromisoformat(score["completed_on"]) - first).days
        points.append((frame.x(n), frame.y(score["score"])))
        frame.x_tick(n, dt.date.fromisoformat(score["completed_on"]).strftime("%d %b"))
    drawing.add(PolyLine([c for p in points for c in p], strokeColor=BLACK, strokeWidth=1))
    for x, y in points:
        _marker(drawing, "dot", x, y)
    return drawing


def to_svg(drawing: Drawing, title: str) -> str:
    """The drawing as an inline ``<svg>`` element with its own ids and a title."""
    text = renderSVG.drawToString(drawing)
    text = text[text.index("<svg") :]
    suffix = f"chart{next(_svg_ids)}"
    text = text.replace('id="clip"', f'id="{suffix}-clip"')
    text = text.replace("url(#clip)", f"url(#{suffix}-clip)")
    text = text.replace('id="group"', f'id="{suffix}-group"')
    text = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", text, count=1)
    text = re.sub(r"<desc>.*?</desc>", "", text, count=1)
    return text.replace("<svg ", f'<svg role="img" aria-label="{html.escape(title)}" ', 1)
