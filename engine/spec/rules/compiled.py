"""The engine-neutral form of a revision's rules, and what evaluating them returns.

`engine.spec.rules.compile` turns validated `Rule`s into `CompiledRules`; an adapter (today
`engine.core.rules_engine`, durable_rules) evaluates them against a *fact*, the flat dict the core
builds for one happening:

    {"trigger": "event"|"entered"|"deadline"|"timer"|"schedule", "name": str,
     "state": str, "actor": str, "count": int, "field": {...}, "data": {...}}

Semantics every adapter must keep (tests/unit/rules hold them to it):
- A test reads one *subject* of the fact: trigger, name, state, actor, count (top-level keys)
  or field/data (a key of those dicts). A subject whose value is missing or None is *unset*.
- equals: set and equal, where numbers compare by value (1 == 1.0), but a bool is not a number
  and text is not a number ("1" != 1, "true" != True); dates compare as their ISO text.
- in: equals one of the values. gt/gte/lt/lte: set, a number (not a bool), and the comparison
  holds. is_set / is_not_set: the subject is set / unset.
- not_equals, not_in and `Not` are the exact complements: an unset subject is "not equal".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeAlias

from engine.spec.model import RuleAction

Subject = Literal["trigger", "name", "state", "actor", "count", "field", "data"]
Op = Literal[
    "equals", "not_equals", "in", "not_in", "lt", "lte", "gt", "gte", "is_set", "is_not_set"
]
Scalar: TypeAlias = str | int | float | bool | date
KEYED_SUBJECTS: tuple[str, ...] = ("field", "data")


@dataclass(frozen=True)
class Cmp:
    """One test of one subject. `key` names the field / data key ("" for top-level subjects);
    `value` is a scalar, a tuple of scalars (in / not_in) or None (is_set / is_not_set)."""

    subject: Subject
    op: Op
    value: Scalar | tuple[Scalar, ...] | None = None
    key: str = ""

    @property
    def ref(self) -> tuple[str, str]:
        return (self.subject, self.key)


@dataclass(frozen=True)
class All:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    item: Expr


Expr: TypeAlias = Cmp | All | AnyOf | Not


@dataclass(frozen=True)
class CompiledRule:
    """A rule: it matches a fact when trigger and name are equal and every filter and the
    condition hold. `index` is its position among the spec's rules (file order)."""

    index: int
    id: str
    trigger: str
    name: str
    filters: tuple[Cmp, ...] = ()  # count / actor / state, in that order
    condition: Expr | None = None  # the rule's `if`
    actions: tuple[RuleAction, ...] = ()

    @property
    def test(self) -> All:
        """The whole match condition as one expression (never only negative tests)."""
        head: tuple[Expr, ...] = (
            Cmp("trigger", "equals", self.trigger),
            Cmp("name", "equals", self.name),
        )
        tail: tuple[Expr, ...] = (self.condition,) if self.condition is not None else ()
        return All(head + self.filters + tail)


@dataclass(frozen=True)
class CompiledRules:
    """Every rule of one spec revision, in file order (its rulesets in the order it names)."""

    key: str  # "<sop>@<revision>"
    content_hash: str
    rules: tuple[CompiledRule, ...]

    @property
    def refs(self) -> tuple[tuple[str, str], ...]:
        """Every (subject, key) some rule reads, in order of first use."""
        seen: dict[tuple[str, str], None] = {}
        for rule in self.rules:
            for cmp in leaves(rule.test):
                seen.setdefault(cmp.ref)
        return tuple(seen)

    def as_data(self) -> list[dict[str, Any]]:
        """Plain lists and dicts (for golden tests and debugging)."""
        return [rule_data(r) for r in self.rules]


@dataclass(frozen=True)
class Match:
    """A rule whose conditions held for a fact; `reason` says why, for the ticket's log."""

    rule_id: str
    actions: tuple[RuleAction, ...]
    reason: str


def leaves(expr: Expr) -> list[Cmp]:
    if isinstance(expr, Cmp):
        return [expr]
    if isinstance(expr, Not):
        return leaves(expr.item)
    return [leaf for item in expr.items for leaf in leaves(item)]


def fact_value(fact: Mapping[str, Any], subject: str, key: str = "") -> Any:
    """The fact's value for a subject; None when unset."""
    if subject in KEYED_SUBJECTS:
        values = fact.get(subject) or {}
        return values.get(key)
    return fact.get(subject)


def expr_data(expr: Expr) -> Any:
    if isinstance(expr, Cmp):
        where = f"{expr.subject}.{expr.key}" if expr.key else expr.subject
        value = list(expr.value) if isinstance(expr.value, tuple) else expr.value
        return [where, expr.op] if expr.value is None else [where, expr.op, value]
    if isinstance(expr, Not):
        return {"not": expr_data(expr.item)}
    return {"all" if isinstance(expr, All) else "any": [expr_data(i) for i in expr.items]}


def rule_data(rule: CompiledRule) -> dict[str, Any]:
    return {
        "index": rule.index,
        "id": rule.id,
        "trigger": rule.trigger,
        "name": rule.name,
        "filters": [expr_data(f) for f in rule.filters],
        "if": expr_data(rule.condition) if rule.condition is not None else None,
        "then": [{a.kind: dict(a.params)} for a in rule.actions],
    }


__all__ = [
    "All",
    "AnyOf",
    "Cmp",
    "CompiledRule",
    "CompiledRules",
    "Expr",
    "Match",
    "Not",
    "Op",
    "Scalar",
    "Subject",
    "fact_value",
    "leaves",
]
