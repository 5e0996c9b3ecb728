"""The engine-neutral form of a revision's rules, and what evaluating them returns.

`engine.spec.rules.compile` turns validated `Rule`s into `CompiledRules`; an adapter (today
`engine.core.rules_engine`, durable_rules) evaluates them against a *fact*, the flat dict the core
builds for one happening:

    {"trigger": "event"|"entered"|"deadline"|"timer"|"schedule", "name": str,
     "state": str, "actor": str, "count": int, "field": {...}, "data": {...}}

The tests are trees of the one condition language (engine.spec.expression); what they mean
is defined by the reference evaluator, engine.spec.semantics.holds, and every adapter must give
its answer (tests/unit/rules/test_semantics_agree.py holds durable_rules to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.spec.expression import (
    KEYED_SUBJECTS,
    All,
    AnyOf,
    Cmp,
    Expr,
    Not,
    Op,
    Scalar,
    Subject,
    fact_value,
    leaves,
    subject_text,
)
from engine.spec.model import RuleAction


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


def expr_data(expr: Expr) -> Any:
    if isinstance(expr, Cmp):
        value = list(expr.value) if isinstance(expr.value, tuple) else expr.value
        if expr.op in ("is_set", "is_not_set"):
            return [subject_text(expr), expr.op]
        return [subject_text(expr), expr.op, value]
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
    "KEYED_SUBJECTS",
    "Match",
    "Not",
    "Op",
    "Scalar",
    "Subject",
    "fact_value",
    "leaves",
]
