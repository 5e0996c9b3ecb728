"""Check a parsed scenario file against the SOP revision it runs on.

    check_scenarios(spec, scenario_file) -> list[Problem]

Every step, event, actor, field, status, template and timer a scenario names must exist in the
revision (or its rules), so a typo is reported with its place and a hint instead of surfacing
later as a puzzling failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.authoring.scenario.model import (
    EventStep,
    Expect,
    Given,
    Scenario,
    ScenarioFile,
    StepRef,
    Where,
)
from engine.errors import Problem
from engine.spec.hints import did_you_mean
from engine.spec.model import END, Spec
from engine.spec.schema_fields import split_texts

ENGINE_EVENTS = ("deadline", "timer")  # the engine's own timer events (engine.core.model)


class _Names:
    """The names of one revision a scenario may use."""

    def __init__(self, spec: Spec) -> None:
        self.steps = [s.id for s in spec.steps]
        self.numbers = [s.no for s in spec.steps]
        self.events = sorted(
            {e.name for s in spec.steps for e in s.events}
            | {o.event for s in spec.steps for o in s.signoffs}
        )
        self.actors = [a.id for a in spec.actors]
        self.fields = [f.id for f in spec.fields]
        self.statuses = [s.id for s in spec.statuses] + [s.label for s in spec.statuses]
        self.templates = sorted({t for rs in spec.rulesets for t in rs.templates})
        self.timers = sorted(
            {
                str(a.params.get("name"))
                for rule in spec.rules
                for a in rule.then
                if a.kind == "start_timer"
            }
        )


def check_scenarios(spec: Spec, sfile: ScenarioFile) -> list[Problem]:
    names = _Names(spec)
    problems: list[Problem] = []
    for sc in sfile.scenarios:
        problems.extend(_scenario(sc, names))
    return problems


def _scenario(sc: Scenario, n: _Names) -> list[Problem]:
    out = _given(sc.given, sc.where, n)
    for step in sc.steps:
        if isinstance(step, EventStep):
            out += _event(step, n)
        elif isinstance(step, Expect):
            out += _expect(step, n)
    return out


def _unknown(
    kind: str,
    value: Any,
    choices: Iterable[Any],
    where: Where,
    suffix: str = "",
    hint: str = "",
) -> list[Problem]:
    choices = list(choices)
    if value in choices:
        return []
    shown = ", ".join(str(c) for c in choices) or "none"
    path = f"{where.path}.{suffix}" if suffix else where.path
    return [
        Problem(
            f"unknown_{kind}",
            f"this revision has no {kind} {value!r}; known: {shown}",
            path,
            where.file,
            where.line,
            where.col,
            hint or did_you_mean(value, choices),
        )
    ]


def _given(given: Given, where: Where, n: _Names) -> list[Problem]:
    out: list[Problem] = []
    if given.after is not None:  # its ticket was opened (and checked) by the earlier scenario
        return out
    split = split_texts(given.fields, list(n.fields))  # {text: Foto, lampiran}: quote it
    for key in given.fields:
        path = f"given.fields.{key}"
        out += _unknown("field", key, n.fields, where, path, split.get(key, ""))
    if given.actor is not None:
        out += _unknown("actor", given.actor, n.actors, where, "given.actor")
    return out


def _event(step: EventStep, n: _Names) -> list[Problem]:
    """A name the scenario means the core to refuse (its expect_error) is not a typo."""
    refusal = step.error.code if step.error else ""
    out: list[Problem] = []
    if refusal != "unknown_event":
        out += _unknown("event", step.type, [*n.events, *ENGINE_EVENTS], step.where, "type")
    if refusal != "actor_not_allowed":
        out += _unknown("actor", step.actor, n.actors, step.where, "actor")
    if step.type not in ENGINE_EVENTS and refusal != "invalid_data":
        split = split_texts(step.data, list(n.fields))
        for key in step.data:
            hint = split.get(key, "")
            out += _unknown("field", key, n.fields, step.where, f"data.{key}", hint)
    return out


def _step_ref(ref: StepRef, n: _Names, where: Where, suffix: str = "") -> list[Problem]:
    if isinstance(ref, int):
        return _unknown("step number", ref, n.numbers, where, suffix)
    return _unknown("step", ref, [*n.steps, END], where, suffix)


def _expect(ex: Expect, n: _Names) -> list[Problem]:
    out: list[Problem] = []
    if ex.state is not None:
        out += _step_ref(ex.state, n, ex.at("state"), "")
    if ex.status is not None:
        out += _unknown("status", ex.status, n.statuses, ex.at("status"))
    for key in ex.fields or {}:
        out += _unknown("field", key, n.fields, ex.at("fields"), key)
    for note in ex.notifications or ():
        w = ex.at("notifications")
        out += _unknown("actor", note.to, n.actors, w, "to")
        out += _unknown("template", note.template, n.templates, w, "template")
    for dl in ex.deadlines or ():
        w = ex.at("deadlines")
        if dl.kind == "sla":
            out += _step_ref(dl.name, n, w, "step")
        else:
            out += _unknown("timer", dl.name, n.timers, w, "timer")
    for ref, _results in ex.sla:
        out += _step_ref(ref, n, ex.at("sla"), str(ref))
    for name in ex.allowed_events or ():
        out += _unknown("event", name, [*n.events, *ENGINE_EVENTS], ex.at("allowed_events"))
    return out
