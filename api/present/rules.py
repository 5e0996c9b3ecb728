"""A revision's rules as the API shows them (`RuleSchema`): the reminders, escalations and
automatic decisions a client can expect, read off the spec alone.

Every name a rule uses is the SOP's (a step, event, actor, template, field, status), so each
comes with what people read for it where the spec has it: step numbers and activities, event
and actor labels, a template's text, a condition in words (`engine.spec.labels`).
"""

from __future__ import annotations

from typing import Any

from api.present.sops import status_ref, step_number, time_limit
from engine.spec.durations import parse_duration
from engine.spec.expression import Cmp
from engine.spec.labels import actor_label, condition_words, event_label, field_label
from engine.spec.model import Rule, RuleAction, Spec
from engine.spec.rules.compile import compile_rule
from engine.spec.rules.compiled import expr_data


def rule_views(spec: Spec) -> list[dict[str, Any]]:
    """Every rule of the revision, in the order the engine evaluates them (file order)."""
    return [rule_view(spec, rule, i) for i, rule in enumerate(spec.rules)]


def rule_view(spec: Spec, rule: Rule, index: int) -> dict[str, Any]:
    compiled = compile_rule(rule, index)
    condition = compiled.condition
    return {
        "id": rule.id,
        "description": rule.description,
        "source": rule.source,
        "trigger": _trigger(spec, compiled.trigger, compiled.name),
        "filters": [_filter(spec, f) for f in compiled.filters],
        "condition": None
        if condition is None
        else {"text": condition_words(spec, condition), "expression": expr_data(condition)},
        "actions": [_action(spec, a) for a in rule.then],
    }


def _trigger(spec: Spec, kind: str, name: str) -> dict[str, Any]:
    """What sets the rule off, with the steps it concerns: the steps offering the event, the
    step entered, whose time limit passes or that runs on a schedule, the steps a timer is
    started for."""
    if kind == "event":
        numbers = [s.no for s in spec.steps if s.event(name) is not None]
        label = event_label(spec, name)
    elif kind == "timer":
        numbers = sorted(
            {
                n
                for a in _actions(spec, "start_timer")
                if a.params.get("name") == name
                and (n := step_number(spec, str(a.params.get("step", "")))) is not None
            }
        )
        label = name
    else:  # entered, deadline, schedule: a step
        number = step_number(spec, name)
        numbers = [] if number is None else [number]
        label = spec.step(name).activity if number is not None else name
    return {"kind": kind, "name": name, "label": label, "step_numbers": numbers}


def _filter(spec: Spec, cmp: Cmp) -> dict[str, Any]:
    value = list(cmp.value) if isinstance(cmp.value, tuple) else cmp.value
    return {
        "subject": cmp.subject,
        "op": cmp.op,
        "value": value,
        "text": condition_words(spec, cmp),
    }


def _actions(spec: Spec, kind: str) -> list[RuleAction]:
    return [a for r in spec.rules for a in r.then if a.kind == kind]


def _action(spec: Spec, action: RuleAction) -> dict[str, Any]:
    """One action with its parameters, each beside what people read for it."""
    params, kind = action.params, action.kind
    out: dict[str, Any] = {"kind": kind}
    if kind in ("notify", "escalate"):
        to, template = str(params["to"]), str(params["template"])
        channel = params.get("channel_field")
        out.update(
            to=to,
            to_label=actor_label(spec, to),
            template=template,
            text=spec.template(template),
            escalation=kind == "escalate",
            channel_field=channel,
            channel_label=field_label(spec, str(channel)) if channel else None,
            include_personal=bool(params.get("include_personal", False)),
        )
    elif kind in ("start_timer", "cancel_timer"):
        out["timer"] = str(params["name"])
        for key in ("every", "after"):
            if key in params:
                out[key] = time_limit(parse_duration(str(params[key]), spec.time_defaults))
        if "step" in params:
            out.update(step=params["step"], step_number=step_number(spec, str(params["step"])))
    elif kind == "fire":
        event, actor = str(params["event"]), params.get("actor")
        out.update(
            event=event,
            event_label=event_label(spec, event),
            actor=actor,
            actor_label=actor_label(spec, str(actor)) if actor else None,
        )
    elif kind == "set_status":
        out["status"] = status_ref(spec, str(params["status"]))
    return out
