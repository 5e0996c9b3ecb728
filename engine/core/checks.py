"""Refusals, each naming what to do instead: unknown or ill-timed events, wrong actors, data
an event does not accept, missing required inputs (kelengkapan).

`missing_inputs` is the one answer to "what does this event still need?": the refusal lists it,
and the API's allowed events show it before anything is posted. `accepted_by` is the one answer
to "where can this field be given?": both refusals name it, so does the allowed-events answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.core.conditions import holds
from engine.core.fields import check_values
from engine.core.model import Ticket
from engine.errors import ActorNotAllowed, EventNotAllowed, MissingInputs, UnknownEvent
from engine.spec.labels import actor_named, event_label, field_label
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


def check_data(spec: Spec, step: Step, evdef: EventDef, data: Mapping[str, Any]) -> dict[str, Any]:
    """The event's data, checked against the SOP's fields (`check_values`); data the event does
    not accept is refused naming the events (of this step, else of other steps) that do."""
    known = {f.id for f in spec.fields}
    refused = {
        k: accepted_by(spec, step, evdef, k) for k in data if k in known - set(evdef.accepts)
    }
    return check_values(
        spec,
        data,
        evdef.accepts,
        what=f"data for event {evdef.name!r}",
        hints={k: _given_with(spec, evdef, [k], ps, given=True) for k, ps in refused.items()},
        details={"accepted_by": _places_json(refused)} if refused else {},
    )


def check_inputs(
    spec: Spec, step: Step, evdef: EventDef, before: Mapping[str, Any], data: Mapping[str, Any]
) -> None:
    """Every missing item at once (`missing_inputs`), each with where it can be given."""
    missing = missing_inputs(spec, step, evdef, before, data)
    if not missing:
        return
    listed = "; ".join(f"{k}: {m.text}" for k, m in missing.items())
    needed = [m.label for m in missing.values() if m.set_first]
    first = f" (set first: {', '.join(needed)})" if needed else ""
    at = f"step {step.no} ({step.id})"
    refused = (
        f"{at} cannot complete with {evdef.name!r}"
        if evdef.completes_step
        else f"event {evdef.name!r} is refused at {at}"
    )
    places = {
        k: accepted_by(spec, step, evdef, k, set_first=m.set_first) for k, m in missing.items()
    }
    raise MissingInputs(
        f"{refused}{first}: missing {listed}. {_where(spec, evdef, places)}",
        missing={k: m.text for k, m in missing.items()},
        accepted_by=_places_json(places),
    )


@dataclass(frozen=True)
class Missing:
    """A field an event still needs: its label, the kelengkapan text when a step input asks
    for it, and whether it must be set before the event (`needs`) rather than with it."""

    field: str
    label: str
    input: str | None = None
    set_first: bool = False

    @property
    def text(self) -> str:
        shown = self.input and self.input != self.label
        return f"{self.label} ({self.input})" if shown else self.label


def missing_inputs(
    spec: Spec,
    step: Step,
    evdef: EventDef,
    fields: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
) -> dict[str, Missing]:
    """What `evdef` still needs at `step` before it is accepted, given the ticket's `fields`
    (before the event) and the event's `data` (none: posted with no data), in this order: the
    fields it `needs` set first, its `requires` (always needed in the data), and, when it
    completes the step, the step's inputs (kelengkapan) that apply and are not set by the
    ticket or the data (an input's `when` read as the guards read it: fields with the data)."""
    data = data or {}
    merged = with_data(fields, data)
    out = {
        k: Missing(k, field_label(spec, k), set_first=True)
        for k in evdef.needs
        if not is_set(fields.get(k))
    }
    for key in evdef.requires:
        if not is_set(data.get(key)):
            out.setdefault(key, Missing(key, field_label(spec, key)))
    if evdef.completes_step:
        for item in step.inputs:
            if item.when is not None and not holds(item.when, merged, data):
                continue
            for key in item.fields:
                if not is_set(merged.get(key)):
                    out.setdefault(key, Missing(key, field_label(spec, key), item.text))
    return out


def with_data(fields: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The ticket's fields once an event's data is merged in (a null in the data sets nothing)."""
    return {**fields, **{k: v for k, v in data.items() if v is not None}}


@dataclass(frozen=True)
class Place:
    """An event that accepts a field in its data, at the step it belongs to."""

    event: str
    label: str
    step: int
    here: bool  # at the ticket's current step

    def named(self) -> str:
        shown = f"{self.label}, " if self.label != self.event else ""
        return f"{self.event!r} ({shown}step {self.step})"

    def as_dict(self) -> dict[str, Any]:
        return {"event": self.event, "label": self.label, "step": self.step}


def accepted_by(
    spec: Spec, step: Step, evdef: EventDef, key: str, *, set_first: bool = False
) -> list[Place]:
    """Where `key` can be given instead of (or with) `evdef`: `evdef` itself when it accepts it
    (and it is not a field to set first), else the other events of the current step that
    accept it, else the events of the SOP's other steps that do, in step order; none: no
    event of the SOP accepts it."""
    here = [e for e in step.events if key in e.accepts]
    if set_first:  # read before the event: its own data cannot give it
        here = [e for e in here if e.name != evdef.name]
    elif key in evdef.accepts:
        here = [evdef]
    if here:
        return [Place(e.name, event_label(spec, e.name, step.id), step.no, True) for e in here]
    return [
        Place(e.name, event_label(spec, e.name, s.id), s.no, False)
        for s in spec.ticket_steps
        if s.id != step.id
        for e in s.events
        if key in e.accepts
    ]


def _places_json(places: Mapping[str, list[Place]]) -> dict[str, list[dict[str, Any]]]:
    return {k: [p.as_dict() for p in ps] for k, ps in places.items()}


def _where(spec: Spec, evdef: EventDef, places: Mapping[str, list[Place]]) -> str:
    """One sentence per group of fields given in the same place(s)."""
    groups: dict[tuple[Place, ...], list[str]] = {}
    for key, ps in places.items():
        groups.setdefault(tuple(ps), []).append(key)
    sentences = [_given_with(spec, evdef, keys, list(ps)) for ps, keys in groups.items()]
    return " ".join(s[0].upper() + s[1:] + "." for s in sentences)


def _given_with(
    spec: Spec, evdef: EventDef, keys: list[str], places: list[Place], *, given: bool = False
) -> str:
    """Where the fields `keys` can be given, `places` being their `accepted_by`; `given`: they
    were sent with `evdef`, which does not accept them (else `evdef` still needs them)."""
    labels = _and([field_label(spec, k) for k in keys])
    them, verb = ("them", "are") if len(keys) > 1 else ("it", "is")
    if not places:
        if given:
            return f"no event of this SOP accepts {labels}"
        return f"no event of this SOP accepts {labels}: the SOP must be revised"
    if places[0].here and [p.event for p in places] == [evdef.name]:
        return f"send {labels} with {evdef.name!r}, which accepts {them}"
    events = _and([p.named() for p in places])
    if places[0].here:
        then = "send it with that event instead" if given else "post that first"
        return f"{labels} {verb} accepted at this step by {events}: {then}"
    return f"{labels} {verb} accepted by {events}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
