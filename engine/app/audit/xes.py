"""Write the event log as XES (IEEE 1849-2016), one trace per ticket.

    write_xes(traces, out, *, all_events=False) -> Counts

Log: the concept, time, organizational and lifecycle extensions, globals and an "Activity"
classifier (concept:name). Trace: concept:name = ticket id, sop:id, sop:revision (the revision
the ticket was opened on). Event: concept:name = the activity (see `engine.app.audit.log`),
org:resource = the SOP actor that performed it (`engine.core.model.performer`; left out when
none did: the engine's deadlines and timers, a ticket opened without an actor),
time:timestamp (UTC), lifecycle:transition = complete, and sop:event, sop:version,
sop:revision, sop:spec_hash (the revision that decided it), sop:sla (met / breached, when the
entry finished a step with a time limit) and sop:caused_by (the rule, when a rule fired it).
Tickets with no event to export yet are left out. No field values are written, so no personal
data is either.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO
from xml.sax.saxutils import quoteattr

from engine.app.audit.log import Trace, event_name
from engine.core.model import LogEntry

__all__ = ["Counts", "utc_text", "write_xes"]

EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)
_EPOCH = "1970-01-01T00:00:00.000Z"


class Counts:
    def __init__(self) -> None:
        self.traces = 0
        self.events = 0


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_xes(traces: Iterable[Trace], out: TextIO, *, all_events: bool = False) -> Counts:
    counts = Counts()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        '<log xes.version="1849-2016" xes.features="nested-attributes" '
        'xmlns="http://www.xes-standard.org/">\n'
    )
    for name, prefix, uri in EXTENSIONS:
        out.write(f"  <extension name={_q(name)} prefix={_q(prefix)} uri={_q(uri)}/>\n")
    out.write('  <global scope="trace">\n    <string key="concept:name" value="__INVALID__"/>\n')
    out.write('  </global>\n  <global scope="event">\n')
    out.write('    <string key="concept:name" value="__INVALID__"/>\n')
    out.write(f'    <date key="time:timestamp" value="{_EPOCH}"/>\n')
    out.write('    <string key="lifecycle:transition" value="complete"/>\n  </global>\n')
    out.write('  <classifier name="Activity" keys="concept:name"/>\n')
    out.write('  <string key="concept:name" value="SOP event log"/>\n')
    for trace in traces:
        events = [(e, n) for e in trace.entries if (n := event_name(e, all_events)) is not None]
        if not events:
            continue
        counts.traces += 1
        counts.events += len(events)
        out.write("  <trace>\n")
        out.write(_attr("string", "concept:name", trace.ticket_id, 4))
        out.write(_attr("string", "sop:id", trace.sop_id, 4))
        out.write(_attr("string", "sop:revision", trace.entries[0].revision, 4))
        for entry, name in events:
            _write_event(out, entry, name)
        out.write("  </trace>\n")
    out.write("</log>\n")
    return counts


def _write_event(out: TextIO, entry: LogEntry, name: str) -> None:
    out.write("    <event>\n")
    out.write(_attr("string", "concept:name", name))
    if entry.performer is not None:
        out.write(_attr("string", "org:resource", entry.performer))
    out.write(_attr("date", "time:timestamp", utc_text(entry.at)))
    out.write(_attr("string", "lifecycle:transition", "complete"))
    out.write(_attr("string", "sop:event", entry.event))
    out.write(_attr("int", "sop:version", str(entry.version)))
    out.write(_attr("string", "sop:revision", entry.revision))
    out.write(_attr("string", "sop:spec_hash", entry.spec_hash))
    if entry.sla is not None:
        out.write(_attr("string", "sop:sla", entry.sla))
    if entry.caused_by is not None:
        out.write(_attr("string", "sop:caused_by", entry.caused_by))
    out.write("    </event>\n")


def _attr(kind: str, key: str, value: str, indent: int = 6) -> str:
    return f"{' ' * indent}<{kind} key={_q(key)} value={_q(value)}/>\n"


def _q(value: str) -> str:
    return quoteattr(value, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
