"""The closed registries a rules file may name: trigger kinds, filters and action kinds.

A rules file never names code. `when` picks exactly one trigger kind from `TRIGGERS` (plus
optional `FILTERS`), `then` lists actions whose kind is a key of `ACTIONS`; every parameter
has a declared `ref` saying what it must name in the SOP, checked by `engine.spec.rules_check`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What a parameter or a trigger's name refers to (checked against the Spec):
#   actor, template, field, step, event, status: an id the SOP or its rules file defines;
#   timed_step: a step with a time limit; periodic_step: a step run on a schedule;
#   timer: a timer name some rule starts (start_timer) or "new" for start_timer's own name;
#   duration: text such as "1 working day" (engine.spec.durations); flag: true or false.
Ref = Literal[
    "actor",
    "template",
    "field",
    "step",
    "timed_step",
    "periodic_step",
    "event",
    "status",
    "timer",
    "new_timer",
    "duration",
    "flag",
]

# trigger kind -> what its name refers to
TRIGGERS: dict[str, Ref] = {
    "event": "event",  # an SOP event was applied to the ticket
    "entered": "step",  # the ticket entered a step
    "deadline": "timed_step",  # a step's time limit passed
    "timer": "timer",  # a timer started by start_timer fired
    "schedule": "periodic_step",  # a periodic step's schedule came round
}

# Optional filters beside the trigger. `count` is the timer's fire count *before* this firing
# (the first firing sees 0); `state` is the ticket's current step; `if` is a condition of the
# one condition language (engine.spec.expression) over ticket fields and event data.
FILTERS: tuple[str, ...] = ("count", "actor", "state", "if")
COUNT_OPS: tuple[str, ...] = ("lt", "lte", "gt", "gte", "equals")


@dataclass(frozen=True)
class Param:
    name: str
    ref: Ref
    required: bool = True


@dataclass(frozen=True)
class ActionKind:
    """An action a rule may ask for; the domain core performs it, never this package."""

    kind: str
    params: tuple[Param, ...]
    one_of: tuple[str, ...] = ()  # exactly one of these optional params must be given
    description: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def _kinds(*kinds: ActionKind) -> dict[str, ActionKind]:
    return {k.kind: k for k in kinds}


ACTIONS: dict[str, ActionKind] = _kinds(
    ActionKind(
        "notify",
        (
            Param("to", "actor"),
            Param("template", "template"),
            Param("channel_field", "field", required=False),
            Param("include_personal", "flag", required=False),
        ),
        description="send a message to an actor; channel_field: the ticket field naming the "
        "channel; include_personal: fill personal fields (masked otherwise)",
    ),
    ActionKind(
        "escalate",
        (Param("to", "actor"), Param("template", "template")),
        description="send an escalation message to an actor (logged as an escalation)",
    ),
    ActionKind(
        "start_timer",
        (
            Param("name", "new_timer"),
            Param("every", "duration", required=False),
            Param("after", "duration", required=False),
            Param("step", "step", required=False),
        ),
        one_of=("every", "after"),
        description="start a named timer: once `after`, or repeatedly `every`; "
        "`step`: cancelled when the ticket leaves that step",
    ),
    ActionKind("cancel_timer", (Param("name", "timer"),), description="cancel a named timer"),
    ActionKind(
        "fire",
        (Param("event", "event"), Param("actor", "actor", required=False)),
        description="apply an SOP event after this one; actor: who it is applied as "
        "(default: the event's first performer)",
    ),
    ActionKind("set_status", (Param("status", "status"),), description="set the public status"),
)

__all__ = ["ACTIONS", "COUNT_OPS", "FILTERS", "TRIGGERS", "ActionKind", "Param", "Ref"]
