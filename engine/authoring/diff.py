"""The semantic diff of two revisions of an SOP: what an auditor reads, not a text diff.

    diff_specs(a, b, tickets=None) -> DiffResult      pure: two Specs (and open Tickets) in

Reported, as `Change` records (engine.authoring.diff_model): the identity block (number, name,
government, units, dates made/revised/effective, approver title/name/rank/NIP); the settings
(performer columns, start step, initial status, default calendar, format version); items added
to or removed from legal basis, qualifications, related SOPs, equipment, warnings and record
keeping; actors, fields, statuses and calendars added, removed or changed (by id, per attribute);
steps (engine.authoring.diff_steps); rules added, removed or changed (by rule id: when, then,
description, whichever rules file holds them) and templates added, removed or changed (by name).
The revision label, content hash and rules file names are the header, not changes. With
`tickets`, an impact section (engine.authoring.diff_impact).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from engine.authoring.diff_impact import impact_on
from engine.authoring.diff_model import Change, DiffResult, RevisionInfo
from engine.authoring.diff_steps import match_steps, step_changes
from engine.core.model import Ticket
from engine.spec.model import Rule, Spec

__all__ = ["diff_specs"]

LIST_SECTIONS = (
    "legal_basis",
    "qualifications",
    "related_sops",
    "equipment",
    "warnings",
    "record_keeping",
)
ENTITY_SECTIONS = ("actors", "fields", "statuses", "calendars")
SETTINGS = ("performers", "start", "initial_status", "default_calendar", "format_version")


def diff_specs(a: Spec, b: Spec, tickets: Iterable[Ticket] | None = None) -> DiffResult:
    """Every difference from revision `a` to revision `b`; the impact on `tickets` (open
    tickets pinned to `a`; others are counted as skipped) when they are given."""
    match = match_steps(a, b)
    changes = [
        *_identity(a, b),
        *_settings(a, b),
        *(c for name in LIST_SECTIONS for c in _items(name, getattr(a, name), getattr(b, name))),
        *(
            c
            for name in ENTITY_SECTIONS
            for c in _entities(name, getattr(a, name), getattr(b, name))
        ),
        *step_changes(a, b, match),
        *_rules(a, b),
        *_templates(a, b),
    ]
    impact = impact_on(a, b, match, tickets) if tickets is not None else None
    return DiffResult(_info(a), _info(b), tuple(changes), impact)


def _info(spec: Spec) -> RevisionInfo:
    effective = spec.identity.governs_from
    rulesets = tuple(rs.id for rs in spec.rulesets)
    return RevisionInfo(spec.sop_id, spec.revision, spec.content_hash, effective, rulesets)


def jsonable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _flat(prefix: str, obj: Any) -> dict[str, Any]:
    """A dataclass's attributes, nested ones as dotted keys."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            out.update(_flat(f"{prefix}{f.name}.", value))
        else:
            out[f"{prefix}{f.name}"] = jsonable(value)
    return out


def _attrs(section: str, subject: str, before: Any, after: Any) -> list[Change]:
    """One change per attribute that differs between two dataclass instances."""
    x, y = _flat("", before), _flat("", after)
    return [Change(section, "changed", subject, k, x[k], y[k]) for k in x if x[k] != y[k]]


def _identity(a: Spec, b: Spec) -> list[Change]:
    x, y = _flat("", a.identity), _flat("", b.identity)
    return [Change("identity", "changed", k, before=x[k], after=y[k]) for k in x if x[k] != y[k]]


def _settings(a: Spec, b: Spec) -> list[Change]:
    out = []
    for name in SETTINGS:
        before, after = jsonable(getattr(a, name)), jsonable(getattr(b, name))
        if before != after:
            out.append(Change("settings", "changed", name, before=before, after=after))
    return out


def _items(section: str, before: tuple[str, ...], after: tuple[str, ...]) -> list[Change]:
    """Texts added or removed (a text listed twice counts twice); order is not a change."""
    old, new = Counter(before), Counter(after)
    out = [Change(section, "removed", t, before=t) for t in before if (old - new)[t]]
    out += [Change(section, "added", t, after=t) for t in after if (new - old)[t]]
    return list(dict.fromkeys(out))


def _entities(section: str, before: tuple[Any, ...], after: tuple[Any, ...]) -> list[Change]:
    x = {e.id: e for e in before}
    y = {e.id: e for e in after}
    out = [Change(section, "removed", i, before=_summary(x[i])) for i in x if i not in y]
    for i in x:
        if i in y and x[i] != y[i]:
            out += _attrs(section, i, x[i], y[i])
    out += [Change(section, "added", i, after=_summary(y[i])) for i in y if i not in x]
    return out


def _summary(entity: Any) -> Any:
    return {k: v for k, v in _flat("", entity).items() if k != "id"}


def _rule_json(rule: Rule) -> dict[str, Any]:
    out = {
        "when": jsonable(rule.when),
        "then": [{act.kind: jsonable(act.params)} for act in rule.then],
    }
    return {**out, "description": rule.description} if rule.description else out


def _rules(a: Spec, b: Spec) -> list[Change]:
    x = {r.id: _rule_json(r) for r in a.rules}
    y = {r.id: _rule_json(r) for r in b.rules}
    out = [Change("rules", "removed", i, before=x[i]) for i in x if i not in y]
    for i in x:
        if i in y:
            out += [
                Change("rules", "changed", i, key, x[i].get(key), y[i].get(key))
                for key in ("when", "then", "description")
                if x[i].get(key) != y[i].get(key)
            ]
    out += [Change("rules", "added", i, after=y[i]) for i in y if i not in x]
    return out


def _templates(a: Spec, b: Spec) -> list[Change]:
    x = {k: v for rs in a.rulesets for k, v in rs.templates.items()}
    y = {k: v for rs in b.rulesets for k, v in rs.templates.items()}
    out = [Change("templates", "removed", k, before=x[k]) for k in x if k not in y]
    out += [
        Change("templates", "changed", k, before=x[k], after=y[k])
        for k in x
        if k in y and x[k] != y[k]
    ]
    out += [Change("templates", "added", k, after=y[k]) for k in y if k not in x]
    return out
