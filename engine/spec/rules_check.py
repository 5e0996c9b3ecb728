"""Located checks of a rules file, against the closed registries of engine.spec.rules.actions.

    when: {<trigger>: <name>, count: {lt: 2}, actor: x, state: y, if: <condition>}
    then: [{<action>: {params}}, ...]

The registries (trigger kinds, filters, action kinds and what each parameter names) are owned
by engine.spec.rules.actions; this module only reads them, so a new action there is checked here
with no change. With a revision's `Context` every name is checked against it; without one (a
rules file validated on its own) only the file itself is.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

from engine.spec.conditions import check_condition
from engine.spec.crossref import Context, as_list, as_map
from engine.spec.hints import describe, did_you_mean, suggest
from engine.spec.report import Path, Report, drop_consequences
from engine.spec.rules.actions import ACTIONS, COUNT_OPS, FILTERS, TRIGGERS, ActionKind
from engine.spec.schema import RULES_FILE, check_structure
from engine.spec.schema_fields import Bool, Duration, Ident, Strict

_FIELD_FOR_REF = {"duration": Duration, "flag": Bool}


def _params_schema(kind: ActionKind) -> Schema:
    fields = {
        p.name: _FIELD_FOR_REF.get(p.ref, Ident)(required=p.required and p.name not in kind.one_of)
        for p in kind.params
    }
    return Strict.from_dict(fields, name=f"{kind.kind}_params")()


PARAM_SCHEMAS: dict[str, Schema] = {name: _params_schema(kind) for name, kind in ACTIONS.items()}


@dataclass
class Shared:
    """What the rules files of one revision share: rule ids seen, timers started."""

    rule_ids: dict[str, tuple[str, Path]] = field(default_factory=dict)
    timers: set[str] = field(default_factory=set)


def started_timers(data: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for rule in as_list(data.get("rules")):
        for action in as_list(as_map(rule).get("then")):
            params = as_map(as_map(action).get("start_timer"))
            if isinstance(params.get("name"), str):
                names.add(params["name"])
    return names


def check_rules_document(
    data: dict[str, Any], report: Report, ctx: Context | None, shared: Shared
) -> None:
    """A rules file's structure, then its names: the one check of rules, wherever they come
    from (a file `sop validate` reads, or the rules of a built Spec)."""
    check_structure(RULES_FILE, data, report)
    check_rules_file(data, report, ctx, shared)
    report.problems = drop_consequences(report.problems)


def check_rules_file(
    data: dict[str, Any], report: Report, ctx: Context | None, shared: Shared | None = None
) -> None:
    shared = shared if shared is not None else Shared(timers=started_timers(data))
    checker = _Checker(report, ctx, as_map(data.get("templates")), shared)
    checker.templates_valid()
    for i, rule in enumerate(as_list(data.get("rules"))):
        checker.rule(as_map(rule), ("rules", i))


class _Checker:
    def __init__(
        self, report: Report, ctx: Context | None, templates: dict[str, Any], shared: Shared
    ) -> None:
        self.report = report
        self.ctx = ctx
        self.templates = templates
        self.shared = shared

    def templates_valid(self) -> None:
        for tid, text in self.templates.items():
            if isinstance(text, str) and not string.Template(text).is_valid():
                self.report.add(
                    "bad_template",
                    ("templates", tid),
                    "the template has a `$` that starts no placeholder",
                    "write placeholders as ${name}; a literal dollar sign as $$",
                )

    def rule(self, rule: dict[str, Any], path: Path) -> None:
        self.rule_id(rule.get("id"), (*path, "id"))
        if rule.get("when") is not None:
            self.when(rule["when"], (*path, "when"))
        for j, action in enumerate(as_list(rule.get("then"))):
            self.action(action, (*path, "then", j))

    def rule_id(self, rid: Any, path: Path) -> None:
        if not isinstance(rid, str):
            return
        seen = self.shared.rule_ids
        if rid in seen:
            file, _first = seen[rid]
            where = "this file" if file == self.report.file else file
            self.report.add(
                "duplicate_rule_id",
                path,
                f"the rule id {rid!r} is used twice",
                f"already used in {where}",
            )
        else:
            seen[rid] = (self.report.file, path)

    # --- when ---
    def when(self, when: Any, path: Path) -> None:
        if not isinstance(when, dict):
            self.report.add(
                "wrong_type",
                path,
                f"expected a trigger such as {{event: name}}, got {describe(when)}",
                f"triggers: {', '.join(TRIGGERS)}",
            )
            return
        unknown = [k for k in when if k not in TRIGGERS and k not in FILTERS]
        for key in unknown:
            self.report.add(
                "unknown_trigger",
                (*path, str(key)),
                f"{key!r} is neither a trigger nor a filter the engine knows",
                did_you_mean(key, (*TRIGGERS, *FILTERS))
                or f"triggers: {', '.join(TRIGGERS)}; filters: {', '.join(FILTERS)}",
            )
        found = [k for k in when if k in TRIGGERS]
        if len(found) > 1 or (not found and not unknown):
            self.report.add(
                "missing_trigger" if not found else "several_triggers",
                path,
                f"a rule has exactly one trigger; found {len(found)}",
                f"triggers: {', '.join(TRIGGERS)}",
            )
        if len(found) == 1:
            self.trigger(found[0], when[found[0]], (*path, found[0]))
        self.filters(when, found, path)

    def trigger(self, kind: str, name: Any, path: Path) -> None:
        self.ref(TRIGGERS[kind], name, path)

    def filters(self, when: dict[str, Any], found: list[str], path: Path) -> None:
        if "count" in when:
            self.count(when["count"], found, (*path, "count"))
        if "actor" in when:
            self.ref("actor", when["actor"], (*path, "actor"))
        if "state" in when:
            self.ref("step", when["state"], (*path, "state"))
        if "if" in when:
            fields = self.ctx.fields if self.ctx is not None else None
            check_condition(when["if"], (*path, "if"), fields, self.report)

    def count(self, count: Any, found: list[str], path: Path) -> None:
        if found and found != ["timer"]:
            self.report.add(
                "filter_not_allowed",
                path,
                "`count` (how many times a timer fired) filters `timer` triggers only",
            )
            return
        op = next(iter(count)) if isinstance(count, dict) and len(count) == 1 else None
        value = count[op] if op is not None else None
        whole = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if op not in COUNT_OPS or not whole:
            self.report.add(
                "bad_count",
                path,
                f"expected one comparison with a whole number (0 or more), such as {{lt: 2}}; "
                f"got {describe(count)}",
                f"comparisons: {', '.join(COUNT_OPS)}",
            )

    # --- then ---
    def action(self, action: Any, path: Path) -> None:
        if not isinstance(action, dict) or len(action) != 1:
            self.report.add(
                "bad_action",
                path,
                f"an action is a mapping with one key, such as {{notify: {{...}}}}; "
                f"got {describe(action)}",
                f"actions: {', '.join(ACTIONS)}",
            )
            return
        ((kind, params),) = action.items()
        if kind not in ACTIONS:
            self.report.add(
                "unknown_action",
                (*path, str(kind)),
                f"{kind!r} is not an action the engine knows",
                did_you_mean(kind, ACTIONS) or f"actions: {', '.join(ACTIONS)}",
            )
            return
        here = (*path, kind)
        if not isinstance(params, dict):
            self.report.add("wrong_type", here, f"expected its parameters, got {describe(params)}")
            return
        spec = ACTIONS[kind]
        check_structure(PARAM_SCHEMAS[kind], params, self.report, here)
        given = [p for p in spec.one_of if p in params]
        if spec.one_of and len(given) != 1:
            self.report.add(
                "missing_key" if not given else "conflicting_keys",
                here,
                f"{kind} takes exactly one of {', '.join(spec.one_of)}",
            )
        for param in spec.params:
            if param.name in params and param.ref not in ("duration", "flag", "new_timer"):
                self.ref(param.ref, params[param.name], (*here, param.name))

    # --- names ---
    def ref(self, ref: str, name: Any, path: Path) -> None:
        if not isinstance(name, str):
            self.report.add("wrong_type", path, f"expected a name, got {describe(name)}")
            return
        if ref == "template":
            self.known(name, self.templates, "template", path)
        elif ref == "timer":
            if name not in self.shared.timers:
                self.report.add(
                    "timer_never_started",
                    path,
                    f"no rule starts a timer {name!r}",
                    did_you_mean(name, self.shared.timers) or "start it with `start_timer`",
                )
        elif self.ctx is not None:
            self.revision_ref(ref, name, path, self.ctx)

    def revision_ref(self, ref: str, name: str, path: Path, ctx: Context) -> None:
        known: dict[str, Any] = {
            "actor": ctx.actors,
            "field": ctx.fields,
            "status": ctx.statuses,
            "event": ctx.events,
        }.get(ref, ctx.steps)
        what = ref if ref in ("actor", "field", "status", "event") else "step"
        if not self.known(name, known, what, path):
            return
        step = as_map(ctx.steps.get(name))
        if ref == "timed_step" and not step.get("time_limit"):
            self.report.add(
                "deadline_without_time_limit",
                path,
                f"step {name!r} has no time_limit, so it has no deadline",
                "add a time_limit to the step, or use another trigger",
            )
        elif ref == "periodic_step" and step.get("periodic") is None:
            self.report.add(
                "not_periodic",
                path,
                f"step {name!r} is not periodic, so it runs on no schedule",
                "add `periodic: monthly` (or daily, weekly, ...) to the step",
            )

    def known(self, name: str, known: dict[str, Any], what: str, path: Path) -> bool:
        if name in known:
            return True
        message = (
            f"no step defines the event {name!r}"
            if what == "event"
            else f"no {what} {name!r} is defined"
            + (" in this rules file" if what == "template" else "")
        )
        self.report.add(f"unknown_{what}", path, message, suggest(name, known))
        return False
