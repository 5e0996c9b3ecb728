"""An exploration as an SOP author reads it (text) and as a tool reads it (JSON).

Each finding comes with the sequence that reached it: step numbers with their activity in the
SOP's words, the events posted (by whom, which data keys; the values of the fields conditions
read, personal ones masked), the time passing and what it set off. Then coverage, the figures
and the bounds hit.
"""

from __future__ import annotations

from typing import Any

from engine.authoring.explore.plan import MAX_VARIANTS
from engine.authoring.explore.search import Exploration, Move
from engine.authoring.explore.verdicts import Finding
from engine.authoring.form import plain
from engine.authoring.scenario.session import show_time
from engine.core.masking import mask_fields
from engine.core.model import LogEntry
from engine.core.signoff_runs import run_name
from engine.spec.labels import event_label, status_label
from engine.spec.model import END, Spec

DEADLINE, TIMER = "deadline", "timer"  # the engine's own timer events (engine.core.apply)
TITLES = {
    "stuck": "STUCK",
    "trapped": "TRAPPED",
    "breach": "BREACH",
    "refused_due": "REFUSED WHEN DUE",
    "engine_error": "ENGINE ERROR",
}
MAX_LABEL = 70  # characters of an activity shown in a sequence line


def step_label(spec: Spec, state: str, short: bool = False) -> str:
    """`step 7 Menyalurkan pengaduan ...` (the activity in the SOP's words), or `end`."""
    if state == END:
        return "end"
    try:
        step = spec.step(state)
    except KeyError:
        return state
    text = plain(step.activity)
    if short and len(text) > MAX_LABEL:
        text = text[: MAX_LABEL - 3].rstrip() + "..."
    return f"step {step.no} {text}"


def _step_no(spec: Spec, state: str) -> str:
    if state == END:
        return "end"
    try:
        return f"step {spec.step(state).no}"
    except KeyError:
        return state


def _data(spec: Spec, data: dict[str, Any], watched: set[str]) -> str:
    shown = mask_fields(data, spec.personal_fields)
    parts = [f"{k}={shown[k]}" if k in watched else k for k in data]
    return "{" + ", ".join(parts) + "}"


def _decision(spec: Spec, entry: LogEntry) -> str:
    """One decision a move led to, beyond the event posted."""
    if entry.event == DEADLINE:
        signoff = entry.data.get("signoff")
        whose = f" (sign-off {signoff})" if signoff else ""
        return f"time limit of {_step_no(spec, str(entry.data.get('step')))}{whose} passed"
    if entry.event == TIMER:
        return f"timer {entry.data.get('name')} fired"
    rule = f" (rule {entry.caused_by})" if entry.caused_by else ""
    moved = f" -> {_step_no(spec, entry.to_state)}" if entry.to_state != entry.from_state else ""
    return f"{entry.event}{rule}{moved}"


def move_line(ex: Exploration, move: Move, before: str) -> str:
    spec, watched = ex.spec, set(ex.plan.values)
    if move.waits:
        head = f"{step_label(spec, before, short=True)}: time passes to {show_time(spec, move.at)}"
        rest = [_decision(spec, e) for e in move.log]
        head += ": " + ", ".join(rest)
        rest = []
    else:
        label = event_label(spec, move.event, before)
        name = move.event if label == move.event else f"{move.event} ({label})"
        head = (
            f"{step_label(spec, before, short=True)}: {name} by {move.actor} "
            f"{_data(spec, move.data, watched)}"
        )
        rest = [_decision(spec, e) for e in move.log[1:]]
        first = move.log[0] if move.log else None
        if first is not None and first.to_state != first.from_state:
            head += f" -> {_step_no(spec, first.to_state)}"
    if rest:
        head += "; then " + ", ".join(rest)
    status = move.log[-1].to_status if move.log else None
    if move.log and status != move.log[0].from_status:
        head += f" [status {'-' if status is None else status_label(spec, status)}]"
    return head


def sequence_lines(ex: Exploration, index: int) -> list[str]:
    moves = ex.sequence(index)
    root = index
    while ex.nodes[root].parent is not None:
        root = ex.nodes[root].parent  # type: ignore[assignment]
    created = ex.nodes[root].ticket.fields
    with_fields = f" with {_data(ex.spec, created, set(ex.plan.values))}" if created else ""
    lines = [f"new ticket at {show_time(ex.spec, ex.start)}{with_fields}"]
    state = ex.nodes[root].ticket.state
    for n, move in enumerate(moves, start=1):
        lines.append(f"{n}. {move_line(ex, move, state)}")
        if move.log:
            state = move.log[-1].to_state
    return lines


def _headline(ex: Exploration, f: Finding) -> str:
    ticket = ex.nodes[f.node].ticket
    where = step_label(ex.spec, ticket.state if ticket.is_open else END)
    notes = [f"status {status_label(ex.spec, ticket.status)}"] if ticket.status else []
    notes += [f"{f.tickets} tickets like it"] if f.tickets > 1 else []
    where += f" ({'; '.join(notes)})" if notes else ""
    if f.kind == "breach" and f.invariant is not None:
        iid, text = f.invariant
        kind = "built-in invariant" if f.built_in else "invariant"
        return f"BREACH of {kind} {iid}: {text}\n    at {where}: {f.message}"
    return f"{TITLES[f.kind]} at {where}\n    {f.message}"


def text_report(ex: Exploration, found: list[Finding], file: str) -> list[str]:
    spec = ex.spec
    lines = [f"{spec.key}  {file}"]
    lines.append(
        f"  explored {len(ex.nodes)} tickets in {ex.seconds:.2f} s "
        f"({ex.attempts} events tried, {max_depth(ex)} moves deep), "
        f"from {show_time(spec, ex.start)}"
    )
    if ex.plan.by_rules_only:
        lines.append(f"  posted only by rules: {', '.join(sorted(ex.plan.by_rules_only))}")
    if ex.plan.cut:
        lines.append(f"  data variants cut at {MAX_VARIANTS} for: {', '.join(_cut(ex))}")
    for f in found:
        lines.append("  " + _headline(ex, f))
        if f.kind == "stuck":
            lines += [f"      refused: {r}" for r in ex.refusals(f.node)]
        lines.append("    reached by:")
        lines += [f"      {line}" for line in sequence_lines(ex, f.node)]
    counts = coverage_counts(ex)
    lines.append(
        "  coverage: " + ", ".join(f"{k} {hit}/{total}" for k, (hit, total) in counts.items())
    )
    assert ex.coverage is not None
    for what, missed in ex.coverage.missed().items():
        if missed:
            lines.append(f"    never {_NEVER[what]}: {', '.join(missed)}")
    lines.append("  " + bounds_text(ex))
    lines.append(f"  {len(found)} finding(s)" if found else "  ok: no stuck ticket, no breach")
    return lines


_NEVER = {
    "steps": "reached",
    "branches": "taken",
    "events": "applied",
    "deadlines": "fired",
}


def _cut(ex: Exploration) -> list[str]:
    """The events (and the creation) whose data variants were cut at MAX_VARIANTS."""
    return sorted(f"{step}.{event}" if step else "new ticket" for step, event in ex.plan.cut)


def coverage_counts(ex: Exploration) -> dict[str, tuple[int, int]]:
    assert ex.coverage is not None
    return ex.coverage.counts()


def max_depth(ex: Exploration) -> int:
    return max((n.depth for n in ex.nodes), default=0)


def bounds_text(ex: Exploration) -> str:
    limits = f"depth {ex.limits.depth}, max states {ex.limits.max_states}"
    if not ex.bounds_hit:
        return f"bounds: none hit ({limits})"
    hit = ", ".join(ex.bounds_hit)
    return (
        f"BOUND HIT: {hit} ({limits}): {len(ex.unexpanded)} tickets not explored further; "
        "raise --depth / --max-states to see past them"
    )


def as_dict(ex: Exploration, found: list[Finding], file: str) -> dict[str, Any]:
    spec = ex.spec
    assert ex.coverage is not None
    missed = ex.coverage.missed()
    return {
        "sop": spec.key,
        "file": file,
        "ok": not found,
        "start": show_time(spec, ex.start, "seconds"),
        "states": len(ex.nodes),
        "events_tried": ex.attempts,
        "depth_reached": max_depth(ex),
        "seconds": round(ex.seconds, 3),
        "limits": {"depth": ex.limits.depth, "max_states": ex.limits.max_states},
        "bounds_hit": list(ex.bounds_hit),
        "unexplored": len(ex.unexpanded),
        "posted_only_by_rules": sorted(ex.plan.by_rules_only),
        "variants_cut": _cut(ex),
        "findings": [_finding_dict(ex, f) for f in found],
        "coverage": {
            what: {"reached": hit, "all": total, "missed": missed[what]}
            for what, (hit, total) in coverage_counts(ex).items()
        },
    }


def _finding_dict(ex: Exploration, f: Finding) -> dict[str, Any]:
    spec, ticket = ex.spec, ex.nodes[f.node].ticket
    state = ticket.state if ticket.is_open else END
    out: dict[str, Any] = {
        "kind": f.kind,
        "step": state,
        "step_no": spec.step(state).no if state != END else None,
        "step_label": step_label(spec, state),
        "status": ticket.status,
        "tickets": f.tickets,
        "message": f.message,
    }
    if f.invariant is not None:
        out["invariant"] = {"id": f.invariant[0], "text": f.invariant[1], "built_in": f.built_in}
    if f.kind == "stuck":
        out["refusals"] = ex.refusals(f.node)
    out["sequence"] = [_move_dict(ex, m) for m in ex.sequence(f.node)]
    return out


def _move_dict(ex: Exploration, move: Move) -> dict[str, Any]:
    spec, watched = ex.spec, set(ex.plan.values)
    shown = mask_fields(move.data, spec.personal_fields)
    return {
        "event": move.event or None,
        "actor": move.actor or None,
        "data": list(move.data),
        "values": {k: shown[k] for k in move.data if k in watched},
        "at": show_time(spec, move.at, "seconds"),
        "decisions": [_decision_dict(spec, e) for e in move.log],
    }


def _decision_dict(spec: Spec, entry: LogEntry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "event": entry.event,
        "from_step": _no(spec, entry.from_state),
        "to_step": _no(spec, entry.to_state),
        "caused_by": entry.caused_by,
        "status": entry.to_status,
    }
    if entry.event == DEADLINE:  # whose time limit: a step's, or `step.sign-off`
        signoff = entry.data.get("signoff")
        step = str(entry.data.get("step"))
        out["of"] = run_name(step, str(signoff)) if signoff else step
    elif entry.event == TIMER:
        out["of"] = entry.data.get("name")
    return out


def _no(spec: Spec, state: str) -> int | str | None:
    if state == END:
        return END
    try:
        return spec.step(state).no
    except KeyError:
        return None
