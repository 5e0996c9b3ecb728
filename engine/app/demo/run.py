"""The demo's driver: tickets opened over a stretch of a manual clock and moved through the
ticket service by the SOP's own events, the sweeper firing what falls due on the way.

What is tried at a ticket is the explorer's plan (`Plan.attempts`: each allowed event, each
actor, each data variant that takes a different branch). Each try is first decided by the pure
core at the same time on the same ticket (`core.apply`, nothing written), and only an accepted
one is posted through `TicketService.post_event`. A move no ticket has made yet from its step
is taken first, so every branch is taken early; after that moves are drawn at random, a move
back to an earlier step (a loop) less often, and sometimes nobody acts until the step's time
limit has passed: the sweeper (every `SWEEP_EVERY` of the clock) fires the deadline and the
rules it starts. A ticket whose next move falls after `end` stays open.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine import core
from engine.app.demo.values import DemoValues
from engine.app.service import TicketService
from engine.authoring.explore.plan import OTHERS, SAMPLES, Plan
from engine.core.clock import ManualClock
from engine.core.model import Event, Ticket
from engine.errors import TicketError
from engine.spec.model import END, Spec

SWEEP_EVERY = timedelta(hours=2)  # as a cron'd `sop sweep` or the server's sweeper would
PROMPT = (timedelta(minutes=10), timedelta(hours=6))  # how soon someone acts, at random
PACES = (1, 1, 1, 1, 1, 2, 3, 8)  # a ticket's delays are PROMPT times one of these
WAIT_WEIGHT = 0.06  # nobody acts before the time limit, against 1 for each move
BACK_WEIGHT = 0.3  # a move back to an earlier step (sent back for correction...)
PAGE = 500

Choice = tuple[str, str, dict[str, Any]]  # event ("" to wait), actor, data


@dataclass
class DemoSummary:
    """What the data set holds once made (counted from the store)."""

    tickets: int = 0
    events: int = 0  # posted through the service
    swept: int = 0  # deadline and timer events the sweeper applied
    closed: int = 0
    late: int = 0  # tickets with at least one step past its time limit
    steps: dict[str, set[str]] = field(default_factory=dict)  # sop id -> steps reached
    first: datetime | None = None
    last: datetime | None = None


class _Demo:
    def __init__(
        self,
        service: TicketService,
        clock: ManualClock,
        values: dict[str, DemoValues],
        rng: random.Random,
    ) -> None:
        self.service, self.clock, self.values, self.rng = service, clock, values, rng
        self.plans: dict[str, Plan] = {}
        self.mine: dict[str, dict[str, Any]] = {}  # ticket id -> its values
        self.numbered = _tickets_held(service)  # `{n}` goes on from the store's count
        self.pace: dict[str, int] = {}  # ticket id -> how slowly its people act
        self.taken: Counter[tuple[Any, ...]] = Counter()  # (sop, step, move) -> times taken
        self.summary = DemoSummary()

    def plan(self, rev: core.CompiledRevision) -> Plan:
        key = rev.spec.content_hash
        if key not in self.plans:
            self.plans[key] = Plan.of(rev)
        return self.plans[key]

    def create(self, sop_id: str, at: datetime) -> str:
        rev = self.service.compiled(self.service.catalog.effective(sop_id, at))
        plan, spec = self.plan(rev), rev.spec
        self.numbered += 1
        mine = self.values.get(sop_id, DemoValues()).for_ticket(self.rng, self.numbered)
        options = [_realize(plan, spec, data, mine) for data in plan.creations()]
        keys = [(sop_id, "", "open", _branch(plan, data)) for data in options]
        fields = options[self._pick(keys, [1.0] * len(keys))]
        self.taken[keys[options.index(fields)]] += 1
        performers = spec.step(spec.start).performers
        actor = performers[0] if performers else None
        record = self.service.create_ticket(sop_id, fields, actor=actor, user=_user(actor))
        self.mine[record.id] = mine
        self.pace[record.id] = self.rng.choice(PACES)
        return record.id

    def act(self, ticket_id: str, now: datetime) -> datetime | None:
        """Make one move on the ticket; when to act on it next (None: nothing more to do)."""
        record = self.service.get_ticket(ticket_id)
        ticket = record.ticket
        if not ticket.is_open:
            return None
        rev = self.service.revision_for(ticket)
        choices, keys, weights = self._options(rev, ticket, now)
        pending = core.pending_deadlines(ticket)
        if pending:
            choices.append(("", "", {}))
            keys.append((ticket.sop_id, ticket.state, "wait", ()))
            weights.append(WAIT_WEIGHT)
        if not choices:
            return None
        index = self._pick(keys, weights)
        self.taken[keys[index]] += 1
        event, actor, data = choices[index]
        if not event:  # past the first time limit; the sweeper fires it meanwhile
            return pending[0].due + SWEEP_EVERY + self._prompt(ticket_id)
        self.service.post_event(ticket_id, event, actor, data, user=_user(actor))
        self.summary.events += 1
        return now + self._prompt(ticket_id)

    def _options(
        self, rev: core.CompiledRevision, ticket: Ticket, now: datetime
    ) -> tuple[list[Choice], list[tuple[Any, ...]], list[float]]:
        """The moves the core accepts now, one per (event, actor, branch), with the most data."""
        plan, spec, mine = self.plan(rev), rev.spec, self.mine.get(ticket.id, {})
        attempts = sorted(plan.attempts(rev, ticket), key=lambda a: -len(a[2]))
        choices: list[Choice] = []
        keys: list[tuple[Any, ...]] = []
        weights: list[float] = []
        for event, actor, variant in attempts:
            data = _realize(plan, spec, variant, mine)
            key = (ticket.sop_id, ticket.state, f"{event}/{actor}", _branch(plan, data))
            if key in keys:
                continue
            try:
                outcome = core.apply(rev, ticket, Event(event, actor, data, now), now)
            except TicketError:
                continue
            choices.append((event, actor, data))
            keys.append(key)
            back = _step_no(spec, outcome.ticket.state) < _step_no(spec, ticket.state)
            weights.append(BACK_WEIGHT if back else 1.0)
        return choices, keys, weights

    def _pick(self, keys: list[tuple[Any, ...]], weights: list[float]) -> int:
        fresh = [i for i, key in enumerate(keys) if not self.taken[key]]
        if fresh:
            return self.rng.choice(fresh)
        return self.rng.choices(range(len(keys)), weights)[0]

    def _prompt(self, ticket_id: str) -> timedelta:
        low, high = PROMPT
        return (low + (high - low) * self.rng.random()) * self.pace.get(ticket_id, 1)


def load_demo(
    service: TicketService,
    clock: ManualClock,
    values: dict[str, DemoValues],
    *,
    tickets: int,
    start: datetime,
    end: datetime,
    seed: int = 12,
) -> DemoSummary:
    """Open `tickets` tickets of the SOPs in `values` (in turn) between `start` and `end` and
    move them; the clock is left at `end`."""
    rng = random.Random(seed)
    demo = _Demo(service, clock, values, rng)
    span = (end - start).total_seconds()
    sops = sorted(values)
    queue: list[tuple[datetime, int, str, str]] = []
    for n in range(tickets):
        at = start + timedelta(seconds=rng.random() * span * 0.97)
        queue.append((at, n, "open", sops[n % len(sops)]))
    heapq.heapify(queue)
    serial, next_sweep = tickets, start
    while queue and queue[0][0] < end:
        at, _, kind, ref = heapq.heappop(queue)
        while next_sweep <= at:
            demo.summary.swept += _sweep(service, clock, next_sweep)
            next_sweep += SWEEP_EVERY
        clock.set(at)
        ticket_id = demo.create(ref, at) if kind == "open" else ref
        after = demo.act(ticket_id, at) if kind == "act" else at + demo._prompt(ticket_id)
        if after is not None:
            serial += 1
            heapq.heappush(queue, (after, serial, "act", ticket_id))
    while next_sweep <= end:
        demo.summary.swept += _sweep(service, clock, next_sweep)
        next_sweep += SWEEP_EVERY
    clock.set(end)
    return _count(service, demo.summary)


def _tickets_held(service: TicketService) -> int:
    """How many tickets the store holds (a demo added with --force numbers on from them)."""
    count, cursor = 0, None
    while True:
        page = service.list_tickets(limit=500, cursor=cursor)
        count += len(page.items)
        if page.next_cursor is None:
            return count
        cursor = str(page.next_cursor)


def _sweep(service: TicketService, clock: ManualClock, at: datetime) -> int:
    clock.set(at)
    return service.sweep(at)


def _count(service: TicketService, summary: DemoSummary) -> DemoSummary:
    cursor: str | None = None
    while True:
        page = service.list_tickets(limit=PAGE, cursor=cursor, history=True)
        for record in page.items:
            ticket = record.ticket
            runs = [*ticket.history, *([ticket.active] if ticket.active else [])]
            summary.tickets += 1
            summary.closed += not ticket.is_open
            summary.late += any(r.breached_at or r.result == "breached" for r in runs)
            summary.steps.setdefault(ticket.sop_id, set()).update(r.step for r in runs)
            summary.first = min(filter(None, (summary.first, ticket.created)))
            summary.last = max(filter(None, (summary.last, ticket.created)))
        if page.next_cursor is None:
            return summary
        cursor = str(page.next_cursor)


def _realize(plan: Plan, spec: Spec, data: dict[str, Any], mine: dict[str, Any]) -> dict[str, Any]:
    """The plan's data with the ticket's own values: a field a condition reads keeps the value
    that takes its branch, unless that is a stand-in ("any other value") the ticket has one
    for."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in mine and (key not in plan.values or _stand_in(spec, key, value)):
            value = mine[key]
        out[key] = value
    return out


def _stand_in(spec: Spec, key: str, value: Any) -> bool:
    kind = spec.field_def(key).type
    return kind != "choice" and value in (*OTHERS.get(kind, ()), SAMPLES.get(kind))


def _branch(plan: Plan, data: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, repr(v)) for k, v in data.items() if k in plan.values))


def _step_no(spec: Spec, state: str) -> int:
    return 10**6 if state == END else spec.step(state).no


def _user(actor: str | None) -> str:
    return f"demo-{actor or 'service'}"
