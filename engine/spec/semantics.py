"""The reference evaluator of the condition language: what a condition means, in plain Python.

    holds(expr, fact) -> bool
    holds_partly(expr, known) -> bool | None     the same, on what is known without the values
    learn(expr, truth, known) -> known           what a condition known to hold (or not) proves

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

`holds_partly` answers three ways (true, false, None: unknown) from what a static check knows of
each subject instead of its value (a `Known`: set or not, the one value, values it is not); it
answers true or false only when `holds` would give that answer for every value that fits what is
known (tests/unit/spec/test_spec_semantics_partly.py holds it to `holds`). `learn` is the
other way round: what a condition proves about its subjects once it is known to hold, or not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from engine.spec.expression import All, AnyOf, Cmp, Expr, Not, Scalar, fact_value

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


Ref = tuple[str, str]  # (subject, key): ("field", "channel"), ("data", "amount")


@dataclass(frozen=True)
class Known:
    """What is known of one subject's value without the value: whether it is set (None:
    unknown), the value itself (`value`, a 1-tuple, when known), values it is not equal to."""

    set: bool | None = None
    value: tuple[Scalar, ...] = ()
    not_values: tuple[Scalar, ...] = ()

    @staticmethod
    def exactly(value: Scalar) -> Known:
        return Known(set=is_set(value), value=(value,))

    def equals(self, expected: Scalar) -> bool | None:
        """Whether the value equals `expected` (typed equality), when that is known."""
        if self.value:
            return same(self.value[0], expected)
        if any(same(v, expected) for v in self.not_values):
            return False
        if self.set is not None and self.set != is_set(expected):
            return False  # a set value never equals an unset one, nor the other way round
        return None


UNKNOWN = Known()


def _any(answers: list[bool | None]) -> bool | None:
    if any(a is True for a in answers):
        return True
    return False if all(a is False for a in answers) else None


def test_partly(cmp: Cmp, known: Known) -> bool | None:
    """`test` on what is known of the subject: None when the answer depends on the value."""
    if known.value:
        return test(cmp, known.value[0])
    op, value = cmp.op, cmp.value
    if op in ("is_set", "is_not_set"):
        return None if known.set is None else known.set == (op == "is_set")
    if op in ("equals", "not_equals", "in", "not_in"):
        values = value if isinstance(value, tuple) else (value,)
        found = _any([known.equals(v) for v in values])
        return None if found is None else found == (op in ("equals", "in"))
    return None  # an ordering needs the value


def holds_partly(expr: Expr, known: Mapping[Ref, Known]) -> bool | None:
    """`holds`, three-valued, over what is known of each subject (absent: nothing known)."""
    if isinstance(expr, Not):
        inner = holds_partly(expr.item, known)
        return None if inner is None else not inner
    if isinstance(expr, All):
        flipped = _any([_not(holds_partly(e, known)) for e in expr.items])
        return _not(flipped)
    if isinstance(expr, AnyOf):
        return _any([holds_partly(e, known) for e in expr.items])
    return test_partly(expr, known.get(expr.ref, UNKNOWN))


def _not(answer: bool | None) -> bool | None:
    return None if answer is None else not answer


_OPPOSITE = {"not_equals": "equals", "not_in": "in", "is_not_set": "is_set"}


def learn(expr: Expr, truth: bool, known: Mapping[Ref, Known]) -> dict[Ref, Known]:
    """What is known once `expr` is known to be `truth`: `known` with what that proves added.
    Only what follows for every value is added (`all` false or `any` true proves nothing of
    one item unless it has only one)."""
    out = dict(known)
    if isinstance(expr, Not):
        return learn(expr.item, not truth, out)
    if isinstance(expr, All | AnyOf):
        # `all` true / `any` false: every item is so; otherwise only a single item is.
        if isinstance(expr, All) == truth or len(expr.items) == 1:
            for item in expr.items:
                out = learn(item, truth, out)
        return out
    before = out.get(expr.ref, UNKNOWN)
    after = _learn_test(expr, truth, before)
    if after != before:
        out[expr.ref] = after
    return out


def _learn_test(cmp: Cmp, truth: bool, known: Known) -> Known:
    if known.value:
        return known
    op: str = cmp.op
    if op in _OPPOSITE:
        op, truth = _OPPOSITE[op], not truth
    if op == "is_set":
        return replace(known, set=truth)
    if op in ("equals", "in"):
        values = cmp.value if isinstance(cmp.value, tuple) else (cmp.value,)
        if not truth:
            return replace(known, not_values=known.not_values + values)
        if len(values) == 1:
            return Known.exactly(values[0])
        return replace(known, set=True) if all(is_set(v) for v in values) else known
    # An ordering that holds proves a number or a text; only "" (the least text) is unset.
    text_may_be_empty = kind(cmp.value) == "text" and (
        op in ("lt", "lte") or (op == "gte" and cmp.value == "")
    )
    return replace(known, set=True) if truth and not text_may_be_empty else known


__all__ = [
    "UNKNOWN",
    "Known",
    "Ref",
    "as_float",
    "holds",
    "holds_partly",
    "is_set",
    "kind",
    "learn",
    "normal",
    "ordered",
    "same",
    "test",
    "test_partly",
]
