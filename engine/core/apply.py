"""The core decision: what an event does to a ticket. Pure: no I/O, no clock of its own.

Each entry point takes the compiled revision (`engine.core.revision.CompiledRevision`) that
governs the ticket: its Spec, Machine and rules, built once by whoever resolves revisions.

One call to `apply` handles the posted event and everything it sets off: the rules it triggers
(notifications, timers, status changes) and the events those rules fire, each logged with the
rule that caused it. It either returns a complete Outcome or raises a TicketError having
changed nothing (the input ticket is immutable; work happens on a private draft).

`notify=False` decides the same and writes no notification: for a caller that only wants the
ticket (the what-if replay), rendering and masking the messages was most of the time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.core.checks import check_actor, check_data, check_inputs, find_event, with_data
from engine.core.fields import check_values
from engine.core.machine import fire
from engine.core.model import Event, Outcome, StepRun, Ticket, Timer, evolve
from engine.core.reactions import Draft, react
from engine.core.revision import CompiledRevision
from engine.core.signoff_runs import leave
from engine.core.signoffs import (
    allowed_now,
    breach_signoff,
    check_gate,
    give,
    is_signoff_event,
    signoff_due,
)
from engine.core.status import status_after, taken_branch
from engine.core.timing import (
    add_duration,
    finish_run,
    pause_run,
    resume_run,
    start_run,
)
from engine.errors import EventNotAllowed, InvalidData
from engine.spec.model import END, Spec

DEADLINE = "deadline"  # engine timer event: the active step's time limit passed
TIMER = "timer"  # engine timer event: a rule's timer is due
TIMER_EVENTS = (DEADLINE, TIMER)
ENGINE_ACTOR = ""  # timer events are performed by no actor of the SOP: the engine's own clock
MAX_CHAIN = 20  # events fired by rules per call, to stop a rule loop in a bad SOP


def new_ticket(
    rev: CompiledRevision,
    ticket_id: str,
    fields: dict[str, Any],
    now: datetime,
    *,
    actor: str | None = None,
    user: str | None = None,
    notify: bool = True,
) -> Outcome:
    """Open a ticket at the SOP's start step with `fields` (checked against the SOP)."""
    _aware(now)
    spec = rev.spec
    values = check_values(spec, {k: v for k, v in fields.items() if v is not None}, what="fields")
    start = spec.step(spec.start)
    ticket = Ticket(
        id=ticket_id,
        sop_id=spec.sop_id,
        revision=spec.revision,
        spec_hash=spec.content_hash,
        state=start.id,
        status=spec.initial_status,
        fields=values,
        created=now,
        active=start_run(spec, start, now),
        version=1,
    )
    draft = Draft(rev, ticket, now, notify=notify)
    draft.log_event(
        Event("created", actor or "", dict(values), now, user),
        from_state="",
        from_status=None,
        entered=start.no,
        bump=False,
    )
    react(draft, "entered", start.id, actor or "", {}, caused_by=None)
    _run_fired(draft)
    return draft.outcome()


def apply(
    rev: CompiledRevision, ticket: Ticket, event: Event, now: datetime, *, notify: bool = True
) -> Outcome:
    """Apply one event (posted, or a timer event from `due`) and everything it sets off."""
    _aware(now)
    spec = rev.spec
    if ticket.spec_hash != spec.content_hash or ticket.revision != spec.revision:
        raise InvalidData(
            f"ticket {ticket.id} is governed by {ticket.sop_id}@{ticket.revision} "
            f"({ticket.spec_hash[:12]}), not {spec.key} ({spec.content_hash[:12]})"
        )
    draft = Draft(rev, ticket, now, notify=notify)
    at = event.occurred_at or now
    _aware(at)
    if event.type in TIMER_EVENTS:
        _apply_timer(draft, event, at)
    else:
        _apply_event(draft, event, at, caused_by=None)
    _run_fired(draft)
    return draft.outcome()


def _aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidData(f"time {moment.isoformat()} has no time zone; give an offset")


def _apply_event(draft: Draft, event: Event, at: datetime, caused_by: str | None) -> None:
    spec, ticket = draft.spec, draft.ticket
    if is_signoff_event(spec, ticket, event.type):
        return give(draft, event, at, caused_by)
    step, evdef = find_event(spec, ticket, event.type)
    check_gate(spec, step, evdef, ticket.active, event.actor if caused_by is None else None)
    check_actor(spec, step, evdef, event.actor)
    data = check_data(spec, step, evdef, event.data)
    check_inputs(spec, step, evdef, ticket.fields, data)
    fields = with_data(ticket.fields, data)
    active = ticket.active
    assert active is not None
    if evdef.pause or evdef.resume:
        cal = spec.calendar(step.calendar)
        run = pause_run(active, at) if evdef.pause else resume_run(active, at, cal, step)
        status = status_after(spec, step, evdef, ticket.status)
        draft.ticket = evolve(ticket, fields=fields, active=run, status=status)
        draft.log_event(
            event, from_state=ticket.state, from_status=ticket.status, caused_by=caused_by
        )
        react(draft, "event", evdef.name, event.actor, data, caused_by)
        return
    machine = draft.rev.machine
    target = fire(machine, ticket.state, evdef.name, fields, data) if evdef.completes_step else None
    if evdef.completes_step and target is None:
        raise EventNotAllowed(
            f"event {evdef.name!r} at step {step.no} ({step.id}) matched no branch",
            state=step.id,
        )
    if target is None:  # an internal event: recorded, rules run, state unchanged
        status = status_after(spec, step, evdef, ticket.status)
        draft.ticket = evolve(ticket, fields=fields, status=status)
        draft.log_event(
            event, from_state=ticket.state, from_status=ticket.status, caused_by=caused_by
        )
        react(draft, "event", evdef.name, event.actor, data, caused_by)
        return
    finished = finish_run(leave(active, at, evdef.name), at, evdef.name)
    branch = taken_branch(evdef, target, fields, data)
    status = status_after(spec, step, evdef, ticket.status, target, branch)
    timers = tuple(t for t in ticket.timers if t.step != step.id)
    if target == END:
        new_active: StepRun | None = None
        closed: datetime | None = at
    else:
        new_active, closed = start_run(spec, spec.step(target), at), None
    draft.ticket = evolve(
        ticket,
        state=target,
        status=status,
        fields=fields,
        active=new_active,
        history=(*ticket.history, finished),
        timers=timers,
        closed=closed,
    )
    draft.log_event(
        event,
        from_state=ticket.state,
        from_status=ticket.status,
        finished=step.no,
        entered=new_active.no if new_active else None,
        sla=finished.result,
        caused_by=caused_by,
    )
    react(draft, "event", evdef.name, event.actor, data, caused_by)
    if new_active is not None:
        react(draft, "entered", new_active.step, event.actor, data, caused_by)


def _apply_timer(draft: Draft, event: Event, at: datetime) -> None:
    ticket = draft.ticket
    if event.type == DEADLINE and "signoff" in event.data:
        return breach_signoff(draft, event, at)
    if event.type == DEADLINE:
        step_id = str(event.data.get("step", ""))
        run = ticket.active
        if run is None or run.step != step_id or run.breached_at or run.due is None:
            raise EventNotAllowed(f"no pending deadline for step {step_id!r}", state=ticket.state)
        if run.paused_at is not None or run.due > at:
            raise EventNotAllowed(f"the deadline of step {step_id!r} is not due at {at}")
        draft.ticket = evolve(ticket, active=evolve(run, breached_at=run.due))
        draft.log_event(event, from_state=ticket.state, from_status=ticket.status)
        react(draft, DEADLINE, step_id, event.actor, {}, None)
        return
    name = str(event.data.get("name", ""))
    timer = next((t for t in ticket.timers if t.name == name), None)
    if timer is None or timer.due > at:
        raise EventNotAllowed(f"no timer {name!r} due at {at}", state=ticket.state)
    others = tuple(t for t in ticket.timers if t.name != name)
    draft.ticket = evolve(ticket, timers=others + _rearm(draft.spec, ticket, timer))
    draft.log_event(event, from_state=ticket.state, from_status=ticket.status)
    react(draft, TIMER, name, event.actor, {}, None, count=timer.count)


def _rearm(spec: Spec, ticket: Ticket, timer: Timer) -> tuple[Timer, ...]:
    if timer.every_amount is None or timer.every_unit is None:
        return ()
    step_id = timer.step or (ticket.active.step if ticket.active else None)
    office = spec.time_defaults.office_time  # a repeat counts as the SOP's bare minutes do
    due = add_duration(spec, step_id, timer.due, timer.every_amount, timer.every_unit, office)
    return (evolve(timer, due=due, count=timer.count + 1),)


def _run_fired(draft: Draft) -> None:
    """Apply the events rules fired, in order, each as its own logged decision."""
    chained = 0
    while draft.fired:
        rule_id, event = draft.fired.pop(0)
        chained += 1
        if chained > MAX_CHAIN:
            raise EventNotAllowed(
                f"rules fired more than {MAX_CHAIN} events in one call; "
                f"last by rule {rule_id!r}: check the rules for a loop"
            )
        if not draft.ticket.is_open:
            continue
        if not event.actor:  # the rule named no actor: the event's first performer in the SOP
            step = draft.spec.step(draft.ticket.state)
            evdef = step.event(event.type)
            event = evolve(event, actor=evdef.by[0] if evdef else "")
        _apply_event(draft, event, event.occurred_at or draft.now, caused_by=rule_id)


def due(rev: CompiledRevision, ticket: Ticket, now: datetime) -> list[Event]:
    """The timer events due by `now`, earliest first. Apply one, then ask again (or let
    `engine.core.catch_up` do it). `rev` is taken like every entry point's: what is due
    depends on the ticket alone today."""
    events: list[tuple[datetime, Event]] = []
    run = ticket.active
    if run and run.due and not run.breached_at and run.paused_at is None and run.due <= now:
        events.append((run.due, Event(DEADLINE, ENGINE_ACTOR, {"step": run.step}, run.due)))
    events.extend(signoff_due(ticket, now, ENGINE_ACTOR))
    for timer in ticket.timers:
        if timer.due <= now:
            events.append((timer.due, Event(TIMER, ENGINE_ACTOR, {"name": timer.name}, timer.due)))
    events.sort(key=lambda pair: pair[0])
    return [e for _, e in events]


def allowed_events(rev: CompiledRevision, ticket: Ticket) -> list[str]:
    """The events the ticket's current step accepts now (pause or resume as its clock stands)."""
    if not ticket.is_open or ticket.state == END:
        return []
    step = rev.spec.step(ticket.state)
    paused = ticket.active is not None and ticket.active.paused_at is not None
    names = [
        e.name for e in step.events if not (e.pause and paused) and not (e.resume and not paused)
    ]
    return allowed_now(step, ticket.active, names)
