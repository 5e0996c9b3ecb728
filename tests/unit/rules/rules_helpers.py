"""A tiny hand-built SOP to hang rules on, and a plain-Python oracle of the rule semantics."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.spec.build import build_ruleset, build_spec
from engine.spec.model import Spec
from engine.spec.rules.compiled import All, AnyOf, CompiledRule, Expr, Not, fact_value

TINY_SOP: dict[str, Any] = {
    "format_version": 1,
    "id": "tiny",
    "revision": "t1",
    "identity": {
        "number": "1/T",
        "name": "Tiny",
        "made": date(2024, 1, 1),
        "approved_by": {"title": "Head", "name": "A. Head"},
    },
    "actors": {"clerk": {"label": "Clerk"}, "boss": {"label": "Boss"}},
    "fields": {
        "channel": {"label": "Channel", "type": "choice", "choices": ["web", "sms", "desk"]},
        "priority": {"label": "Priority", "type": "number"},
        "urgent": {"label": "Urgent", "type": "boolean"},
        "note": {"label": "Note"},
    },
    "statuses": {"open": {"label": "Open"}, "shut": {"label": "Shut"}},
    "calendars": {"cal": {}},
    "start": "intake",
    "steps": [
        {
            "number": 1,
            "id": "intake",
            "activity": "Take it in",
            "performers": ["clerk"],
            "time_limit": "1 working day",
            "events": {
                "take": {"by": ["clerk"], "to": "review"},
                "poke": {"by": ["clerk", "boss"]},
            },
        },
        {
            "number": 2,
            "id": "review",
            "activity": "Review it",
            "performers": ["boss"],
            "time_limit": "2 hours",
            "events": {"done": {"by": ["boss"], "to": "end"}},
        },
        {
            "number": 3,
            "id": "report",
            "activity": "Report",
            "performers": ["boss"],
            "periodic": "monthly",
        },
    ],
}
TEMPLATES = {"hello": "Hello ${ticket_id}", "late": "Late: ${ticket_id}"}


def tiny_spec(rules: list[dict[str, Any]], revision: str = "t1", sop_id: str = "tiny") -> Spec:
    """The tiny SOP with these rules; its content hash depends on the rules."""
    doc = {"format_version": 1, "id": f"{sop_id}-rules", "templates": TEMPLATES, "rules": rules}
    digest = hashlib.sha256(repr((sop_id, revision, rules)).encode()).hexdigest()
    ruleset = build_ruleset(doc, digest)
    return build_spec(
        {**TINY_SOP, "id": sop_id, "revision": revision, "rules": [doc["id"]]},
        (ruleset,),
        content_hash=digest,
    )


def fact(trigger: str = "event", name: str = "poke", **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "trigger": trigger,
        "name": name,
        "state": "intake",
        "actor": "clerk",
        "count": 0,
        "field": {},
        "data": {},
    }
    base.update(kw)
    return base


# --- the oracle: the semantics engine.spec.rules.compiled documents, in plain Python ---


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _norm(v: Any) -> Any:
    if isinstance(v, date):
        return ("s", v.isoformat())
    if isinstance(v, bool):
        return ("b", v)
    if _is_number(v):
        return ("n", v)
    return (type(v).__name__, v)


def holds(expr: Expr, f: Mapping[str, Any]) -> bool:
    if isinstance(expr, All):
        return all(holds(e, f) for e in expr.items)
    if isinstance(expr, AnyOf):
        return any(holds(e, f) for e in expr.items)
    if isinstance(expr, Not):
        return not holds(expr.item, f)
    actual = fact_value(f, expr.subject, expr.key)
    op, value = expr.op, expr.value
    if op == "is_set":
        return actual is not None
    if op == "is_not_set":
        return actual is None
    if op in ("equals", "not_equals", "in", "not_in"):
        values = value if isinstance(value, tuple) else (value,)
        hit = actual is not None and any(_norm(actual) == _norm(v) for v in values)
        return hit if op in ("equals", "in") else not hit
    if actual is None or not _is_number(actual):
        return False
    return {
        "lt": actual < value,
        "lte": actual <= value,
        "gt": actual > value,
        "gte": actual >= value,
    }[op]


def expected(rules: tuple[CompiledRule, ...], f: Mapping[str, Any]) -> list[str]:
    return [r.id for r in rules if holds(r.test, f)]
