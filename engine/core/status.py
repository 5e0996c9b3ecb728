"""The public status an event leaves a ticket in, before its rules run.

Precedence, highest first (docs/sop-format.md, "Statuses by outcome"):

    a rule's `set_status`      applied by engine.core.reactions after this, so it wins
    the branch taken's `status`
    the event's `status`
    the completed step's own `status`, when the event moves forward (to a later step or `end`)
    the ticket's current status (unchanged)

A return to an earlier step (or the same one) does not take the completed step's own status:
the row was sent back, not done. The return keeps the ticket's status unless its event or
branch names one (e.g. `status: returned`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.conditions import holds
from engine.spec.model import END, Branch, EventDef, Spec, Step


def taken_branch(
    evdef: EventDef, target: str, fields: Mapping[str, Any], data: Mapping[str, Any]
) -> Branch | None:
    """The branch the Machine took to `target`: the first whose `when` holds, as transitions
    tries them in order (engine.core.machine adds them so)."""
    for branch in evdef.branches:
        if branch.when is None or holds(branch.when, fields, data):
            return branch if branch.to == target else None
    return None


def moves_forward(spec: Spec, step: Step, target: str) -> bool:
    """True when `target` is `end` or a step numbered after `step`."""
    return target == END or spec.step(target).no > step.no


def status_after(
    spec: Spec,
    step: Step,
    evdef: EventDef,
    current: str | None,
    target: str | None = None,
    branch: Branch | None = None,
) -> str | None:
    """The status after `evdef` at `step`; `target` is None for an event that does not move
    the ticket (pause, resume, internal)."""
    if branch is not None and branch.status:
        return branch.status
    if evdef.status:
        return evdef.status
    if target is not None and step.status and moves_forward(spec, step, target):
        return step.status
    return current
