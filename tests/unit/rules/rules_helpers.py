"""A tiny hand-built SOP to hang rules on, and what the reference evaluator says of a fact."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.spec.build import build_ruleset, build_spec
from engine.spec.model import Spec
from engine.spec.rules.compiled import CompiledRule
from engine.spec.semantics import holds

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


def expected(rules: tuple[CompiledRule, ...], f: Mapping[str, Any]) -> list[str]:
    """The rules the reference evaluator says match `f`, in file order."""
    return [r.id for r in rules if holds(r.test, f)]
