"""One transitions Machine per SOP revision, built once; tickets are never attached to it.

A trigger runs on a throwaway plain object holding only `state`, so the Machine stays shared
and stateless (DESIGN.md: add_model costs ~22 KiB per model and scans a list).
"""

from __future__ import annotations

from typing import Any

from transitions import Machine, MachineError

from engine.core.conditions import holds
from engine.spec.model import END, Branch, Spec


class _Probe:
    """The only model the Machine ever sees: a state, for the duration of one call."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _guard(branch: Branch) -> Any:
    cond = branch.when
    assert cond is not None

    def check(event_data: Any) -> bool:
        return holds(cond, event_data.kwargs["fields"], event_data.kwargs["data"])

    return check


def build_machine(spec: Spec) -> Machine:
    states = [s.id for s in spec.ticket_steps] + [END]
    machine = Machine(
        model=None,
        states=states,
        initial=spec.start,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )
    for step in spec.ticket_steps:
        for ev in step.events:
            if ev.to is not None:
                machine.add_transition(ev.name, step.id, ev.to)
            elif ev.branches:
                for branch in ev.branches:
                    conditions = [_guard(branch)] if branch.when else []
                    machine.add_transition(ev.name, step.id, branch.to, conditions=conditions)
            else:  # pause, resume and internal events: recorded, state unchanged
                machine.add_transition(ev.name, step.id, None)
    return machine


_MACHINES: dict[int, tuple[Spec, Machine]] = {}


def machine_for(spec: Spec) -> Machine:
    """Built once per loaded revision. Keyed by identity: hashing a whole Spec per event would
    cost more than the trigger itself; the entry keeps its Spec alive so ids are not reused."""
    hit = _MACHINES.get(id(spec))
    if hit is None:
        hit = _MACHINES[id(spec)] = (spec, build_machine(spec))
    return hit[1]


def fire(
    spec: Spec, state: str, event: str, fields: dict[str, Any], data: dict[str, Any]
) -> str | None:
    """The state after `event` in `state`, or None when no transition (branch) applies."""
    machine = machine_for(spec)
    probe = _Probe(state)
    try:
        moved = machine.events[event].trigger(probe, fields=fields, data=data)
    except (MachineError, KeyError):
        return None
    return probe.state if moved else None
