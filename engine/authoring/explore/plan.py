"""What the explorer tries at a ticket: which actors post an event, with which data.

    plan = Plan.of(rev)
    plan.attempts(rev, ticket) -> [(event, actor, data)]    every try at the ticket's step

Data, per event: (a) only what it `requires`, (a') that and the step's inputs (kelengkapan)
it accepts: the least a moving event is accepted with, (b) everything it `accepts`. A field some
condition reads (a branch's or an input's `when`, a rule's `if`, an invariant's `holds`) is
tried with every constant the SOP compares it with, plus one other value, so every branch can
be taken; any other field gets one valid value of its type. Values are the field's type:
a choice is one of its choices, a phone number a phone number.

An actor that only rules move (every event naming it is one some rule `fire`s, e.g. the
SOP's system) posts nothing here: its events happen when their rules fire, or never.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.core import CompiledRevision, allowed_events
from engine.core.fields import check_values
from engine.core.model import Ticket
from engine.errors import InvalidData
from engine.spec.expression import KEYED_SUBJECTS, Cmp, Expr, leaves
from engine.spec.model import EventDef, FieldDef, Spec, Step

MAX_VARIANTS = 64  # data variants per event: a product of many condition fields is cut here

# One valid value per field type, for a field no condition reads.
SAMPLES: dict[str, Any] = {
    "string": "contoh",
    "text": "contoh isian",
    "phone": "+6281200000000",
    "email": "warga@example.org",
    "url": "https://example.org/berkas.pdf",
    "date": "2025-01-06",
    "number": 1,
    "boolean": True,
}
OTHERS: dict[str, tuple[Any, ...]] = {  # values tried besides a condition's constants
    "string": ("lainnya",),
    "text": ("lainnya",),
    "phone": ("+6281299999999",),
    "email": ("lain@example.org",),
    "url": ("https://example.org/lain.pdf",),
    "date": ("2025-02-03",),
    "boolean": (True, False),
    "file": (),  # tested by is_set only
}

Attempt = tuple[str, str, dict[str, Any]]  # event name, actor, data


def sample(fdef: FieldDef) -> Any:
    """One valid value of the field's type."""
    if fdef.type == "choice":
        return fdef.choices[0]
    if fdef.type == "file":
        ref = {"sha256": "0" * 64, "name": "contoh", "type": fdef.media_types[0], "size": 1}
        return [ref] if fdef.multiple else ref
    return SAMPLES[fdef.type]


def conditions(rev: CompiledRevision) -> list[Expr]:
    """Every condition that decides something about a ticket, or states something of it."""
    spec = rev.spec
    out: list[Expr] = []
    for step in spec.ticket_steps:
        out += [i.when for i in step.inputs if i.when is not None]
        out += [b.when for e in step.events for b in e.branches if b.when is not None]
    out += [r.condition for r in rev.rules.compiled.rules if r.condition is not None]
    out += [i.holds for i in spec.invariants if i.holds is not None]
    return out


def _fits(spec: Spec, key: str, value: Any) -> bool:
    try:
        check_values(spec, {key: value})
    except InvalidData:
        return False
    return True


def _constants(cmp: Cmp) -> list[Any]:
    values = list(cmp.value) if isinstance(cmp.value, tuple) else [cmp.value]
    out: list[Any] = []
    for value in values:
        if value is None:
            continue
        value = value.isoformat() if isinstance(value, date) else value
        out.append(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out += [value - 1, value + 1]  # either side of an ordering's bound
    return out


def tried_values(spec: Spec, exprs: Iterable[Expr]) -> dict[str, tuple[Any, ...]]:
    """Field id -> the values tried for it: its constants, then one other valid value."""
    found: dict[str, list[Any]] = {}
    for expr in exprs:
        for cmp in leaves(expr):
            if cmp.subject in KEYED_SUBJECTS and cmp.key:
                found.setdefault(cmp.key, []).extend(_constants(cmp))
    out: dict[str, tuple[Any, ...]] = {}
    for key, constants in found.items():
        fdef = spec.field_def(key)
        values = [v for v in dict.fromkeys(constants) if _fits(spec, key, v)]
        out[key] = tuple(dict.fromkeys([*values, *_others(fdef, values)]))
    return out


def _others(fdef: FieldDef, taken: list[Any]) -> list[Any]:
    if fdef.type == "choice":
        return [c for c in fdef.choices if c not in taken][:1]
    if fdef.type == "number":
        return [] if taken else [SAMPLES["number"]]
    return [v for v in OTHERS[fdef.type] if v not in taken][:2]


def rule_driven_actors(spec: Spec) -> frozenset[str]:
    """Actors every event of whom (by `by` or as a sign-off's performer) a rule fires."""
    fired = {str(a.params.get("event")) for r in spec.rules for a in r.then if a.kind == "fire"}
    named: dict[str, set[str]] = {}
    for step in spec.ticket_steps:
        for ev in step.events:
            for actor in ev.by:
                named.setdefault(actor, set()).add(ev.name)
        for so in step.signoffs:
            named.setdefault(so.performer, set()).add(so.event)
    return frozenset(a for a, events in named.items() if events <= fired)


def _key_sets(step: Step, evdef: EventDef) -> list[tuple[str, ...]]:
    """The data keys of an event's variants: what it `requires`; that and the step's inputs it
    accepts (the least a moving event is accepted with); everything it `accepts`."""
    least = list(evdef.requires)
    if evdef.completes_step:
        wanted = {k for item in step.inputs for k in item.fields}
        least += [k for k in evdef.accepts if k in wanted and k not in least]
    return [evdef.requires, tuple(least), evdef.accepts]


@dataclass
class Plan:
    """What to try, worked out once per revision."""

    spec: Spec
    values: dict[str, tuple[Any, ...]]  # field id -> values tried (condition fields)
    by_rules_only: frozenset[str]  # actors who post nothing by hand
    _variants: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    cut: set[tuple[str, str]] = field(default_factory=set)  # events whose variants were cut

    @classmethod
    def of(cls, rev: CompiledRevision) -> Plan:
        spec = rev.spec
        return cls(spec, tried_values(spec, conditions(rev)), rule_driven_actors(spec))

    def creations(self) -> list[dict[str, Any]]:
        """The fields a new ticket is created with: those no event accepts (only the creating
        service can send them), each with the values tried for it; none when events supply
        every field."""
        accepted = {k for s in self.spec.ticket_steps for e in s.events for k in e.accepts}
        keys = tuple(f.id for f in self.spec.fields if f.id not in accepted)
        return self._combine(("", ""), keys)

    def attempts(self, rev: CompiledRevision, ticket: Ticket) -> list[Attempt]:
        """Every (event, actor, data) to try at the ticket's step, in the SOP's order."""
        step = self.spec.step(ticket.state)
        out: list[Attempt] = []
        for name in allowed_events(rev, ticket):
            signoff = next((s for s in step.signoffs if s.event == name), None)
            if signoff is not None:
                if signoff.performer not in self.by_rules_only:
                    out.append((name, signoff.performer, {}))
                continue
            evdef = step.event(name)
            assert evdef is not None
            actors = [a for a in evdef.by if a not in self.by_rules_only]
            for actor in actors:
                out += [(name, actor, data) for data in self.variants(step, evdef)]
        return out

    def left_to_rules(self, rev: CompiledRevision, ticket: Ticket) -> list[tuple[str, str]]:
        """The allowed events at the ticket's step that no one posts by hand: (event, actors)."""
        step = self.spec.step(ticket.state)
        out: list[tuple[str, str]] = []
        for name in allowed_events(rev, ticket):
            signoff = next((s for s in step.signoffs if s.event == name), None)
            evdef = step.event(name)
            actors = (signoff.performer,) if signoff else evdef.by if evdef else ()
            if actors and all(a in self.by_rules_only for a in actors):
                out.append((name, ", ".join(actors)))
        return out

    def variants(self, step: Step, evdef: EventDef) -> list[dict[str, Any]]:
        key = (step.id, evdef.name)
        if key not in self._variants:
            self._variants[key] = self._make(key, step, evdef)
        return self._variants[key]

    def _make(self, key: tuple[str, str], step: Step, evdef: EventDef) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for keys in dict.fromkeys(_key_sets(step, evdef)):
            out += [d for d in self._combine(key, keys) if d not in out]
        if len(out) > MAX_VARIANTS:
            self.cut.add(key)
        return out[:MAX_VARIANTS]

    def _combine(self, key: tuple[str, str], keys: tuple[str, ...]) -> list[dict[str, Any]]:
        """Every combination of the values tried for `keys` (at most MAX_VARIANTS + 1)."""
        choices = [self.values.get(k) or (sample(self.spec.field_def(k)),) for k in keys]
        combos = itertools.islice(itertools.product(*choices), MAX_VARIANTS + 1)
        out = [dict(zip(keys, combo, strict=True)) for combo in combos]
        if len(out) > MAX_VARIANTS:
            self.cut.add(key)
        return out[:MAX_VARIANTS]
