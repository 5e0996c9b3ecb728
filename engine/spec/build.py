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
    FILE_DEFAULT_MAX_COUNT,
    Actor,
    Approver,
    Branch,
    Calendar,
    EventDef,
    FieldDef,
    HoursOverride,
    Identity,
    Input,
    Invariant,
    Rule,
    RuleAction,
    RuleSetSpec,
    SignOff,
    Spec,
    Status,
    Step,
    TimeDefaults,
)
from engine.spec.office_hours import WEEKDAYS, closed_week, parse_week, zone_name
from engine.spec.schema_fields import is_blank

DAY_MEANINGS = ("calendar_days", "working_days")  # what `defaults: {day: ...}` may say
TIME_MEANINGS = ("elapsed", "office_hours")  # what `defaults: {time: ...}` may say


def _date(value: Any) -> date | None:
    if is_blank(value):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _text(doc: dict[str, Any], key: str) -> str:
    """An optional text as the paper has it: absent, null and "" are all ""."""
    value = doc.get(key)
    return "" if value is None else str(value).strip()


def _identity(doc: dict[str, Any], in_force_from: Any) -> Identity:
    ap = doc.get("approved_by") or {}
    return Identity(
        number=_text(doc, "number"),
        name=_text(doc, "name"),
        government=_text(doc, "government"),
        units=tuple(doc.get("units") or ()),
        made=_date(doc.get("made")),
        revised=_date(doc.get("revised")),
        effective=_date(doc.get("effective")),
        in_force_from=_date(in_force_from),
        approved_by=Approver(
            title=_text(ap, "title"),
            name=_text(ap, "name"),
            rank=_text(ap, "rank"),
            nip=_text(ap, "nip"),
        ),
    )


def _calendar(cid: str, doc: dict[str, Any]) -> Calendar:
    hol = doc.get("holidays") or {}
    hours = doc.get("office_hours")
    return Calendar(
        id=cid,
        time_zone=zone_name(doc.get("time_zone", "Asia/Jakarta")),
        working_days=tuple(WEEKDAYS.index(d) for d in doc.get("working_days", WEEKDAYS[:5])),
        holidays_country=hol.get("country"),
        holidays_subdiv=hol.get("subdiv"),
        holidays_categories=tuple(hol.get("categories", ("public",))),
        collective_leave=tuple(d for d in (_date(x) for x in doc.get("collective_leave", ())) if d),
        office_hours=parse_week(hours) if hours else None,
        overrides=tuple(_override(o) for o in doc.get("overrides") or ()),
    )


def _override(doc: dict[str, Any]) -> HoursOverride:
    first = _date(doc["from"])
    assert first is not None
    closed = doc.get("closed") or not doc.get("hours")
    return HoursOverride(
        first=first,
        last=_date(doc.get("to")) or first,
        hours=closed_week() if closed else parse_week(doc["hours"]),
        note=doc.get("note") or "",
    )


def time_defaults(doc: dict[str, Any] | None) -> TimeDefaults:
    """The revision's `defaults:` block: what a bare "hari" means, what minutes count."""
    doc = doc or {}
    return TimeDefaults(
        day=doc.get("day") or "calendar_days",
        office_time=doc.get("time") == "office_hours",
    )


def _event(name: str, doc: dict[str, Any]) -> EventDef:
    return EventDef(
        name=name,
        by=tuple(doc["by"]),
        to=doc.get("to"),
        branches=tuple(
            Branch(
                to=b["to"],
                when=build_condition(b["when"]) if b.get("when") else None,
                status=b.get("status"),
            )
            for b in doc.get("branches", ())
        ),
        requires=tuple(doc.get("requires", ())),
        accepts=tuple(dict.fromkeys([*doc.get("requires", ()), *doc.get("accepts", ())])),
        needs=tuple(doc.get("needs", ())),
        status=doc.get("status"),
        pause=bool(doc.get("pause", False)),
        resume=bool(doc.get("resume", False)),
        description=doc.get("description") or "",
        label=_text(doc, "label"),
    )


def _signoff(doc: dict[str, Any], defaults: TimeDefaults) -> SignOff:
    limit = doc.get("time_limit")
    return SignOff(
        id=doc["id"],
        performer=doc["performer"],
        text=doc["text"],
        event=doc["event"],
        time_limit=parse_duration(limit, defaults) if limit else None,
        reject=tuple(doc.get("reject", ())),
    )


def _step(doc: dict[str, Any], defaults: TimeDefaults) -> Step:
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
        time_limit=parse_duration(limit, defaults) if limit else None,
        output=doc.get("output") or "",
        remarks=doc.get("remarks") or "",
        status=doc.get("status"),
        events=tuple(_event(n, e) for n, e in events.items()),
        calendar=doc.get("calendar"),
        periodic=doc.get("periodic"),
        final=bool(doc.get("final", False)),
        signoffs=tuple(_signoff(x, defaults) for x in doc.get("signoffs") or ()),
    )


def _invariant(doc: dict[str, Any]) -> Invariant:
    return Invariant(
        id=doc["id"],
        text=str(doc["text"]).strip(),
        holds=build_condition(doc["holds"]) if doc.get("holds") else None,
        status=tuple(doc.get("status") or ()),
        at=tuple(doc.get("at") or ()),
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
        description=doc.get("description") or "",
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
    defaults = time_defaults(doc.get("defaults"))
    return Spec(
        format_version=int(doc["format_version"]),
        sop_id=doc["id"],
        revision=str(doc["revision"]),
        identity=_identity(doc.get("identity") or {}, doc.get("in_force_from")),
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
                description=a.get("description") or "",
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
                description=f.get("description") or "",
                max_length=f.get("max_length"),
                **_file_keys(f),
            )
            for fid, f in (doc.get("fields") or {}).items()
        ),
        statuses=tuple(
            Status(id=sid, label=s["label"], description=s.get("description") or "")
            for sid, s in (doc.get("statuses") or {}).items()
        ),
        initial_status=doc.get("initial_status"),
        calendars=tuple(_calendar(cid, c) for cid, c in (doc.get("calendars") or {}).items()),
        default_calendar=doc.get("default_calendar") or next(iter(doc.get("calendars") or {"": 0})),
        start=doc["start"],
        steps=tuple(_step(s, defaults) for s in doc["steps"]),
        rulesets=rulesets,
        content_hash=content_hash,
        source_path=source_path,
        time_defaults=defaults,
        invariants=tuple(_invariant(i) for i in doc.get("invariants") or ()),
    )


def _file_keys(f: dict[str, Any]) -> dict[str, Any]:
    """A `file` field's limits (defaults in FieldDef); other fields have none."""
    if f.get("type") != "file":
        return {}
    multiple = bool(f.get("multiple", False))
    out: dict[str, Any] = {
        "multiple": multiple,
        "max_files": f.get("max_files", FILE_DEFAULT_MAX_COUNT) if multiple else 1,
        "keep_exif": bool(f.get("keep_exif", False)),
    }
    if f.get("accept"):
        out["accept"] = tuple(dict.fromkeys(f["accept"]))
    if f.get("max_size_mb") is not None:
        out["max_size_mb"] = f["max_size_mb"]
    return out
