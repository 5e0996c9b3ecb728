"""The rules of a built `Spec`, checked by the one rules validator (engine.spec.rules_check).

`rule_problems(spec)` returns every problem at once (an empty list when all is well), with the
same codes and paths `sop validate` gives for the rules files: a spec's rules are turned back
into the documents they came from and checked exactly as a loaded rules file is, against the
names the spec defines. `engine.spec.rules.compile.compile_rules` refuses a spec that has any.
"""

from __future__ import annotations

from typing import Any

from engine.errors import Problem
from engine.spec import rules_check  # a module: rules_check imports this package's actions
from engine.spec.crossref import Context
from engine.spec.model import RuleSetSpec, Spec
from engine.spec.report import Report


def rule_problems(spec: Spec) -> list[Problem]:
    """Every problem in the spec's rules: unknown kinds, bad parameters, dangling names."""
    ctx = spec_context(spec)
    docs = [(rs.id, ruleset_document(rs)) for rs in spec.rulesets]
    shared = rules_check.Shared()
    for _id, doc in docs:
        shared.timers |= rules_check.started_timers(doc)
    problems: list[Problem] = []
    for rid, doc in docs:
        report = Report(file=f"rules/{rid}.yaml")
        rules_check.check_rules_document(doc, report, ctx, shared)
        problems += report.problems
    return problems


def ruleset_document(ruleset: RuleSetSpec) -> dict[str, Any]:
    """The rules file a ruleset was built from (engine.spec.build.build_ruleset, reversed)."""
    rules = []
    for rule in ruleset.rules:
        doc: dict[str, Any] = {"id": rule.id, "when": rule.when}
        doc["then"] = [{a.kind: dict(a.params)} for a in rule.then]
        if rule.description:
            doc["description"] = rule.description
        rules.append(doc)
    return {"format_version": 1, "id": ruleset.id, "templates": ruleset.templates, "rules": rules}


def spec_context(spec: Spec) -> Context:
    """The names a spec defines, as the cross-reference checks of its YAML see them."""
    ctx = Context(
        actors={a.id: {} for a in spec.actors},
        fields={f.id: {"type": f.type, "choices": list(f.choices)} for f in spec.fields},
        statuses={s.id: {} for s in spec.statuses},
        calendars={c.id: {} for c in spec.calendars},
    )
    for i, step in enumerate(spec.steps):
        limit = str(step.time_limit) if step.time_limit is not None else None
        ctx.steps.setdefault(step.id, {"time_limit": limit, "periodic": step.periodic})
        ctx.step_index.setdefault(step.id, i)
        for ev in step.events:
            ctx.events.setdefault(ev.name, []).append(step.id)
    return ctx


__all__ = ["rule_problems", "ruleset_document", "spec_context"]
