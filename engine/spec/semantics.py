"""The reference evaluator of the condition language: what a condition means, in plain Python.

    holds(expr, fact) -> bool

Every evaluator of `engine.spec.expression` trees gives this answer: branch guards and input
conditions call it directly; the durable_rules adapter is tested against it on random
conditions and facts (tests/unit/rules/test_semantics_agree.py). docs/sop-format.md has the
table. In short:
- A value has a *kind*: none (missing or null), boolean, number (int or float, not a
  boolean), text (a date is the text of its ISO date), or other (a list, a mapping).
- Equality is typed: equal kinds and equal values (1 == 1.0; 1 != true; "1" != 1). A missing
  key is null, so `equals: null` holds on a missing key. Text written as a number is text.
- Ordering (gt, gte, lt, lte) holds only between two numbers or two texts; texts compare by
  Unicode code point, numbers as 64-bit floats (exact up to 2**53). Any other pair (null, a
  boolean, a number against a text, NaN or an infinity) is false.
- `is_set` is false for null, "" and an empty list or mapping; true for anything else
  (0 and false are set). `not_*` and `not` are exact complements.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.spec.expression import All, AnyOf, Cmp, Expr, Not, fact_value

Kind = str  # "none" | "bool" | "number" | "text" | "other"


def kind(value: Any) -> Kind:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str | date):
        return "text"
    return "other"


def normal(value: Any) -> Any:
    """The value compared: a date as its ISO text, anything else as it is."""
    return value.isoformat() if isinstance(value, date) else value


def is_set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def same(actual: Any, expected: Any) -> bool:
    """Typed equality: same kind and equal value."""
    if kind(actual) != kind(expected):
        return False
    return bool(normal(actual) == normal(expected))


def as_float(value: Any) -> float | None:
    """A number as the 64-bit float it is ordered as; None when not a finite number."""
    if kind(value) != "number":
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number + 0.0 if math.isfinite(number) else None  # + 0.0: -0.0 is 0.0


def ordered(op: str, actual: Any, expected: Any) -> bool:
    """`actual <op> expected` for two numbers or two texts; false for any other pair."""
    if kind(actual) == kind(expected) == "text":
        a, b = normal(actual), normal(expected)
    else:
        a, b = as_float(actual), as_float(expected)
        if a is None or b is None:
            return False
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]


def test(cmp: Cmp, actual: Any) -> bool:
    """One test on the subject's value (None when missing)."""
    op, value = cmp.op, cmp.value
    if op == "is_set":
        return is_set(actual)
    if op == "is_not_set":
        return not is_set(actual)
    if op in ("equals", "not_equals"):
        return same(actual, value) == (op == "equals")
    if op in ("in", "not_in"):
        values = value if isinstance(value, tuple) else (value,)
        return any(same(actual, v) for v in values) == (op == "in")
    return ordered(op, actual, value)


def holds(expr: Expr, fact: Mapping[str, Any]) -> bool:
    """True when `expr` holds for `fact` (see engine.spec.expression for a fact's shape)."""
    if isinstance(expr, All):
        return all(holds(e, fact) for e in expr.items)
    if isinstance(expr, AnyOf):
        return any(holds(e, fact) for e in expr.items)
    if isinstance(expr, Not):
        return not holds(expr.item, fact)
    return test(expr, fact_value(fact, expr.subject, expr.key))


__all__ = ["as_float", "holds", "is_set", "kind", "normal", "ordered", "same", "test"]
