"""Branch guards and input conditions over a ticket: the reference evaluator, never `eval`.

The meaning of a condition is defined once, by engine.spec.semantics (the same answer a rule's
`if` gets from the durable_rules adapter); this module only builds the fact a guard sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.spec.model import Condition
from engine.spec.semantics import holds as holds_for


def holds(cond: Condition, fields: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """True when `cond` holds over the ticket's `fields` and the event's `data`."""
    return holds_for(cond, {"field": fields, "data": data})


__all__ = ["holds"]
