"""`sop audit export`: the event log for process mining tools, as XES or OCEL 2.0 JSON.

    export_log(store, fmt, out, *, sop_id=None, all_events=False) -> Counts

Case = ticket, activity = SOP step ("<no>. <id>" of the step an entry finished), resource =
actor, plus the revision that decided each event. What is left out and why:
`engine.app.audit.log`; the formats: `engine.app.audit.xes`, `engine.app.audit.ocel`.
"""

from __future__ import annotations

from typing import TextIO

from engine.app.audit.log import traces
from engine.app.audit.ocel import write_ocel
from engine.app.audit.xes import Counts, write_xes
from engine.store import Store

__all__ = ["FORMATS", "Counts", "export_log"]

WRITERS = {"xes": write_xes, "ocel": write_ocel}
FORMATS = tuple(WRITERS)


def export_log(
    store: Store,
    fmt: str,
    out: TextIO,
    *,
    sop_id: str | None = None,
    all_events: bool = False,
) -> Counts:
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    return WRITERS[fmt](traces(store, sop_id=sop_id), out, all_events=all_events)
