"""The SOP's flow as Mermaid flowchart text, generated from the spec (no I/O).

    flow_chart(spec) -> FlowChart      .text (Mermaid), .legend [(class, actor label)]
    ticket_flow(spec, ticket) -> FlowChart    the same for a ticket (the ticket page)
    flow_chart(spec, current=, visited=)   a ticket's place: its current step and the steps
                                       it already ran marked (classes `current`, `visited`)

Each step is a node numbered as on the paper form: a rectangle, or a hexagon when the step
decides between several next steps; the start and the end are terminators. Edges carry the
event that finishes the step (and the branch condition, when there is one). A periodic step
stands apart, marked with its period. Nodes are coloured by their first performer. Labels are
plain text (the `<i>` tags dropped) with Mermaid's own escapes for quotes, so text from the
SOP file cannot become markup or Mermaid syntax.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from api.web.sop_words import event_words
from engine.authoring.form import plain
from engine.core.model import Ticket
from engine.spec.labels import condition_words
from engine.spec.model import END, Branch, Spec, Step

MAX_LABEL = 90
PALETTE = ("#dbe8f6", "#fde9c8", "#dff2dc", "#f3dcef", "#e6e1f5", "#f8dada", "#e0f1f1")
CURRENT = ("current", "#ffd84d", "stroke:#b3261e,stroke-width:3px,color:#111")
VISITED = ("visited", "#d9d9d9", "stroke:#777,color:#333")
MARKS = {"current": "langkah sekarang", "visited": "sudah dilalui"}
MARK_LEGEND = tuple((name, MARKS[name], fill) for name, fill, _ in (CURRENT, VISITED))
PERIODS = {"daily": "harian", "weekly": "mingguan", "monthly": "bulanan"}


@dataclass(frozen=True)
class FlowChart:
    text: str
    legend: tuple[tuple[str, str, str], ...]  # (class name, actor label, colour)


def quote(text: str) -> str:
    """A Mermaid string literal: quotes, # and angle brackets as Mermaid entity codes."""
    out = plain(text).replace("#", "#35;").replace('"', "#quot;")
    out = out.replace("<", "#lt;").replace(">", "#gt;").replace("\n", " ")
    return f'"{out}"'


def _short(text: str) -> str:
    text = " ".join(plain(text).split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def _targets(spec: Spec, step: Step) -> list[tuple[str, str]]:
    """(target step id, edge label) for every way the step completes, in the SOP's words."""
    out: list[tuple[str, str]] = []
    for ev in step.events:
        if ev.to is not None:
            out.append((ev.to, ev.label or _unlabelled(spec, step, ev.name)))
        for br in ev.branches:
            cond = _branch(spec, br)
            out.append((br.to, f"{ev.label}: {cond}" if ev.label else cond))
    return out


def _unlabelled(spec: Spec, step: Step, name: str) -> str:
    """An arrow the SOP does not label: "kembali ke langkah 9" says more than the arrow does;
    a plain "lanjut ke langkah 7" says nothing the arrow does not, so it is left out."""
    words = event_words(spec, name, step.id)
    return "" if words.startswith("lanjut ") or words == "ditutup" else words


def _branch(spec: Spec, br: Branch) -> str:
    return condition_words(spec, br.when) if br.when is not None else "selain itu"


def node_id(step_id: str) -> str:
    return "s_" + "".join(c if c.isalnum() else "_" for c in step_id)


def _node(step: Step, decision: bool) -> str:
    label = quote(f"{step.no}. {_short(step.activity)}")
    if step.periodic:
        every = PERIODS.get(step.periodic, step.periodic)
        label = quote(f"{step.no}. {_short(step.activity)} ({every})")
    return f"{node_id(step.id)}{{{{{label}}}}}" if decision else f"{node_id(step.id)}[{label}]"


def flow_chart(
    spec: Spec, *, current: str | None = None, visited: Collection[str] = ()
) -> FlowChart:
    """The SOP's flow; with `current` (a step id) and `visited` (step ids a ticket ran), those
    steps take the `current` / `visited` class instead of their performer's colour."""
    actors = {a.id: a.label for a in spec.actors}
    classes: dict[str, str] = {}
    lines = ["flowchart TD", '  start_((" "))', '  end_(["end"])']
    edges: list[str] = [f"  start_ --> {node_id(spec.start)}"]
    for step in spec.steps:
        targets = _targets(spec, step)
        decision = len({t for t, _ in targets}) > 1
        lines.append("  " + _node(step, decision))
        who = step.performers[0] if step.performers else ""
        if step.id == current:
            lines.append(f"  class {node_id(step.id)} {CURRENT[0]}")
        elif step.id in visited:
            lines.append(f"  class {node_id(step.id)} {VISITED[0]}")
        elif who:
            cls = classes.setdefault(who, f"p{len(classes)}")
            lines.append(f"  class {node_id(step.id)} {cls}")
        for target, name in targets:
            dest = "end_" if target == END else node_id(target)
            arrow = f"-->|{quote(name)}|" if name else "-->"
            edges.append(f"  {node_id(step.id)} {arrow} {dest}")
    legend = []
    for i, (actor, cls) in enumerate(classes.items()):
        colour = PALETTE[i % len(PALETTE)]
        lines.append(f"  classDef {cls} fill:{colour},stroke:#555,color:#111")
        legend.append((cls, actors.get(actor, actor), colour))
    for name, fill, rest in (CURRENT, VISITED) if current or visited else ():
        lines.append(f"  classDef {name} fill:{fill},{rest}")
    lines.append("  classDef terminal fill:#333,stroke:#333,color:#fff")
    lines.append("  class start_,end_ terminal")
    return FlowChart("\n".join(lines + edges) + "\n", tuple(legend))


def ticket_flow(spec: Spec, ticket: Ticket) -> FlowChart:
    """The flow with the ticket's open step as `current` and the steps it ran as `visited`."""
    current = ticket.active.step if ticket.active is not None and ticket.is_open else None
    return flow_chart(spec, current=current, visited={run.step for run in ticket.history})
