"""Evaluate the closed condition vocabulary (engine.spec.model.Condition). Never `eval`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.spec.model import Condition


def is_set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _compare(op: str, actual: Any, expected: Any) -> bool:
    try:
        return {
            "gt": lambda: actual > expected,
            "gte": lambda: actual >= expected,
            "lt": lambda: actual < expected,
            "lte": lambda: actual <= expected,
        }[op]()
    except TypeError:  # None or mismatched types never satisfy an ordering
        return False


def holds(cond: Condition, fields: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """True when `cond` holds over the ticket's `fields` and the event's `data`."""
    if cond.op == "all":
        return all(holds(c, fields, data) for c in cond.children)
    if cond.op == "any":
        return any(holds(c, fields, data) for c in cond.children)
    if cond.op == "not":
        return not holds(cond.children[0], fields, data)
    actual = (data if cond.subject == "data" else fields).get(cond.name)
    if cond.op == "equals":
        return bool(actual == cond.value)
    if cond.op == "not_equals":
        return bool(actual != cond.value)
    if cond.op == "in":
        return actual in (cond.value or ())
    if cond.op == "not_in":
        return actual not in (cond.value or ())
    if cond.op == "is_set":
        return is_set(actual) == bool(cond.value if cond.value is not None else True)
    if cond.op == "is_not_set":
        return not is_set(actual)
    return _compare(cond.op, actual, cond.value)
