"""Write the event log as OCEL 2.0 JSON (the standard's JSON format, as pm4py reads it).

    write_ocel(traces, out, *, all_events=False) -> Counts

Objects: each ticket (type "ticket": sop_id), each actor that acted (type "actor", an SOP role)
and each revision that decided something (type "revision": sop_id, revision, spec_hash); a
ticket is related to the revision it was opened on ("governed by"). Events: one per exported
log entry (see `engine.app.audit.log`), typed by its activity, with the attributes event, version,
sla and caused_by, related to its ticket ("case"), the SOP actor that performed it ("resource",
`engine.core.model.performer`: none for the engine's deadlines and timers) and the revision that
decided it ("decided by"). Event ids are "<ticket id>#<position of the entry in its log>". The
events are written first, as they are read, so only the small object list is
held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from engine.app.audit.log import Trace, event_name
from engine.app.audit.xes import Counts, utc_text
from engine.core.model import LogEntry

__all__ = ["write_ocel"]

_STATIC = "1970-01-01T00:00:00Z"  # OCEL 2.0: the time of an attribute value that never changes
EVENT_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("event", "string"),
    ("version", "integer"),
    ("sla", "string"),
    ("caused_by", "string"),
)
OBJECT_TYPES = {
    "ticket": (("sop_id", "string"),),
    "actor": (),
    "revision": (("sop_id", "string"), ("revision", "string"), ("spec_hash", "string")),
}


def write_ocel(traces: Iterable[Trace], out: TextIO, *, all_events: bool = False) -> Counts:
    counts = Counts()
    objects: dict[str, dict[str, Any]] = {}
    types: set[str] = set()
    out.write('{"events": [')
    for trace in traces:
        written = 0
        for n, entry in enumerate(trace.entries):
            name = event_name(entry, all_events)
            if name is None:
                continue
            types.add(name)
            out.write(("," if counts.events else "") + "\n  ")
            out.write(_dumps(_event(trace, entry, name, n, objects)))
            counts.events += 1
            written += 1
        if written:
            counts.traces += 1
            objects[trace.ticket_id] = _ticket(trace, objects)
    out.write('\n],\n"objects": [')
    out.write(",".join("\n  " + _dumps(o) for o in objects.values()))
    out.write('\n],\n"objectTypes": ')
    out.write(_dumps([_type(name, attrs) for name, attrs in OBJECT_TYPES.items()]))
    out.write(',\n"eventTypes": ')
    out.write(_dumps([_type(name, EVENT_ATTRIBUTES) for name in sorted(types)]))
    out.write("}\n")
    return counts


def _event(
    trace: Trace, entry: LogEntry, name: str, n: int, objects: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    values = {
        "event": entry.event,
        "version": entry.version,
        "sla": entry.sla,
        "caused_by": entry.caused_by,
    }
    relations = [{"objectId": trace.ticket_id, "qualifier": "case"}]
    if entry.performer is not None:
        actor_id = f"actor:{entry.performer}"
        objects.setdefault(actor_id, {"id": actor_id, "type": "actor"})
        relations.append({"objectId": actor_id, "qualifier": "resource"})
    revision_id = _revision(entry, objects)
    relations.append({"objectId": revision_id, "qualifier": "decided by"})
    return {
        "id": f"{trace.ticket_id}#{n + 1}",
        "type": name,
        "time": utc_text(entry.at),
        "attributes": [{"name": k, "value": v} for k, v in values.items() if v is not None],
        "relationships": relations,
    }


def _revision(entry: LogEntry, objects: dict[str, dict[str, Any]]) -> str:
    key = f"revision:{entry.spec_hash}"
    if key not in objects:
        values = {"sop_id": entry.sop_id, "revision": entry.revision, "spec_hash": entry.spec_hash}
        objects[key] = {"id": key, "type": "revision", "attributes": _static(values)}
    return key


def _ticket(trace: Trace, objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    governing = _revision(trace.entries[0], objects)
    return {
        "id": trace.ticket_id,
        "type": "ticket",
        "attributes": _static({"sop_id": trace.sop_id}),
        "relationships": [{"objectId": governing, "qualifier": "governed by"}],
    }


def _static(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "time": _STATIC, "value": v} for k, v in values.items()]


def _type(name: str, attributes: Iterable[tuple[str, str]]) -> dict[str, Any]:
    return {"name": name, "attributes": [{"name": a, "type": t} for a, t in attributes]}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
