"""The one condition language: a tree of tests, built from YAML, shared by every use.

Branch guards (`when`), input conditions (`when`) and rule conditions (`if`, plus a rule's
trigger and filters) are all this tree. What it means is defined once, by the reference
evaluator `engine.spec.semantics.holds`; it is checked once, by `engine.spec.conditions`;
the durable_rules adapter (`engine.core.rules_engine`) is held to the reference evaluator.

    {field: channel, equals: x}      Cmp("field", "equals", "x", "channel")
    {data: amount, gt: 10}           Cmp("data", "gt", 10, "amount")
    {all: [...]} {any: [...]}        All((...)) AnyOf((...))
    {not: {...}}                     Not(...)

A *fact* is what a tree is evaluated against: a flat dict with the top-level subjects
(trigger, name, state, actor, count) and the keyed ones, `field` and `data`, each a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeAlias, cast

Subject = Literal["trigger", "name", "state", "actor", "count", "field", "data"]
Op = Literal[
    "equals", "not_equals", "in", "not_in", "lt", "lte", "gt", "gte", "is_set", "is_not_set"
]
Scalar: TypeAlias = str | int | float | bool | date | None
KEYED_SUBJECTS: tuple[str, ...] = ("field", "data")
CONDITION_OPS: tuple[str, ...] = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "is_set",
    "is_not_set",
    "gt",
    "gte",
    "lt",
    "lte",
)
ORDERING_OPS: tuple[str, ...] = ("gt", "gte", "lt", "lte")
COMBINATORS: tuple[str, ...] = ("all", "any", "not")


@dataclass(frozen=True)
class Cmp:
    """One test of one subject. `key` names the field / data key ("" for top-level subjects);
    `value` is a scalar, a tuple of scalars (in / not_in) or None (is_set / is_not_set)."""

    subject: Subject
    op: Op
    value: Scalar | tuple[Scalar, ...] = None
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


def build_condition(doc: Mapping[str, Any]) -> Expr:
    """An already validated YAML condition as a tree."""
    if "all" in doc:
        return All(tuple(build_condition(k) for k in doc["all"]))
    if "any" in doc:
        return AnyOf(tuple(build_condition(k) for k in doc["any"]))
    if "not" in doc:
        return Not(build_condition(doc["not"]))
    subject: Subject = "data" if "data" in doc else "field"
    op = cast(Op, next(k for k in CONDITION_OPS if k in doc))
    key = str(doc[subject])
    if op in ("is_set", "is_not_set"):
        return Cmp(subject, op, None, key)
    if op in ("in", "not_in"):
        return Cmp(subject, op, tuple(doc[op]), key)
    return Cmp(subject, op, doc[op], key)


def leaves(expr: Expr) -> list[Cmp]:
    if isinstance(expr, Cmp):
        return [expr]
    if isinstance(expr, Not):
        return leaves(expr.item)
    return [leaf for item in expr.items for leaf in leaves(item)]


def fact_value(fact: Mapping[str, Any], subject: str, key: str = "") -> Any:
    """The fact's value for a subject; None when missing (a missing key *is* None)."""
    if subject in KEYED_SUBJECTS:
        values = fact.get(subject) or {}
        return values.get(key)
    return fact.get(subject)


def subject_text(cmp: Cmp) -> str:
    """`field.channel`, `data.amount`, `count`."""
    return f"{cmp.subject}.{cmp.key}" if cmp.key else cmp.subject


__all__ = [
    "COMBINATORS",
    "CONDITION_OPS",
    "KEYED_SUBJECTS",
    "ORDERING_OPS",
    "All",
    "AnyOf",
    "Cmp",
    "Expr",
    "Not",
    "Op",
    "Scalar",
    "Subject",
    "build_condition",
    "fact_value",
    "leaves",
    "subject_text",
]
