"""Compile a spec's rules into the engine-neutral `CompiledRules` (pure; no rules engine here).

compile_rules(spec) -> CompiledRules      raises SopInvalid listing every problem
"""

from __future__ import annotations

from engine.errors import SopInvalid
from engine.spec.expression import Cmp, Op, build_condition
from engine.spec.model import Rule, Spec
from engine.spec.rules.actions import TRIGGERS
from engine.spec.rules.compiled import CompiledRule, CompiledRules
from engine.spec.rules.validate import rule_problems

_COUNT_OPS: dict[str, Op] = {
    "lt": "lt",
    "lte": "lte",
    "gt": "gt",
    "gte": "gte",
    "equals": "equals",
}


def compile_rules(spec: Spec) -> CompiledRules:
    """Validate, then compile every rule of `spec` in file order."""
    problems = rule_problems(spec)
    if problems:
        raise SopInvalid(problems, f"the rules of {spec.key} have {len(problems)} problem(s)")
    return CompiledRules(
        key=spec.key,
        content_hash=spec.content_hash,
        rules=tuple(compile_rule(rule, i) for i, rule in enumerate(spec.rules)),
    )


def compile_rule(rule: Rule, index: int) -> CompiledRule:
    """One already validated rule."""
    when = rule.when
    trigger = next(k for k in when if k in TRIGGERS)
    filters: list[Cmp] = []
    if "count" in when:
        ((op, value),) = when["count"].items()
        filters.append(Cmp("count", _COUNT_OPS[op], int(value)))
    if "actor" in when:
        filters.append(Cmp("actor", "equals", str(when["actor"])))
    if "state" in when:
        filters.append(Cmp("state", "equals", str(when["state"])))
    condition = build_condition(when["if"]) if "if" in when else None
    return CompiledRule(
        index=index,
        id=rule.id,
        trigger=trigger,
        name=str(when[trigger]),
        filters=tuple(filters),
        condition=condition,
        actions=rule.then,
    )


__all__ = ["compile_rule", "compile_rules"]
