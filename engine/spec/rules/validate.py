"""Check a spec's rules against the closed registries and the SOP they belong to.

`rule_problems(spec)` returns every problem at once (an empty list when all is well), each
located as `rules/<ruleset>.yaml: rules[i].when.count` with the rule id in its message.
`engine.spec.rules.compile.compile_rules` refuses to compile a spec that has any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.errors import Problem
from engine.spec.build import COMBINATORS, CONDITION_OPS
from engine.spec.durations import SPELLINGS, parse_duration
from engine.spec.hints import did_you_mean
from engine.spec.model import Rule, RuleAction, Spec
from engine.spec.rules.actions import ACTIONS, COUNT_OPS, FILTERS, TRIGGERS, ActionKind, Ref

SUBJECT_KEYS = ("field", "data")
SCALAR_TYPES = (str, int, float, bool, date)


@dataclass
class _Context:
    """What the rules may refer to, and where the problems go."""

    names: dict[Ref, tuple[str, ...]]
    choices: dict[str, tuple[str, ...]]
    problems: list[Problem] = field(default_factory=list)
    file: str = ""

    def add(self, code: str, path: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(code, message, path=path, file=self.file, hint=hint))

    def check_ref(self, ref: Ref, value: Any, path: str, what: str) -> None:
        if ref == "duration":
            self._check_duration(value, path, what)
            return
        if ref == "flag":
            if not isinstance(value, bool):
                self.add("bad_param", path, f"{what} must be true or false, got {value!r}")
            return
        if not isinstance(value, str) or not value:
            self.add("bad_param", path, f"{what} must be a name, got {value!r}")
            return
        known = self.names.get(ref)
        if known is not None and value not in known:
            self.add(
                "unknown_reference",
                path,
                f"{what} {value!r} is not {_REF_WORDS[ref]}",
                did_you_mean(value, known),
            )

    def _check_duration(self, value: Any, path: str, what: str) -> None:
        try:
            parse_duration(value)
        except ValueError as exc:
            self.add("bad_param", path, f"{what}: {exc}", f"write e.g. {SPELLINGS}")


_REF_WORDS: dict[Ref, str] = {
    "actor": "an actor of the SOP",
    "template": "a template of the rules file",
    "field": "a field of the SOP",
    "step": "a step of the SOP",
    "timed_step": "a step with a time limit",
    "periodic_step": "a periodic step of the SOP",
    "event": "an event of the SOP",
    "status": "a status of the SOP",
    "timer": "a timer any rule starts (start_timer)",
    "new_timer": "a timer name",
    "duration": "a duration",
    "flag": "true or false",
}


def _names(spec: Spec) -> dict[Ref, tuple[str, ...]]:
    events = {ev.name: None for s in spec.steps for ev in s.events}
    timers = {
        str(a.params.get("name")): None
        for r in spec.rules
        for a in r.then
        if a.kind == "start_timer"
    }
    return {
        "actor": tuple(a.id for a in spec.actors),
        "template": tuple(t for rs in spec.rulesets for t in rs.templates),
        "field": tuple(f.id for f in spec.fields),
        "step": tuple(s.id for s in spec.steps),
        "timed_step": tuple(s.id for s in spec.steps if s.time_limit is not None),
        "periodic_step": tuple(s.id for s in spec.steps if s.periodic is not None),
        "event": tuple(events),
        "status": tuple(s.id for s in spec.statuses),
        "timer": tuple(timers),
    }


def rule_problems(spec: Spec) -> list[Problem]:
    """Every problem in the spec's rules: unknown kinds, bad parameters, dangling names."""
    ctx = _Context(names=_names(spec), choices={f.id: f.choices for f in spec.fields})
    seen: dict[str, str] = {}
    for ruleset in spec.rulesets:
        ctx.file = f"rules/{ruleset.id}.yaml"
        for i, rule in enumerate(ruleset.rules):
            path = f"rules[{i}]"
            if not isinstance(rule.id, str) or not rule.id:
                ctx.add("bad_rule_id", f"{path}.id", "every rule needs a non-empty text id")
            elif rule.id in seen:
                ctx.add("duplicate_rule", f"{path}.id", f"rule id {rule.id!r} is used twice")
            seen.setdefault(str(rule.id), ruleset.id)
            _check_when(ctx, rule, path)
            _check_then(ctx, rule, path)
    return ctx.problems


def _check_when(ctx: _Context, rule: Rule, path: str) -> None:
    when, path = rule.when, f"{path}.when"
    if not isinstance(when, dict):
        ctx.add("bad_when", path, f"rule {rule.id!r}: `when` must be a mapping")
        return
    triggers = [k for k in when if k in TRIGGERS]
    for key in when:
        if key not in TRIGGERS and key not in FILTERS:
            ctx.add(
                "unknown_trigger",
                f"{path}.{key}",
                f"rule {rule.id!r}: {key!r} is neither a trigger ({', '.join(TRIGGERS)}) "
                f"nor a filter ({', '.join(FILTERS)})",
                did_you_mean(str(key), [*TRIGGERS, *FILTERS]),
            )
    if len(triggers) != 1:
        ctx.add(
            "trigger_count",
            path,
            f"rule {rule.id!r}: `when` needs exactly one trigger of {', '.join(TRIGGERS)}; "
            f"found {len(triggers)}",
        )
    for kind in triggers:
        ctx.check_ref(TRIGGERS[kind], when[kind], f"{path}.{kind}", f"rule {rule.id!r}: {kind}")
    if "count" in when:
        _check_count(ctx, when["count"], f"{path}.count", rule.id)
    if "actor" in when:
        ctx.check_ref("actor", when["actor"], f"{path}.actor", f"rule {rule.id!r}: actor")
    if "state" in when:
        ctx.check_ref("step", when["state"], f"{path}.state", f"rule {rule.id!r}: state")
    if "if" in when:
        check_condition(ctx, when["if"], f"{path}.if", rule.id)


def _check_count(ctx: _Context, doc: Any, path: str, rule_id: str) -> None:
    ops = list(doc) if isinstance(doc, dict) else []
    if len(ops) != 1 or ops[0] not in COUNT_OPS:
        ctx.add(
            "bad_count",
            path,
            f"rule {rule_id!r}: count takes exactly one of {', '.join(COUNT_OPS)}, e.g. {{gte: 2}}",
        )
        return
    value = doc[ops[0]]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        ctx.add("bad_count", f"{path}.{ops[0]}", f"rule {rule_id!r}: count needs a whole number")


def check_condition(ctx: _Context, doc: Any, path: str, rule_id: str) -> None:
    """The branch vocabulary: {field|data: x, <op>: v}, {all|any: [...]}, {not: {...}}."""
    if not isinstance(doc, dict) or not doc:
        ctx.add("bad_condition", path, f"rule {rule_id!r}: a condition must be a mapping")
        return
    combs = [k for k in doc if k in COMBINATORS]
    if combs:
        _check_combinator(ctx, doc, path, rule_id, combs)
        return
    subjects = [k for k in doc if k in SUBJECT_KEYS]
    ops = [k for k in doc if k in CONDITION_OPS]
    extra = [k for k in doc if k not in SUBJECT_KEYS and k not in CONDITION_OPS]
    if len(subjects) != 1 or len(ops) != 1 or extra:
        ctx.add(
            "bad_condition",
            path,
            f"rule {rule_id!r}: a test is one subject (field or data), one operator "
            f"({', '.join(CONDITION_OPS)}) and its value; got keys {sorted(map(str, doc))}",
            did_you_mean(str(extra[0]), [*SUBJECT_KEYS, *CONDITION_OPS]) if extra else "",
        )
        return
    subject, op = subjects[0], ops[0]
    if subject == "field":
        ctx.check_ref("field", doc[subject], f"{path}.field", f"rule {rule_id!r}: field")
    elif not isinstance(doc[subject], str) or not doc[subject]:
        ctx.add("bad_condition", f"{path}.data", f"rule {rule_id!r}: data needs a key name")
    _check_value(ctx, op, doc[op], f"{path}.{op}", rule_id)
    if subject == "field" and op in ("equals", "not_equals", "in", "not_in"):
        _check_choices(ctx, doc, op, path, rule_id)


def _check_combinator(
    ctx: _Context, doc: dict[str, Any], path: str, rule_id: str, combs: list[str]
) -> None:
    if len(doc) != 1:
        ctx.add(
            "bad_condition",
            path,
            f"rule {rule_id!r}: {combs[0]!r} must stand alone in its mapping",
        )
        return
    comb = combs[0]
    if comb == "not":
        check_condition(ctx, doc[comb], f"{path}.not", rule_id)
        return
    kids = doc[comb]
    if not isinstance(kids, list) or not kids:
        ctx.add("bad_condition", f"{path}.{comb}", f"rule {rule_id!r}: {comb} needs a list")
        return
    for i, kid in enumerate(kids):
        check_condition(ctx, kid, f"{path}.{comb}[{i}]", rule_id)


def _check_value(ctx: _Context, op: str, value: Any, path: str, rule_id: str) -> None:
    where = f"rule {rule_id!r}: {op}"
    if op in ("is_set", "is_not_set"):
        if value is not True:
            ctx.add("bad_condition", path, f"{where} takes `true` (use the other one to negate)")
    elif op in ("in", "not_in"):
        ok = isinstance(value, list) and value and all(_is_scalar(v) for v in value)
        if not ok:
            ctx.add("bad_condition", path, f"{where} needs a non-empty list of values")
    elif op in ("gt", "gte", "lt", "lte"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            ctx.add("bad_condition", path, f"{where} needs a number, got {value!r}")
    elif not _is_scalar(value):
        ctx.add("bad_condition", path, f"{where} needs one value (text, number, true/false)")


def _check_choices(ctx: _Context, doc: dict[str, Any], op: str, path: str, rule_id: str) -> None:
    choices = ctx.choices.get(doc["field"]) or ()
    values = doc[op] if isinstance(doc[op], list) else [doc[op]]
    for value in values:
        if choices and value not in choices:
            ctx.add(
                "unknown_reference",
                f"{path}.{op}",
                f"rule {rule_id!r}: {value!r} is not a choice of field {doc['field']!r}",
                did_you_mean(str(value), choices),
            )


def _is_scalar(value: Any) -> bool:
    return isinstance(value, SCALAR_TYPES)


def _check_then(ctx: _Context, rule: Rule, path: str) -> None:
    if not rule.then:
        ctx.add("no_actions", f"{path}.then", f"rule {rule.id!r} has no actions")
    for j, action in enumerate(rule.then):
        kind = ACTIONS.get(action.kind)
        apath = f"{path}.then[{j}].{action.kind}"
        if kind is None:
            ctx.add(
                "unknown_action",
                apath,
                f"rule {rule.id!r}: unknown action {action.kind!r}; "
                f"the actions are {', '.join(ACTIONS)}",
                did_you_mean(action.kind, ACTIONS),
            )
            continue
        _check_params(ctx, kind, action, apath, rule.id)


def _check_params(
    ctx: _Context, kind: ActionKind, action: RuleAction, path: str, rule_id: str
) -> None:
    params = action.params
    where = f"rule {rule_id!r}: {kind.kind}"
    for name in params:
        if kind.param(name) is None:
            allowed = ", ".join(p.name for p in kind.params)
            ctx.add(
                "unknown_param",
                f"{path}.{name}",
                f"{where} takes no {name!r} (it takes {allowed})",
                did_you_mean(str(name), [p.name for p in kind.params]),
            )
    for param in kind.params:
        if param.name in params:
            ctx.check_ref(param.ref, params[param.name], f"{path}.{param.name}", where)
        elif param.required:
            ctx.add("missing_param", path, f"{where} needs {param.name!r}")
    given = [p for p in kind.one_of if p in params]
    if kind.one_of and len(given) != 1:
        ctx.add("bad_param", path, f"{where} needs exactly one of {', '.join(kind.one_of)}")


__all__ = ["check_condition", "rule_problems"]
