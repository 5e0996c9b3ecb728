"""Build the frozen `Spec` from an already validated document (plain dicts from YAML).

Only `engine.spec.load` calls this, after structure and cross-reference checks passed, so the
code here may assume every key and reference is sound.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.spec.durations import parse_duration
from engine.spec.expression import build_condition
from engine.spec.model import (
    Actor,
    Approver,
    Branch,
    Calendar,
    EventDef,
    FieldDef,
    Identity,
    Input,
    Rule,
    RuleAction,
    RuleSetSpec,
    Spec,
    Status,
    Step,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _identity(doc: dict[str, Any]) -> Identity:
    ap = doc["approved_by"]
    made = _date(doc["made"])
    assert made is not None
    return Identity(
        number=str(doc["number"]),
        name=doc["name"],
        government=doc.get("government", ""),
        units=tuple(doc.get("units", ())),
        made=made,
        revised=_date(doc.get("revised")),
        effective=_date(doc.get("effective")),
        approved_by=Approver(
            title=ap["title"], name=ap["name"], rank=ap.get("rank", ""), nip=str(ap.get("nip", ""))
        ),
    )


def _calendar(cid: str, doc: dict[str, Any]) -> Calendar:
    hol = doc.get("holidays") or {}
    return Calendar(
        id=cid,
        time_zone=doc.get("time_zone", "Asia/Jakarta"),
        working_days=tuple(WEEKDAYS.index(d) for d in doc.get("working_days", WEEKDAYS[:5])),
        holidays_country=hol.get("country"),
        holidays_subdiv=hol.get("subdiv"),
        holidays_categories=tuple(hol.get("categories", ("public",))),
        collective_leave=tuple(d for d in (_date(x) for x in doc.get("collective_leave", ())) if d),
    )


def _event(name: str, doc: dict[str, Any]) -> EventDef:
    return EventDef(
        name=name,
        by=tuple(doc["by"]),
        to=doc.get("to"),
        branches=tuple(
            Branch(to=b["to"], when=build_condition(b["when"]) if b.get("when") else None)
            for b in doc.get("branches", ())
        ),
        requires=tuple(doc.get("requires", ())),
        accepts=tuple(dict.fromkeys([*doc.get("requires", ()), *doc.get("accepts", ())])),
        pause=bool(doc.get("pause", False)),
        resume=bool(doc.get("resume", False)),
        description=doc.get("description", ""),
    )


def _step(doc: dict[str, Any]) -> Step:
    limit = doc.get("time_limit")
    events = doc.get("events") or {}
    return Step(
        no=int(doc["number"]),
        id=doc["id"],
        activity=doc["activity"],
        performers=tuple(doc.get("performers", ())),
        inputs=tuple(
            Input(
                text=i["text"],
                fields=tuple(i.get("fields", ())),
                when=build_condition(i["when"]) if i.get("when") else None,
            )
            for i in doc.get("inputs", ())
        ),
        time_limit=parse_duration(limit) if limit else None,
        output=doc.get("output", ""),
        remarks=doc.get("remarks") or "",
        status=doc.get("status"),
        events=tuple(_event(n, e) for n, e in events.items()),
        calendar=doc.get("calendar"),
        periodic=doc.get("periodic"),
        final=bool(doc.get("final", False)),
    )


def build_rule(doc: dict[str, Any], source: str) -> Rule:
    actions = []
    for item in doc.get("then", ()):
        ((kind, params),) = item.items()
        actions.append(RuleAction(kind=kind, params=dict(params or {})))
    return Rule(
        id=doc["id"],
        when=dict(doc["when"]),
        then=tuple(actions),
        description=doc.get("description", ""),
        source=source,
    )


def build_ruleset(doc: dict[str, Any], content_hash: str = "") -> RuleSetSpec:
    return RuleSetSpec(
        id=doc["id"],
        rules=tuple(build_rule(r, doc["id"]) for r in doc.get("rules", ())),
        templates=dict(doc.get("templates") or {}),
        content_hash=content_hash,
    )


def build_spec(
    doc: dict[str, Any],
    rulesets: tuple[RuleSetSpec, ...] = (),
    content_hash: str = "",
    source_path: str = "",
) -> Spec:
    return Spec(
        format_version=int(doc["format_version"]),
        sop_id=doc["id"],
        revision=str(doc["revision"]),
        identity=_identity(doc["identity"]),
        legal_basis=tuple(doc.get("legal_basis", ())),
        qualifications=tuple(doc.get("qualifications", ())),
        related_sops=tuple(doc.get("related_sops", ())),
        equipment=tuple(doc.get("equipment", ())),
        warnings=tuple(doc.get("warnings", ())),
        record_keeping=tuple(doc.get("record_keeping", ())),
        performers=tuple(doc.get("performers", ())),
        actors=tuple(
            Actor(
                id=aid,
                label=a["label"],
                scope_field=a.get("scope_field"),
                description=a.get("description", ""),
            )
            for aid, a in doc["actors"].items()
        ),
        fields=tuple(
            FieldDef(
                id=fid,
                label=f["label"],
                type=f.get("type", "string"),
                personal=bool(f.get("personal", False)),
                choices=tuple(f.get("choices", ())),
                description=f.get("description", ""),
            )
            for fid, f in (doc.get("fields") or {}).items()
        ),
        statuses=tuple(
            Status(id=sid, label=s["label"], description=s.get("description", ""))
            for sid, s in (doc.get("statuses") or {}).items()
        ),
        initial_status=doc.get("initial_status"),
        calendars=tuple(_calendar(cid, c) for cid, c in (doc.get("calendars") or {}).items()),
        default_calendar=doc.get("default_calendar") or next(iter(doc.get("calendars") or {"": 0})),
        start=doc["start"],
        steps=tuple(_step(s) for s in doc["steps"]),
        rulesets=rulesets,
        content_hash=content_hash,
        source_path=source_path,
    )
