"""Checks of the flow between steps: every step reachable from `start`, none a dead end.

A ticket moves along the targets of events that complete a step (`to`, `branches[].to`); the
reserved target "end" closes it. Periodic steps (`periodic: monthly`) run on a schedule and are
not part of a ticket's path.
"""

from __future__ import annotations

from typing import Any

from engine.spec.crossref import Context, as_list, as_map
from engine.spec.hints import suggest
from engine.spec.model import END
from engine.spec.report import Report


def target_places(ev: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """(path under the event, target) for `to` and each branch's `to`."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(ev.get("to"), str):
        out.append((("to",), ev["to"]))
    for j, branch in enumerate(as_list(ev.get("branches"))):
        if isinstance(as_map(branch).get("to"), str):
            out.append((("branches", j, "to"), branch["to"]))
    return out


def targets(step: dict[str, Any]) -> list[str]:
    """Where the step's moving events lead (pause and resume events do not move)."""
    out: list[str] = []
    for ev in as_map(step.get("events")).values():
        ev = as_map(ev)
        if ev.get("pause") is not True and ev.get("resume") is not True:
            out += [target for _, target in target_places(ev)]
    return out


def check_flow(data: dict[str, Any], ctx: Context, report: Report) -> None:
    ticket_steps = {
        sid: step for sid, step in ctx.steps.items() if as_map(step).get("periodic") is None
    }
    start = data.get("start")
    if isinstance(start, str):
        if start not in ctx.steps:
            report.add("unknown_step", ("start",), f"no step {start!r}", suggest(start, ctx.steps))
            return
        if start not in ticket_steps:
            report.add("periodic_start", ("start",), f"{start!r} is a periodic step")
            return
    else:
        return
    _periodic_targets(ctx, report)
    if not _sound(data, ctx):
        return  # unreachable / looping steps would only repeat the problems already reported
    graph = {
        sid: [t for t in targets(step) if t in ticket_steps or t == END]
        for sid, step in ticket_steps.items()
    }
    reached = _reach(graph, start)
    for sid in ticket_steps:
        if sid not in reached:
            report.add(
                "step_unreachable",
                ("steps", ctx.step_index[sid], "id"),
                f"no event leads to step {sid!r} from the start ({start!r})",
                "add an event whose `to` or branch names it, or remove the step",
            )
    _exits(graph, ticket_steps, reached, ctx, report)


def _sound(data: dict[str, Any], ctx: Context) -> bool:
    """Every step has a unique id and every target names a ticket step (or the end)."""
    steps = as_list(data.get("steps"))
    if len(ctx.steps) != len(steps):
        return False
    return all(
        t == END or (t in ctx.steps and as_map(ctx.steps[t]).get("periodic") is None)
        for s in steps
        for t in targets(as_map(s))
    )


def _reach(graph: dict[str, list[str]], start: str) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _exits(
    graph: dict[str, list[str]],
    ticket_steps: dict[str, Any],
    reached: set[str],
    ctx: Context,
    report: Report,
) -> None:
    finishing = {sid for sid, step in ticket_steps.items() if as_map(step).get("final") is True}
    for sid, nexts in graph.items():
        if END in nexts:
            finishing.add(sid)
    changed = True
    while changed:  # a step finishes when one of its targets finishes
        changed = False
        for sid, nexts in graph.items():
            if sid not in finishing and any(n in finishing for n in nexts):
                finishing.add(sid)
                changed = True
    stuck = _stuck(graph, {sid for sid in reached if sid not in finishing})
    for sid in ticket_steps:
        step = as_map(ticket_steps[sid])
        i = ctx.step_index[sid]
        if step.get("final") is True:
            continue
        if not targets(step):
            report.add(
                "step_no_way_out",
                ("steps", i, "id"),
                f"step {sid!r} has no event that moves the ticket on, and is not final",
                f"add an event with `to:` (a step, or {END!r} to close the ticket) "
                "or `final: true`",
            )
        elif sid in stuck:
            report.add(
                "step_cannot_finish",
                ("steps", i, "id"),
                f"from step {sid!r} no path leads to {END!r} or a final step",
                "the ticket would loop forever: give one of these steps a way out",
            )


def _stuck(graph: dict[str, list[str]], unfinished: set[str]) -> set[str]:
    """The unfinished steps a ticket cannot leave once there (every step it can reach leads
    back): where a way out is missing. Steps upstream of them are not reported again."""
    reach = {sid: _reach(graph, sid) for sid in unfinished}
    return {
        sid
        for sid in unfinished
        if graph.get(sid) and all(sid in reach.get(t, ()) for t in reach[sid])
    }


def _periodic_targets(ctx: Context, report: Report) -> None:
    for sid, step in ctx.steps.items():
        for name, ev in as_map(as_map(step).get("events")).items():
            for suffix, target in target_places(as_map(ev)):
                if as_map(ctx.steps.get(target)).get("periodic") is not None:
                    report.add(
                        "periodic_target",
                        ("steps", ctx.step_index[sid], "events", name, *suffix),
                        f"{target!r} is a periodic step: tickets do not move into it",
                    )
