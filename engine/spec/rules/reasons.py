"""Say in words why a rule matched a fact, for the ticket's log.

reason(rule, fact) -> "timer:follow_up_reminder and count 2 >= 2"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.spec.expression import All, Cmp, Expr, Not, fact_value, subject_text
from engine.spec.rules.compiled import CompiledRule

_SYMBOLS = {
    "equals": "=",
    "not_equals": "!=",
    "in": "in",
    "not_in": "not in",
    "lt": "<",
    "lte": "<=",
    "gt": ">",
    "gte": ">=",
}
_PLAIN = ("count", "actor", "state")  # engine-given ids and numbers, shown without quotes


def reason(rule: CompiledRule, fact: Mapping[str, Any]) -> str:
    parts = [f"{rule.trigger}:{rule.name}"]
    parts += [describe(f, fact) for f in rule.filters]
    if rule.condition is not None:
        parts.append(describe(rule.condition, fact))
    return " and ".join(parts)


def describe(expr: Expr, fact: Mapping[str, Any]) -> str:
    """The expression with the fact's actual values, e.g. "field.channel 'email' = 'email'"."""
    if isinstance(expr, Cmp):
        return _leaf(expr, fact)
    if isinstance(expr, Not):
        return f"not ({describe(expr.item, fact)})"
    joiner = " and " if isinstance(expr, All) else " or "
    inner = joiner.join(describe(item, fact) for item in expr.items)
    return f"({inner})" if len(expr.items) > 1 else inner


def _leaf(cmp: Cmp, fact: Mapping[str, Any]) -> str:
    name = subject_text(cmp)
    actual = fact_value(fact, cmp.subject, cmp.key)
    shown = "unset" if actual is None else _show(cmp, actual)
    if cmp.op in ("is_set", "is_not_set"):
        return f"{name} {shown} ({cmp.op.replace('_', ' ')})"
    value = cmp.value
    expected = (
        "[" + ", ".join(_show(cmp, v) for v in value) + "]"
        if isinstance(value, tuple)
        else _show(cmp, value)
    )
    return f"{name} {shown} {_SYMBOLS[cmp.op]} {expected}"


def _show(cmp: Cmp, value: Any) -> str:
    return str(value) if cmp.subject in _PLAIN else repr(value)


__all__ = ["describe", "reason"]
