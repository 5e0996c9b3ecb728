"""Refusals, each naming what to do instead: unknown or ill-timed events, wrong actors,
missing required inputs (kelengkapan)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.conditions import holds
from engine.core.model import Ticket
from engine.errors import ActorNotAllowed, EventNotAllowed, MissingInputs, UnknownEvent
from engine.spec.labels import actor_named
from engine.spec.model import END, EventDef, Spec, Step
from engine.spec.semantics import is_set


def find_event(spec: Spec, ticket: Ticket, name: str) -> tuple[Step, EventDef]:
    known = {e.name for s in spec.ticket_steps for e in s.events}
    if name not in known:
        raise UnknownEvent(
            f"{spec.key} defines no event {name!r}; its events: {', '.join(sorted(known))}",
            event=name,
        )
    if not ticket.is_open or ticket.state == END:
        raise EventNotAllowed(
            f"ticket {ticket.id} is closed; no event is allowed", state=END, allowed=[]
        )
    step = spec.step(ticket.state)
    evdef = step.event(name)
    paused = ticket.active is not None and ticket.active.paused_at is not None
    allowed = [e.name for e in step.events]
    if evdef is None:
        raise EventNotAllowed(
            f"event {name!r} is not allowed at step {step.no} ({step.id}); "
            f"allowed now: {', '.join(allowed) or 'none'}",
            state=step.id,
            allowed=allowed,
        )
    if evdef.pause and paused:
        raise EventNotAllowed(
            f"step {step.no} ({step.id}) is already paused", state=step.id, allowed=allowed
        )
    if evdef.resume and not paused:
        raise EventNotAllowed(
            f"step {step.no} ({step.id}) is not paused", state=step.id, allowed=allowed
        )
    return step, evdef


def check_actor(spec: Spec, step: Step, evdef: EventDef, actor: str) -> None:
    if actor not in evdef.by:
        labels = ", ".join(actor_named(spec, a) for a in evdef.by)
        raise ActorNotAllowed(
            f"actor {actor!r} may not perform {evdef.name!r} at step {step.no}; allowed: {labels}",
            actor=actor,
            allowed=list(evdef.by),
        )


def check_inputs(
    spec: Spec,
    step: Step,
    evdef: EventDef,
    fields: Mapping[str, Any],
    data: Mapping[str, Any],
    before: Mapping[str, Any],
) -> None:
    """Every missing item at once: the ticket fields the event needs set before it (`needs`,
    read in `before`: the ticket's fields without this event's data), the event's required
    data, and (when the event completes the step) the step's required inputs that apply."""
    needed = missing_needs(spec, evdef, before)
    missing: dict[str, str] = dict(needed)
    for key in evdef.requires:
        if not is_set(data.get(key)):
            missing.setdefault(key, spec.field_def(key).label)
    if evdef.completes_step:
        for item in step.inputs:
            if item.when is not None and not holds(item.when, fields, data):
                continue
            for key in item.fields:
                if not is_set(fields.get(key)):
                    missing.setdefault(key, f"{spec.field_def(key).label} ({item.text})")
    if missing:
        listed = "; ".join(f"{k}: {label}" for k, label in missing.items())
        first = f" (set first: {', '.join(needed.values())})" if needed else ""
        at = f"step {step.no} ({step.id})"
        refused = (
            f"{at} cannot complete with {evdef.name!r}"
            if evdef.completes_step
            else f"event {evdef.name!r} is refused at {at}"
        )
        raise MissingInputs(f"{refused}{first}: missing {listed}", missing=missing)


def missing_needs(spec: Spec, evdef: EventDef, fields: Mapping[str, Any]) -> dict[str, str]:
    """The fields `evdef` needs that are not set in `fields`: id -> label."""
    return {k: spec.field_def(k).label for k in evdef.needs if not is_set(fields.get(k))}
