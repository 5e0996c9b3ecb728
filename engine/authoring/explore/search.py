"""The bounded search: every ticket a revision can reach from a new one, breadth first.

    exploration = explore(rev, Limits(depth=60, max_states=20_000))

From a new ticket (no fields, at a fixed Monday 09:00 on the SOP's default calendar), each
reachable ticket is expanded by every move: each allowed event posted by each actor that may
post it with each data variant (engine.authoring.explore.plan), and "time passes": the clock
moves to the next pending deadline or timer and the one catch-up (engine.core.catch_up)
applies what falls due, so deadlines fire their rules and rules fire their events. A refused
event is not a move. Tickets are told apart by what decides their future (`state_key`), so a
ticket reached twice is expanded once; breadth first, the sequence kept for each is a
shortest one. The search stops at `depth` moves or `max_states` tickets, and says so.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.authoring.explore.coverage import Coverage
from engine.authoring.explore.plan import Attempt, Plan
from engine.core import CompiledRevision, apply, catch_up, new_ticket, pending_deadlines
from engine.core.model import Event, LogEntry, Outcome, Ticket
from engine.core.signoff_runs import run_name
from engine.errors import RulesError, SopError, TicketError
from engine.spec.model import Spec
from engine.spec.semantics import is_set

TICKET_ID = "explore"
MOST_DUE = 1_000  # timer events applied by one "time passes" move


@dataclass(frozen=True)
class Limits:
    depth: int = 60  # moves (events posted, or time passing) from the new ticket
    max_states: int = 20_000  # distinct tickets


@dataclass(frozen=True)
class Move:
    """One step of a sequence: an event posted (`event`, `actor`, `data`), or time passing
    (`event` ""), with every decision it led to (the rules' events, deadlines, timers)."""

    event: str
    actor: str
    data: dict[str, Any]
    at: datetime
    log: tuple[LogEntry, ...]

    @property
    def waits(self) -> bool:
        return not self.event


@dataclass
class Node:
    ticket: Ticket
    now: datetime
    depth: int
    parent: int | None = None
    move: Move | None = None


@dataclass
class Incident:
    """Something the search met at a ticket: an engine error, or a due event refused."""

    kind: str  # "refused_due" | "engine_error"
    node: int
    message: str


@dataclass
class Exploration:
    rev: CompiledRevision
    plan: Plan
    start: datetime
    limits: Limits
    nodes: list[Node] = field(default_factory=list)
    edges: dict[int, set[int]] = field(default_factory=dict)  # expanded node -> successors
    unexpanded: set[int] = field(default_factory=set)  # open tickets a bound left alone
    dead: list[int] = field(default_factory=list)  # open tickets with no move at all
    incidents: list[Incident] = field(default_factory=list)
    coverage: Coverage | None = None
    bounds_hit: list[str] = field(default_factory=list)
    seconds: float = 0.0
    attempts: int = 0  # events tried (accepted or refused)

    @property
    def spec(self) -> Spec:
        return self.rev.spec

    def refusals(self, index: int) -> list[str]:
        """Why the events tried at node `index` were refused, as the core words it: for each
        event and actor, the refusal of the last variant tried (the one with the most data)."""
        node = self.nodes[index]
        out: dict[tuple[str, str], str] = {}
        for event, actor, data in self.plan.attempts(self.rev, node.ticket):
            try:
                apply(self.rev, node.ticket, Event(event, actor, data, node.now), node.now)
            except SopError as exc:
                out[(event, actor)] = f"{event} by {actor}: {exc.code}: {exc.message}"
        left = self.plan.left_to_rules(self.rev, node.ticket)
        return [*out.values(), *(f"{e}: only a rule fires it (by {who})" for e, who in left)]

    def sequence(self, index: int) -> list[Move]:
        """The moves from the new ticket to node `index`."""
        moves: list[Move] = []
        node = self.nodes[index]
        while node.parent is not None:
            assert node.move is not None
            moves.append(node.move)
            node = self.nodes[node.parent]
        return moves[::-1]


def start_time(spec: Spec) -> datetime:
    """09:00 on the first Monday on or after the day the revision governs from, on its default
    calendar's clock: the same start every run, on a day the revision is in force."""
    day = spec.identity.governs_from
    day += timedelta(days=(7 - day.weekday()) % 7)
    zone = ZoneInfo(spec.calendar().time_zone)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone)


def state_key(ticket: Ticket, watched: tuple[str, ...], count_cap: int) -> tuple[Any, ...]:
    """What decides a ticket's future: its step, status, which fields are set and the values
    of the fields conditions read, its paused clock, sign-offs given, pending deadlines and
    timers (a timer's count up to what the rules compare it with), open or closed."""
    run = ticket.active
    return (
        ticket.state,
        ticket.status,
        ticket.is_open,
        frozenset(k for k, v in ticket.fields.items() if is_set(v)),
        tuple(ticket.fields.get(k) for k in watched),
        run is not None and run.paused_at is not None,
        tuple((s.signoff, s.finished is not None) for s in run.signoffs) if run else (),
        tuple(sorted((d.kind, d.name) for d in pending_deadlines(ticket))),
        tuple(sorted((t.name, min(t.count, count_cap)) for t in ticket.timers)),
    )


def count_cap(rev: CompiledRevision) -> int:
    """One more than the largest timer count a rule compares with: beyond it, no rule tells
    two counts apart."""
    bounds = [
        int(f.value)
        for r in rev.rules.compiled.rules
        for f in r.filters
        if f.subject == "count" and isinstance(f.value, int)
    ]
    return max(bounds, default=0) + 1


class _Search:
    def __init__(self, rev: CompiledRevision, limits: Limits) -> None:
        self.rev = rev
        self.plan = Plan.of(rev)
        self.watched = tuple(sorted(self.plan.values))
        self.cap = count_cap(rev)
        self.out = Exploration(rev, self.plan, start_time(rev.spec), limits)
        self.out.coverage = Coverage.of(rev.spec)
        self.seen: dict[tuple[Any, ...], int] = {}

    def run(self) -> Exploration:
        began = time.perf_counter()
        out = self.out
        assert out.coverage is not None
        for fields in self.plan.creations():
            created = new_ticket(self.rev, TICKET_ID, fields, out.start)
            out.coverage.record(created.log, created.ticket)
            if state_key(created.ticket, self.watched, self.cap) not in self.seen:
                self._add(Node(created.ticket, out.start, 0))
        queue = deque(range(len(out.nodes)))
        while queue:
            index = queue.popleft()
            node = out.nodes[index]
            if not node.ticket.is_open:
                continue
            if node.depth >= out.limits.depth:
                self._bound(index, "depth")
                continue
            queue.extend(self._expand(index))
        out.seconds = time.perf_counter() - began
        return out

    def _add(self, node: Node) -> int:
        self.out.nodes.append(node)
        index = len(self.out.nodes) - 1
        self.seen[state_key(node.ticket, self.watched, self.cap)] = index
        return index

    def _bound(self, index: int, which: str) -> None:
        self.out.unexpanded.add(index)
        if which not in self.out.bounds_hit:
            self.out.bounds_hit.append(which)

    def _expand(self, index: int) -> list[int]:
        """Try every move at node `index`; the new tickets found, to expand later."""
        node = self.out.nodes[index]
        found: list[int] = []
        successors = self.out.edges.setdefault(index, set())
        moved = False
        for attempt in self.plan.attempts(self.rev, node.ticket):
            outcome = self._post(index, attempt)
            if outcome is not None:
                moved = True
                event, actor, data = attempt
                move = Move(event, actor, data, node.now, outcome.log)
                self._follow(index, outcome.ticket, node.now, move, successors, found)
        waited = self._wait(index, successors, found)
        if not moved and not waited and not pending_deadlines(node.ticket):
            self.out.dead.append(index)
        return found

    def _post(self, index: int, attempt: Attempt) -> Outcome | None:
        node = self.out.nodes[index]
        event, actor, data = attempt
        self.out.attempts += 1
        try:
            return apply(self.rev, node.ticket, Event(event, actor, data, node.now), node.now)
        except TicketError:
            return None
        except RulesError as exc:
            self.out.incidents.append(Incident("engine_error", index, f"{event}: {exc.message}"))
            return None

    def _wait(self, index: int, successors: set[int], found: list[int]) -> bool:
        """Time passes to the next pending deadline or timer; True when something was applied."""
        node = self.out.nodes[index]
        pending = pending_deadlines(node.ticket)
        if not pending:
            return False
        until = pending[0].due
        caught = catch_up(self.rev, node.ticket, until, MOST_DUE)
        if caught.error is not None and caught.refused is not None:
            due, error = caught.refused, caught.error
            step, signoff = str(due.data.get("step", "")), due.data.get("signoff")
            name = run_name(step, str(signoff)) if signoff else step or due.data.get("name")
            message = f"{due.type} of {name}: {error.code}: {error.message}"
            self.out.incidents.append(Incident("refused_due", index, message))
        if not caught.outcomes:
            return False
        log = tuple(e for o in caught.outcomes for e in o.log)
        move = Move("", "", {}, until, log)
        self._follow(index, caught.ticket, max(until, node.now), move, successors, found)
        return True

    def _follow(
        self,
        parent: int,
        ticket: Ticket,
        now: datetime,
        move: Move,
        successors: set[int],
        found: list[int],
    ) -> None:
        out = self.out
        assert out.coverage is not None
        out.coverage.record(move.log, ticket)
        key = state_key(ticket, self.watched, self.cap)
        known = self.seen.get(key)
        if known is not None:
            successors.add(known)
            return
        if len(out.nodes) >= out.limits.max_states:
            self._bound(parent, "max_states")
            return
        index = self._add(Node(ticket, now, out.nodes[parent].depth + 1, parent, move))
        successors.add(index)
        found.append(index)


def explore(rev: CompiledRevision, limits: Limits | None = None) -> Exploration:
    """Every ticket `rev` can reach within `limits`, with what it took to reach each."""
    return _Search(rev, limits or Limits()).run()
