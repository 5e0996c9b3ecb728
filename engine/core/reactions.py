"""What rules do when something happens to a ticket, collected on a private draft.

`react` asks the compiled revision's rules engine which rules match a trigger and carries out
their actions from the engine's closed registry: notify, escalate, start_timer, cancel_timer,
set_status, fire.
Fired events are queued on the draft and applied after the current event, in order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from string import Template
from typing import Any

from engine.core.fields import file_refs
from engine.core.masking import mask_fields, masking_kinds, ticket_masker
from engine.core.model import (
    Event,
    LogEntry,
    Notification,
    Outcome,
    RuleFiring,
    Ticket,
    Timer,
    evolve,
)
from engine.core.revision import CompiledRevision
from engine.core.timing import add_duration, pending_deadlines
from engine.errors import RulesError
from engine.spec.durations import parse_duration
from engine.spec.labels import event_label
from engine.spec.model import RuleAction, Spec
from engine.spec.rules.compiled import KEYED_SUBJECTS, CompiledRule, Match, fact_value, leaves
from engine.spec.rules.reasons import reason


@dataclass
class Draft:
    """The work of one `apply` call; becomes an Outcome only if every step succeeded."""

    rev: CompiledRevision
    ticket: Ticket
    now: datetime
    notify: bool = True  # False: decide the same, write no notification (engine.core.apply)
    log: list[LogEntry] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    fired: list[tuple[str, Event]] = field(default_factory=list)

    @property
    def spec(self) -> Spec:
        return self.rev.spec

    def log_event(
        self,
        event: Event,
        *,
        from_state: str,
        from_status: str | None,
        finished: int | None = None,
        entered: int | None = None,
        sla: Any = None,
        caused_by: str | None = None,
        bump: bool = True,
    ) -> None:
        if bump:
            self.ticket = evolve(self.ticket, version=self.ticket.version + 1)
        self.log.append(
            LogEntry.for_change(
                event,
                self.ticket,
                event.occurred_at or self.now,
                from_state=from_state,
                from_status=from_status,
                finished_step=finished,
                entered_step=entered,
                sla=sla,
                caused_by=caused_by,
            )
        )

    def set_status(self, status: str) -> None:
        """A rule's status change, recorded in the entry of what triggered the rule (the
        last one logged): its `to_status` is the status the ticket is left in."""
        self.ticket = evolve(self.ticket, status=status)
        if self.log:
            self.log[-1] = evolve(self.log[-1], to_status=status)

    def record_firing(self, firing: RuleFiring) -> None:
        last = self.log[-1]
        self.log[-1] = evolve(last, rules=(*last.rules, firing))

    def outcome(self) -> Outcome:
        return Outcome(
            ticket=self.ticket,
            log=tuple(self.log),
            notifications=tuple(self.notifications),
            deadlines=tuple(pending_deadlines(self.ticket)),
        )


def _fact(
    draft: Draft, trigger: str, name: str, actor: str, data: dict[str, Any], count: int
) -> dict[str, Any]:
    return {
        "trigger": trigger,
        "name": name,
        "state": draft.ticket.state,
        "actor": actor,
        "count": count,
        "field": dict(draft.ticket.fields),
        "data": dict(data),
    }


def react(
    draft: Draft,
    trigger: str,
    name: str,
    actor: str,
    data: dict[str, Any],
    caused_by: str | None,
    count: int = 0,
) -> None:
    if not draft.spec.rules:
        return
    engine = draft.rev.rules
    fact = _fact(draft, trigger, name, actor, data, count)
    for match in engine.evaluate(fact):
        for action in match.actions:
            _ACTIONS[action.kind](draft, match.rule_id, action, count)
        rule = next(r for r in engine.compiled.rules if r.id == match.rule_id)
        draft.record_firing(_firing(rule, match, fact, draft.spec.personal_fields))


def _firing(
    rule: CompiledRule, match: Match, fact: dict[str, Any], personal: frozenset[str]
) -> RuleFiring:
    """The decision record: the rule, what it did, why, and the inputs its tests read."""
    tests = leaves(rule.test)
    hidden = {c.key for c in tests if c.subject in KEYED_SUBJECTS and c.key in personal}
    seen = _masked(fact, hidden) if hidden else fact
    return RuleFiring(
        rule=match.rule_id,
        trigger=f"{rule.trigger}:{rule.name}",
        actions=tuple(a.kind for a in match.actions),
        reason=reason(rule, seen) if hidden else match.reason,
        inputs={
            f"{c.subject}.{c.key}" if c.key else c.subject: fact_value(seen, c.subject, c.key)
            for c in tests
        },
    )


def _masked(fact: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    out = dict(fact)
    for subject in KEYED_SUBJECTS:
        out[subject] = mask_fields(fact.get(subject) or {}, keys)
    return out


# --- the closed action registry -------------------------------------------------------------


@lru_cache(maxsize=256)
def _placeholders(text: str) -> frozenset[str]:
    return frozenset(Template(text).get_identifiers())


def _masked_keys(spec: Spec) -> frozenset[str]:
    """The fields whose values a reader without personal-data access sees changed."""
    personal, _, free = masking_kinds(spec)
    return personal | free


def _render(draft: Draft, template_name: str, count: int, include_personal: bool) -> str:
    spec, ticket = draft.spec, draft.ticket
    text = spec.template(template_name)
    if text is None:
        raise RulesError(f"template {template_name!r} is not defined in {spec.key}'s rules")
    # Only the fields the template names are shown, so only those are masked (masking the
    # free text of every field cost more than the rest of a decision).
    named = _placeholders(text)
    fields = {k: v for k, v in ticket.fields.items() if k in named}
    if include_personal or named.isdisjoint(_masked_keys(spec)):
        values = fields
    else:  # the personal values, wherever they stand (earlier ones: TicketService._save)
        seen = [ticket.fields, *(e.data for e in draft.log)]
        values = ticket_masker(spec, seen).fields(fields)
    for fdef in spec.fields:  # a file reads as its name in a message, never as its hash
        if fdef.id in values and fdef.type == "file" and (refs := file_refs(values[fdef.id])):
            values[fdef.id] = ", ".join(str(ref.get("name")) for ref in refs)
    step = spec.step(ticket.state) if ticket.active else None
    values.update(
        ticket_id=ticket.id,
        step_no=step.no if step else "",
        step_activity=step.activity if step else "",
        status_label=spec.status(ticket.status).label if ticket.status else "",
        event_label=event_label(spec, draft.log[-1].event, draft.log[-1].from_state)
        if draft.log
        else "",
        timer_count=count + 1,
    )
    return Template(text).safe_substitute(values)


def _notify(
    draft: Draft, rule_id: str, action: RuleAction, count: int, escalation: bool = False
) -> None:
    if not draft.notify:
        return
    spec, ticket = draft.spec, draft.ticket
    params = action.params
    to = str(params["to"])
    actor = spec.actor(to)
    channel_field = params.get("channel_field")
    index = len(draft.notifications)
    version = ticket.version
    nid = hashlib.sha256(f"{ticket.id}:{version}:{index}:{rule_id}".encode()).hexdigest()[:24]
    include_personal = bool(params.get("include_personal", False))
    draft.notifications.append(
        Notification(
            id=nid,
            ticket_id=ticket.id,
            to=to,
            template=str(params["template"]),
            text=_render(draft, str(params["template"]), count, include_personal),
            rule=rule_id,
            escalation=escalation,
            include_personal=include_personal,
            channel=ticket.fields.get(channel_field) if channel_field else None,
            scope=ticket.fields.get(actor.scope_field) if actor.scope_field else None,
            created=draft.log[-1].at if draft.log else draft.now,
        )
    )


def _escalate(draft: Draft, rule_id: str, action: RuleAction, count: int) -> None:
    _notify(draft, rule_id, action, count, escalation=True)


def _start_timer(draft: Draft, rule_id: str, action: RuleAction, count: int) -> None:
    params = action.params
    every = params.get("every")
    after = params.get("after") or every
    defaults = draft.spec.time_defaults
    first = parse_duration(str(after), defaults)
    period = parse_duration(str(every), defaults) if every else None
    ticket = draft.ticket
    step_id = params.get("step")
    at = draft.log[-1].at if draft.log else draft.now
    where = step_id or ticket.state if ticket.active else None
    due = add_duration(draft.spec, where, at, first.amount, first.unit, first.office)
    timer = Timer(
        name=str(params["name"]),
        due=due,
        step=step_id,
        every_amount=period.amount if period else None,
        every_unit=period.unit if period else None,
    )
    others = tuple(t for t in ticket.timers if t.name != timer.name)
    draft.ticket = evolve(ticket, timers=(*others, timer))


def _cancel_timer(draft: Draft, rule_id: str, action: RuleAction, count: int) -> None:
    name = str(action.params["name"])
    draft.ticket = evolve(
        draft.ticket, timers=tuple(t for t in draft.ticket.timers if t.name != name)
    )


def _set_status(draft: Draft, rule_id: str, action: RuleAction, count: int) -> None:
    draft.set_status(str(action.params["status"]))


def _fire(draft: Draft, rule_id: str, action: RuleAction, count: int) -> None:
    name = str(action.params["event"])
    actor = action.params.get("actor") or ""  # "": the event's first performer, when applied
    at = draft.log[-1].at if draft.log else draft.now
    draft.fired.append((rule_id, Event(name, str(actor), {}, at, None)))


_ACTIONS = {
    "notify": _notify,
    "escalate": _escalate,
    "start_timer": _start_timer,
    "cancel_timer": _cancel_timer,
    "set_status": _set_status,
    "fire": _fire,
}
