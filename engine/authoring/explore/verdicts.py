"""What is wrong with the tickets an exploration reached, each found at its shortest sequence.

    findings(exploration) -> [Finding]

- stuck: an open ticket that no event (of any actor, with any data tried) moves, with no
  deadline or timer pending: nothing will ever happen to it.
- trapped: an open ticket that can still move (reminders keep firing, a loop keeps going) but
  from which no sequence reaches a closed ticket; reported where the search first entered it.
- breach: an invariant the SOP declares (`invariants:`) is false at a ticket, or one the engine
  always expects: a closed ticket has no pending deadline, the status is a declared status, the
  state is a ticket step or the end.
- refused_due: a deadline or timer fell due and the core refused what it set off (a rule fired
  an event the step does not accept): the sweeper would meet the same refusal every time.
- engine_error: the rules failed on an event (RulesError).

A ticket left unexpanded by a bound counts as one that may still close.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.authoring.explore.search import Exploration
from engine.core import pending_deadlines
from engine.core.conditions import holds
from engine.core.model import Ticket
from engine.spec.labels import condition_words, status_label
from engine.spec.model import END, Invariant, Spec

# The invariants every revision has, whatever it declares: (id, text).
CLOSED_NO_DEADLINE = ("closed_no_deadline", "a closed ticket has no pending deadline or timer")
DECLARED_STATUS = ("declared_status", "the status is one the SOP declares")
KNOWN_STATE = ("known_state", "the ticket is at a ticket step, or closed at the end")
STUCK = "no event is accepted and no deadline or timer is pending"


@dataclass(frozen=True)
class Finding:
    kind: str  # stuck | trapped | breach | refused_due | engine_error
    node: int  # the ticket it was first met at (a shortest sequence reaches it)
    tickets: int  # how many distinct tickets it was met at
    message: str
    invariant: tuple[str, str] | None = None  # (id, text) of a breached invariant
    built_in: bool = False


def breaches(spec: Spec, ticket: Ticket) -> list[tuple[tuple[str, str], bool, str]]:
    """The invariants false at `ticket`: ((id, text), built in, what is wrong)."""
    out: list[tuple[tuple[str, str], bool, str]] = []
    steps = tuple(s.id for s in spec.ticket_steps)
    if not ticket.is_open and pending_deadlines(ticket):
        names = ", ".join(d.name for d in pending_deadlines(ticket))
        out.append((CLOSED_NO_DEADLINE, True, f"still pending: {names}"))
    declared = {s.id for s in spec.statuses}
    if ticket.status is not None and ticket.status not in declared:
        out.append((DECLARED_STATUS, True, f"status {ticket.status!r} is not declared"))
    known = ticket.state in steps or ticket.state == END
    if not known or (ticket.state == END) == ticket.is_open:
        state = "closed" if not ticket.is_open else "open"
        out.append((KNOWN_STATE, True, f"the ticket is {state} at {ticket.state!r}"))
    state = ticket.state if ticket.is_open else END
    for inv in spec.invariants:
        if inv.applies(state, steps):
            wrong = _wrong(spec, inv, ticket)
            if wrong:
                out.append(((inv.id, inv.text), False, wrong))
    return out


def _wrong(spec: Spec, inv: Invariant, ticket: Ticket) -> str:
    """What about `ticket` breaks `inv` ("" when it holds)."""
    problems: list[str] = []
    if inv.status and ticket.status not in inv.status:
        wanted = " or ".join(_status_label(spec, s) for s in inv.status)
        problems.append(f"the status is {_status_label(spec, ticket.status)}, not {wanted}")
    if inv.holds is not None and not holds(inv.holds, ticket.fields, {}):
        problems.append(f"not true: {condition_words(spec, inv.holds)}")
    return "; ".join(problems)


def _status_label(spec: Spec, status: str | None) -> str:
    if status is None:
        return "none"
    label = status_label(spec, status)
    return status if label == status else f"{label} ({status})"


def findings(ex: Exploration) -> list[Finding]:
    out: list[Finding] = []
    out += _breaches(ex)
    out += _grouped(ex, "stuck", ex.dead, STUCK)
    out += _trapped(ex)
    for kind in ("refused_due", "engine_error"):
        by_message: dict[str, list[int]] = {}
        for incident in ex.incidents:
            if incident.kind == kind:
                by_message.setdefault(incident.message, []).append(incident.node)
        for message, nodes in by_message.items():
            out.append(Finding(kind, min(nodes), len(set(nodes)), message))
    return out


def _breaches(ex: Exploration) -> list[Finding]:
    met: dict[str, list[int]] = {}
    first: dict[str, tuple[tuple[str, str], bool, str]] = {}
    for i, node in enumerate(ex.nodes):
        for inv, built_in, wrong in breaches(ex.spec, node.ticket):
            met.setdefault(inv[0], []).append(i)
            first.setdefault(inv[0], (inv, built_in, wrong))
    return [
        Finding("breach", nodes[0], len(nodes), first[iid][2], first[iid][0], first[iid][1])
        for iid, nodes in met.items()
    ]


def _grouped(
    ex: Exploration,
    kind: str,
    nodes: Iterable[int],
    message: str,
    counted: Iterable[int] | None = None,
) -> list[Finding]:
    """One finding per step: at the first ticket met there, with how many were like it."""
    by_state: dict[str, list[int]] = {}
    for i in sorted(nodes):
        by_state.setdefault(ex.nodes[i].ticket.state, []).append(i)
    total: dict[str, int] = {}
    for i in counted if counted is not None else nodes:
        state = ex.nodes[i].ticket.state
        total[state] = total.get(state, 0) + 1
    return [Finding(kind, found[0], total[state], message) for state, found in by_state.items()]


def _trapped(ex: Exploration) -> list[Finding]:
    """Open tickets from which no sequence closes the ticket, nor reaches a stuck one or one a
    bound left unexpanded: reported where they go round for good (a closed group of tickets
    with no way out), at its first ticket."""
    closing = [i for i, n in enumerate(ex.nodes) if not n.ticket.is_open]
    settled = _reaching(ex, [*closing, *ex.unexpanded, *ex.dead])
    trapped = {i for i in range(len(ex.nodes)) if i not in settled}
    loops = [group for group in _components(ex, trapped) if _closed(ex, group)]
    message = "it keeps moving (events, reminders), but no sequence of events or waiting closes it"
    return _grouped(ex, "trapped", [min(g) for g in loops], message, counted=trapped)


def _closed(ex: Exploration, group: set[int]) -> bool:
    """No edge leaves `group`: once in it, a ticket stays in it."""
    return all(t in group for i in group for t in ex.edges.get(i, ()))


def _components(ex: Exploration, nodes: set[int]) -> list[set[int]]:
    """The strongly connected components of the graph restricted to `nodes` (Tarjan's
    algorithm, iterative: a long chain of tickets would overflow Python's stack)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[set[int]] = []
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(t for t in ex.edges.get(root, ()) if t in nodes)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for t in successors:
                if t not in index:
                    index[t] = low[t] = len(index)
                    stack.append(t)
                    on_stack.add(t)
                    work.append((t, iter(sorted(u for u in ex.edges.get(t, ()) if u in nodes))))
                    advanced = True
                    break
                if t in on_stack:
                    low[node] = min(low[node], index[t])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group: set[int] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                out.append(group)
    return out


def _reaching(ex: Exploration, targets: Iterable[int]) -> set[int]:
    """Every node from which some node of `targets` is reachable (targets included)."""
    back: dict[int, set[int]] = {}
    for source, successors in ex.edges.items():
        for target in successors:
            back.setdefault(target, set()).add(source)
    reached = set(targets)
    todo = list(reached)
    while todo:
        for source in back.get(todo.pop(), ()):
            if source not in reached:
                reached.add(source)
                todo.append(source)
    return reached
