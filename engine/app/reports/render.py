"""A MonevReport as JSON-ready data, CSV (one figure per row) and text for the terminal.

as_json(report) -> dict        sections with their steps; shares as fractions 0..1
as_csv(report) -> str          scope,section,step_no,step,measure,value,unit  (tidy rows)
                               text cells a spreadsheet would run as a formula are escaped
as_text(report) -> str         one table per section
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from engine.app.reports.model import MonevReport, Section, StepFigures
from engine.authoring.form import plain

__all__ = ["as_csv", "as_json", "as_text", "section_text"]

STEP_MEASURES = (
    "entered",
    "tickets_entered",
    "reentered",
    "tickets_reentered",
    "finished",
    "with_limit",
    "met",
    "share_met",
    "median",
    "p90",
)
TIMED = ("median", "p90")


def _step_json(step: StepFigures) -> dict[str, Any]:
    out = asdict(step)
    out["activity"] = plain(step.activity)
    out["share_met"] = step.share_met
    return out


def _section_json(section: Section) -> dict[str, Any]:
    return {
        "scope": section.scope,
        "tickets_received": section.tickets_received,
        "tickets_closed": section.tickets_closed,
        "notifications_sent": section.notifications_sent,
        "escalations": section.escalations,
        "notifications": [asdict(n) for n in section.notifications],
        "steps": [_step_json(s) for s in section.steps],
    }


def as_json(report: MonevReport) -> dict[str, Any]:
    return {
        "sop": report.sop_id,
        "revision": report.revision,
        "from": report.first_day.isoformat(),
        "to": report.end_day.isoformat(),
        "time_zone": report.time_zone,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "generated": report.generated.isoformat(),
        "scope_field": report.scope_field,
        "total": _section_json(report.total),
        "scopes": [_section_json(s) for s in report.scopes],
    }


def _rows(section: Section) -> list[list[Any]]:
    scope = section.scope or ""
    rows: list[list[Any]] = [
        [scope, "tickets", "", "", "received", section.tickets_received, ""],
        [scope, "tickets", "", "", "closed", section.tickets_closed, ""],
    ]
    for n in section.notifications:
        kind = "escalations" if n.escalation else "notifications"
        rows.append([scope, kind, "", "", n.rule, n.count, ""])
    for s in section.steps:
        for measure in STEP_MEASURES:
            value = getattr(s, measure)
            rows.append(
                [
                    scope,
                    "step",
                    s.no,
                    s.id,
                    measure,
                    _num(value),
                    s.unit if measure in TIMED else "",
                ]
            )
        for event, count in s.finished_by.items():
            rows.append([scope, "step", s.no, s.id, f"finished_by:{event}", count, ""])
    return rows


def _num(value: Any) -> Any:
    if value is None:
        return ""
    return round(value, 4) if isinstance(value, float) else value


def as_csv(report: MonevReport) -> str:
    """Rows of (scope, section, step_no, step, measure, value, unit); the whole SOP first
    (scope empty), then each scope value. Easy to pivot in a spreadsheet."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["scope", "section", "step_no", "step", "measure", "value", "unit"])
    for section in (report.total, *report.scopes):
        out.writerows([inert_cell(cell) for cell in row] for row in _rows(section))
    return buf.getvalue()


# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): a text cell
# beginning with one is written after a quote, shown as text and never run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: Any) -> Any:
    """`value` as a CSV cell no spreadsheet runs: `=HYPERLINK(...)` becomes `'=HYPERLINK(...)`.
    Numbers are left as they are (a figure is never text a caller wrote)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


UNIT_SHORT = {
    "working_days": "wd",
    "calendar_days": "d",
    "hours": "h",
    "minutes": "min",
    "seconds": "s",
}


def _time(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.2f} {UNIT_SHORT.get(unit, unit)}"


def _share(step: StepFigures) -> str:
    return "-" if step.share_met is None else f"{step.share_met:.0%} ({step.met}/{step.with_limit})"


def section_text(section: Section, title: str) -> str:
    lines = [
        title,
        f"  tickets received {section.tickets_received}, closed {section.tickets_closed}; "
        f"notifications {section.notifications_sent} (escalations {section.escalations})",
    ]
    head = ("no", "step", "entered", "loops", "finished", "within limit", "median", "p90")
    rows = [head]
    for s in section.steps:
        loops = f"{s.reentered} ({s.tickets_reentered} t)" if s.reentered else "0"
        rows.append(
            (
                str(s.no),
                s.id,
                str(s.entered),
                loops,
                str(s.finished),
                _share(s),
                _time(s.median, s.unit),
                _time(s.p90, s.unit),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        lines.append(
            ("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))).rstrip()
        )
    ends = [
        f"  {s.no} {s.id}: " + ", ".join(f"{e} {n}" for e, n in s.finished_by.items())
        for s in section.steps
        if len(s.finished_by) > 1
    ]
    if ends:
        lines.append("  finished by:")
        lines.extend("  " + e for e in ends)
    for n in section.notifications:
        lines.append(f"  {'escalation' if n.escalation else 'notification'} {n.rule}: {n.count}")
    return "\n".join(lines)


def as_text(report: MonevReport) -> str:
    what = report.scope_field or "scope"
    head = (
        f"Monev {report.sop_id} (steps of {report.revision}), "
        f"{report.first_day.isoformat()} to {report.end_day.isoformat()} (exclusive), "
        f"{report.time_zone}"
    )
    total_title = "Whole SOP" if report.total.scope is None else f"{what} {report.total.scope}"
    parts = [head, section_text(report.total, total_title)]
    for s in report.scopes:
        parts.append(section_text(s, f"{what} {s.scope or '(none yet)'}"))
    return "\n\n".join(parts) + "\n"
