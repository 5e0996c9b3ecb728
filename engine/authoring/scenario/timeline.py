"""A ticket's timeline as text or plain data: one row per decision (or refused event)."""

from __future__ import annotations

from typing import Any

from engine.authoring.scenario.session import Row, show_time
from engine.core.model import performer
from engine.spec.labels import event_label, status_label
from engine.spec.model import Spec


def _step_no(spec: Spec, state: str) -> str:
    try:
        return str(spec.step(state).no)
    except KeyError:
        return "-"


def _status_label(spec: Spec, status: str | None) -> str:
    return "-" if status is None else status_label(spec, status)


def _notes(row: Row) -> list[str]:
    out = []
    for n in row.notifications:
        tag = "escalation" if n.escalation else "notify"
        via = f" via {n.channel}" if n.channel else ""
        scope = f" [{n.scope}]" if n.scope else ""
        out.append(f"{tag} {n.to}{scope}{via}: {n.template}")
    return out


def _sla(row: Row) -> str:
    return f"step {row.finished_step} {row.sla}" if row.finished_step and row.sla else ""


def format_rows(spec: Spec, rows: list[Row] | tuple[Row, ...]) -> list[str]:
    """Aligned text lines: time, step no., event, actor, state -> state, status, SLA, then the
    notifications the decision produced, indented beneath."""
    table = [
        [
            show_time(spec, r.at),
            _step_no(spec, r.from_state) if r.from_state else _step_no(spec, r.to_state),
            event_label(spec, r.event, r.from_state)
            + (f" (rule {r.caused_by})" if r.caused_by else "")
            + (f" [{r.signoff}]" if r.signoff else ""),
            r.actor or "-",
            f"{r.from_state or '-'} -> {r.to_state}" if not r.refused else "REFUSED",
            _status_label(spec, r.status),
            _sla(r),
        ]
        for r in rows
    ]
    head = ["time", "step", "event", "actor", "state", "status", "sla"]
    widths = [max(len(c) for c in col) for col in zip(head, *table, strict=False)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()]
    for cells, row in zip(table, rows, strict=True):
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        indent = " " * (widths[0] + 2)
        lines.extend(f"{indent}{note}" for note in _notes(row))
        if row.refused:
            lines.append(f"{indent}{row.refused}")
    return lines


def rows_as_dicts(spec: Spec, rows: list[Row] | tuple[Row, ...]) -> list[dict[str, Any]]:
    return [
        {
            "at": show_time(spec, r.at, "seconds"),
            "step": _step_no(spec, r.from_state) if r.from_state else _step_no(spec, r.to_state),
            "event": r.event,
            "event_label": event_label(spec, r.event, r.from_state),
            "actor": performer(r.actor),
            "caused_by": r.caused_by,
            "signoff": r.signoff or None,
            "from_state": r.from_state,
            "to_state": r.to_state,
            "status": r.status,
            "status_label": _status_label(spec, r.status),
            "sla": {"step": r.finished_step, "result": r.sla} if r.sla else None,
            "notifications": [
                {
                    "to": n.to,
                    "template": n.template,
                    "escalation": n.escalation,
                    "channel": n.channel,
                    "scope": n.scope,
                    "text": n.text,
                }
                for n in r.notifications
            ],
            "refused": r.refused,
        }
        for r in rows
    ]
