"""One transitions Machine per SOP revision; tickets are never attached to it.

`build_machine` is called once per revision by `engine.core.revision.compile_revision`, and
the compiled revision holds the Machine. A trigger runs on a throwaway plain object holding
only `state`, so the Machine stays shared and stateless (DESIGN.md: add_model costs ~22 KiB
per model and scans a list).
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


def fire(
    machine: Machine, state: str, event: str, fields: dict[str, Any], data: dict[str, Any]
) -> str | None:
    """The state after `event` in `state`, or None when no transition (branch) applies."""
    probe = _Probe(state)
    try:
        moved = machine.events[event].trigger(probe, fields=fields, data=data)
    except (MachineError, KeyError):
        return None
    return probe.state if moved else None
