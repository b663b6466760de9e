"""The report as a document: sections of paragraphs, fact lists, tables and charts, in
words and figures, rendered the same way to HTML (api/reports/html.py) and to PDF
(api/reports/pdf.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from reportlab.graphics.shapes import Drawing

from api.reports import charts

DISCLAIMER = "Guidance, not a diagnosis."
NO_DATA = "No data was recorded in this period: no check-ins, sessions, programmes, alerts "
NO_DATA += "or questionnaires."
SCALES = {"ndi": ("NDI (0-50 points)", 50.0), "psfs": ("PSFS (0-10, mean)", 10.0)}
NAMES = {"ndi": "Neck Disability Index (NDI)", "psfs": "Patient-Specific Functional Scale (PSFS)"}


@dataclass
class Paragraph:
    text: str


@dataclass
class Facts:
    rows: list[tuple[str, str]]


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Chart:
    title: str
    drawing: Drawing


@dataclass
class Section:
    title: str
    blocks: list[Any] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    header: Facts
    notice: str | None
    sections: list[Section]


def number(value: float | None) -> str:
    """A figure as the JSON gives it, without a trailing ``.0``."""
    return "-" if value is None else f"{value:g}"


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{round(rate * 100)} %"


def _when(value: str | None, tz) -> str:
    if not value:
        return "-"
    return dt.datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _header(data: dict[str, Any]) -> Facts:
    patient = data["patient"]
    return Facts(
        [
            ("Patient", patient["display_name"]),
            ("Age band", patient["age_band"] or "not given"),
            ("Period", f"{data['from'].isoformat()} to {data['to'].isoformat()}"),
            ("Therapist(s)", ", ".join(data["therapists"]) or "none linked"),
            (
                "Generated",
                data["generated_local"].strftime("%Y-%m-%d %H:%M ") + patient["timezone"],
            ),
            ("Note", DISCLAIMER),
        ]
    )


def _pain(data: dict[str, Any]) -> Section:
    pain = data["progress"]["pain"]
    section = Section("Pain")
    if not pain["series"]:
        section.blocks.append(Paragraph("No check-ins in this period: no pain to chart."))
        return section
    section.blocks.append(
        Chart(
            "Daily pain, 7-day mean and worst pain (0-10), with red-flag days and programme "
            "changes",
            charts.pain_chart(
                pain["series"],
                data["from"],
                data["to"],
                data["red_flag_days"],
                data["programme_changes"],
            ),
        )
    )
    change = pain["change"]
    rows = [("Check-ins", str(len(pain["series"])))]
    if change is None:
        rows.append(("Change from baseline", "not enough check-ins (at least 2)"))
    else:
        rows += [
            ("Baseline (mean)", f"{number(change['baseline'])} /10"),
            ("Latest (mean)", f"{number(change['latest'])} /10"),
            ("Change", f"{number(change['difference'])} points ({change['label']})"),
            (
                "Percent change",
                "-"
                if change["percent_change"] is None
                else f"{number(change['percent_change'])} %",
            ),
            (
                "Check-ins compared",
                f"first {change['check_ins_compared']} and last {change['check_ins_compared']}",
            ),
        ]
    rows.append(
        ("Red-flag days", ", ".join(d.isoformat() for d in data["red_flag_days"]) or "none")
    )
    section.blocks.append(Facts(rows))
    if change is not None:
        section.blocks.append(Paragraph(f"Meaningful change: {change['source']}."))
    return section


def _adherence(data: dict[str, Any]) -> Section:
    adherence = data["progress"]["adherence"]
    section = Section("Adherence")
    if not adherence["prescribed"]:
        section.blocks.append(Paragraph("No exercise was prescribed in this period."))
    else:
        section.blocks.append(
            Chart(
                "Exercise slots per ISO week: prescribed and completed",
                charts.adherence_chart(adherence["weeks"]),
            )
        )
        section.blocks.append(
            Table(
                ["Week", "Prescribed", "Completed", "Rate"],
                [
                    [w["week"], str(w["prescribed"]), str(w["completed"]), percent(w["rate"])]
                    for w in adherence["weeks"]
                    if w["prescribed"]
                ],
            )
        )
    section.blocks.append(
        Facts(
            [
                (
                    "Overall",
                    f"{adherence['completed']} of {adherence['prescribed']} exercise slots "
                    f"({percent(adherence['rate'])})",
                ),
                ("Current streak", f"{adherence['current_streak_days']} days"),
            ]
        )
    )
    return section


def _outcomes(data: dict[str, Any]) -> Section:
    outcomes = data["progress"]["outcomes"]
    section = Section("Outcomes")
    if not outcomes:
        section.blocks.append(Paragraph("No questionnaire (NDI or PSFS) in this period."))
        return section
    for instrument, summary in outcomes.items():
        label, y_max = SCALES[instrument]
        scores = summary["scores"]
        section.blocks.append(Paragraph(NAMES[instrument]))
        if len(scores) >= 2:
            section.blocks.append(
                Chart(f"{NAMES[instrument]} over time", charts.outcome_chart(scores, label, y_max))
            )
        section.blocks.append(
            Table(
                ["Completed", "Score", "Band", "Change from first"],
                [
                    [
                        s["completed_on"],
                        number(s["score"]),
                        s["band"] or "-",
                        s["change_from_first"] or "-",
                    ]
                    for s in scores
                ],
            )
        )
        change = summary["change"]
        if change is None:
            section.blocks.append(Paragraph("One score: no change to report yet."))
        else:
            section.blocks.append(
                Facts(
                    [
                        (
                            "Change",
                            f"{number(change['first'])} to {number(change['latest'])} "
                            f"({number(change['difference'])}): {change['label']}",
                        ),
                        ("Meaningful change", change["meaningful_change"]),
                        ("Better is", change["better"]),
                    ]
                )
            )
    return section


def _red_flags(data: dict[str, Any]) -> Section:
    tz = data["generated_local"].tzinfo
    section = Section("Red flags")
    if not data["alerts"]:
        section.blocks.append(Paragraph("No red-flag alert in this period."))
        return section
    section.blocks.append(
        Table(
            ["Level", "Rule", "Raised", "Acknowledged", "Escalated", "Resolved", "Outcome"],
            [
                [
                    a["level"],
                    f"{a['rule_id']}: {a['title']}",
                    _when(a["created_at"], tz),
                    _when(a["acknowledged_at"], tz),
                    _when(a["escalated_at"], tz),
                    _when(a["resolved_at"], tz),
                    (a["outcome"] or a["status"]).replace("_", " "),
                ]
                for a in data["alerts"]
            ],
        )
    )
    return section


def _dose(item: dict[str, Any]) -> str:
    sets = f"{item['sets']} set{'s' if item['sets'] != 1 else ''}"
    parts = [f"{item['sets']} x {item['reps']} reps" if item["reps"] else sets]
    if item["hold_seconds"]:
        parts.append(f"hold {item['hold_seconds']} s")
    parts.append(f"rest {item['rest_seconds']} s")
    if item["times_per_day"] > 1:
        parts.append(f"{item['times_per_day']} times a day")
    if item["load"]:
        parts.append(item["load"])
    if item["side"]:
        parts.append(item["side"])
    return ", ".join(parts)


def _programme(data: dict[str, Any]) -> Section:
    section = Section("Programme")
    if not data["programmes"]:
        section.blocks.append(Paragraph("No programme ran in this period."))
        return section
    for programme in data["programmes"]:
        current = programme["current"]
        ends = programme["ends_on"] or "open-ended"
        section.blocks.append(
            Paragraph(
                f"{programme['title']} ({programme['status']}), {programme['starts_on']} to "
                f"{ends}: version {current['number']}, on {', '.join(current['days_of_week'])}"
            )
        )
        section.blocks.append(
            Table(
                ["Exercise", "Dose", "Days"],
                [[i["exercise"], _dose(i), ", ".join(i["days_of_week"])] for i in current["items"]],
            )
        )
        versions = [v for v in programme["versions"] if v["in_period"]]
        section.blocks.append(
            Paragraph(
                "Versions in the period: "
                + (
                    "; ".join(
                        f"version {v['number']} on {v['created_on'].isoformat()} "
                        f"({len(v['items'])} exercise{'s' if len(v['items']) != 1 else ''})"
                        for v in versions
                    )
                    or "none (unchanged)"
                )
            )
        )
    return section


def _monitoring(data: dict[str, Any]) -> Section:
    threshold = data["monitoring_threshold"]
    section = Section("Monitoring days")
    section.blocks.append(
        Paragraph(
            f"Days with a check-in or an exercise session, per 30-day period ending on the last "
            f"day of the report; {threshold} or more days are marked (remote therapeutic "
            "monitoring, CMS CPT 98976-98977)."
        )
    )
    section.blocks.append(
        Table(
            ["Period", "Days with data", f"{threshold} or more"],
            [
                [
                    f"{p['from'].isoformat()} to {p['to'].isoformat()}",
                    f"{p['days_with_data']} of {p['length']}",
                    "yes"
                    if p["threshold_met"]
                    else ("no" if p["length"] == 30 else f"no ({p['length']}-day period)"),
                ]
                for p in data["monitoring"]
            ],
        )
    )
    return section


def build(data: dict[str, Any]) -> Document:
    return Document(
        title="Progress report",
        subtitle=f"{data['patient']['display_name']}, {data['from'].isoformat()} to "
        f"{data['to'].isoformat()}",
        header=_header(data),
        notice=None if data["has_data"] else NO_DATA,
        sections=[
            _pain(data),
            _adherence(data),
            _outcomes(data),
            _red_flags(data),
            _programme(data),
            _monitoring(data),
        ],
    )
