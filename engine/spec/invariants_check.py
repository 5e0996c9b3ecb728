"""Cross-references of a revision's `invariants:`, checked with the rest of the revision in view.

    invariants:
      - id: unit-known
        text: Permohonan yang diteruskan sudah mempunyai unit tujuan
        at: [review, decide]                        # step ids, or `end`; absent: every step
        holds: {field: unit, is_set: true}          # the one condition language, over fields
        status: [in_review]                         # the ticket's status is one of these

An invariant says something of a ticket, not of an event: its condition tests `field:` only.
It states `holds`, `status` or both. Structure (keys, types) is the schema's
(engine.spec.schema); `sop check` evaluates what this module lets through.
"""

from __future__ import annotations

from typing import Any

from engine.spec.conditions import check_condition
from engine.spec.crossref import Context, as_list, as_map
from engine.spec.hints import suggest
from engine.spec.model import END
from engine.spec.report import Path, Report


def check_invariants(data: dict[str, Any], ctx: Context, report: Report) -> None:
    ticket_steps = [s for s, step in ctx.steps.items() if as_map(step).get("periodic") is None]
    seen: dict[str, int] = {}
    for i, raw in enumerate(as_list(data.get("invariants"))):
        path: Path = ("invariants", i)
        inv = as_map(raw)
        iid = inv.get("id")
        if isinstance(iid, str) and iid in seen:
            report.add(
                "duplicate_value",
                (*path, "id"),
                f"the invariant id {iid!r} is used twice",
                f"invariants[{seen[iid]}] already has it",
            )
        elif isinstance(iid, str):
            seen[iid] = i
        if inv and "holds" not in inv and "status" not in inv:
            report.add(
                "missing_key",
                path,
                "an invariant states what holds: `holds` (a condition), `status`, or both",
                "e.g. `holds: {field: agency, is_set: true}` or `status: [in_progress]`",
            )
        _at(inv, path, ctx, ticket_steps, report)
        for j, status in enumerate(as_list(inv.get("status"))):
            if isinstance(status, str) and status not in ctx.statuses:
                report.add(
                    "unknown_status",
                    (*path, "status", j),
                    f"no status {status!r} is defined",
                    suggest(status, ctx.statuses),
                )
        if inv.get("holds") is not None:
            check_condition(inv["holds"], (*path, "holds"), ctx.fields, report)
            _fields_only(inv["holds"], (*path, "holds"), report)


def _at(
    inv: dict[str, Any], path: Path, ctx: Context, ticket_steps: list[str], report: Report
) -> None:
    listed: set[str] = set()
    for j, sid in enumerate(as_list(inv.get("at"))):
        here = (*path, "at", j)
        if not isinstance(sid, str):
            continue
        if sid in listed:
            report.add("duplicate_value", here, f"the step {sid!r} is listed twice")
        listed.add(sid)
        if sid in ticket_steps or sid == END:
            continue
        if sid in ctx.steps:
            report.add(
                "periodic_target",
                here,
                f"{sid!r} runs on a schedule: no ticket is ever at it",
                "name the steps a ticket passes through, or `end` for a closed ticket",
            )
        else:
            report.add(
                "unknown_step",
                here,
                f"no step {sid!r} is defined",
                suggest(sid, [*ticket_steps, END]),
            )


def _fields_only(cond: Any, path: Path, report: Report) -> None:
    """An invariant reads a ticket, which has no event data: `data:` would never be set."""
    if isinstance(cond, list):
        for i, item in enumerate(cond):
            _fields_only(item, (*path, i), report)
        return
    if not isinstance(cond, dict):
        return
    if "data" in cond:
        report.add(
            "bad_condition",
            (*path, "data"),
            "an invariant tests the ticket's fields, not an event's data",
            "write `field:` instead of `data:`",
        )
    for key in ("all", "any", "not"):
        if key in cond:
            _fields_only(cond[key], (*path, key), report)
