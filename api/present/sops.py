"""SOP revisions as the API shows them, dumped through api.schemas.sops: the spec's records
where a schema's keys are theirs (actors, fields, statuses), plain dicts where a view adds to
them or joins several."""

from __future__ import annotations

from typing import Any

from engine.spec.catalog import Catalog
from engine.spec.model import END, Duration, EventDef, Spec, Status, Step


def status_ref(spec: Spec, status_id: str | None) -> Status | None:
    """The status record (`StatusSchema` dumps it); an id the revision lacks is its own label."""
    if status_id is None:
        return None
    try:
        return spec.status(status_id)
    except KeyError:
        return Status(status_id, status_id)


def sop_summary(revisions: list[Spec]) -> dict[str, Any]:
    latest = revisions[-1]
    return {
        "id": latest.sop_id,
        "number": latest.identity.number,
        "name": latest.identity.name,
        "latest_revision": latest.revision,
        "revisions": [s.revision for s in revisions],
    }


def sop_list(catalog: Catalog) -> dict[str, Any]:
    return {"items": [sop_summary(catalog.revisions(sop_id)) for sop_id in catalog.sop_ids()]}


def revision_summary(spec: Spec) -> dict[str, Any]:
    return {
        "revision": spec.revision,
        "effective": spec.identity.effective,
        "made": spec.identity.made,
        "revised": spec.identity.revised,
        "content_hash": spec.content_hash,
        "steps": len(spec.steps),
    }


def sop_detail(revisions: list[Spec]) -> dict[str, Any]:
    latest = revisions[-1]
    return {
        "id": latest.sop_id,
        "number": latest.identity.number,
        "name": latest.identity.name,
        "government": latest.identity.government,
        "units": list(latest.identity.units),
        "revisions": [revision_summary(s) for s in revisions],
    }


def time_limit(limit: Duration | None) -> dict[str, Any] | None:
    if limit is None:
        return None
    return {"amount": limit.amount, "unit": limit.unit, "text": str(limit)}


def step_number(spec: Spec, step_id: str) -> int | None:
    if step_id == END:
        return None
    try:
        return spec.step(step_id).no
    except KeyError:
        return None


def step_event(spec: Spec, ev: EventDef) -> dict[str, Any]:
    return {
        "type": ev.name,
        "label": ev.display_name,
        "by": list(ev.by),
        "completes_step": ev.completes_step,
        "targets": list(ev.targets),
        "target_numbers": [step_number(spec, t) for t in ev.targets],
        "requires": list(ev.requires),
        "accepts": list(ev.accepts),
        "pause": ev.pause,
        "resume": ev.resume,
    }


def step_view(spec: Spec, step: Step) -> dict[str, Any]:
    required = [f for i in step.inputs if i.when is None for f in i.fields]
    return {
        "number": step.no,
        "id": step.id,
        "activity": step.activity,
        "performers": list(step.performers),
        "inputs": [
            {"text": i.text, "fields": list(i.fields), "conditional": i.when is not None}
            for i in step.inputs
        ],
        "required_fields": list(dict.fromkeys(required)),
        "time_limit": time_limit(step.time_limit),
        "output": step.output,
        "remarks": step.remarks,
        "status": status_ref(spec, step.status),
        "periodic": step.periodic,
        "events": [step_event(spec, ev) for ev in step.events],
    }


def revision_detail(spec: Spec) -> dict[str, Any]:
    return {
        "sop": spec.sop_id,
        "revision": spec.revision,
        "content_hash": spec.content_hash,
        "number": spec.identity.number,
        "name": spec.identity.name,
        "effective": spec.identity.effective,
        "made": spec.identity.made,
        "revised": spec.identity.revised,
        "start": spec.start,
        "initial_status": status_ref(spec, spec.initial_status),
        # the records themselves: their schemas pick the keys
        "actors": list(spec.actors),
        "fields": list(spec.fields),
        "statuses": list(spec.statuses),
        "steps": [step_view(spec, s) for s in spec.steps],
    }
