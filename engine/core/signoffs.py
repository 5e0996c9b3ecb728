"""Sign-offs inside a row, as events: paraf Kasi, then Kabid, then Kepala, in that order.

    is_signoff_event(spec, ticket, name) -> bool   whether `give` handles the event `name`
    give(draft, event, at, caused_by)              the current sign-off given; the ticket stays
    check_gate(spec, step, evdef, run, actor)      refuse a moving step event while one waits
    breach_signoff(draft, event, at)               the current sign-off's deadline fired
    signoff_due(ticket, now) -> [(due, Event)]     that deadline, when it has fallen due
    allowed_now(step, run, names) -> [name]        the step's allowed events, sign-offs in view

The step's events that move the ticket wait for the last sign-off; a sign-off's `reject`
events (step events, e.g. back to an earlier step) are the exception while it is current.
"""

from __future__ import annotations

from datetime import datetime

from engine.core.fields import check_values
from engine.core.model import Event, StepRun, Ticket, evolve
from engine.core.reactions import Draft, react
from engine.core.signoff_runs import advance, breach, current, pending_signoff
from engine.errors import ActorNotAllowed, EventNotAllowed
from engine.spec.labels import actor_named
from engine.spec.model import END, EventDef, SignOff, Spec, Step

DEADLINE = "deadline"  # as engine.core.apply names the engine's timer event


def _signoff(step: Step, name: str) -> SignOff | None:
    return next((s for s in step.signoffs if s.event == name), None)


def waiting(step: Step, run: StepRun | None) -> SignOff | None:
    """The sign-off the step waits for (None once the last is given, or with none)."""
    if current(run) is None:
        return None
    assert run is not None
    return step.signoffs[len(run.signoffs) - 1]


def is_signoff_event(spec: Spec, ticket: Ticket, name: str) -> bool:
    """A sign-off event of the ticket's step, or of another step (and not an event of the
    ticket's step): both are answered here, the second with a refusal naming its step."""
    if name not in spec.signoff_events:
        return False
    if not ticket.is_open or ticket.state == END:
        return True
    step = spec.step(ticket.state)
    return _signoff(step, name) is not None or step.event(name) is None


def _who(spec: Spec, signoff: SignOff) -> str:
    return actor_named(spec, signoff.performer)


def give(draft: Draft, event: Event, at: datetime, caused_by: str | None) -> None:
    spec, ticket = draft.spec, draft.ticket
    if not ticket.is_open or ticket.state == END:
        raise EventNotAllowed(
            f"ticket {ticket.id} is closed; no event is allowed", state=END, allowed=[]
        )
    step = spec.step(ticket.state)
    signoff = _signoff(step, event.type)
    allowed = allowed_now(step, ticket.active, [e.name for e in step.events])
    if signoff is None:
        owner = next(s for s in spec.ticket_steps if _signoff(s, event.type))
        raise EventNotAllowed(
            f"{event.type!r} is a sign-off of step {owner.no} ({owner.id}); the ticket is at "
            f"step {step.no} ({step.id}); allowed now: {', '.join(allowed) or 'none'}",
            state=step.id,
            allowed=allowed,
        )
    expected = waiting(step, ticket.active)
    if expected is None or step.signoffs.index(signoff) < step.signoffs.index(expected):
        raise EventNotAllowed(
            f"sign-off {signoff.id!r} ({signoff.text}) at step {step.no} is already given; "
            f"allowed now: {', '.join(allowed) or 'none'}",
            state=step.id,
            allowed=allowed,
        )
    if expected != signoff:
        raise EventNotAllowed(
            f"sign-off {signoff.id!r} ({signoff.text}) at step {step.no} must wait: "
            f"{expected.id!r} ({expected.text}) by {_who(spec, expected)} comes first; "
            f"send {expected.event!r}",
            state=step.id,
            allowed=allowed,
        )
    if event.actor != signoff.performer:
        raise ActorNotAllowed(
            f"actor {event.actor!r} may not give sign-off {signoff.id!r} at step {step.no}; "
            f"allowed: {_who(spec, signoff)}",
            actor=event.actor,
            allowed=[signoff.performer],
        )
    data = check_values(spec, event.data, (), what=f"data for sign-off {signoff.id!r}")
    assert ticket.active is not None
    draft.ticket = evolve(ticket, active=advance(spec, step, ticket.active, at, event.type))
    draft.log_event(event, from_state=ticket.state, from_status=ticket.status, caused_by=caused_by)
    react(draft, "event", event.type, event.actor, data, caused_by)


def check_gate(
    spec: Spec, step: Step, evdef: EventDef, run: StepRun | None, actor: str | None
) -> None:
    """Refuse an event that would move the ticket while a sign-off waits, but its rejects; a
    reject only from the officer whose sign-off waits (`actor` None: a rule fired it)."""
    signoff = waiting(step, run)
    if signoff is None or not evdef.completes_step:
        return
    if evdef.name in signoff.reject:
        if actor is not None and actor != signoff.performer:
            raise ActorNotAllowed(
                f"actor {actor!r} may not send {evdef.name!r} back while sign-off "
                f"{signoff.id!r} ({signoff.text}) waits; only {_who(spec, signoff)} may",
                actor=actor,
                allowed=[signoff.performer],
            )
        return
    instead = "".join(f", or {r!r}" for r in signoff.reject)
    raise EventNotAllowed(
        f"event {evdef.name!r} at step {step.no} ({step.id}) waits for sign-off "
        f"{signoff.id!r} ({signoff.text}) by {_who(spec, signoff)}: send {signoff.event!r} "
        f"first{instead}",
        state=step.id,
        allowed=allowed_now(step, run, [e.name for e in step.events]),
    )


def allowed_now(step: Step, run: StepRun | None, names: list[str]) -> list[str]:
    """`names` (the step's events allowed as its clock stands) with the sign-offs applied:
    while one waits, its event first, and of the moving events only its rejects."""
    signoff = waiting(step, run)
    if signoff is None:
        return names
    moving = {e.name for e in step.events if e.completes_step}
    return [signoff.event, *(n for n in names if n not in moving or n in signoff.reject)]


def breach_signoff(draft: Draft, event: Event, at: datetime) -> None:
    ticket = draft.ticket
    step_id, sid = str(event.data.get("step", "")), str(event.data.get("signoff", ""))
    run = ticket.active
    sub = pending_signoff(run)
    if run is None or sub is None or run.step != step_id or sub.signoff != sid:
        raise EventNotAllowed(
            f"no pending deadline for sign-off {sid!r} of step {step_id!r}", state=ticket.state
        )
    if sub.due is None or sub.due > at:
        raise EventNotAllowed(f"the deadline of sign-off {sid!r} is not due at {at}")
    draft.ticket = evolve(ticket, active=breach(run))
    draft.log_event(event, from_state=ticket.state, from_status=ticket.status)


def signoff_due(ticket: Ticket, now: datetime, actor: str) -> list[tuple[datetime, Event]]:
    run = ticket.active
    sub = pending_signoff(run)
    if run is None or sub is None or sub.due is None or sub.due > now:
        return []
    data = {"step": run.step, "signoff": sub.signoff}
    return [(sub.due, Event(DEADLINE, actor, data, sub.due))]
